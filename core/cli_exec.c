/* `skiff exec`: run a command in a container, as `kubectl exec` does:
 * pods/exec over a WebSocket (v5.channel.k8s.io, frames from websocket.c,
 * masked as a client's must be) on the CLI's own connection (khttp.h);
 * stdin on channel 0 and its end as a v5 close frame, stdout and stderr
 * from channels 1 and 2, the terminal's size on channel 4 (and again on
 * SIGWINCH) with -t, and the command's exit code from the Status on
 * channel 3. The local terminal is raw while a remote tty runs and is
 * restored on every way out. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "khttp.h"
#include "mem.h"
#include "websocket.h"

#define CH_STDIN  0
#define CH_STDOUT 1
#define CH_STDERR 2
#define CH_ERROR  3
#define CH_RESIZE 4
#define CH_CLOSE  255
#define IN_CHUNK  (32 * 1024)

static const struct sk_cli_flag exec_flags[] = {
        {"container", 'c', SK_FLAG_STRING, "",
         "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation "
         "for selecting the container to be attached or the first container in the pod will be "
         "chosen"},
        {"filename", 'f', SK_FLAG_STRINGS, "[]", "to use to exec into the resource"},
        {"pod-running-timeout", 0, SK_FLAG_DURATION, "1m0s",
         "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one "
         "pod is running"},
        {"quiet", 'q', SK_FLAG_BOOL, "false", "Only print output from the remote session"},
        {"stdin", 'i', SK_FLAG_BOOL, "false", "Pass stdin to the container"},
        {"tty", 't', SK_FLAG_BOOL, "false", "Stdin is a TTY"},
        {0},
};

/* ---- the local terminal ---- */

static struct termios saved_tio;
static bool tio_saved;
static volatile sig_atomic_t winch;

static void tty_restore(void)
{
    if (tio_saved) tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tio);
    tio_saved = false;
}

static void on_fatal_signal(int sig)
{
    tty_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_winch(int sig)
{
    (void)sig;
    winch = 1;
}

static bool tty_raw(void)
{
    if (tcgetattr(STDIN_FILENO, &saved_tio)) return false;
    struct termios raw = saved_tio;
    cfmakeraw(&raw);
    if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw)) return false;
    tio_saved = true;
    atexit(tty_restore);
    signal(SIGTERM, on_fatal_signal);
    signal(SIGHUP, on_fatal_signal);
    signal(SIGQUIT, on_fatal_signal);
    return true;
}

/* ---- the session ---- */

struct xs {
    struct sk_cli *c;
    struct sk_khttp *h;
    struct sk_ws_decoder dec;
    struct sk_buf out; /* a frame being built */
    bool tty, in_open;
    int exit_code; /* from the Status; -1 none yet */
    bool status_seen;
};

static int ws_send(struct xs *x, enum sk_ws_op op, const void *p, size_t n)
{
    uint8_t mask[4];
    if (getrandom(mask, sizeof(mask), 0) != (ssize_t)sizeof(mask)) memset(mask, 0x5a, 4);
    x->out.len = 0;
    sk_ws_frame(&x->out, op, true, p, n, mask);
    struct sk_error *err = NULL;
    if (sk_khttp_write(x->h, x->out.p, x->out.len, &err)) {
        sk_error_free(err);
        return -1;
    }
    return 0;
}

static int send_channel(struct xs *x, int ch, const void *p, size_t n)
{
    char buf[IN_CHUNK + 1];
    buf[0] = (char)ch;
    if (n > IN_CHUNK) n = IN_CHUNK;
    memcpy(buf + 1, p, n);
    return ws_send(x, SK_WS_BINARY, buf, n + 1);
}

static void send_size(struct xs *x)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws)) return;
    char js[64];
    int n = snprintf(js, sizeof(js), "{\"Width\":%u,\"Height\":%u}", ws.ws_col, ws.ws_row);
    send_channel(x, CH_RESIZE, js, (size_t)n);
}

static void write_all(int fd, const void *p, size_t n)
{
    const char *s = p;
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

/* The Status on channel 3: the exit code, or an error to print. */
static void on_status(struct xs *x, const uint8_t *p, size_t n)
{
    x->status_seen = true;
    struct sk_val *st = NULL;
    struct sk_error *e = NULL;
    if (sk_json_parse((const char *)p, n, &st, &e)) {
        sk_error_free(e);
        tty_restore();
        fprintf(x->c->err, "error: error stream protocol error: invalid status in \"%.*s\"\n",
                (int)(n > 200 ? 200 : n), (const char *)p);
        x->exit_code = 1;
        return;
    }
    const char *status = sk_val_str_at(st, "status", NULL);
    const char *reason = sk_val_str_at(st, "reason", NULL);
    if (status && !strcmp(status, "Success")) {
        x->exit_code = 0;
    } else if (status && !strcmp(status, "Failure") && reason &&
               !strcmp(reason, "NonZeroExitCode")) {
        const struct sk_val *causes = sk_val_at(st, "details", "causes", NULL);
        x->exit_code = -2;
        for (size_t i = 0; i < sk_arr_len(causes); i++) {
            const struct sk_val *cz = sk_arr_get(causes, i);
            const char *r = sk_val_str_at(cz, "reason", NULL);
            const char *m = sk_val_str_at(cz, "message", NULL);
            if (r && m && !strcmp(r, "ExitCode")) {
                char *end;
                long v = strtol(m, &end, 10);
                if (*end || v < 0 || v > 255) break;
                x->exit_code = (int)v;
            }
        }
        tty_restore();
        if (x->exit_code < 0) {
            fprintf(x->c->err, "error: error stream protocol error: no ExitCode cause given\n");
            x->exit_code = 1;
        } else {
            fprintf(x->c->err, "command terminated with exit code %d\n", x->exit_code);
        }
    } else {
        tty_restore();
        const char *msg = sk_val_str_at(st, "message", NULL);
        fprintf(x->c->err, "error: %s\n", msg ? msg : "error stream protocol error: unknown error");
        x->exit_code = 1;
    }
    sk_val_free(st);
}

/* Handle the server's bytes; returns false once the session is over. */
static bool on_server_bytes(struct xs *x, const void *p, size_t n)
{
    sk_ws_feed(&x->dec, p, n);
    for (;;) {
        struct sk_ws_msg m;
        int code;
        const char *why;
        enum sk_ws_result r = sk_ws_next(&x->dec, &m, &code, &why);
        if (r == SK_WS_MORE) return true;
        if (r == SK_WS_ERROR) {
            tty_restore();
            fprintf(x->c->err, "error: websocket: %s\n", why);
            if (x->exit_code < 0) x->exit_code = 1;
            return false;
        }
        if (m.op == SK_WS_PING) {
            ws_send(x, SK_WS_PONG, m.data, m.len);
            continue;
        }
        if (m.op == SK_WS_CLOSE) {
            uint8_t cc[2] = {(uint8_t)(m.close_code >> 8), (uint8_t)m.close_code};
            ws_send(x, SK_WS_CLOSE, cc, m.close_code == 1005 ? 0 : 2);
            return false;
        }
        if (m.op != SK_WS_BINARY || !m.len) continue;
        switch (m.data[0]) {
        case CH_STDOUT: write_all(STDOUT_FILENO, m.data + 1, m.len - 1); break;
        case CH_STDERR: write_all(STDERR_FILENO, m.data + 1, m.len - 1); break;
        case CH_ERROR: on_status(x, m.data + 1, m.len - 1); break;
        default: break;
        }
    }
}

static int session(struct xs *x)
{
    char buf[IN_CHUNK];
    if (x->tty) send_size(x);
    for (;;) {
        if (winch) {
            winch = 0;
            send_size(x);
        }
        if (!sk_khttp_pending(x->h)) {
            struct pollfd pf[2] = {{.fd = sk_khttp_fd(x->h), .events = POLLIN},
                                   {.fd = STDIN_FILENO, .events = POLLIN}};
            int n = poll(pf, x->in_open ? 2 : 1, -1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;
            if (x->in_open && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
                if (r < 0 && errno == EINTR) continue;
                if (r > 0) {
                    if (send_channel(x, CH_STDIN, buf, (size_t)r)) break;
                } else {
                    /* end of input: v5 closes the stdin channel */
                    x->in_open = false;
                    uint8_t cl[2] = {CH_CLOSE, CH_STDIN};
                    if (ws_send(x, SK_WS_BINARY, cl, 2)) break;
                }
            }
            if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        }
        ssize_t r = sk_khttp_read(x->h, buf, sizeof(buf), 1000);
        if (r == 0) break;
        if (r < 0) {
            if (sk_khttp_fd(x->h) >= 0) continue; /* a timeout inside a TLS record */
            break;
        }
        if (!on_server_bytes(x, buf, (size_t)r)) break;
    }
    tty_restore();
    if (x->exit_code >= 0) return x->exit_code;
    /* the stream ended without a Status: what kubectl reports then */
    if (!x->status_seen) return 0;
    return 1;
}

/* ---- the verb ---- */

/* kubectl's container choice: -c, the default-container annotation, else
 * the first container with a note when there are several. */
static const char *choose_container(struct sk_cli *c, const struct sk_val *pod, bool quiet)
{
    const char *want = sk_cli_str(c, "container");
    if (want && *want) return want;
    const struct sk_val *ctrs = sk_val_at(pod, "spec", "containers", NULL);
    const char *ann = sk_val_str_at(pod, "metadata", "annotations",
                                    "kubectl.kubernetes.io/default-container", NULL);
    if (ann) {
        for (size_t i = 0; i < sk_arr_len(ctrs); i++) {
            const char *n = sk_val_str_at(sk_arr_get(ctrs, i), "name", NULL);
            if (n && !strcmp(n, ann)) return ann;
        }
        if (!quiet)
            fprintf(c->err, "Warning: default container name \"%s\" not found in pod %s\n", ann,
                    sk_val_str_at(pod, "metadata", "name", NULL));
    }
    const char *first = sk_val_str_at(sk_arr_get(ctrs, 0), "name", NULL);
    bool others = sk_arr_len(ctrs) > 1 ||
                  sk_arr_len(sk_val_at(pod, "spec", "initContainers", NULL)) ||
                  sk_arr_len(sk_val_at(pod, "spec", "ephemeralContainers", NULL));
    if (first && others && !quiet) {
        /* kubectl's order: containers, ephemeral, init */
        struct sk_buf all = {0};
        static const char *const lists[] = {"containers", "ephemeralContainers", "initContainers"};
        static const char *const tags[] = {"", " (ephem)", " (init)"};
        for (size_t l = 0; l < 3; l++) {
            const struct sk_val *a = sk_val_at(pod, "spec", lists[l], NULL);
            for (size_t i = 0; i < sk_arr_len(a); i++) {
                const char *n = sk_val_str_at(sk_arr_get(a, i), "name", NULL);
                if (!n) continue;
                sk_buf_printf(&all, "%s%s%s", all.len ? ", " : "", n, tags[l]);
            }
        }
        sk_buf_putc(&all, 0);
        fprintf(c->err, "Defaulted container \"%s\" out of: %s\n", first, all.p);
        sk_buf_free(&all);
    }
    return first;
}

static int exec_run(struct sk_cli *c)
{
    bool quiet = sk_cli_bool(c, "quiet");
    bool want_in = sk_cli_bool(c, "stdin");
    bool tty = sk_cli_bool(c, "tty");
    if (sk_cli_strs(c, "filename")->n)
        return sk_cli_fail(c, "exec -f is not supported by skiff; name the pod");
    int before = c->dash_at >= 0 ? c->dash_at : c->nargs;
    if (before == 0) return sk_cli_usage_fail(c, "pod or type/name must be specified");
    const char *name = c->args[0];
    char **cmd = c->args + 1;
    int ncmd = c->nargs - 1;
    if (c->dash_at >= 0) {
        cmd = c->args + c->dash_at;
        ncmd = c->nargs - c->dash_at;
        if (before > 1) return sk_cli_usage_fail(c, "exactly one NAME is required, got %d", before);
    } else if (ncmd > 0) {
        fprintf(c->err, "kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a "
                        "future version. Use kubectl exec [POD] -- [COMMAND] instead.\n");
    }
    if (ncmd <= 0) return sk_cli_fail(c, "you must specify at least one command for the container");
    const char *slash = strchr(name, '/');
    if (slash) {
        char *type = sk_xstrndup(name, (size_t)(slash - name));
        const struct sk_kind *k = NULL;
        int rc = sk_cli_kind(c, type, &k);
        free(type);
        if (rc) return rc;
        if (strcmp(k->kind, "Pod") != 0 || *k->group)
            return sk_cli_fail(c, "skiff exec needs a pod; %s is a %s", name, k->kind);
        name = slash + 1;
    }
    const struct sk_kind *pk = sk_kind_by_api_version("v1", "Pod");
    const char *ns = sk_cli_namespace(c);
    char *path = sk_cli_path(pk, ns, name, NULL, NULL);
    struct sk_val *pod = NULL;
    int rc = sk_cli_get_json(c, path, &pod);
    free(path);
    if (rc) return rc;
    const char *phase = sk_val_str_at(pod, "status", "phase", NULL);
    if (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))) {
        rc = sk_cli_fail(c, "cannot exec into a container in a completed pod; current phase is %s",
                         phase);
        sk_val_free(pod);
        return rc;
    }
    const char *container = choose_container(c, pod, quiet);
    if (!container) {
        rc = sk_cli_fail(c, "pod %s does not have any containers", name);
        sk_val_free(pod);
        return rc;
    }
    char *ctr = sk_xstrdup(container);
    sk_val_free(pod);
    /* kubectl's SetupTTY */
    if (!want_in) tty = false;
    if (tty && !isatty(STDIN_FILENO)) {
        tty = false;
        if (!quiet)
            fprintf(c->err, "Unable to use a TTY - input is not a terminal or the right kind of "
                            "file\n");
    }
    struct sk_buf q = {0};
    for (int i = 0; i < ncmd; i++) {
        char *e = sk_kclient_escape(cmd[i]);
        sk_buf_printf(&q, "%scommand=%s", i ? "&" : "", e);
        free(e);
    }
    if (ctr) {
        char *e = sk_kclient_escape(ctr);
        sk_buf_printf(&q, "&container=%s", e);
        free(e);
    }
    free(ctr);
    if (want_in) sk_buf_puts(&q, "&stdin=true");
    sk_buf_puts(&q, "&stdout=true");
    if (!tty) sk_buf_puts(&q, "&stderr=true");
    if (tty) sk_buf_puts(&q, "&tty=true");
    sk_buf_putc(&q, 0);
    path = sk_cli_path(pk, ns, name, "exec", q.p);
    sk_buf_free(&q);

    struct sk_kclient *k = sk_cli_client(c);
    if (!k) {
        free(path);
        return 1;
    }
    struct sk_khttp *h = sk_kclient_http(k);
    uint8_t nonce[16];
    if (getrandom(nonce, sizeof(nonce), 0) != (ssize_t)sizeof(nonce))
        memset(nonce, 0x42, sizeof(nonce));
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char key[25];
    for (int i = 0, o = 0; i < 16; i += 3) {
        uint32_t v = (uint32_t)nonce[i] << 16 | (i + 1 < 16 ? (uint32_t)nonce[i + 1] << 8 : 0) |
                     (i + 2 < 16 ? nonce[i + 2] : 0);
        key[o++] = b64[(v >> 18) & 63];
        key[o++] = b64[(v >> 12) & 63];
        key[o++] = i + 1 < 16 ? b64[(v >> 6) & 63] : '=';
        key[o++] = i + 2 < 16 ? b64[v & 63] : '=';
    }
    key[24] = 0;
    char keyh[64];
    snprintf(keyh, sizeof(keyh), "Sec-WebSocket-Key: %s", key);
    const char *headers[] = {"Connection: Upgrade",
                             "Upgrade: websocket",
                             "Sec-WebSocket-Version: 13",
                             keyh,
                             "Sec-WebSocket-Protocol: v5.channel.k8s.io",
                             NULL};
    struct sk_kreq rq = {.method = "GET",
                         .path = path,
                         .headers = headers,
                         .header = "Sec-WebSocket-Accept",
                         .timeout = sk_cli_timeout(c)};
    struct sk_kresp resp;
    struct sk_error *err = NULL;
    sk_err e = sk_khttp_upgrade(h, &rq, &resp, &err);
    free(path);
    if (e) {
        rc = sk_cli_fail(c, "%s", sk_error_msg(err, e));
        sk_error_free(err);
        return rc;
    }
    if (resp.status != 101) {
        rc = sk_cli_fail_resp(c, &resp);
        sk_kresp_free(&resp);
        return rc;
    }
    char want[SK_WS_ACCEPT_LEN + 1];
    if (!sk_ws_accept_key(key, want) || !resp.header || strcmp(resp.header, want) != 0) {
        sk_kresp_free(&resp);
        return sk_cli_fail(c, "websocket: bad handshake (Sec-WebSocket-Accept does not match)");
    }
    sk_kresp_free(&resp);
    fflush(c->out);
    fflush(c->err);
    struct xs x = {.c = c, .h = h, .tty = tty, .in_open = want_in, .exit_code = -1};
    if (tty) {
        if (!tty_raw()) x.tty = false;
        signal(SIGWINCH, on_winch);
    }
    signal(SIGPIPE, SIG_IGN);
    rc = session(&x);
    sk_ws_decoder_free(&x.dec);
    sk_buf_free(&x.out);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_exec = {
        .name = "exec",
        .short_help = "Execute a command in a container",
        .long_help = "Execute a command in a container.",
        .usage = "skiff exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]",
        .examples =
                "  # Get output from running the 'date' command from pod mypod, using the first "
                "container by default\n"
                "  skiff exec mypod -- date\n"
                "\n"
                "  # Get output from running the 'date' command in ruby-container from pod "
                "mypod\n"
                "  skiff exec mypod -c ruby-container -- date\n"
                "\n"
                "  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from "
                "pod mypod\n"
                "  # and sends stdout/stderr from 'bash' back to the client\n"
                "  skiff exec mypod -c ruby-container -i -t -- bash -il",
        .flags = exec_flags,
        .run = exec_run,
};
