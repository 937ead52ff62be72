/* A test plugin for upgraded node HTTP streams (ABI 1.3): it serves the
 * kubelet's /exec/NS/POD/CONTAINER path without containers, so the API's
 * WebSocket bridge is tested with real kubectl before the runtime runs
 * pods. The command (the repeated "command" query parameter) picks what
 * happens:
 *
 *   echo ARGS...  ARGS joined by spaces and a newline on stdout, exit 0
 *   cat           stdin back on stdout until the client closes stdin
 *                 (v5 close frame), then exit 0
 *   exit N [MSG]  MSG (default "bye") and a newline on stderr, exit N
 *   tty           "tty=1 size=WxH" on stdout for every resize frame, stdin
 *                 echoed; ends (exit 0) at a "q" in stdin
 *   big N         N bytes on stdout in 32 KiB frames (pattern 'a'+i%26),
 *                 pausing on http_pending; exit 0
 * Container "missing" answers 404 `container not found ("missing")`, as
 * the kubelet does. Logs "exec done" and "exec gone" for the tests.
 *
 * A command starts START_DELAY after the request, as a process would:
 * kubectl (client-go's WebSocket executor) creates its stdout and stderr
 * streams after the handshake and drops frames that arrive before them
 * ("Unknown stream id 1, discarding message"). A real exec never wins
 * that race (runc exec alone takes tens of milliseconds); a plugin that
 * answers within the request's own call did, about once in 150 runs. */
#include "skiff_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXARGS     32
#define START_DELAY 0.02 /* seconds */

struct ee {
    struct skiff_ctx *ctx;
    const struct skiff_host *host;
    struct sess *list;
};

struct sess {
    struct sess *prev, *next;
    struct ee *ee;
    struct skiff_http_stream *s;
    char *argv[MAXARGS];
    int argc;
    bool tty;
    unsigned long long remaining, offset;
    struct skiff_timer *start; /* until the command starts */
};

static const struct skiff_host *H;

static void sess_free(struct sess *x)
{
    struct ee *ee = x->ee;
    if (x->prev)
        x->prev->next = x->next;
    else
        ee->list = x->next;
    if (x->next) x->next->prev = x->prev;
    if (x->start) H->timer_cancel(ee->ctx, x->start);
    for (int i = 0; i < x->argc; i++)
        free(x->argv[i]);
    free(x);
}

static void frame(struct sess *x, int ch, const void *p, size_t n)
{
    char buf[32 * 1024 + 1];
    while (n) {
        size_t k = n > sizeof(buf) - 1 ? sizeof(buf) - 1 : n;
        buf[0] = (char)ch;
        memcpy(buf + 1, p, k);
        H->http_write(x->s, buf, k + 1);
        p = (const char *)p + k;
        n -= k;
    }
}

/* The status frame, then the end. */
static void finish(struct sess *x, int code)
{
    char st[512];
    if (code == 0)
        snprintf(st, sizeof(st), "%c{\"metadata\":{},\"status\":\"Success\"}", 3);
    else
        snprintf(st, sizeof(st),
                 "%c{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with "
                 "non-zero exit code: exit status %d\",\"reason\":\"NonZeroExitCode\","
                 "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"%d\"}]}}",
                 3, code, code);
    H->http_write(x->s, st, strlen(st));
    H->log(x->ee->ctx, SKIFF_LOG_INFO, "exec done cmd=%s code=%d", x->argv[0], code);
    H->http_end(x->s);
    sess_free(x);
}

static void gone(void *arg)
{
    struct sess *x = arg;
    H->log(x->ee->ctx, SKIFF_LOG_INFO, "exec gone cmd=%s", x->argv[0]);
    H->http_end(x->s);
    sess_free(x);
}

static void big_more(void *arg)
{
    struct sess *x = arg;
    char chunk[32 * 1024];
    while (x->remaining && H->http_pending(x->s) < 256 * 1024) {
        size_t n = x->remaining < sizeof(chunk) ? (size_t)x->remaining : sizeof(chunk);
        for (size_t i = 0; i < n; i++)
            chunk[i] = (char)('a' + (x->offset + i) % 26);
        frame(x, 1, chunk, n);
        x->remaining -= n;
        x->offset += n;
    }
    if (!x->remaining) finish(x, 0);
}

static void input(void *arg, const void *data, size_t len)
{
    struct sess *x = arg;
    const unsigned char *p = data;
    if (!len) return;
    if (p[0] == 255) { /* v5: the client closed a channel */
        if (len >= 2 && p[1] == 0 && !strcmp(x->argv[0], "cat")) finish(x, 0);
        return;
    }
    if (p[0] == 4) {
        char msg[200];
        int w = 0, h = 0;
        char js[128];
        snprintf(js, sizeof(js), "%.*s", (int)(len - 1 < 120 ? len - 1 : 120), p + 1);
        const char *pw = strstr(js, "\"Width\":"), *ph = strstr(js, "\"Height\":");
        if (pw) w = atoi(pw + 8);
        if (ph) h = atoi(ph + 9);
        snprintf(msg, sizeof(msg), "tty=%d size=%dx%d\r\n", x->tty, w, h);
        if (!strcmp(x->argv[0], "tty")) frame(x, 1, msg, strlen(msg));
        return;
    }
    if (p[0] != 0) return;
    frame(x, 1, p + 1, len - 1);
    if (!strcmp(x->argv[0], "tty") && memchr(p + 1, 'q', len - 1)) finish(x, 0);
}

static int hexval(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static char *decode(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (!o) abort();
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n + 0 && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            o[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            o[k++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    o[k] = 0;
    return o;
}

static void start_cmd(void *arg);

static void on_req(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    struct ee *ee = arg;
    char ns[256] = "", pod[256] = "", ctr[256] = "";
    if (!req->upgraded || sscanf(req->path, "/exec/%255[^/]/%255[^/]/%255s", ns, pod, ctr) != 3) {
        H->http_head(s, 400, "text/plain");
        const char *m = "exececho serves upgraded /exec/NS/POD/CONTAINER only\n";
        H->http_write(s, m, strlen(m));
        H->http_end(s);
        return;
    }
    if (!strcmp(ctr, "missing")) {
        H->http_head(s, 404, "text/plain");
        const char *m = "container not found (\"missing\")";
        H->http_write(s, m, strlen(m));
        H->http_end(s);
        return;
    }
    struct sess *x = calloc(1, sizeof(*x));
    if (!x) abort();
    x->ee = ee;
    x->s = s;
    for (const char *q = req->query; *q;) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        if (n > 8 && !strncmp(q, "command=", 8) && x->argc < MAXARGS)
            x->argv[x->argc++] = decode(q + 8, n - 8);
        if (n == 5 && !strncmp(q, "tty=1", 5)) x->tty = true;
        q += n + (amp ? 1 : 0);
    }
    x->next = ee->list;
    if (ee->list) ee->list->prev = x;
    ee->list = x;
    H->http_head(s, 200, "application/octet-stream");
    H->http_notify(s, NULL, gone, x);
    H->http_on_input(s, input, x);
    if (!x->argc) return finish(x, 126);
    x->start = H->timer_add(ee->ctx, START_DELAY, 0, start_cmd, x);
}

static void start_cmd(void *arg)
{
    struct sess *x = arg;
    struct skiff_http_stream *s = x->s;
    x->start = NULL;
    const char *cmd = x->argv[0];
    if (!strcmp(cmd, "echo")) {
        char out[4096] = "";
        for (int i = 1; i < x->argc; i++) {
            strncat(out, x->argv[i], sizeof(out) - strlen(out) - 2);
            if (i + 1 < x->argc) strncat(out, " ", sizeof(out) - strlen(out) - 2);
        }
        strcat(out, "\n");
        frame(x, 1, out, strlen(out));
        finish(x, 0);
    } else if (!strcmp(cmd, "exit")) {
        char out[512];
        snprintf(out, sizeof(out), "%s\n", x->argc > 2 ? x->argv[2] : "bye");
        frame(x, 2, out, strlen(out));
        finish(x, x->argc > 1 ? atoi(x->argv[1]) : 1);
    } else if (!strcmp(cmd, "big")) {
        x->remaining = x->argc > 1 ? strtoull(x->argv[1], NULL, 10) : 0;
        H->http_notify(s, big_more, gone, x);
        big_more(x);
    } else if (strcmp(cmd, "cat") != 0 && strcmp(cmd, "tty") != 0) {
        char out[512];
        snprintf(out, sizeof(out), "exececho: %s: not found\n", cmd);
        frame(x, 2, out, strlen(out));
        finish(x, 127);
    }
}

static int ee_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *opts,
                   void **self)
{
    (void)opts;
    if (host->struct_size < offsetof(struct skiff_host, http_input_pause) + sizeof(void *)) {
        host->log(ctx, SKIFF_LOG_ERROR, "exececho needs ABI 1.3");
        return 1;
    }
    struct ee *ee = calloc(1, sizeof(*ee));
    if (!ee) return 1;
    ee->ctx = ctx;
    ee->host = host;
    H = host;
    *self = ee;
    return 0;
}

static int ee_start(void *self)
{
    struct ee *ee = self;
    return H->http_serve(ee->ctx, "exec", on_req, ee);
}

static void ee_stop(void *self)
{
    struct ee *ee = self;
    while (ee->list)
        sess_free(ee->list); /* core ends the streams it still holds */
}

static void ee_fini(void *self)
{
    free(self);
}

SKIFF_PLUGIN(exececho) = {
        SKIFF_PLUGIN_HEADER,
        .name = "exececho",
        .role = SKIFF_ROLE_NODE,
        .description = "test plugin: a fake /exec for the WebSocket bridge",
        .init = ee_init,
        .start = ee_start,
        .stop = ee_stop,
        .fini = ee_fini,
};
