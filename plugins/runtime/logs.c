/* The node side of pods/log: /containerLogs/NS/POD/CONTAINER reads the
 * container's CRI log files as the kubelet does (attempt N.log, highest =
 * current), strips the record framing, applies tailLines, sinceSeconds,
 * sinceTime, timestamps and limitBytes, and follows the file through
 * rotation and restarts under the stream's flow control. */
#include "crilog.h"
#include "mem.h"
#include "rt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)
/* A raw record longer than this is not one the shim wrote: skipped. */
#define LINE_MAX_RAW (RT_CRI_MAX_MSG + 4096)
/* Pause above this much output not yet taken by the client. */
#define HIGH_WATER (256 * 1024)
/* Per loop turn, then yield to the rest of the agent. */
#define TURN_BYTES (1024 * 1024)
/* How often a follower checks whether its container still runs. */
#define FOLLOW_CHECK 1.0

struct rt_logs;

struct lstream {
    struct lstream *prev, *next;
    struct rt_logs *lg;
    struct skiff_http_stream *s;
    char ns[256], pod[256], ctr[256];
    char dir[PATH_MAX];
    int attempt;
    int fd;
    dev_t dev;
    ino_t ino;
    bool follow, timestamps, line_start, paused, ended, waiting;
    bool has_since, has_limit;
    int64_t since_sec;
    long since_nsec;
    long long limit_left;
    long long tail; /* -1: all */
    int ifd;        /* inotify, while following */
    struct skiff_watch *iw;
    struct skiff_timer *timer;
    struct skiff_timer *kick;
    char raw[LINE_MAX_RAW];
    size_t rlen;
    bool skipping; /* inside an over-long raw line */
    struct sk_buf out;
};

struct rt_logs {
    struct rt_logs *next;
    struct rt *rt;
    bool serving;
    struct lstream *streams;
};

static struct rt_logs *all_logs;

static struct rt_logs *logs_of(struct rt *rt)
{
    for (struct rt_logs *l = all_logs; l; l = l->next)
        if (l->rt == rt) return l;
    return NULL;
}

char *rt_log_path(struct rt *rt, const char *ns, const char *pod, const char *uid,
                  const char *container, int attempt)
{
    return sk_xasprintf("%s/%s_%s_%s/%s/%d.log", rt_log_dir(rt), ns, pod, uid, container, attempt);
}

/* ---- requests ---- */

static bool query_get(const char *q, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = q; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n >= kl && !strncmp(p, key, kl) && (n == kl || p[kl] == '=')) {
            const char *v = n > kl ? p + kl + 1 : p + n;
            size_t vl = n > kl ? n - kl - 1 : 0, o = 0;
            for (size_t i = 0; i < vl && o + 1 < cap; i++) {
                unsigned hi, lo;
                if (v[i] == '%' && i + 2 < vl && sscanf(v + i + 1, "%1x%1x", &hi, &lo) == 2) {
                    out[o++] = (char)(hi * 16 + lo);
                    i += 2;
                } else {
                    out[o++] = v[i] == '+' ? ' ' : v[i];
                }
            }
            out[o] = 0;
            return true;
        }
        p = amp ? amp + 1 : NULL;
    }
    return false;
}

static bool query_bool(const char *q, const char *key)
{
    char v[16];
    return query_get(q, key, v, sizeof(v)) && strcmp(v, "0") && strcasecmp(v, "false");
}

static void respond(struct rt_logs *lg, struct skiff_http_stream *s, int status, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
static void respond(struct rt_logs *lg, struct skiff_http_stream *s, int status, const char *fmt,
                    ...)
{
    const struct skiff_host *h = rt_host(lg->rt);
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof(text)) n = sizeof(text) - 1;
    h->http_head(s, status, "text/plain; charset=utf-8");
    h->http_write(s, text, (size_t)n);
    h->http_end(s);
}

/* Attempt numbers of DIR's N.log files: the highest in *cur, the one
 * before in *prev (-1 when none). */
static void list_attempts(const char *dir, int *cur, int *prev)
{
    *cur = *prev = -1;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        char *end;
        long n = strtol(de->d_name, &end, 10);
        if (end == de->d_name || strcmp(end, ".log") || n < 0 || n > 1000000) continue;
        if (n > *cur) {
            *prev = *cur;
            *cur = (int)n;
        } else if (n > *prev && n != *cur) {
            *prev = (int)n;
        }
    }
    closedir(d);
}

/* The container's entry in the pod's status lists, or NULL. */
static const struct sk_val *ctr_status(const struct sk_val *pod, const char *ctr)
{
    static const char *const lists[] = {"containerStatuses", "initContainerStatuses",
                                        "ephemeralContainerStatuses"};
    for (size_t l = 0; l < 3; l++) {
        const struct sk_val *a = sk_val_at(pod, "status", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(a); i++) {
            const char *n = sk_val_str_at(sk_arr_get(a, i), "name", NULL);
            if (n && !strcmp(n, ctr)) return sk_arr_get(a, i);
        }
    }
    return NULL;
}

static bool ctr_in_spec(const struct sk_val *pod, const char *ctr)
{
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
    for (size_t l = 0; l < 3; l++) {
        const struct sk_val *a = sk_val_at(pod, "spec", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(a); i++) {
            const char *n = sk_val_str_at(sk_arr_get(a, i), "name", NULL);
            if (n && !strcmp(n, ctr)) return true;
        }
    }
    return false;
}

/* The kubelet's answer when there is no log to show, from the status. */
static void no_log_message(const struct sk_val *pod, const char *ctr, const char *podname,
                           bool previous, char *msg, size_t cap)
{
    const struct sk_val *st = ctr_status(pod, ctr);
    if (previous) {
        snprintf(msg, cap, "previous terminated container \"%s\" in pod \"%s\" not found", ctr,
                 podname);
        return;
    }
    if (!st) {
        snprintf(msg, cap, "container \"%s\" in pod \"%s\" is waiting to start: ContainerCreating",
                 ctr, podname);
        return;
    }
    if (sk_val_at(st, "state", "terminated", NULL) ||
        sk_val_at(st, "lastState", "terminated", NULL)) {
        snprintf(msg, cap, "container \"%s\" in pod \"%s\" is terminated", ctr, podname);
        return;
    }
    const char *reason = sk_val_str_at(st, "state", "waiting", "reason", NULL);
    if (reason && !strcmp(reason, "ErrImagePull"))
        snprintf(msg, cap,
                 "container \"%s\" in pod \"%s\" is waiting to start: image can't be pulled", ctr,
                 podname);
    else if (reason && !strcmp(reason, "ImagePullBackOff"))
        snprintf(msg, cap,
                 "container \"%s\" in pod \"%s\" is waiting to start: trying and failing to pull "
                 "image",
                 ctr, podname);
    else if (reason)
        snprintf(msg, cap, "container \"%s\" in pod \"%s\" is waiting to start: %s", ctr, podname,
                 reason);
    else
        snprintf(msg, cap, "container \"%s\" in pod \"%s\" is waiting to start - no logs yet", ctr,
                 podname);
}

/* ---- streaming ---- */

static void ls_end(struct lstream *ls, const char *why)
{
    struct rt_logs *lg = ls->lg;
    const struct skiff_host *h = rt_host(lg->rt);
    struct skiff_ctx *ctx = rt_ctx(lg->rt);
    if (ls->timer) h->timer_cancel(ctx, ls->timer);
    if (ls->kick) h->timer_cancel(ctx, ls->kick);
    if (ls->iw) h->fd_unwatch(ctx, ls->iw);
    if (ls->ifd >= 0) close(ls->ifd);
    if (ls->fd >= 0) close(ls->fd);
    h->log(ctx, SKIFF_LOG_DEBUG, "log stream %s pod=%s/%s container=%s", why, ls->ns, ls->pod,
           ls->ctr);
    h->http_end(ls->s);
    if (ls->prev)
        ls->prev->next = ls->next;
    else
        lg->streams = ls->next;
    if (ls->next) ls->next->prev = ls->prev;
    sk_buf_free(&ls->out);
    free(ls);
}

/* Turn one raw record into output bytes in ls->out. */
static void ls_record(struct lstream *ls, const char *line, size_t n)
{
    struct rt_cri_rec rec;
    if (rt_cri_parse(line, n, &rec)) return; /* not a record: skipped, as the kubelet does */
    if (ls->has_since &&
        (rec.sec < ls->since_sec || (rec.sec == ls->since_sec && rec.nsec < ls->since_nsec)))
        return;
    size_t start = ls->out.len;
    if (ls->timestamps && ls->line_start) {
        char ts[RT_CRI_TS_LEN];
        size_t tl = rt_cri_time_go(rec.sec, rec.nsec, ts);
        sk_buf_append(&ls->out, ts, tl);
        sk_buf_putc(&ls->out, ' ');
    }
    sk_buf_append(&ls->out, rec.msg, rec.msg_len);
    if (!rec.partial) sk_buf_putc(&ls->out, '\n');
    ls->line_start = !rec.partial;
    if (ls->has_limit) {
        size_t added = ls->out.len - start;
        if ((long long)added >= ls->limit_left) {
            ls->out.len = start + (size_t)ls->limit_left;
            ls->limit_left = 0;
        } else {
            ls->limit_left -= (long long)added;
        }
    }
}

/* Split raw bytes into records; a record is complete at its '\n'. */
static void ls_feed(struct lstream *ls, const char *p, size_t n)
{
    while (n && !(ls->has_limit && !ls->limit_left)) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (!ls->skipping && !ls->rlen && nl) {
            ls_record(ls, p, take);
        } else if (!ls->skipping) {
            if (ls->rlen + take > sizeof(ls->raw)) {
                ls->skipping = true;
                ls->rlen = 0;
            } else {
                memcpy(ls->raw + ls->rlen, p, take);
                ls->rlen += take;
                if (nl) {
                    ls_record(ls, ls->raw, ls->rlen);
                    ls->rlen = 0;
                }
            }
        }
        if (nl) {
            ls->skipping = false;
            take++;
        }
        p += take;
        n -= take;
    }
}

/* Send what is in ls->out; false when the client is gone. */
static bool ls_flush(struct lstream *ls)
{
    if (!ls->out.len) return true;
    const struct skiff_host *h = rt_host(ls->lg->rt);
    int rc = h->http_write(ls->s, ls->out.p, ls->out.len);
    ls->out.len = 0;
    return rc == 0;
}

static void ls_pump(struct lstream *ls);

static void kick_cb(void *arg)
{
    struct lstream *ls = arg;
    ls->kick = NULL;
    ls_pump(ls);
}

/* Open attempt's file; false when it is not there. */
static bool ls_open(struct lstream *ls, int attempt)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%d.log", ls->dir, attempt);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    if (fstat(fd, &st)) {
        close(fd);
        return false;
    }
    if (ls->fd >= 0) close(ls->fd);
    ls->fd = fd;
    ls->dev = st.st_dev;
    ls->ino = st.st_ino;
    ls->attempt = attempt;
    ls->rlen = 0;
    ls->skipping = false;
    return true;
}

/* At the end of the open file while following: the file was rotated (the
 * path names another file now), or a newer attempt began. */
static bool ls_switch(struct lstream *ls)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%d.log", ls->dir, ls->attempt);
    struct stat st;
    if (!stat(path, &st) && (st.st_ino != ls->ino || st.st_dev != ls->dev))
        return ls_open(ls, ls->attempt);
    int cur, prev;
    list_attempts(ls->dir, &cur, &prev);
    if (cur > ls->attempt) {
        if (ls->rlen) ls_feed(ls, "\n", 1); /* a torn last record still counts */
        return ls_open(ls, cur);
    }
    return false;
}

static bool ctr_running(struct lstream *ls)
{
    struct rt_target t;
    char msg[256];
    return rt_find_target(ls->lg->rt, ls->ns, ls->pod, ls->ctr, &t, msg, sizeof(msg)) == SKIFF_OK;
}

/* Read and send until the client holds enough, the file ends or this turn
 * has done its share. */
static void ls_pump(struct lstream *ls)
{
    const struct skiff_host *h = rt_host(ls->lg->rt);
    size_t turn = 0;
    static char buf[READ_CHUNK];
    ls->paused = false;
    for (;;) {
        if (ls->has_limit && !ls->limit_left) {
            ls_flush(ls);
            return ls_end(ls, "done");
        }
        if (h->http_pending(ls->s) >= HIGH_WATER) {
            ls->paused = true; /* the drain callback resumes */
            return;
        }
        if (turn >= TURN_BYTES) {
            if (!ls->kick) ls->kick = h->timer_add(rt_ctx(ls->lg->rt), 0, 0, kick_cb, ls);
            return;
        }
        ssize_t n = read(ls->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) {
            ls_feed(ls, buf, (size_t)n);
            turn += (size_t)n;
            if (!ls_flush(ls)) return ls_end(ls, "gone");
            continue;
        }
        /* end of the file for now */
        if (ls->follow && ls_switch(ls)) continue;
        if (!ls->follow || ls->ended) {
            if (ls->rlen && !ls->skipping) ls_record(ls, ls->raw, ls->rlen);
            ls->rlen = 0;
            ls_flush(ls);
            return ls_end(ls, "done");
        }
        ls->waiting = true;
        return; /* inotify or the check timer brings us back */
    }
}

static void ls_inotify(int fd, int events, void *arg)
{
    (void)events;
    struct lstream *ls = arg;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    if (!ls->paused && !ls->kick) ls_pump(ls);
}

static void ls_check(void *arg)
{
    struct lstream *ls = arg;
    /* a container that no longer runs has written everything it will:
     * what is in the file now is the end */
    if (!ctr_running(ls)) ls->ended = true;
    if (!ls->paused && !ls->kick) ls_pump(ls);
}

static void ls_drain(void *arg)
{
    struct lstream *ls = arg;
    if (ls->paused && !ls->kick) ls_pump(ls);
}

static void ls_gone(void *arg)
{
    ls_end(arg, "gone");
}

/* Offset where the last tail records of fd begin (reads backwards). */
static off_t tail_offset(int fd, long long tail)
{
    struct stat st;
    if (fstat(fd, &st) || st.st_size == 0) return 0;
    off_t end = st.st_size;
    if (tail == 0) return end;
    static char buf[READ_CHUNK];
    off_t pos = end;
    long long seen = 0;
    bool last_byte = true;
    while (pos > 0) {
        size_t n = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
        pos -= (off_t)n;
        if (pread(fd, buf, n, pos) != (ssize_t)n) return 0;
        for (size_t i = n; i-- > 0;) {
            if (last_byte) { /* the newline that ends the last record */
                last_byte = false;
                if (buf[i] == '\n') continue;
            }
            if (buf[i] == '\n' && ++seen == tail) return pos + (off_t)i + 1;
        }
    }
    return 0;
}

static void on_request(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    struct rt_logs *lg = arg;
    struct rt *rt = lg->rt;
    const struct skiff_host *h = rt_host(rt);
    struct skiff_ctx *ctx = rt_ctx(rt);
    char ns[256], pod[256], ctr[256];
    const char *p = req->path + strlen("/containerLogs");
    if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD"))
        return respond(lg, s, 405, "405 method not allowed\n");
    if (sscanf(p, "/%255[^/]/%255[^/]/%255[^/]", ns, pod, ctr) != 3 || strchr(ns, '.') == ns ||
        strchr(pod, '.') == pod || strchr(ctr, '.') == ctr)
        return respond(lg, s, 404, "404 page not found\n");
    {
        /* nothing after the container */
        size_t used = 3 + strlen(ns) + strlen(pod) + strlen(ctr);
        if (strlen(p) != used) return respond(lg, s, 404, "404 page not found\n");
    }
    void *raw = NULL;
    size_t rawlen = 0;
    if (h->get(ctx, "pods", ns, pod, &raw, &rawlen) != SKIFF_OK)
        return respond(lg, s, 404, "pod \"%s/%s\" does not exist\n", ns, pod);
    struct sk_val *obj = NULL;
    struct sk_error *err = NULL;
    if (sk_val_from_msgpack(raw, rawlen, &obj, &err)) {
        free(raw);
        respond(lg, s, 500, "pod %s/%s: %s", ns, pod, sk_error_msg(err, SK_EPROTO));
        sk_error_free(err);
        return;
    }
    free(raw);
    const char *uid = sk_val_str_at(obj, "metadata", "uid", NULL);
    if (!ctr_in_spec(obj, ctr)) {
        sk_val_free(obj);
        return respond(lg, s, 404, "container \"%s\" not found in pod \"%s/%s\"\n", ctr, ns, pod);
    }
    bool previous = query_bool(req->query, "previous");
    struct lstream *ls = sk_xcalloc(1, sizeof(*ls));
    ls->lg = lg;
    ls->s = s;
    ls->fd = ls->ifd = -1;
    ls->line_start = true;
    snprintf(ls->ns, sizeof(ls->ns), "%s", ns);
    snprintf(ls->pod, sizeof(ls->pod), "%s", pod);
    snprintf(ls->ctr, sizeof(ls->ctr), "%s", ctr);
    char *file = rt_log_path(rt, ns, pod, uid ? uid : "", ctr, 0);
    char *slash = strrchr(file, '/');
    *slash = 0;
    snprintf(ls->dir, sizeof(ls->dir), "%s", file);
    free(file);
    int cur, prev;
    list_attempts(ls->dir, &cur, &prev);
    int attempt = previous ? prev : cur;
    if (attempt < 0 || !ls_open(ls, attempt)) {
        char msg[1024];
        no_log_message(obj, ctr, pod, previous, msg, sizeof(msg));
        sk_val_free(obj);
        free(ls);
        return respond(lg, s, 400, "%s", msg);
    }
    sk_val_free(obj);

    char v[128];
    ls->timestamps = query_bool(req->query, "timestamps");
    ls->follow = query_bool(req->query, "follow") && !previous;
    ls->tail = -1;
    if (query_get(req->query, "tailLines", v, sizeof(v)) && *v) ls->tail = atoll(v);
    if (query_get(req->query, "limitBytes", v, sizeof(v)) && *v && atoll(v) > 0) {
        ls->has_limit = true;
        ls->limit_left = atoll(v);
    }
    if (query_get(req->query, "sinceSeconds", v, sizeof(v)) && *v && atoll(v) > 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        ls->has_since = true;
        ls->since_sec = (int64_t)now.tv_sec - atoll(v);
        ls->since_nsec = now.tv_nsec;
    } else if (query_get(req->query, "sinceTime", v, sizeof(v)) && *v) {
        if (rt_rfc3339_parse(v, strlen(v), &ls->since_sec, &ls->since_nsec)) {
            close(ls->fd);
            free(ls);
            return respond(lg, s, 400, "sinceTime %s: not an RFC 3339 time", v);
        }
        ls->has_since = true;
    }
    /* the kubelet reads the tail of the current file only */
    if (ls->tail >= 0) lseek(ls->fd, tail_offset(ls->fd, ls->tail), SEEK_SET);

    ls->next = lg->streams;
    if (lg->streams) lg->streams->prev = ls;
    lg->streams = ls;
    h->http_head(s, 200, "text/plain");
    h->http_notify(s, ls_drain, ls_gone, ls);
    if (!strcmp(req->method, "HEAD")) return ls_end(ls, "done");
    if (ls->follow) {
        ls->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (ls->ifd >= 0 && inotify_add_watch(ls->ifd, ls->dir,
                                              IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
                                                      IN_CLOSE_WRITE) >= 0)
            ls->iw = h->fd_watch(ctx, ls->ifd, SKIFF_FD_READ, ls_inotify, ls);
        /* also the fallback when inotify is out of watches */
        ls->timer = h->timer_add(ctx, FOLLOW_CHECK, FOLLOW_CHECK, ls_check, ls);
        if (!ctr_running(ls)) ls->ended = true;
    }
    ls_pump(ls);
}

int rt_logs_start(struct rt *rt)
{
    struct rt_logs *lg = logs_of(rt);
    if (!lg) {
        lg = sk_xcalloc(1, sizeof(*lg));
        lg->rt = rt;
        lg->next = all_logs;
        all_logs = lg;
    }
    const struct skiff_host *h = rt_host(rt);
    int rc = h->http_serve(rt_ctx(rt), "containerLogs", on_request, lg);
    if (rc == SKIFF_ECONFLICT) {
        /* another plugin (a test's log server) serves the prefix: the
         * runtime goes on without its log endpoint */
        h->log(rt_ctx(rt), SKIFF_LOG_WARN,
               "containerLogs is served by another plugin: pods/log will not read this "
               "runtime's logs");
        return 0;
    }
    lg->serving = rc == SKIFF_OK;
    return rc == SKIFF_OK ? 0 : -1;
}

void rt_logs_stop(struct rt *rt)
{
    struct rt_logs *lg = logs_of(rt);
    if (!lg) return;
    while (lg->streams)
        ls_end(lg->streams, "stopped");
    for (struct rt_logs **pp = &all_logs; *pp; pp = &(*pp)->next)
        if (*pp == lg) {
            *pp = lg->next;
            break;
        }
    free(lg);
}
