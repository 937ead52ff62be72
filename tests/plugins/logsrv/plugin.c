/* A test plugin for node HTTP (ABI 1.2). It serves two prefixes:
 *
 *   /containerLogs/NS/POD/CONTAINER  five deterministic lines per container
 *       ("NS/POD/CONTAINER line N"); tailLines=K keeps the last K;
 *       follow=true then appends a line every 100 ms until the client goes.
 *       Container "fail" answers 400, as a kubelet does for a container
 *       that is not running.
 *   /echo/...  describes the request: method, path, query, content type,
 *       body length and FNV-1a 64 of the body. ?raw=1 sends the body back
 *       as is; ?size=N streams N bytes (pattern: byte i is 'a' + i % 26),
 *       pausing on http_pending; ?status=NNN picks the status.
 *
 * Every event the tests look for is logged: "stream gone path=...",
 * "stream done path=...". */
#include "skiff_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINES      5
#define HIGH_WATER (256 * 1024)
#define GEN_CHUNK  (64 * 1024)

struct logsrv;

struct job {
    struct job *prev, *next;
    struct logsrv *ls;
    struct skiff_http_stream *s;
    char path[512];
    /* follow */
    struct skiff_timer *timer;
    char prefix[400];
    long next_line;
    /* generator */
    unsigned long long remaining, offset;
};

struct logsrv {
    struct skiff_ctx *ctx;
    const struct skiff_host *host;
    struct job *jobs;
};

static struct job *job_new(struct logsrv *ls, struct skiff_http_stream *s, const char *path)
{
    struct job *j = calloc(1, sizeof(*j));
    if (!j) abort();
    j->ls = ls;
    j->s = s;
    snprintf(j->path, sizeof(j->path), "%s", path);
    j->next = ls->jobs;
    if (ls->jobs) ls->jobs->prev = j;
    ls->jobs = j;
    return j;
}

/* End the response and forget the job. */
static void job_end(struct job *j, const char *why)
{
    struct logsrv *ls = j->ls;
    if (j->timer) ls->host->timer_cancel(ls->ctx, j->timer);
    ls->host->log(ls->ctx, SKIFF_LOG_INFO, "stream %s path=%s", why, j->path);
    ls->host->http_end(j->s);
    if (j->prev)
        j->prev->next = j->next;
    else
        ls->jobs = j->next;
    if (j->next) j->next->prev = j->prev;
    free(j);
}

static void job_gone(void *arg)
{
    job_end(arg, "gone");
}

/* The value of key in a raw query, copied into out; false when absent. */
static bool query_get(const char *q, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = q; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        if (n >= kl && !strncmp(p, key, kl) && (n == kl || p[kl] == '=')) {
            size_t vl = n > kl ? n - kl - 1 : 0;
            if (vl >= cap) vl = cap - 1;
            memcpy(out, p + kl + 1 - (n == kl), vl);
            out[vl] = 0;
            return true;
        }
        p = amp ? amp + 1 : NULL;
    }
    return false;
}

static void respond_text(struct logsrv *ls, struct skiff_http_stream *s, int status,
                         const char *text)
{
    ls->host->http_head(s, status, "text/plain; charset=utf-8");
    ls->host->http_write(s, text, strlen(text));
    ls->host->http_end(s);
}

/* ---- containerLogs ---- */

static void write_line(struct job *j)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "%s line %ld\n", j->prefix, j->next_line++);
    if (j->ls->host->http_write(j->s, line, (size_t)n) < 0) job_end(j, "gone");
}

static void follow_tick(void *arg)
{
    write_line(arg);
}

static void serve_logs(struct logsrv *ls, const struct skiff_http_req *req,
                       struct skiff_http_stream *s)
{
    const char *host_path = req->path + strlen("/containerLogs/");
    char ns[128], pod[128], ctr[128];
    if (strncmp(req->path, "/containerLogs/", 15) ||
        sscanf(host_path, "%127[^/]/%127[^/]/%127[^/]", ns, pod, ctr) != 3)
        return respond_text(ls, s, 404, "404 page not found\n");
    if (!strcmp(ctr, "fail"))
        return respond_text(ls, s, 400,
                            "container \"fail\" in pod \"web\" is waiting to start: "
                            "ContainerCreating");
    char v[32];
    long tail = -1;
    if (query_get(req->query, "tailLines", v, sizeof(v))) tail = atol(v);
    bool follow = query_get(req->query, "follow", v, sizeof(v)) && !strcmp(v, "true");
    struct job *j = job_new(ls, s, req->path);
    snprintf(j->prefix, sizeof(j->prefix), "%s/%s/%s", ns, pod, ctr);
    j->next_line = 1;
    if (tail >= 0 && tail < LINES) j->next_line = LINES - tail + 1;
    ls->host->http_head(s, 200, "text/plain");
    while (j->next_line <= LINES)
        write_line(j);
    if (!follow) return job_end(j, "done");
    ls->host->http_notify(s, NULL, job_gone, j);
    j->timer = ls->host->timer_add(ls->ctx, 0.1, 0.1, follow_tick, j);
}

/* ---- echo ---- */

static void generate(void *arg)
{
    struct job *j = arg;
    const struct skiff_host *h = j->ls->host;
    static char buf[GEN_CHUNK];
    while (j->remaining && h->http_pending(j->s) < HIGH_WATER) {
        size_t n = j->remaining < GEN_CHUNK ? (size_t)j->remaining : GEN_CHUNK;
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)('a' + (j->offset + i) % 26);
        if (h->http_write(j->s, buf, n) < 0) return job_end(j, "gone");
        j->remaining -= n;
        j->offset += n;
    }
    if (!j->remaining) return job_end(j, "done");
    /* resumes from drain once the client took half of what is pending */
    h->http_notify(j->s, generate, job_gone, j);
}

static void serve_echo(struct logsrv *ls, const struct skiff_http_req *req,
                       struct skiff_http_stream *s)
{
    char v[32];
    int status = 200;
    if (query_get(req->query, "status", v, sizeof(v))) status = atoi(v);
    if (query_get(req->query, "size", v, sizeof(v))) {
        struct job *j = job_new(ls, s, req->path);
        j->remaining = strtoull(v, NULL, 10);
        ls->host->http_head(s, status, "application/octet-stream");
        return generate(j);
    }
    if (query_get(req->query, "raw", v, sizeof(v))) {
        ls->host->http_head(s, status, req->content_type[0] ? req->content_type : NULL);
        ls->host->http_write(s, req->body, req->body_len);
        ls->host->http_end(s);
        return;
    }
    unsigned long long h = 1469598103934665603ull;
    for (size_t i = 0; i < req->body_len; i++)
        h = (h ^ ((const unsigned char *)req->body)[i]) * 1099511628211ull;
    char text[4096];
    snprintf(text, sizeof(text),
             "method=%s\npath=%s\nquery=%s\nctype=%s\nbody-length=%zu\nbody-fnv=%016llx\n",
             req->method, req->path, req->query, req->content_type, req->body_len, h);
    respond_text(ls, s, status, text);
}

static void on_request(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    struct logsrv *ls = arg;
    if (!strncmp(req->path, "/containerLogs", 14))
        serve_logs(ls, req, s);
    else
        serve_echo(ls, req, s);
}

static int logsrv_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                       void **self)
{
    (void)options;
    if (host->struct_size < offsetof(struct skiff_host, http_end) + sizeof(void *)) {
        host->log(ctx, SKIFF_LOG_ERROR, "this agent has no node HTTP (ABI 1.2)");
        return -1;
    }
    struct logsrv *ls = calloc(1, sizeof(*ls));
    if (!ls) return -1;
    ls->ctx = ctx;
    ls->host = host;
    *self = ls;
    return 0;
}

static int logsrv_start(void *self)
{
    struct logsrv *ls = self;
    if (ls->host->http_serve(ls->ctx, "containerLogs", on_request, ls) ||
        ls->host->http_serve(ls->ctx, "echo", on_request, ls))
        return -1;
    return 0;
}

static void logsrv_stop(void *self)
{
    struct logsrv *ls = self;
    while (ls->jobs)
        job_end(ls->jobs, "stopped");
}

static void logsrv_fini(void *self)
{
    free(self);
}

SKIFF_PLUGIN(logsrv) = {
        SKIFF_PLUGIN_HEADER,
        .name = "logsrv",
        .role = SKIFF_ROLE_NODE,
        .description = "test plugin: serves containerLogs and echo over node HTTP",
        .init = logsrv_init,
        .start = logsrv_start,
        .stop = logsrv_stop,
        .fini = logsrv_fini,
};
