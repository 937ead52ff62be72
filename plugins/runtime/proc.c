/* Child processes of the runtime: runc calls, shims and sandbox helpers.
 *
 * libev's default loop reaps every SIGCHLD child with waitpid(-1), so a
 * plain fork or posix_spawn would lose the exit status. These children are
 * made with clone3(CLONE_PIDFD) and exit signal 0: waitpid(-1) without
 * __WALL never sees them, and the loop watches their pidfd and collects
 * the status with waitid(P_PIDFD). */
#include "pod.h"

#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

extern char **environ;

/* The child side before exec or fn: only raw system calls from here on
 * (the parent may have other threads holding glibc's locks). */
static void child_setup(const int fds[3], int extra_fd)
{
    sigset_t none;
    sigemptyset(&none);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(long));
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigaction(SIGPIPE, &dfl, NULL);
    int hi[4];
    for (int i = 0; i < 4; i++) {
        int src = i < 3 ? (fds ? fds[i] : -1) : extra_fd;
        hi[i] = src >= 0 ? fcntl(src, F_DUPFD, 100) : -1;
    }
    int null = open("/dev/null", O_RDWR);
    for (int i = 0; i < 3; i++)
        dup2(hi[i] >= 0 ? hi[i] : null, i);
    int next = 3;
    if (hi[3] >= 0) dup2(hi[3], next++);
    syscall(SYS_close_range, next, ~0U, 0);
}

static pid_t clone_child(int *pidfd)
{
    struct clone_args ca;
    memset(&ca, 0, sizeof(ca));
    ca.flags = CLONE_PIDFD;
    ca.pidfd = (uint64_t)(uintptr_t)pidfd;
    ca.exit_signal = 0;
    return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

struct spawn_args {
    char *const *argv;
    const int *fds;
    int extra_fd;
    int err; /* errno of a failed execve, seen by the parent (shared memory) */
};

/* The child of rt_spawn shares the agent's memory until it execs. The
 * handlers it inherited would run on that memory: every caught signal
 * goes back to its default first, as posix_spawn does. */
static int spawn_child(void *arg)
{
    struct spawn_args *a = arg;
    for (int sig = 1; sig < 65; sig++) {
        struct sigaction sa;
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa)) continue;
        if (sa.sa_handler == SIG_IGN || sa.sa_handler == SIG_DFL) continue;
        sa.sa_handler = SIG_DFL;
        sa.sa_flags = 0;
        sigaction(sig, &sa, NULL);
    }
    child_setup(a->fds, a->extra_fd);
    execve(a->argv[0], a->argv, environ);
    a->err = errno;
    return 127;
}

#define SPAWN_STACK (64 * 1024)

/* Like posix_spawn (CLONE_VM | CLONE_VFORK): no copy of the agent's page
 * tables, and no copy-on-write faults in the agent afterwards; the caller
 * waits only until the child has exec'd. Plus CLONE_PIDFD and exit signal
 * 0 (see the top of the file). */
int rt_spawn(char *const argv[], const int fds[3], int extra_fd, pid_t *pid, int *pidfd)
{
    struct spawn_args a = {.argv = argv, .fds = fds, .extra_fd = extra_fd, .err = 0};
    char *stack = sk_xmalloc(SPAWN_STACK);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pfd = -1;
    pid_t p =
            clone(spawn_child, stack + SPAWN_STACK, CLONE_VM | CLONE_VFORK | CLONE_PIDFD, &a, &pfd);
    int e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    free(stack);
    if (p < 0) return e;
    if (a.err) {
        /* exec failed: the child is gone (collect it) and says why */
        siginfo_t si;
        syscall(SYS_waitid, P_PIDFD, pfd, &si, WEXITED | __WALL, NULL);
        close(pfd);
        return a.err;
    }
    fcntl(pfd, F_SETFD, FD_CLOEXEC);
    *pid = p;
    *pidfd = pfd;
    return 0;
}

int rt_spawn_fn(int (*fn)(void *arg), void *arg, int out_fd, pid_t *pid, int *pidfd)
{
    int pfd = -1;
    pid_t p = clone_child(&pfd);
    if (p < 0) return errno;
    if (p == 0) {
        int fds[3] = {-1, out_fd, out_fd};
        child_setup(fds, -1);
        _exit(fn(arg));
    }
    fcntl(pfd, F_SETFD, FD_CLOEXEC);
    *pid = p;
    *pidfd = pfd;
    return 0;
}

int rt_reap(int pidfd)
{
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    if (syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED | WNOHANG | __WALL, NULL) < 0) return -1;
    if (si.si_pid == 0) return -2; /* still running */
    if (si.si_code == CLD_EXITED) return si.si_status;
    return 128 + si.si_status;
}

/* ---- the shim zygote (shim.c) ---- */

#define ZYGOTE_PAD 4096

/* One zygote per process, for the first runtime instance that asks (a
 * second instance, in tests, starts its shims the plain way). */
static struct {
    struct rt *rt;
    int sock, pidfd;
    bool failed; /* it could not be started: do not try again */
} zyg = {.sock = -1, .pidfd = -1};

static void zygote_close(void)
{
    if (zyg.sock >= 0) close(zyg.sock); /* the zygote ends at EOF */
    zyg.sock = -1;
    if (zyg.pidfd >= 0) {
        rt_reap(zyg.pidfd); /* collected if it already ended; else a zombie until we exit */
        close(zyg.pidfd);
    }
    zyg.pidfd = -1;
}

static int zygote_start(struct rt *rt)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) return errno;
    /* the empty arguments are room for each shim's command line (shim.c) */
    char **argv = sk_xcalloc(ZYGOTE_PAD + 4, sizeof(char *));
    argv[0] = "/proc/self/exe";
    argv[1] = "runtime-shim";
    argv[2] = "--zygote";
    for (int i = 0; i < ZYGOTE_PAD; i++)
        argv[3 + i] = "";
    pid_t pid;
    int rc = rt_spawn(argv, NULL, sv[1], &pid, &zyg.pidfd);
    free(argv);
    close(sv[1]);
    if (rc) {
        close(sv[0]);
        zyg.failed = true;
        rt->host->log(rt->ctx, SKIFF_LOG_WARN,
                      "cannot start the shim zygote: %s; shims start one exec each", strerror(rc));
        return rc;
    }
    zyg.rt = rt;
    zyg.sock = sv[0];
    rt->host->log(rt->ctx, SKIFF_LOG_DEBUG, "shim zygote started pid=%d", (int)pid);
    return 0;
}

int rt_zygote_shim(struct rt *rt, char *const args[], int sync_fd);
int rt_zygote_shim(struct rt *rt, char *const args[], int sync_fd)
{
    if (zyg.failed || (zyg.rt && zyg.rt != rt)) return ENOTSUP;
    if (zyg.sock < 0) {
        int rc = zygote_start(rt);
        if (rc) return rc;
    }
    struct sk_buf b = {0};
    for (int i = 0; args[i]; i++)
        sk_buf_append(&b, args[i], strlen(args[i]) + 1);
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int))];
    } cm;
    memset(&cm, 0, sizeof(cm));
    struct iovec iov = {.iov_base = b.p, .iov_len = b.len};
    struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof(cm.b)};
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &sync_fd, sizeof(int));
    ssize_t n;
    do
        n = sendmsg(zyg.sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    int e = n < 0 ? errno : 0;
    sk_buf_free(&b);
    if (!e) return 0;
    /* full (a burst) or gone: this shim starts the plain way; a gone
     * zygote is replaced at the next start */
    if (e != EAGAIN) {
        rt->host->log(rt->ctx, SKIFF_LOG_WARN, "shim zygote: %s; starting a new one", strerror(e));
        zygote_close();
        zyg.rt = NULL;
    }
    return e;
}

/* ---- commands with captured output ---- */

struct rt_cmd {
    struct rt *rt;
    struct rt_cmd *next;
    pid_t pid;
    int pidfd, out, err;
    struct skiff_watch *w;
    rt_cmd_fn fn;
    void *arg;
    char what[64];
};

static char *read_memfd(int fd)
{
    off_t n = lseek(fd, 0, SEEK_END);
    if (n < 0) n = 0;
    if (n > (1 << 20)) n = 1 << 20;
    char *buf = sk_xmalloc((size_t)n + 1);
    ssize_t r = pread(fd, buf, (size_t)n, 0);
    buf[r > 0 ? r : 0] = 0;
    return buf;
}

static void cmd_unlink(struct rt_cmd *c)
{
    for (struct rt_cmd **p = &c->rt->cmds; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            return;
        }
}

static void cmd_free(struct rt_cmd *c)
{
    if (c->w) c->rt->host->fd_unwatch(c->rt->ctx, c->w);
    close(c->pidfd);
    close(c->out);
    close(c->err);
    free(c);
}

static void on_cmd_exit(int fd, int events, void *arg)
{
    (void)fd, (void)events;
    struct rt_cmd *c = arg;
    int st = rt_reap(c->pidfd);
    if (st == -2) return;
    cmd_unlink(c);
    char *out = read_memfd(c->out), *err = read_memfd(c->err);
    size_t el = strlen(err);
    while (el && (err[el - 1] == '\n' || err[el - 1] == ' '))
        err[--el] = 0;
    if (c->fn) c->fn(c->arg, st, out, err);
    free(out);
    free(err);
    cmd_free(c);
}

int rt_cmd_run(struct rt *rt, char *const argv[], rt_cmd_fn fn, void *arg)
{
    int out = memfd_create("rt-out", MFD_CLOEXEC), err = memfd_create("rt-err", MFD_CLOEXEC);
    if (out < 0 || err < 0) {
        int e = errno;
        if (out >= 0) close(out);
        if (err >= 0) close(err);
        return e;
    }
    int fds[3] = {-1, out, err};
    pid_t pid;
    int pidfd;
    int rc = rt_spawn(argv, fds, -1, &pid, &pidfd);
    if (rc) {
        close(out);
        close(err);
        return rc;
    }
    struct rt_cmd *c = sk_xcalloc(1, sizeof(*c));
    c->rt = rt;
    c->pid = pid;
    c->pidfd = pidfd;
    c->out = out;
    c->err = err;
    c->fn = fn;
    c->arg = arg;
    c->w = rt->host->fd_watch(rt->ctx, pidfd, SKIFF_FD_READ, on_cmd_exit, c);
    c->next = rt->cmds;
    rt->cmds = c;
    return 0;
}

int rt_runtime_cmd(struct rt *rt, rt_cmd_fn fn, void *arg, const char *a1, const char *a2,
                   const char *a3, const char *a4)
{
    char *argv[10];
    int n = 0;
    argv[n++] = (char *)rt->runtime_path;
    argv[n++] = "--root";
    argv[n++] = (char *)rt->runtime_root;
    const char *rest[] = {a1, a2, a3, a4};
    for (int i = 0; i < 4 && rest[i]; i++)
        argv[n++] = (char *)rest[i];
    argv[n] = NULL;
    return rt_cmd_run(rt, argv, fn, arg);
}

void rt_cmd_forget(struct rt *rt, void *arg)
{
    for (struct rt_cmd *c = rt->cmds; c; c = c->next)
        if (c->arg == arg) c->fn = NULL;
}

void rt_cmd_stop_all(struct rt *rt)
{
    if (zyg.rt == rt) {
        zygote_close();
        zyg.rt = NULL;
    }
    /* Children finish on their own; nobody waits for them (they become
     * zombies of a stopping process, gone with it). */
    while (rt->cmds) {
        struct rt_cmd *c = rt->cmds;
        rt->cmds = c->next;
        cmd_free(c);
    }
}
