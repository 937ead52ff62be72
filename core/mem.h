/* Allocation helpers. The x* functions abort on failure: use them for small
 * sizes the program chooses. Sizes that come from the wire or from files go
 * through sk_try_malloc, which returns NULL and lets the caller fail cleanly. */
#ifndef SK_MEM_H
#define SK_MEM_H

#include <stddef.h>
#include <stdlib.h>

void *sk_xmalloc(size_t n);
void *sk_xcalloc(size_t nmemb, size_t size);
void *sk_xrealloc(void *p, size_t n);
char *sk_xstrdup(const char *s);
char *sk_xstrndup(const char *s, size_t n);
/* Formatted allocation; caller frees. */
char *sk_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns NULL when n is over limit or allocation fails. */
void *sk_try_malloc(size_t n, size_t limit);

/* The agent's malloc policy, set before its threads start: one malloc
 * arena (unless MALLOC_ARENA_MAX says otherwise), because every thread's
 * own arena keeps its freed pages and the agent is small and not
 * allocation-bound; fixed mmap and trim thresholds so that large
 * short-lived buffers go back to the system at once. */
void sk_mem_tune(void);
/* Give free heap pages back to the system (after a burst of work). */
void sk_mem_trim(void);
/* One line of figures: heap in use and free, mmapped, RSS by kind (from
 * /proc/self/status). For logs and the SIGUSR2 dump. */
void sk_mem_report(char *buf, size_t cap);

static inline void sk_freep(void *p)
{
    free(*(void **)p);
}
#define _sk_cleanup_free_ __attribute__((cleanup(sk_freep)))

#endif
