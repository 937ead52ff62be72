/* Allocation helpers that abort on exhaustion for program-chosen sizes. */
#include "mem.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "skiff: out of memory allocating %zu bytes\n", n);
    abort();
}

void *sk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *sk_xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p) oom(nmemb * size);
    return p;
}

void *sk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *sk_xstrdup(const char *s)
{
    return sk_xstrndup(s, strlen(s));
}

char *sk_xstrndup(const char *s, size_t n)
{
    char *p = sk_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *sk_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) oom(0);
    char *p = sk_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void *sk_try_malloc(size_t n, size_t limit)
{
    if (n > limit) return NULL;
    return malloc(n ? n : 1);
}

/* ---- the agent's malloc policy ---- */

void sk_mem_tune(void)
{
    if (!getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 1);
    if (!getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    if (!getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, 256 * 1024);
}

void sk_mem_trim(void)
{
    malloc_trim(0);
}

static long status_kib(const char *text, const char *key)
{
    const char *p = strstr(text, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

void sk_mem_report(char *buf, size_t cap)
{
    struct mallinfo2 mi = mallinfo2();
    char st[4096] = "";
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        size_t n = fread(st, 1, sizeof(st) - 1, f);
        st[n] = 0;
        fclose(f);
    }
    snprintf(buf, cap,
             "heap_in_use_kib=%zu heap_free_kib=%zu heap_top_free_kib=%zu mmapped_kib=%zu "
             "rss_kib=%ld rss_anon_kib=%ld rss_file_kib=%ld threads=%ld",
             mi.uordblks / 1024, mi.fordblks / 1024, mi.keepcost / 1024, mi.hblkhd / 1024,
             status_kib(st, "VmRSS:"), status_kib(st, "RssAnon:"), status_kib(st, "RssFile:"),
             status_kib(st, "Threads:"));
}
