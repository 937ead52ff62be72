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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

int rt_spawn(char *const argv[], const int fds[3], int extra_fd, pid_t *pid, int *pidfd)
{
    int pfd = -1;
    pid_t p = clone_child(&pfd);
    if (p < 0) return errno;
    if (p == 0) {
        child_setup(fds, extra_fd);
        execve(argv[0], argv, environ);
        _exit(127);
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
    /* Children finish on their own; nobody waits for them (they become
     * zombies of a stopping process, gone with it). */
    while (rt->cmds) {
        struct rt_cmd *c = rt->cmds;
        rt->cmds = c->next;
        cmd_free(c);
    }
}
