/* The kubelet's exec request, as the API forwards pods/exec to a node:
 * /exec/NS/POD/CONTAINER?command=...&command=...&input=1&output=1&error=1
 * &tty=1. Pure; any thread. */
#ifndef RT_EXEC_REQ_H
#define RT_EXEC_REQ_H

#include <stdbool.h>
#include <stddef.h>

#define RT_EXEC_MAX_ARGS 256

struct rt_exec_req {
    char ns[256], pod[256], ctr[256];
    char *argv[RT_EXEC_MAX_ARGS]; /* the command, percent-decoded (owned) */
    int argc;
    bool in, out, err, tty; /* err is false with tty, as the kubelet bypasses it */
};

/* Parse path and raw query into *q. Returns 0, or the HTTP status the
 * kubelet answers (404 for a path it does not serve, 400 for "you must
 * specify at least 1 of stdin, stdout, stderr" or no command) with its
 * text in msg; *q then holds nothing to free. */
int rt_exec_req_parse(const char *path, const char *query, struct rt_exec_req *q, char *msg,
                      size_t cap);
void rt_exec_req_free(struct rt_exec_req *q);

#endif
