/* `skiff runtime-shim`: one small process per container instance. It runs
 * the OCI runtime's `run --detach`, becomes the container's parent (child
 * subreaper), copies the container's stdout and stderr into a CRI log file,
 * and records how the container ended. It outlives the agent, holds none of
 * its descriptors and uses only libc with fixed buffers. */
#include "crilog.h"
#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MAX_SIZE  (10ull * 1024 * 1024)
#define DEFAULT_MAX_FILES 5
/* After the container's process ended, wait this long for its pipes'
 * writers (processes it left behind) before giving up on the rest. */
#define DRAIN_MS 2000

struct shim_opts {
    char id[256];
    char bundle[PATH_MAX], runtime[PATH_MAX], root[PATH_MAX], state[PATH_MAX], log[PATH_MAX];
    unsigned long long max_size;
    int max_files;
    int sync_fd;
};

struct shim_log {
    const struct shim_opts *o;
    int fd;
    unsigned long long size;
};

struct shim_stream {
    struct shim_log *log;
    const char *name; /* "stdout" / "stderr" */
    int fd;           /* read end of the pipe, -1 at EOF */
    struct rt_cri_splitter sp;
};

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("skiff runtime-shim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n", stderr);
    va_end(ap);
}

/* Make p absolute against the current directory, into out. */
static int absolutize(const char *p, char *out, size_t cap)
{
    if (p[0] == '/') {
        if (strlen(p) >= cap) return -1;
        strcpy(out, p);
        return 0;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd))) return -1;
    int n = snprintf(out, cap, "%s/%s", cwd, p);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int parse_opts(int argc, char **argv, struct shim_opts *o)
{
    static const struct option longopts[] = {
            {"id", required_argument, NULL, 'i'},
            {"bundle", required_argument, NULL, 'b'},
            {"runtime", required_argument, NULL, 'r'},
            {"root", required_argument, NULL, 'R'},
            {"state", required_argument, NULL, 's'},
            {"log", required_argument, NULL, 'l'},
            {"log-max-size", required_argument, NULL, 'S'},
            {"log-max-files", required_argument, NULL, 'F'},
            {"sync-fd", required_argument, NULL, 'y'},
            {"help", no_argument, NULL, 'h'},
            {0},
    };
    memset(o, 0, sizeof(*o));
    o->max_size = DEFAULT_MAX_SIZE;
    o->max_files = DEFAULT_MAX_FILES;
    o->sync_fd = -1;
    const char *paths[5] = {0};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'i':
            if (strlen(optarg) >= sizeof(o->id) || !*optarg) {
                die_usage("--id: want 1..255 bytes");
                return -1;
            }
            strcpy(o->id, optarg);
            break;
        case 'b': paths[0] = optarg; break;
        case 'r': paths[1] = optarg; break;
        case 'R': paths[2] = optarg; break;
        case 's': paths[3] = optarg; break;
        case 'l': paths[4] = optarg; break;
        case 'S':
            errno = 0;
            o->max_size = strtoull(optarg, &end, 10);
            if (errno || *end || !o->max_size) {
                die_usage("--log-max-size %s: want a positive number of bytes", optarg);
                return -1;
            }
            break;
        case 'F':
            o->max_files = (int)strtol(optarg, &end, 10);
            if (*end || o->max_files < 1 || o->max_files > 1000) {
                die_usage("--log-max-files %s: want 1..1000", optarg);
                return -1;
            }
            break;
        case 'y':
            o->sync_fd = (int)strtol(optarg, &end, 10);
            if (*end || o->sync_fd < 3 || fcntl(o->sync_fd, F_GETFD) < 0) {
                die_usage("--sync-fd %s: not an open descriptor above 2", optarg);
                return -1;
            }
            break;
        case 'h':
            printf("Usage: skiff runtime-shim --id ID --bundle DIR --runtime PATH --root DIR\n"
                   "         --state DIR --log FILE [--log-max-size BYTES] [--log-max-files N]\n"
                   "         [--sync-fd FD]\n\n"
                   "Runs one container under the OCI runtime and keeps its CRI log. Started by\n"
                   "the agent's runtime plugin; not meant to be run by hand.\n");
            return 1;
        default: die_usage("unknown or incomplete flag %s", argv[optind - 1]); return -1;
        }
    }
    static const char *const names[5] = {"--bundle", "--runtime", "--root", "--state", "--log"};
    char *outs[5] = {o->bundle, o->runtime, o->root, o->state, o->log};
    if (!o->id[0]) {
        die_usage("--id is required");
        return -1;
    }
    for (int i = 0; i < 5; i++) {
        if (!paths[i] || !*paths[i]) {
            die_usage("%s is required", names[i]);
            return -1;
        }
        if (absolutize(paths[i], outs[i], PATH_MAX)) {
            die_usage("%s %s: path too long", names[i], paths[i]);
            return -1;
        }
    }
    if (optind < argc) {
        die_usage("unexpected argument %s", argv[optind]);
        return -1;
    }
    return 0;
}

static void sync_send(struct shim_opts *o, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
static void sync_send(struct shim_opts *o, const char *fmt, ...)
{
    if (o->sync_fd < 0) return;
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof(buf) - 1) n = sizeof(buf) - 2;
    buf[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = write(o->sync_fd, buf + off, (size_t)(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break; /* the agent is gone: nobody to tell */
        off += (int)w;
    }
    close(o->sync_fd);
    o->sync_fd = -1;
}

static int fsync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) return 0;
    *(slash == dir ? slash + 1 : slash) = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Write a small file atomically: a temporary beside it, rename. durable
 * adds an fsync of the file before the rename and of the directory after:
 * for what must survive a power cut. A pid file need not (no process does)
 * and sits on the path of every container start. */
static int write_atomic(const char *path, const char *data, size_t n, bool durable)
{
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
    }
    int rc = off == n && (!durable || !fsync(fd)) ? 0 : -1;
    if (close(fd)) rc = -1;
    if (!rc) rc = rename(tmp, path);
    if (rc) {
        unlink(tmp);
        return -1;
    }
    return durable ? fsync_dir_of(path) : 0;
}

/* JSON string escaping into a fixed buffer (truncates). */
static void json_str(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    if (cap < 3) return;
    out[o++] = '"';
    for (; *s && o + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = 0;
}

static void write_exit(const struct shim_opts *o, int code, int sig, const char *error)
{
    char path[PATH_MAX + 8], ts[RT_CRI_TS_LEN], body[6144], err[4200];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    rt_cri_time(&now, ts);
    int n;
    if (error) {
        json_str(err, sizeof(err), error);
        n = snprintf(body, sizeof(body),
                     "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s\",\"error\":%s}\n", code,
                     sig, ts, err);
    } else {
        n = snprintf(body, sizeof(body), "{\"exitCode\":%d,\"signal\":%d,\"finishedAt\":\"%s\"}\n",
                     code, sig, ts);
    }
    snprintf(path, sizeof(path), "%s/exit", o->state);
    write_atomic(path, body, (size_t)n, true);
}

/* ---- the log file ---- */

static void log_open(struct shim_log *l)
{
    l->fd = open(l->o->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    struct stat st;
    l->size = l->fd >= 0 && !fstat(l->fd, &st) ? (unsigned long long)st.st_size : 0;
}

/* FILE -> FILE.1 -> ... -> FILE.(N-1); the oldest falls off. */
static void log_rotate(struct shim_log *l)
{
    const struct shim_opts *o = l->o;
    char from[PATH_MAX + 16], to[PATH_MAX + 16];
    if (l->fd >= 0) close(l->fd);
    l->fd = -1;
    if (o->max_files <= 1) {
        unlink(o->log);
    } else {
        if (!rt_cri_rotated(to, sizeof(to), o->log, o->max_files - 1)) unlink(to);
        for (int i = o->max_files - 2; i >= 1; i--)
            if (!rt_cri_rotated(from, sizeof(from), o->log, i) &&
                !rt_cri_rotated(to, sizeof(to), o->log, i + 1))
                rename(from, to);
        if (!rt_cri_rotated(to, sizeof(to), o->log, 1)) rename(o->log, to);
    }
    log_open(l);
}

static void emit_record(void *arg, const char *msg, size_t len, bool partial)
{
    struct shim_stream *st = arg;
    struct shim_log *l = st->log;
    if (l->fd < 0) log_open(l); /* e.g. the directory came back */
    if (l->fd < 0) return;
    char hdr[RT_CRI_HDR_MAX];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    size_t hl = rt_cri_header(hdr, &now, st->name, partial);
    struct iovec iov[3] = {
            {.iov_base = hdr, .iov_len = hl},
            {.iov_base = (void *)msg, .iov_len = len},
            {.iov_base = "\n", .iov_len = 1},
    };
    /* one writev per record keeps records whole for readers; a full disk
     * drops the record rather than stalling the container */
    ssize_t w;
    do
        w = writev(l->fd, iov, 3);
    while (w < 0 && errno == EINTR);
    if (w > 0) l->size += (unsigned long long)w;
    if (l->size >= l->o->max_size) log_rotate(l);
}

/* Read what the pipe has; false at EOF or error. */
static bool stream_read(struct shim_stream *st)
{
    char buf[8192];
    ssize_t n = read(st->fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
        rt_cri_split_end(&st->sp, emit_record, st);
        close(st->fd);
        st->fd = -1;
        return false;
    }
    rt_cri_split(&st->sp, buf, (size_t)n, emit_record, st);
    return true;
}

/* ---- the runtime's error message ---- */

/* The value of "key" in one line of JSON, unescaped into out. */
static bool json_field(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    const char *p = strstr(line, pat);
    if (!p) return false;
    p += strlen(pat);
    size_t o = 0;
    for (; *p && *p != '"' && o + 1 < cap; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            char c = *p;
            if (c == 'n')
                c = ' ';
            else if (c == 't')
                c = ' ';
            else if (c == 'u') {
                /* \u00XX for ASCII; anything else is shown as '?' */
                unsigned v = 0;
                if (sscanf(p + 1, "%4x", &v) == 1 && p[1] && p[2] && p[3] && p[4]) p += 4;
                c = v >= 0x20 && v < 0x7f ? (char)v : '?';
            }
            out[o++] = c;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = 0;
    return true;
}

/* The last error-level message of the runtime's JSON log, without the
 * "runc run failed: " lead that only names our invocation. */
static void runtime_error(const struct shim_opts *o, int status, char *out, size_t cap)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/runtime.log", o->state);
    if (WIFSIGNALED(status))
        snprintf(out, cap, "%.300s was killed by signal %d", o->runtime, WTERMSIG(status));
    else
        snprintf(out, cap, "%.300s exited with status %d and left no message in %.300s", o->runtime,
                 WEXITSTATUS(status), path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    static char buf[65536];
    off_t size = lseek(fd, 0, SEEK_END);
    off_t start = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, start);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    char level[32], msg[4096];
    for (char *line = buf, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        if (json_field(line, "level", level, sizeof(level)) &&
            (!strcmp(level, "error") || !strcmp(level, "fatal")) &&
            json_field(line, "msg", msg, sizeof(msg)) && msg[0]) {
            const char *m = msg;
            static const char *const leads[] = {"runc run failed: ", "runc create failed: "};
            for (size_t i = 0; i < 2; i++)
                if (!strncmp(m, leads[i], strlen(leads[i]))) m += strlen(leads[i]);
            snprintf(out, cap, "%s", m);
        }
    }
}

/* ---- the shim proper ---- */

static int read_pid_file(const char *state)
{
    char path[PATH_MAX + 8], buf[32];
    snprintf(path, sizeof(path), "%s/pid", state);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    long v = strtol(buf, NULL, 10);
    return v > 0 && v < INT_MAX ? (int)v : -1;
}

/* Everything but stdio and the sync fd goes; stdio becomes /dev/null. */
static void close_fds(int keep)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        for (int i = 0; i < 3; i++)
            if (null != i) dup2(null, i);
        if (null > 2) close(null);
    }
    if (keep > 3) close_range(3, (unsigned)keep - 1, 0);
    close_range(keep >= 3 ? (unsigned)keep + 1 : 3, ~0u, 0);
}

static pid_t spawn_runtime(const struct shim_opts *o, int out_w, int err_w)
{
    char logp[PATH_MAX + 16], pidp[PATH_MAX + 16];
    snprintf(logp, sizeof(logp), "%s/runtime.log", o->state);
    snprintf(pidp, sizeof(pidp), "%s/pid", o->state);
    pid_t pid = fork();
    if (pid) return pid;
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0) _exit(127);
    close_range(3, ~0u, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    char *args[] = {(char *)o->runtime,
                    "--root",
                    (char *)o->root,
                    "--log",
                    logp,
                    "--log-format",
                    "json",
                    "run",
                    "--detach",
                    "--bundle",
                    (char *)o->bundle,
                    "--pid-file",
                    pidp,
                    (char *)o->id,
                    NULL};
    execv(o->runtime, args);
    _exit(127);
}

/* The shim after it detached; returns the process's exit status. */
static int shim_run(struct shim_opts *o)
{
    char path[PATH_MAX + 16], buf[64];
    snprintf(path, sizeof(path), "%s/shim.pid", o->state);
    int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (write_atomic(path, buf, (size_t)n, false)) {
        sync_send(o, "error cannot write %s: %s", path, strerror(errno));
        return 1;
    }
    /* a stale exit record from an earlier run under this state dir */
    snprintf(path, sizeof(path), "%s/exit", o->state);
    unlink(path);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    int outp[2], errp[2];
    if (sfd < 0 || pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
        sync_send(o, "error runtime-shim: %s", strerror(errno));
        return 1;
    }
    struct shim_log log = {.o = o, .fd = -1};
    log_open(&log);
    if (log.fd < 0) {
        int e = errno;
        sync_send(o, "error cannot open log file %s: %s", o->log, strerror(e));
        write_exit(o, 128, 0, "cannot open the container's log file");
        return 1;
    }
    /* records are at most 16 KiB + header: stack buffers stay fixed */
    static struct shim_stream streams[2];
    streams[0] = (struct shim_stream){.log = &log, .name = "stdout", .fd = outp[0]};
    streams[1] = (struct shim_stream){.log = &log, .name = "stderr", .fd = errp[0]};

    pid_t runtime = spawn_runtime(o, outp[1], errp[1]);
    close(outp[1]);
    close(errp[1]);
    if (runtime < 0) {
        sync_send(o, "error cannot start %s: %s", o->runtime, strerror(errno));
        write_exit(o, 128, 0, "cannot start the OCI runtime");
        return 1;
    }
    int runtime_status = 0;
    bool runtime_done = false;
    /* Until the runtime has exited the pipes are left alone: what its own
     * failure prints on stderr must not reach the container's log. */
    while (!runtime_done) {
        pid_t w = waitpid(runtime, &runtime_status, 0);
        if (w == runtime)
            runtime_done = true;
        else if (w < 0 && errno != EINTR)
            break;
    }
    if (!runtime_done || !WIFEXITED(runtime_status) || WEXITSTATUS(runtime_status)) {
        char msg[4096];
        if (!runtime_done)
            snprintf(msg, sizeof(msg), "lost track of %.300s", o->runtime);
        else
            runtime_error(o, runtime_status, msg, sizeof(msg));
        sync_send(o, "error %s", msg);
        write_exit(o, 128, 0, msg);
        return 1;
    }
    pid_t ctr = read_pid_file(o->state);
    if (ctr <= 0) {
        sync_send(o, "error %s reported success but wrote no pid file in %s", o->runtime, o->state);
        write_exit(o, 128, 0, "the OCI runtime wrote no pid file");
        return 1;
    }
    sync_send(o, "ok %d", (int)ctr);

    int status = 0;
    bool exited = false;
    long drain_left = DRAIN_MS;
    for (;;) {
        /* reap: the container's init (reparented to us once the runtime
         * exited) and anything else that lands here */
        for (;;) {
            int st;
            pid_t p = waitpid(-1, &st, WNOHANG);
            if (p <= 0) break;
            if (p == ctr) {
                status = st;
                exited = true;
            }
        }
        if (exited && streams[0].fd < 0 && streams[1].fd < 0) break;
        struct pollfd pfd[3] = {{.fd = sfd, .events = POLLIN},
                                {.fd = streams[0].fd, .events = POLLIN},
                                {.fd = streams[1].fd, .events = POLLIN}};
        int timeout = exited ? 100 : 1000;
        int r = poll(pfd, 3, timeout);
        if (r < 0 && errno != EINTR) break;
        if (r == 0 && exited) {
            drain_left -= timeout;
            if (drain_left <= 0) break; /* left-behind writers keep the pipes open */
            continue;
        }
        if (pfd[0].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
            }
        }
        for (int i = 0; i < 2; i++)
            if (streams[i].fd >= 0 && pfd[i + 1].revents) stream_read(&streams[i]);
        if (!exited) {
            /* the container may be gone before its init was reparented to
             * us (it then never was our child): poll for it */
            if (kill(ctr, 0) && errno == ESRCH) {
                int st2;
                if (waitpid(ctr, &st2, WNOHANG) == ctr) status = st2;
                exited = true;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (streams[i].fd >= 0) {
            rt_cri_split_end(&streams[i].sp, emit_record, &streams[i]);
            close(streams[i].fd);
        }
    if (log.fd >= 0) {
        fsync(log.fd);
        close(log.fd);
    }
    int code = 0, sig = 0;
    if (WIFSIGNALED(status)) {
        sig = WTERMSIG(status);
        code = 128 + sig;
    } else if (WIFEXITED(status)) {
        code = WEXITSTATUS(status);
    }
    write_exit(o, code, sig, NULL);
    return 0;
}

/* The shim proper, in the process that will stay: its own session, no
 * descriptor of its parent's but the sync fd. */
static int shim_detached(struct shim_opts *o)
{
    setsid();
    close_fds(o->sync_fd);
    if (chdir("/")) {
    }
    umask(022);
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_DFL); /* the zygote ignores it; the shim waits */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
        sync_send(o, "error runtime-shim: PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
        return 1;
    }
    prctl(PR_SET_NAME, "skiff-shim", 0, 0, 0);
    return shim_run(o);
}

static int shim_check(int argc, char **argv, struct shim_opts *o)
{
    int rc = parse_opts(argc, argv, o);
    if (rc) {
        if (rc < 0 && o->sync_fd >= 0) sync_send(o, "error runtime-shim: bad arguments");
        return rc < 0 ? 2 : 0;
    }
    struct stat st;
    if (stat(o->state, &st) || !S_ISDIR(st.st_mode)) {
        die_usage("--state %s: not a directory", o->state);
        sync_send(o, "error runtime-shim: state directory %s missing", o->state);
        return 2;
    }
    return -1;
}

/* ---- the zygote ---- */

/* `skiff runtime-shim --zygote`, fd 3 a SOCK_SEQPACKET socket from the
 * agent. Each message is one shim's arguments (NUL-terminated strings,
 * "--sync-fd 3" among them) with the sync pipe's write end attached; the
 * zygote forks the shim proper for it at once. Loading the skiff binary's
 * shared libraries was most of a shim's start (about 15 ms of CPU on the
 * development VM, page faults and relocations); the zygote pays it once.
 * It never waits for its children (SIGCHLD ignored: the kernel reaps
 * them) and ends when the agent's end of the socket closes. */
#define ZYGOTE_SOCK     3
#define ZYGOTE_MAX_ARGS 62

/* A forked shim would show the zygote's command line; tools (ps, the
 * benches' cleanup) find shims by theirs, which names the data dir. The
 * agent starts the zygote with ZYGOTE_PAD empty arguments after
 * "--zygote": room in which each child writes its own arguments, so that
 * /proc/PID/cmdline reads as an exec'd shim's (PR_SET_MM would need
 * CAP_SYS_RESOURCE). Arguments longer than the room are cut. */
static char *zyg_area;
static size_t zyg_area_len;

static void show_args(char *const args[])
{
    if (!zyg_area) return;
    size_t o = 0;
    for (int i = 0; args[i] && o < zyg_area_len; i++) {
        size_t l = strlen(args[i]) + 1;
        if (l > zyg_area_len - o) l = zyg_area_len - o;
        memcpy(zyg_area + o, args[i], l);
        o += l;
    }
    memset(zyg_area + o, 0, zyg_area_len - o);
    zyg_area[zyg_area_len - 1] = 0;
}

static void zygote_child(char *buf, size_t n, int fd)
{
    char *args[ZYGOTE_MAX_ARGS + 2];
    int ac = 0;
    args[ac++] = "runtime-shim";
    for (size_t off = 0; off < n && ac <= ZYGOTE_MAX_ARGS;) {
        args[ac++] = buf + off;
        off += strlen(buf + off) + 1;
    }
    args[ac] = NULL;
    show_args(args);
    close(ZYGOTE_SOCK);
    if (fd != ZYGOTE_SOCK && dup2(fd, ZYGOTE_SOCK) < 0) _exit(1);
    struct shim_opts o;
    int rc = shim_check(ac, args, &o);
    if (rc >= 0) _exit(rc);
    _exit(shim_detached(&o));
}

static int zygote_main(int argc, char **argv)
{
    for (int i = 2; i < argc; i++)
        if (argv[i][0]) {
            die_usage("--zygote takes no arguments (got %s)", argv[i]);
            return 2;
        }
    /* argv[0] ("runtime-shim") to the end of the last argument: one block */
    zyg_area = argv[0];
    zyg_area_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
    if (fcntl(ZYGOTE_SOCK, F_GETFD) < 0) {
        die_usage("--zygote: descriptor %d is not open", ZYGOTE_SOCK);
        return 2;
    }
    signal(SIGCHLD, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    prctl(PR_SET_NAME, "skiff-zygote", 0, 0, 0);
    static char buf[65536];
    for (;;) {
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(int))];
        } cm;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = cm.b,
                            .msg_controllen = sizeof(cm.b)};
        ssize_t n = recvmsg(ZYGOTE_SOCK, &mh, MSG_CMSG_CLOEXEC);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0; /* the agent is gone */
        int fd = -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int)))
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
        if (fd < 0) continue;
        if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || buf[n - 1] != 0) {
            dprintf(fd, "error runtime-shim: malformed request from the agent\n");
            close(fd);
            continue;
        }
        pid_t pid = fork();
        if (pid == 0) zygote_child(buf, (size_t)n, fd);
        if (pid < 0) dprintf(fd, "error runtime-shim: fork: %s\n", strerror(errno));
        close(fd);
    }
}

int rt_shim_main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--zygote")) return zygote_main(argc, argv);
    struct shim_opts o;
    int rc = shim_check(argc, argv, &o);
    if (rc >= 0) return rc;
    /* The agent waits for this first process only, which exits at once;
     * the shim proper goes on in the child, in its own session, so signals
     * to the agent's process group never reach it. */
    pid_t pid = fork();
    if (pid < 0) {
        sync_send(&o, "error runtime-shim: fork: %s", strerror(errno));
        return 1;
    }
    if (pid > 0) _exit(0);
    _exit(shim_detached(&o));
}
