/* images: the per-node image service. For now it seeds the store at start
 * (every tarball dropped in DATA_DIR/images/ is imported, for air-gapped
 * sites) and runs the image GC on a timer. The work happens in `skiff
 * image ...` child processes, so the agent never maps libcurl or
 * libarchive and its loop never waits on a disk or a network: it only
 * reads the child's output (into the log) until it closes. Pull requests
 * from the pod runtime and the API will come through on_msg. */
#include "skiff_plugin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct images_opts {
    char *registries;     /* path of a registries.yaml-style file */
    bool import_at_start; /* import DATA_DIR/images/ *.tar at start */
    int64_t gc_high;      /* percent of disk use that starts image GC */
    int64_t gc_low;       /* percent it stops at */
    double gc_interval;   /* how often disk use is checked */
};

static const struct skiff_option images_options[] = {
        {"registries", SKIFF_OPT_STR, "", offsetof(struct images_opts, registries),
         "registries.yaml-style file: mirrors, endpoints, TLS, credentials"},
        {"import-at-start", SKIFF_OPT_BOOL, "true", offsetof(struct images_opts, import_at_start),
         "import every tarball in DATA_DIR/images/ when the agent starts"},
        {"gc-high-threshold", SKIFF_OPT_INT, "85", offsetof(struct images_opts, gc_high),
         "disk use (percent) above which unused images are removed"},
        {"gc-low-threshold", SKIFF_OPT_INT, "80", offsetof(struct images_opts, gc_low),
         "disk use (percent) the image GC brings it down to"},
        {"gc-interval", SKIFF_OPT_DURATION, "5m", offsetof(struct images_opts, gc_interval),
         "how often disk use is checked"},
        {NULL, 0, NULL, 0, NULL},
};

struct images {
    struct skiff_ctx *ctx;
    const struct skiff_host *host;
    const struct images_opts *o;
    pid_t child;
    const char *child_what;
    int out_fd; /* the child's stdout+stderr */
    struct skiff_watch *out_watch;
    char line[1024];
    size_t line_len;
    bool child_errors;
    struct skiff_timer *gc;
};

static bool is_tarball(const char *n)
{
    static const char *const ext[] = {".tar", ".tar.gz", ".tgz", ".tar.zst", NULL};
    size_t l = strlen(n);
    for (const char *const *e = ext; *e; e++) {
        size_t el = strlen(*e);
        if (l > el && !strcmp(n + l - el, *e)) return true;
    }
    return false;
}

static void child_line(struct images *im)
{
    im->line[im->line_len] = 0;
    bool bad = !strncmp(im->line, "error: ", 7);
    if (bad) im->child_errors = true;
    if (im->line_len)
        im->host->log(im->ctx, bad ? SKIFF_LOG_WARN : SKIFF_LOG_INFO, "%s: %s", im->child_what,
                      bad ? im->line + 7 : im->line);
    im->line_len = 0;
}

/* The child's output, line by line, into the agent's log. EOF means the
 * child is done. Its exit status is not ours to collect: libev's default
 * loop reaps every child (it owns SIGCHLD), so success is judged by the
 * child's "error:" lines, and waitpid is only a best effort. */
static void on_child_output(int fd, int events, void *arg)
{
    (void)events;
    struct images *im = arg;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || im->line_len == sizeof(im->line) - 1) child_line(im);
        if (buf[i] != '\n') im->line[im->line_len++] = buf[i];
    }
    if (n > 0) return;
    if (im->line_len) child_line(im);
    im->host->fd_unwatch(im->ctx, im->out_watch);
    im->out_watch = NULL;
    close(im->out_fd);
    im->out_fd = -1;
    int st = 0;
    bool have = waitpid(im->child, &st, WNOHANG) == im->child;
    bool ok = !im->child_errors && (!have || (WIFEXITED(st) && WEXITSTATUS(st) == 0));
    im->host->log(im->ctx, ok ? SKIFF_LOG_INFO : SKIFF_LOG_WARN, "%s %s pid=%d", im->child_what,
                  ok ? "finished" : "failed", (int)im->child);
    im->child = 0;
}

/* Start `skiff image ARGS...` (the binary we run from) with its output on
 * a pipe the loop watches. One child at a time. */
static int spawn(struct images *im, const char *what, char **args)
{
    if (im->child) return -1;
    int p[2];
    if (pipe2(p, O_CLOEXEC)) {
        im->host->log(im->ctx, SKIFF_LOG_ERROR, "%s: pipe: %s", what, strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_adddup2(&fa, p[1], 2);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc) {
        close(p[0]);
        im->host->log(im->ctx, SKIFF_LOG_ERROR, "%s: spawn failed: %s", what, strerror(rc));
        return -1;
    }
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    im->child = pid;
    im->child_what = what;
    im->child_errors = false;
    im->line_len = 0;
    im->out_fd = p[0];
    im->out_watch = im->host->fd_watch(im->ctx, p[0], SKIFF_FD_READ, on_child_output, im);
    im->host->log(im->ctx, SKIFF_LOG_INFO, "%s started pid=%d", what, (int)pid);
    return 0;
}

static void import_dir(struct images *im)
{
    const char *dd = im->host->data_dir(im->ctx);
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/images", dd);
    DIR *d = opendir(dir);
    if (!d) return;
    size_t n = 0, cap = 8;
    char **args = calloc(cap, sizeof(char *));
    if (!args) {
        closedir(d);
        return;
    }
    args[n++] = strdup("skiff");
    args[n++] = strdup("image");
    args[n++] = strdup("import");
    args[n++] = strdup("--data-dir");
    args[n++] = strdup(dd);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !is_tarball(e->d_name)) continue;
        if (n + 2 >= cap) {
            char **nargs = realloc(args, 2 * cap * sizeof(char *));
            if (!nargs) break;
            args = nargs;
            cap *= 2;
        }
        char p[4096 + 256];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        args[n++] = strdup(p);
        files++;
    }
    closedir(d);
    args[n] = NULL;
    if (files) spawn(im, "image import", args);
    for (size_t i = 0; i < n; i++)
        free(args[i]);
    free(args);
}

static void gc_tick(void *arg)
{
    struct images *im = arg;
    char hi[16], lo[16];
    snprintf(hi, sizeof(hi), "%lld", (long long)im->o->gc_high);
    snprintf(lo, sizeof(lo), "%lld", (long long)im->o->gc_low);
    char *args[] = {
            "skiff",     "image", "prune",    "--data-dir", (char *)im->host->data_dir(im->ctx),
            "--gc-high", hi,      "--gc-low", lo,           NULL};
    spawn(im, "image gc", args); /* busy with an import: next tick */
}

static int images_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                       void **self)
{
    const struct images_opts *o = options;
    if (o->gc_high < 0 || o->gc_high > 100 || o->gc_low < 0 || o->gc_low > o->gc_high) {
        host->log(ctx, SKIFF_LOG_ERROR,
                  "gc thresholds: want 0 <= gc-low-threshold (%lld) <= gc-high-threshold (%lld) "
                  "<= 100",
                  (long long)o->gc_low, (long long)o->gc_high);
        return -1;
    }
    struct images *im = calloc(1, sizeof(*im));
    if (!im) return -1;
    im->ctx = ctx;
    im->host = host;
    im->o = o;
    im->out_fd = -1;
    *self = im;
    return 0;
}

static int images_start(void *self)
{
    struct images *im = self;
    if (im->o->import_at_start) import_dir(im);
    if (im->o->gc_interval > 0)
        im->gc = im->host->timer_add(im->ctx, im->o->gc_interval, im->o->gc_interval, gc_tick, im);
    return 0;
}

static void images_stop(void *self)
{
    struct images *im = self;
    /* An interrupted import or GC leaves only temp files, which the next
     * sweep removes; never wait for it here. */
    if (im->child) kill(im->child, SIGTERM);
    im->child = 0;
    if (im->out_watch) im->host->fd_unwatch(im->ctx, im->out_watch);
    im->out_watch = NULL;
    if (im->out_fd >= 0) close(im->out_fd);
    im->out_fd = -1;
    if (im->gc) im->host->timer_cancel(im->ctx, im->gc);
    im->gc = NULL;
}

static void images_fini(void *self)
{
    free(self);
}

SKIFF_PLUGIN(images) = {
        SKIFF_PLUGIN_HEADER,
        .name = "images",
        .role = SKIFF_ROLE_NODE,
        .description = "image store: imports tarballs from DATA_DIR/images/ at start, image GC",
        .options = images_options,
        .options_size = sizeof(struct images_opts),
        .init = images_init,
        .start = images_start,
        .stop = images_stop,
        .fini = images_fini,
};
