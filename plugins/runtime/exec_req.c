/* Parsing the kubelet's exec path and query (exec_req.h). */
#include "exec_req.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decode s[0..n) ('+' is a space, as in a query). */
static char *qdecode(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (!o) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            o[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            o[k++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    o[k] = 0;
    return o;
}

void rt_exec_req_free(struct rt_exec_req *q)
{
    for (int i = 0; i < q->argc; i++)
        free(q->argv[i]);
    q->argc = 0;
}

/* One path segment of 1..255 bytes at *p, up to '/' or the end. */
static bool segment(const char **p, char *out, bool last)
{
    const char *e = strchr(*p, '/');
    size_t n = e ? (size_t)(e - *p) : strlen(*p);
    if (!n || n > 255 || (last ? e != NULL : e == NULL)) return false;
    memcpy(out, *p, n);
    out[n] = 0;
    *p += n + (e ? 1 : 0);
    return true;
}

int rt_exec_req_parse(const char *path, const char *query, struct rt_exec_req *q, char *msg,
                      size_t cap)
{
    memset(q, 0, sizeof(*q));
    const char *p = path;
    if (strncmp(p, "/exec/", 6) != 0 || (p += 6, !segment(&p, q->ns, false)) ||
        !segment(&p, q->pod, false) || !segment(&p, q->ctr, true)) {
        snprintf(msg, cap, "404 page not found");
        return 404;
    }
    for (p = query ? query : ""; *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        const char *v = eq ? eq + 1 : p + n;
        size_t vl = (size_t)(p + n - v);
        if (kl == 7 && !memcmp(p, "command", 7)) {
            if (q->argc == RT_EXEC_MAX_ARGS) {
                rt_exec_req_free(q);
                snprintf(msg, cap, "too many command arguments (over %d)", RT_EXEC_MAX_ARGS);
                return 400;
            }
            char *a = qdecode(v, vl);
            if (!a) {
                rt_exec_req_free(q);
                snprintf(msg, cap, "out of memory");
                return 500;
            }
            q->argv[q->argc++] = a;
        } else {
            /* the kubelet's flags are "1"; anything else is false */
            bool on = vl == 1 && v[0] == '1';
            if (kl == 5 && !memcmp(p, "input", 5)) q->in = on;
            if (kl == 6 && !memcmp(p, "output", 6)) q->out = on;
            if (kl == 5 && !memcmp(p, "error", 5)) q->err = on;
            if (kl == 3 && !memcmp(p, "tty", 3)) q->tty = on;
        }
        p += n + (amp ? 1 : 0);
    }
    if (q->tty && q->err) q->err = false; /* the kubelet bypasses stderr with a tty */
    if (!q->in && !q->out && !q->err) {
        rt_exec_req_free(q);
        snprintf(msg, cap, "you must specify at least 1 of stdin, stdout, stderr");
        return 400;
    }
    if (!q->argc) {
        snprintf(msg, cap, "missing command");
        return 400;
    }
    return 0;
}
