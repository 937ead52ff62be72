/* exec sessions: the node side of pods/exec (node-HTTP prefix "exec", ABI
 * 1.3 upgraded streams). A request for the kubelet's path
 * /exec/NS/POD/CONTAINER?command=...&input=1&output=1&error=1&tty=1 runs
 * `RUNTIME --root ROOT exec [--tty --console-socket SOCK] ID cmd...` as a
 * child of the agent, streams its stdout and stderr as channel frames,
 * feeds it the client's stdin, resizes its terminal and ends with the
 * metav1.Status frame that carries the exit code. Nothing blocks the loop:
 * pipes and the pty are non-blocking and watched, the child is reaped
 * through its pidfd. */
#include "exec_req.h"
#include "pod.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#define READ_CHUNK (32 * 1024)
#define HIGH_WATER (256 * 1024) /* output pending: stop reading the child */
#define STDIN_MAX  (256 * 1024) /* stdin waiting for the pipe: pause the client */
#define EOF_GRACE  0.5          /* after the exit, output still open this long is dropped */
#define KILL_GRACE 2.0          /* SIGTERM to SIGKILL when the client went away */
#define CH_STDIN   0
#define CH_STDOUT  1
#define CH_STDERR  2
#define CH_ERROR   3
#define CH_RESIZE  4
#define CH_CLOSE   255

struct xsess;

/* One output source: stdout, stderr or the pty master. */
struct xout {
    struct xsess *x;
    int fd;
    int ch;
    struct skiff_watch *w;
    bool eof;
};

struct xsess {
    struct xsess *prev, *next;
    struct rt *rt;
    struct skiff_http_stream *s;
    char what[800]; /* "ns/pod/container" for logs */
    char cmd0[64];
    bool tty, want_in, want_out, want_err;
    pid_t pid;
    int pidfd;
    struct skiff_watch *pidw;
    int status; /* the exit status once reaped; -1 before */
    struct xout out, err;
    /* stdin: the pipe (or the pty master), bytes waiting for it */
    int in_fd;
    bool in_owned; /* in_fd is ours to close (not the pty master) */
    struct skiff_watch *inw;
    char *inbuf;
    size_t inlen, incap;
    bool in_close; /* the client closed stdin: close once inbuf is out */
    bool in_paused;
    /* tty: the console socket runc sends the pty master to */
    int csock;
    struct skiff_watch *csw;
    char csock_path[108];
    unsigned short rows, cols; /* a resize that came before the master */
    struct skiff_timer *grace, *killer;
    bool ended; /* the stream is over (http_end called) */
    /* until runc wrote its pid file, stderr is runc's: held back, so that
     * a failed start becomes an error Status rather than command output */
    char pidfile[PATH_MAX], logfile[PATH_MAX];
    bool started;
    char *hold;
    size_t holdlen;
};

static struct xsess *sessions;

static const struct skiff_host *H(struct xsess *x)
{
    return rt_host(x->rt);
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void out_stop(struct xsess *x, struct xout *o)
{
    if (o->w) H(x)->fd_unwatch(rt_ctx(x->rt), o->w);
    o->w = NULL;
    close_fd(&o->fd);
}

static void in_stop(struct xsess *x)
{
    if (x->inw) H(x)->fd_unwatch(rt_ctx(x->rt), x->inw);
    x->inw = NULL;
    if (x->in_owned) close_fd(&x->in_fd);
    x->in_fd = -1;
    free(x->inbuf);
    x->inbuf = NULL;
    x->inlen = x->incap = 0;
}

static void csock_stop(struct xsess *x)
{
    if (x->csw) H(x)->fd_unwatch(rt_ctx(x->rt), x->csw);
    x->csw = NULL;
    close_fd(&x->csock);
    if (x->csock_path[0]) unlink(x->csock_path);
    x->csock_path[0] = 0;
}

/* Free everything; the child, if still running, is killed (it is reaped
 * through its pidfd only while the session lives, so it is waited for
 * here without blocking when it already ended). */
static void sess_free(struct xsess *x)
{
    const struct skiff_host *h = H(x);
    if (x->prev)
        x->prev->next = x->next;
    else
        sessions = x->next;
    if (x->next) x->next->prev = x->prev;
    out_stop(x, &x->out);
    out_stop(x, &x->err);
    in_stop(x);
    csock_stop(x);
    if (x->pidw) h->fd_unwatch(rt_ctx(x->rt), x->pidw);
    if (x->pidfd >= 0) {
        if (x->status < 0 && rt_reap(x->pidfd) == -2) kill(-x->pid, SIGKILL);
        close(x->pidfd);
    }
    if (x->grace) h->timer_cancel(rt_ctx(x->rt), x->grace);
    if (x->killer) h->timer_cancel(rt_ctx(x->rt), x->killer);
    if (x->pidfile[0]) unlink(x->pidfile);
    if (x->logfile[0]) unlink(x->logfile);
    free(x->hold);
    free(x);
}

static void frame(struct xsess *x, int ch, const void *p, size_t n)
{
    char buf[READ_CHUNK + 1];
    while (n && !x->ended) {
        size_t k = n > READ_CHUNK ? READ_CHUNK : n;
        buf[0] = (char)ch;
        memcpy(buf + 1, p, k);
        H(x)->http_write(x->s, buf, k + 1);
        p = (const char *)p + k;
        n -= k;
    }
}

/* JSON string escaping for the Status message. */
static void json_str(char *out, size_t cap, const char *s)
{
    size_t k = 0;
    for (; *s && k + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
        } else if (c < 0x20) {
            k += (size_t)snprintf(out + k, cap - k, "\\u%04x", c);
        } else {
            out[k++] = (char)c;
        }
    }
    out[k] = 0;
}

/* The last frame: the Status on the error channel, then the end. The
 * stream goes; the session stays until the child is reaped. */
static void finish(struct xsess *x, int code, const char *error)
{
    if (x->ended) return;
    char st[2400];
    if (error) {
        char m[800], full[700];
        /* kube-apiserver wraps what the node reports as an internal error */
        snprintf(full, sizeof(full), "Internal error occurred: %s", error);
        json_str(m, sizeof(m), full);
        snprintf(st, sizeof(st),
                 "%c{\"metadata\":{},\"status\":\"Failure\",\"message\":\"%s\","
                 "\"reason\":\"InternalError\",\"details\":{\"causes\":[{\"message\":\"%s\"}]},"
                 "\"code\":500}",
                 CH_ERROR, m, m);
    } else if (code == 0) {
        snprintf(st, sizeof(st), "%c{\"metadata\":{},\"status\":\"Success\"}", CH_ERROR);
    } else {
        /* the kubelet's words for a non-zero exit (CRI exec) */
        snprintf(st, sizeof(st),
                 "%c{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with "
                 "non-zero exit code: error executing command [%s], exit code %d\","
                 "\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
                 "\"message\":\"%d\"}]}}",
                 CH_ERROR, x->cmd0, code, code);
    }
    H(x)->http_write(x->s, st, strlen(st));
    H(x)->http_end(x->s);
    x->ended = true;
    x->s = NULL;
    H(x)->log(rt_ctx(x->rt), SKIFF_LOG_DEBUG, "exec done container=%s cmd=%s code=%d", x->what,
              x->cmd0, code);
}

/* Finish once the child is reaped and its output drained. */
static void hold_flush(struct xsess *x)
{
    if (x->holdlen && x->err.ch >= 0) frame(x, x->err.ch, x->hold, x->holdlen);
    x->holdlen = 0;
}

/* Whether the command runs (runc wrote its pid file). */
static bool check_started(struct xsess *x)
{
    if (!x->started && access(x->pidfile, F_OK) == 0) {
        x->started = true;
        hold_flush(x);
    }
    return x->started;
}

static void maybe_finish(struct xsess *x)
{
    if (x->ended || x->status < 0) return;
    if ((x->out.fd >= 0 && !x->out.eof) || (x->err.fd >= 0 && !x->err.eof)) return;
    if (!check_started(x) && x->status != 0) {
        /* runc could not start the command: its message, as containerd
         * reports an OCI runtime failure */
        char why[512];
        size_t n = x->holdlen < sizeof(why) - 1 ? x->holdlen : sizeof(why) - 1;
        memcpy(why, x->hold ? x->hold : "", n);
        why[n] = 0;
        while (n && (why[n - 1] == '\n' || why[n - 1] == '\r'))
            why[--n] = 0;
        char *nl = strrchr(why, '\n');
        char msg[700];
        snprintf(msg, sizeof(msg),
                 "error executing command in container: OCI runtime exec failed: %s: unknown",
                 n ? (nl ? nl + 1 : why) : "the runtime failed");
        finish(x, 0, msg);
        sess_free(x);
        return;
    }
    hold_flush(x);
    finish(x, x->status, NULL);
    if (x->pidfd < 0 || x->status >= 0) {
        /* nothing left to wait for */
        sess_free(x);
    }
}

static void out_watch(struct xsess *x, struct xout *o);

static void on_out(int fd, int events, void *arg)
{
    (void)events;
    struct xout *o = arg;
    struct xsess *x = o->x;
    char buf[READ_CHUNK];
    for (int i = 0; i < 8 && !x->ended; i++) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0 && o == &x->err && !check_started(x)) {
            if (x->holdlen + (size_t)n <= 16 * 1024) {
                char *nh = realloc(x->hold, x->holdlen + (size_t)n);
                if (nh) {
                    x->hold = nh;
                    memcpy(x->hold + x->holdlen, buf, (size_t)n);
                    x->holdlen += (size_t)n;
                }
            }
            continue;
        }
        if (n > 0) {
            if (o->ch >= 0) frame(x, o->ch, buf, (size_t)n);
            if (!x->ended && H(x)->http_pending(x->s) > HIGH_WATER) {
                /* the client is slower: wait for drain */
                H(x)->fd_unwatch(rt_ctx(x->rt), o->w);
                o->w = NULL;
                return;
            }
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        /* end of output; EIO on a pty master once the terminal closed */
        o->eof = true;
        out_stop(x, o);
        o->fd = -1;
        if (x->in_fd == fd) { /* the pty master was also stdin */
            x->in_fd = -1;
            in_stop(x);
        }
        maybe_finish(x);
        return;
    }
}

static void out_watch(struct xsess *x, struct xout *o)
{
    if (o->fd < 0 || o->w || o->eof || x->ended) return;
    o->w = H(x)->fd_watch(rt_ctx(x->rt), o->fd, SKIFF_FD_READ, on_out, o);
}

static void on_drain(void *arg)
{
    struct xsess *x = arg;
    out_watch(x, &x->out);
    out_watch(x, &x->err);
}

static void kill_cb(void *arg)
{
    struct xsess *x = arg;
    x->killer = NULL;
    if (x->status < 0) kill(-x->pid, SIGKILL);
}

/* The client went away: the command is stopped (runc passes SIGTERM on to
 * it), and killed if it lingers. */
static void on_gone(void *arg)
{
    struct xsess *x = arg;
    H(x)->log(rt_ctx(x->rt), SKIFF_LOG_DEBUG, "exec client gone container=%s cmd=%s", x->what,
              x->cmd0);
    H(x)->http_end(x->s);
    x->ended = true;
    x->s = NULL;
    out_stop(x, &x->out);
    out_stop(x, &x->err);
    x->out.eof = x->err.eof = true;
    in_stop(x);
    csock_stop(x);
    if (x->status >= 0) {
        sess_free(x);
        return;
    }
    kill(-x->pid, SIGTERM); /* the waiter and runc, which passes it to the command */
    x->killer = H(x)->timer_add(rt_ctx(x->rt), KILL_GRACE, 0, kill_cb, x);
}

static void grace_cb(void *arg)
{
    struct xsess *x = arg;
    x->grace = NULL;
    /* a background process still holds the output: the command itself
     * ended, and so does the session */
    out_stop(x, &x->out);
    out_stop(x, &x->err);
    x->out.eof = x->err.eof = true;
    maybe_finish(x);
}

static void on_exit_cb(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    struct xsess *x = arg;
    int st = rt_reap(x->pidfd);
    if (st == -2) return;
    x->status = st < 0 ? 128 + SIGKILL : st;
    H(x)->fd_unwatch(rt_ctx(x->rt), x->pidw);
    x->pidw = NULL;
    if (x->ended) {
        sess_free(x);
        return;
    }
    if ((x->out.fd >= 0 && !x->out.eof) || (x->err.fd >= 0 && !x->err.eof))
        x->grace = H(x)->timer_add(rt_ctx(x->rt), EOF_GRACE, 0, grace_cb, x);
    maybe_finish(x);
}

/* ---- stdin ---- */

static void in_flush(struct xsess *x);

static void on_in_writable(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    in_flush(arg);
}

static void in_flush(struct xsess *x)
{
    while (x->inlen && x->in_fd >= 0) {
        ssize_t n = write(x->in_fd, x->inbuf, x->inlen);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n < 0) { /* the command closed its stdin: drop what it will not read */
            x->inlen = 0;
            break;
        }
        memmove(x->inbuf, x->inbuf + n, x->inlen - (size_t)n);
        x->inlen -= (size_t)n;
    }
    bool want_w = x->inlen > 0 && x->in_fd >= 0;
    if (want_w && !x->inw) {
        /* the pty master is read by out's watch: a second watch for writing */
        x->inw = H(x)->fd_watch(rt_ctx(x->rt), x->in_fd, SKIFF_FD_WRITE, on_in_writable, x);
    } else if (!want_w && x->inw) {
        H(x)->fd_unwatch(rt_ctx(x->rt), x->inw);
        x->inw = NULL;
    }
    if (x->in_paused && x->inlen < STDIN_MAX / 2 && x->s) {
        x->in_paused = false;
        H(x)->http_input_pause(x->s, false);
    }
    if (!x->inlen && x->in_close && x->in_owned) in_stop(x);
}

static void set_winsize(struct xsess *x)
{
    if (x->tty && x->out.fd >= 0 && x->cols && x->rows) {
        struct winsize ws = {.ws_row = x->rows, .ws_col = x->cols};
        ioctl(x->out.fd, TIOCSWINSZ, &ws);
    }
}

/* {"Width":80,"Height":24} */
static void on_resize(struct xsess *x, const char *p, size_t n)
{
    char js[256];
    snprintf(js, sizeof(js), "%.*s", (int)(n < 255 ? n : 255), p);
    const char *w = strstr(js, "\"Width\""), *h = strstr(js, "\"Height\"");
    if (!w || !h) return;
    w = strchr(w, ':');
    h = strchr(h, ':');
    if (!w || !h) return;
    long cw = strtol(w + 1, NULL, 10), ch = strtol(h + 1, NULL, 10);
    if (cw <= 0 || ch <= 0 || cw > 65535 || ch > 65535) return;
    x->cols = (unsigned short)cw;
    x->rows = (unsigned short)ch;
    set_winsize(x);
}

static void on_input(void *arg, const void *data, size_t len)
{
    struct xsess *x = arg;
    const unsigned char *p = data;
    if (!len || x->ended) return;
    switch (p[0]) {
    case CH_STDIN:
        if (!x->want_in || x->in_close || len == 1) return;
        if (x->inlen + len - 1 > x->incap) {
            size_t cap = x->incap ? x->incap : 4096;
            while (cap < x->inlen + len - 1)
                cap *= 2;
            char *nb = realloc(x->inbuf, cap);
            if (!nb) return;
            x->inbuf = nb;
            x->incap = cap;
        }
        memcpy(x->inbuf + x->inlen, p + 1, len - 1);
        x->inlen += len - 1;
        in_flush(x);
        if (x->inlen >= STDIN_MAX && !x->in_paused && x->s) {
            x->in_paused = true;
            H(x)->http_input_pause(x->s, true);
        }
        return;
    case CH_RESIZE: on_resize(x, (const char *)p + 1, len - 1); return;
    case CH_CLOSE:
        if (len >= 2 && p[1] == CH_STDIN) {
            x->in_close = true;
            in_flush(x);
        }
        return;
    default: return;
    }
}

/* ---- the terminal: runc hands the pty master over the console socket ---- */

static void on_console(int fd, int events, void *arg)
{
    (void)events;
    struct xsess *x = arg;
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) return;
    char data[256];
    struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = u.buf,
                        .msg_controllen = sizeof(u.buf)};
    /* runc sends right after connecting; a short blocking wait is bounded
     * by the socket timeout */
    struct timeval tv = {.tv_sec = 1};
    int fl = fcntl(c, F_GETFL);
    fcntl(c, F_SETFL, fl & ~O_NONBLOCK);
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
    close(c);
    int master = -1;
    if (n >= 0) {
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
                memcpy(&master, CMSG_DATA(cm), sizeof(int));
    }
    csock_stop(x);
    if (master < 0) {
        H(x)->log(rt_ctx(x->rt), SKIFF_LOG_WARN, "exec container=%s: no terminal from the runtime",
                  x->what);
        return;
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    x->out.fd = master;
    set_winsize(x);
    if (x->want_in) {
        x->in_fd = master;
        x->in_owned = false;
        in_flush(x);
    }
    out_watch(x, &x->out);
}

/* ---- the request ---- */

static void refuse(struct skiff_http_stream *s, const struct skiff_host *h, int status,
                   const char *msg)
{
    h->http_head(s, status, "text/plain; charset=utf-8");
    h->http_write(s, msg, strlen(msg));
    h->http_end(s);
}

/* ---- the child ----
 * A process that execs gets exit signal SIGCHLD back from the kernel, and
 * the loop's SIGCHLD handler (libev) reaps every such child with
 * waitpid(-1): the exit status would be lost. So the agent's child is a
 * small waiter that never execs (a clone child with exit signal 0, which
 * waitpid(-1) does not see): it starts runc in a new process group, waits
 * for it and exits with its status, which the loop collects through the
 * waiter's pidfd (rt_reap). Only raw system calls run in the waiter. */

struct waiter_args {
    char *const *argv;
    const int *fds;
    const char *pidfile; /* tty: runc detaches; the command is waited for */
};

static int status_of(int st)
{
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The pid runc wrote, or -1 (raw system calls only). */
static long read_pid(const char *path)
{
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char b[32];
    long n = syscall(SYS_read, fd, b, sizeof(b) - 1);
    syscall(SYS_close, fd);
    long v = 0;
    for (long i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++)
        v = v * 10 + (b[i] - '0');
    return v > 0 ? v : -1;
}

static int waiter(const struct waiter_args *a)
{
    sigset_t none;
    sigemptyset(&none);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(long));
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigaction(SIGPIPE, &dfl, NULL);
    syscall(SYS_setpgid, 0, 0); /* so that gone can signal runc with it */
    /* a terminal needs runc to detach (it hands the pty over the console
     * socket only then): the command is then orphaned to us, its waiter */
    if (a->pidfile) syscall(SYS_prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    int hi[3];
    for (int i = 0; i < 3; i++)
        hi[i] = a->fds[i] >= 0 ? (int)syscall(SYS_fcntl, a->fds[i], F_DUPFD, 100) : -1;
    int null = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR);
    for (int i = 0; i < 3; i++)
        syscall(SYS_dup2, hi[i] >= 0 ? hi[i] : null, i);
    syscall(SYS_close_range, 3, ~0U, 0);
    struct clone_args ca;
    memset(&ca, 0, sizeof(ca));
    ca.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &ca, sizeof(ca));
    if (pid < 0) return 126;
    if (pid == 0) {
        syscall(SYS_execve, a->argv[0], a->argv, environ);
        syscall(SYS_exit, 127);
    }
    int st = 0;
    for (;;) {
        long r = syscall(SYS_wait4, pid, &st, 0, NULL);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return 126;
    }
    if (!a->pidfile || status_of(st) != 0) return status_of(st);
    long cmd = read_pid(a->pidfile);
    if (cmd < 0) return 126;
    for (;;) {
        long r = syscall(SYS_wait4, -1, &st, __WALL, NULL);
        if (r == cmd) return status_of(st);
        if (r < 0 && errno != EINTR) return 126; /* it was never ours */
    }
}

/* Start the waiter; 0 or an errno. */
static int spawn_waiter(char *const argv[], const int fds[3], const char *pidfile, pid_t *pid,
                        int *pidfd)
{
    struct waiter_args a = {argv, fds, pidfile};
    int pfd = -1;
    struct clone_args ca;
    memset(&ca, 0, sizeof(ca));
    ca.flags = CLONE_PIDFD;
    ca.pidfd = (uint64_t)(uintptr_t)&pfd;
    ca.exit_signal = 0;
    long p = syscall(SYS_clone3, &ca, sizeof(ca));
    if (p < 0) return errno;
    if (p == 0) syscall(SYS_exit_group, waiter(&a));
    fcntl(pfd, F_SETFD, FD_CLOEXEC);
    *pid = (pid_t)p;
    *pidfd = pfd;
    return 0;
}

static int nonblock_pipe(int p[2])
{
    return pipe2(p, O_CLOEXEC | O_NONBLOCK);
}

/* A listening console socket under the runtime's dir. */
static int console_socket(struct xsess *x, char *err, size_t cap)
{
    static unsigned long seq;
    snprintf(x->csock_path, sizeof(x->csock_path), "%s/exec-%d-%lu.sock", rt_dir(x->rt),
             (int)getpid(), ++seq);
    if (strlen(x->csock_path) >= sizeof(((struct sockaddr_un *)0)->sun_path) - 1) {
        snprintf(x->csock_path, sizeof(x->csock_path), "/tmp/skiff-exec-%d-%lu.sock", (int)getpid(),
                 seq);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, cap, "console socket: %s", strerror(errno));
        x->csock_path[0] = 0;
        return -1;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", x->csock_path);
    unlink(x->csock_path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
        snprintf(err, cap, "console socket %s: %s", x->csock_path, strerror(errno));
        close(fd);
        x->csock_path[0] = 0;
        return -1;
    }
    chmod(x->csock_path, 0600);
    x->csock = fd;
    x->csw = H(x)->fd_watch(rt_ctx(x->rt), fd, SKIFF_FD_READ, on_console, x);
    return 0;
}

static void on_req(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    struct rt *rt = arg;
    const struct skiff_host *h = rt_host(rt);
    char msg[1024];
    if (!req->upgraded) {
        refuse(s, h, 400, "exec needs an upgraded (WebSocket) stream");
        return;
    }
    struct rt_exec_req q;
    int code = rt_exec_req_parse(req->path, req->query, &q, msg, sizeof(msg));
    if (code) {
        refuse(s, h, code, msg);
        return;
    }
    struct rt_target t;
    if (rt_find_target(rt, q.ns, q.pod, q.ctr, &t, msg, sizeof(msg)) != SKIFF_OK) {
        refuse(s, h, 404, msg);
        rt_exec_req_free(&q);
        return;
    }
    struct xsess *x = calloc(1, sizeof(*x));
    if (!x) {
        refuse(s, h, 500, "out of memory");
        rt_exec_req_free(&q);
        return;
    }
    x->rt = rt;
    x->s = s;
    x->status = -1;
    x->pidfd = x->csock = x->in_fd = -1;
    x->out = (struct xout){.x = x, .fd = -1, .ch = CH_STDOUT};
    x->err = (struct xout){.x = x, .fd = -1, .ch = CH_STDERR};
    x->tty = q.tty;
    x->want_in = q.in;
    x->want_out = q.out;
    x->want_err = q.err;
    snprintf(x->what, sizeof(x->what), "%s/%s/%s", q.ns, q.pod, q.ctr);
    snprintf(x->cmd0, sizeof(x->cmd0), "%s", q.argv[0]);
    x->next = sessions;
    if (sessions) sessions->prev = x;
    sessions = x;

    /* RUNTIME --root ROOT exec [--tty --console-socket SOCK] ID cmd... */
    char *argv[RT_EXEC_MAX_ARGS + 20];
    int k = 0;
    argv[k++] = (char *)rt_runtime_path(rt);
    argv[k++] = "--root";
    argv[k++] = (char *)rt_runtime_root(rt);
    /* runc's own messages to a file, so stderr carries only their text */
    static unsigned long nseq;
    nseq++;
    snprintf(x->pidfile, sizeof(x->pidfile), "%s/exec-%d-%lu.pid", rt_dir(rt), (int)getpid(), nseq);
    snprintf(x->logfile, sizeof(x->logfile), "%s/exec-%d-%lu.log", rt_dir(rt), (int)getpid(), nseq);
    argv[k++] = "--log";
    argv[k++] = x->logfile;
    argv[k++] = "--log-format";
    argv[k++] = "json";
    argv[k++] = "exec";
    argv[k++] = "--pid-file";
    argv[k++] = x->pidfile;
    int fds[3] = {-1, -1, -1};
    int inp[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
    char err[512] = "";
    if (x->tty) {
        argv[k++] = "--detach";
        argv[k++] = "--tty";
        argv[k++] = "--console-socket";
        if (console_socket(x, err, sizeof(err))) goto fail;
        argv[k++] = x->csock_path;
        /* runc's own errors (no container, bad command) come on stderr */
        if (nonblock_pipe(errp)) goto fail_errno;
        fds[2] = errp[1];
        x->err.fd = errp[0];
        x->err.ch = CH_STDOUT; /* a terminal has one output stream */
    } else {
        if (x->want_in) {
            if (pipe2(inp, O_CLOEXEC)) goto fail_errno;
            fcntl(inp[1], F_SETFL, O_NONBLOCK);
            fds[0] = inp[0];
            x->in_fd = inp[1];
            x->in_owned = true;
        }
        if (nonblock_pipe(outp)) goto fail_errno;
        fds[1] = outp[1];
        x->out.fd = outp[0];
        if (nonblock_pipe(errp)) goto fail_errno;
        fds[2] = errp[1];
        x->err.fd = errp[0];
    }
    /* runc stops parsing its flags at the id: the command's own flags
     * pass through untouched (no "--", which it would take as the command) */
    argv[k++] = t.id;
    for (int i = 0; i < q.argc; i++)
        argv[k++] = q.argv[i];
    argv[k] = NULL;
    /* the child's ends must not be non-blocking: the command reads and
     * writes them as ordinary files */
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0) fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) & ~O_NONBLOCK);
    int rc = spawn_waiter(argv, fds, x->tty ? x->pidfile : NULL, &x->pid, &x->pidfd);
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0) close(fds[i]);
    rt_exec_req_free(&q);
    if (rc) {
        snprintf(err, sizeof(err), "error executing command in container: cannot start %s: %s",
                 rt_runtime_path(rt), strerror(rc));
        goto fail_started;
    }
    x->pidw = h->fd_watch(rt_ctx(rt), x->pidfd, SKIFF_FD_READ, on_exit_cb, x);
    h->http_head(s, 200, "application/octet-stream");
    h->http_notify(s, on_drain, on_gone, x);
    h->http_on_input(s, on_input, x);
    if (!x->want_out && !x->tty) {
        /* stdout not asked for: read and drop it, so the command never
         * blocks on a full pipe */
        x->out.ch = -1;
    }
    if (!x->want_err && !x->tty) x->err.ch = -1;
    out_watch(x, &x->out);
    out_watch(x, &x->err);
    h->log(rt_ctx(rt), SKIFF_LOG_DEBUG, "exec start container=%s cmd=%s tty=%d pid=%d", x->what,
           x->cmd0, x->tty, (int)x->pid);
    return;

fail_errno:
    snprintf(err, sizeof(err), "error executing command in container: %s", strerror(errno));
fail:
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0) close(fds[i]);
    rt_exec_req_free(&q);
fail_started:
    /* upgraded already from the client's view: the error goes as a Status */
    h->http_head(s, 200, "application/octet-stream");
    x->status = 0;
    finish(x, 0, err);
    sess_free(x);
}

int rt_exec_start(struct rt *rt)
{
    const struct skiff_host *h = rt_host(rt);
    if (h->struct_size < offsetof(struct skiff_host, http_input_pause) + sizeof(void *)) return -1;
    return h->http_serve(rt_ctx(rt), "exec", on_req, rt);
}

void rt_exec_stop(struct rt *rt)
{
    /* core ends the streams when the plugin stops; the children go */
    for (struct xsess *x = sessions, *next; x; x = next) {
        next = x->next;
        if (x->rt != rt) continue;
        x->ended = true;
        x->s = NULL;
        sess_free(x);
    }
}
