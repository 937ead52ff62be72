/* images: the per-node image service. It seeds the store at start (every
 * tarball dropped in DATA_DIR/images/ is imported, for air-gapped sites),
 * runs the image GC on a timer, and serves `skiff image ...` in agent mode
 * under the node HTTP prefix "images" (reached through the API's
 * nodes/NODE/proxy/images/...; the routes are listed above images_http).
 *
 * The work happens in `skiff image ... --data-dir DATA_DIR` child
 * processes, so the agent never maps libcurl or libarchive and its loop
 * never waits on a disk or a network: it only reads the children's
 * output, into the log or into an HTTP response. */
#include "skiff_plugin.h"

#include "json.h"
#include "mem.h"
#include "val.h"

#include "creds.h"
#include "regconf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct images_opts {
    struct skiff_opt_tree registries; /* a registries.yaml-style file, or inline */
    bool import_at_start;             /* import DATA_DIR/images/ *.tar at start */
    int64_t gc_high;                  /* percent of disk use that starts image GC */
    int64_t gc_low;                   /* percent it stops at */
    double gc_interval;               /* how often disk use is checked */
};

static const struct skiff_option images_options[] = {
        {"registries", SKIFF_OPT_TREE, "", offsetof(struct images_opts, registries),
         "registries.yaml-style settings (mirrors, rewrites, TLS, credentials): a file path, "
         "or the mapping inline"},
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
    struct job *jobs;       /* agent-mode requests in progress */
    struct ensure *ensures; /* IMAGE_ENSURE requests in progress */
    int njobs;
    unsigned long uploads, served, failed;
    char *registries; /* the file `pull` children read, or NULL */
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

/* Read what fd has and hand each line (cut at cap - 1 bytes; at EOF, the
 * unfinished rest) to fn, which takes it from line[0..*len) and resets
 * *len. Returns true while fd stays open, false at EOF or an error. */
static bool read_lines(int fd, char *line, size_t cap, size_t *len, void (*fn)(void *arg),
                       void *arg)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    for (ssize_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || *len == cap - 1) fn(arg);
        if (buf[i] != '\n') line[(*len)++] = buf[i];
    }
    if (n > 0) return true;
    if (*len) fn(arg);
    return false;
}

static void child_line(void *arg)
{
    struct images *im = arg;
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
    if (read_lines(fd, im->line, sizeof(im->line), &im->line_len, child_line, im)) return;
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

/* ---- agent mode: `skiff image ...` over the node HTTP surface ----
 *
 *   GET    /images                      list (JSON: name -> record)
 *   GET    /images/inspect?image=REF    one image (JSON, as inspect prints)
 *   POST   /images/pull?image=REF       JSON lines: progress, then
 *          [&platform=OS/ARCH]          {"event":"done",...} or
 *          [&parallel=N][&allow-devices=true]  {"event":"error",...}
 *   DELETE /images?image=REF            {"untagged": NAME}
 *   POST   /images/prune[?all=true][&gc-high=P&gc-low=P]
 *   POST   /images/import[?path=ABS]    body: the tarball (or a file here)
 *   GET    /images/export?image=REF...  the oci-archive, streamed
 *
 * Each request runs one `skiff image VERB --emit json` child (see cli.c
 * for what it prints). Its stdout is the answer: buffered and sent whole
 * for the small JSON answers, forwarded as it comes for pull and export.
 * Its stderr carries "error: STATUS MESSAGE" on failure, which becomes the
 * HTTP status and {"message": ...} (or an error line once a stream has
 * started). Two pulls of one image fetch each blob once: the store's blob
 * locks make the second child wait for the first one's download. */

#define MAX_JOBS    16
#define MAX_ANSWER  (16u << 20)  /* a buffered JSON answer */
#define PAUSE_ABOVE (512u << 10) /* pending response bytes that pause a stream */
#define UPLOAD_DIR  "images/incoming"

enum job_mode { JOB_BUFFER, JOB_STREAM };

struct job {
    struct images *im;
    struct job *next;
    char what[32];
    enum job_mode mode;
    const char *ctype; /* of a streamed answer */
    pid_t pid;
    int in_fd; /* the child's stdin (pull credentials), or -1 for /dev/null */
    int out_fd, err_fd;
    struct skiff_watch *out_w, *err_w;
    struct skiff_http_stream *s;
    bool head_sent, gone, paused;
    struct sk_buf out;
    char line[1024];
    size_t line_len;
    int err_status;
    char *err_msg;
    /* an import upload waiting for its file to be written */
    char *upload_path;
    void *upload;
    size_t upload_len;
    int upload_errno;
};

static void job_finish(struct job *j);

static char *json_message(const char *msg)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "message", sk_val_str(msg));
    char *js = sk_json_dump(m, 0, NULL);
    sk_val_free(m);
    return js;
}

static void answer_error(struct images *im, struct skiff_http_stream *s, int status,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void answer_error(struct images *im, struct skiff_http_stream *s, int status,
                         const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char *js = json_message(msg);
    im->host->http_head(s, status, "application/json");
    im->host->http_write(s, js, strlen(js));
    im->host->http_write(s, "\n", 1);
    im->host->http_end(s);
    free(js);
}

static void job_unlink(struct job *j)
{
    for (struct job **p = &j->im->jobs; *p; p = &(*p)->next)
        if (*p == j) {
            *p = j->next;
            j->im->njobs--;
            return;
        }
}

static void job_free(struct job *j)
{
    sk_buf_free(&j->out);
    free(j->err_msg);
    free(j->upload_path);
    free(j->upload);
    free(j);
}

/* One stderr line of the child: "error: STATUS MESSAGE" is the answer's
 * error; the rest goes to the log. */
static void job_err_line(void *arg)
{
    struct job *j = arg;
    j->line[j->line_len] = 0;
    j->line_len = 0;
    if (!j->line[0]) return;
    if (!strncmp(j->line, "error: ", 7)) {
        char *end;
        long st = strtol(j->line + 7, &end, 10);
        if (end != j->line + 7 && *end == ' ' && st >= 400 && st <= 599) {
            if (!j->err_msg) {
                j->err_status = (int)st;
                j->err_msg = sk_xstrdup(end + 1);
            }
        } else if (!j->err_msg) {
            j->err_status = 500;
            j->err_msg = sk_xstrdup(j->line + 7);
        }
        j->im->host->log(j->im->ctx, SKIFF_LOG_INFO, "%s pid=%d: %s", j->what, (int)j->pid,
                         j->line + 7);
        return;
    }
    j->im->host->log(j->im->ctx, SKIFF_LOG_DEBUG, "%s pid=%d: %s", j->what, (int)j->pid, j->line);
}

static void on_job_err(int fd, int events, void *arg)
{
    (void)events;
    struct job *j = arg;
    if (read_lines(fd, j->line, sizeof(j->line), &j->line_len, job_err_line, j)) return;
    j->im->host->fd_unwatch(j->im->ctx, j->err_w);
    j->err_w = NULL;
    close(j->err_fd);
    j->err_fd = -1;
    if (j->out_fd < 0) job_finish(j);
}

static void on_job_out(int fd, int events, void *arg);

static void job_drain(void *arg)
{
    struct job *j = arg;
    if (!j->paused || j->out_fd < 0) return;
    j->paused = false;
    j->out_w = j->im->host->fd_watch(j->im->ctx, j->out_fd, SKIFF_FD_READ, on_job_out, j);
}

static void job_gone(void *arg)
{
    struct job *j = arg;
    j->gone = true;
    if (j->pid > 0) kill(j->pid, SIGTERM);
    job_drain(j); /* read the rest, so the child sees EOF or SIGPIPE, never a full pipe */
}

static void on_job_out(int fd, int events, void *arg)
{
    (void)events;
    struct job *j = arg;
    const struct skiff_host *h = j->im->host;
    char buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n > 0) {
        if (j->gone) return;
        if (j->mode == JOB_BUFFER) {
            if (j->out.len + (size_t)n > MAX_ANSWER) {
                if (!j->err_msg) {
                    j->err_status = 500;
                    j->err_msg =
                            sk_xasprintf("%s: the answer is over %u bytes", j->what, MAX_ANSWER);
                }
                kill(j->pid, SIGTERM);
                return;
            }
            sk_buf_append(&j->out, buf, (size_t)n);
            return;
        }
        if (!j->head_sent) {
            h->http_head(j->s, 200, j->ctype);
            j->head_sent = true;
        }
        if (h->http_write(j->s, buf, (size_t)n) < 0) {
            job_gone(j);
            return;
        }
        if (h->http_pending(j->s) > PAUSE_ABOVE) {
            /* the child blocks on its full pipe until the client catches up */
            h->fd_unwatch(j->im->ctx, j->out_w);
            j->out_w = NULL;
            j->paused = true;
        }
        return;
    }
    if (j->out_w) h->fd_unwatch(j->im->ctx, j->out_w);
    j->out_w = NULL;
    close(j->out_fd);
    j->out_fd = -1;
    if (j->err_fd < 0) job_finish(j);
}

/* Both pipes closed: the child is done (libev reaps it). */
static void job_finish(struct job *j)
{
    struct images *im = j->im;
    const struct skiff_host *h = im->host;
    job_unlink(j);
    if (j->gone) {
        h->http_end(j->s);
    } else if (j->err_msg || (j->mode == JOB_BUFFER && !j->out.len)) {
        const char *msg = j->err_msg ? j->err_msg : "the image command ended without an answer";
        int st = j->err_msg ? j->err_status : 500;
        if (j->head_sent) {
            struct sk_val *m = sk_val_map();
            sk_map_set(m, "event", sk_val_str("error"));
            sk_map_set(m, "status", sk_val_int(st));
            sk_map_set(m, "message", sk_val_str(msg));
            char *js = sk_json_dump(m, 0, NULL);
            sk_val_free(m);
            h->http_write(j->s, js, strlen(js));
            h->http_write(j->s, "\n", 1);
            free(js);
            h->http_end(j->s);
        } else {
            answer_error(im, j->s, st, "%s", msg);
        }
        im->failed++;
    } else {
        if (!j->head_sent)
            h->http_head(j->s, 200, j->mode == JOB_BUFFER ? "application/json" : j->ctype);
        if (j->out.len) h->http_write(j->s, j->out.p, j->out.len);
        h->http_end(j->s);
        im->served++;
    }
    h->log(im->ctx, j->err_msg ? SKIFF_LOG_WARN : SKIFF_LOG_INFO, "%s %s pid=%d", j->what,
           j->gone      ? "cancelled"
           : j->err_msg ? "failed"
                        : "finished",
           (int)j->pid);
    job_free(j);
}

/* Start `skiff image ARGV... --data-dir DATA_DIR --emit json` for j. */
static int job_spawn(struct job *j, char **argv)
{
    struct images *im = j->im;
    int o[2] = {-1, -1}, e[2] = {-1, -1};
    if (pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
        int er = errno;
        if (o[0] >= 0) close(o[0]), close(o[1]);
        return er;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (j->in_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, j->in_fd, 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, o[1], 1);
    posix_spawn_file_actions_adddup2(&fa, e[1], 2);
    int rc = posix_spawn(&j->pid, "/proc/self/exe", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(o[1]);
    close(e[1]);
    if (rc) {
        close(o[0]);
        close(e[0]);
        return rc;
    }
    fcntl(o[0], F_SETFL, O_NONBLOCK);
    fcntl(e[0], F_SETFL, O_NONBLOCK);
    j->out_fd = o[0];
    j->err_fd = e[0];
    j->out_w = im->host->fd_watch(im->ctx, o[0], SKIFF_FD_READ, on_job_out, j);
    j->err_w = im->host->fd_watch(im->ctx, e[0], SKIFF_FD_READ, on_job_err, j);
    im->host->http_notify(j->s, job_drain, job_gone, j);
    im->host->log(im->ctx, SKIFF_LOG_INFO, "%s started pid=%d", j->what, (int)j->pid);
    return 0;
}

/* Query parameters: the value of key number `nth` (URL-decoded; caller
 * frees), or NULL. */
static char *query_get(const char *q, const char *key, int nth)
{
    size_t kl = strlen(key);
    for (const char *p = q; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t l = amp ? (size_t)(amp - p) : strlen(p);
        if (l >= kl && !strncmp(p, key, kl) && (l == kl || p[kl] == '=') && nth-- == 0) {
            const char *v = l > kl ? p + kl + 1 : p + l;
            size_t vl = l > kl ? l - kl - 1 : 0;
            char *out = sk_xmalloc(vl + 1), *w = out;
            for (size_t i = 0; i < vl; i++) {
                if (v[i] == '%' && i + 2 < vl && isxdigit((unsigned char)v[i + 1]) &&
                    isxdigit((unsigned char)v[i + 2])) {
                    char hx[3] = {v[i + 1], v[i + 2], 0};
                    *w++ = (char)strtol(hx, NULL, 16);
                    i += 2;
                } else {
                    *w++ = v[i] == '+' ? ' ' : v[i];
                }
            }
            *w = 0;
            return out;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static bool query_true(const char *q, const char *key)
{
    char *v = query_get(q, key, 0);
    bool t = v && (!*v || !strcmp(v, "true") || !strcmp(v, "1"));
    free(v);
    return t;
}

struct argv_b {
    char *v[64];
    int n;
};

static void argv_add(struct argv_b *a, const char *s)
{
    if (a->n < 62) a->v[a->n++] = sk_xstrdup(s);
    a->v[a->n] = NULL;
}

static void argv_free(struct argv_b *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
    a->n = 0;
}

static struct job *job_new(struct images *im, struct skiff_http_stream *s, const char *what,
                           enum job_mode mode, const char *ctype)
{
    struct job *j = sk_xcalloc(1, sizeof(*j));
    j->im = im;
    j->s = s;
    j->mode = mode;
    j->ctype = ctype;
    j->out_fd = j->err_fd = j->in_fd = -1;
    snprintf(j->what, sizeof(j->what), "%s", what);
    j->next = im->jobs;
    im->jobs = j;
    im->njobs++;
    return j;
}

static void job_start(struct job *j, struct argv_b *a)
{
    int rc = job_spawn(j, a->v);
    argv_free(a);
    if (j->in_fd >= 0) close(j->in_fd);
    j->in_fd = -1;
    if (rc && j->head_sent) { /* a pull whose warnings went out already */
        j->err_status = 500;
        j->err_msg = sk_xasprintf("%s: cannot start the image command: %s", j->what, strerror(rc));
        job_finish(j); /* an error line ends the stream */
        return;
    }
    if (rc) {
        job_unlink(j);
        answer_error(j->im, j->s, 500, "%s: cannot start the image command: %s", j->what,
                     strerror(rc));
        job_free(j);
    }
}

/* ---- image pull secrets ----
 *
 * A pull may name Secrets (&namespace=NS&secret=NAME, repeatable, in the
 * order of a pod's spec.imagePullSecrets). This is the entry point the
 * pod runtime uses: the same request, with the pod's namespace and
 * secret names. Each secret is read from this node's replica, as the
 * kubelet reads them: one that is missing, of another type or that does
 * not decode is left out with a warning (event FailedToRetrieveImagePull-
 * Secret, streamed as the first JSON line) and the pull goes on. The
 * credentials reach the child on its stdin, a memfd: never on a command
 * line or in a file. The child picks those matching the image (creds.c)
 * and tries them in turn, then the node's own (plugins.images.registries). */

#define MAX_PULL_SECRETS 32

/* A Kubernetes object name (DNS-1123 subdomain): anything else cannot
 * name a Secret, and is refused rather than looked up. */
static bool k8s_name_ok(const char *n)
{
    size_t l = strlen(n);
    if (!l || l > 253 || !isalnum((unsigned char)n[0]) || !isalnum((unsigned char)n[l - 1]))
        return false;
    for (const char *c = n; *c; c++)
        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-' && *c != '.')
            return false;
    return true;
}

/* Reads the pull secrets q names into c. Returns 0 with *warning (a JSON
 * line, or NULL when every secret was usable), or an HTTP status with
 * *msg (caller frees) for a request that names secrets badly. On the
 * loop: single LMDB reads. */
static int read_pull_secrets(struct images *im, const char *q, struct img_creds *c, char **warning,
                             char **msg)
{
    *warning = *msg = NULL;
    char *first = query_get(q, "secret", 0);
    char *ns = query_get(q, "namespace", 0);
    if (!first) {
        free(ns);
        return 0;
    }
    free(first);
    if (!ns || !k8s_name_ok(ns) || strchr(ns, '.')) {
        *msg = sk_xasprintf("pull: secret= needs &namespace=NS, a valid namespace name (got "
                            "\"%s\")",
                            ns ? ns : "");
        free(ns);
        return 400;
    }
    const struct skiff_host *h = im->host;
    bool have_store =
            h->abi_minor >= 1 && h->struct_size > offsetof(struct skiff_host, get) && h->get;
    struct sk_buf names = {0}, why = {0};
    struct sk_val *failed = sk_val_arr();
    int status = 0;
    for (int i = 0; !status; i++) {
        char *name = query_get(q, "secret", i);
        if (!name) break;
        if (i >= MAX_PULL_SECRETS || !k8s_name_ok(name)) {
            *msg = i >= MAX_PULL_SECRETS
                           ? sk_xasprintf("pull: at most %d pull secrets", MAX_PULL_SECRETS)
                           : sk_xasprintf("pull: secret \"%s\": not a valid Secret name", name);
            status = 400;
            free(name);
            break;
        }
        void *obj = NULL;
        size_t len = 0;
        int rc = have_store ? h->get(im->ctx, "secrets", ns, name, &obj, &len) : SKIFF_EUNAVAILABLE;
        struct sk_val *sec = NULL;
        struct sk_error *e = NULL;
        sk_err err = SK_OK;
        if (rc == SKIFF_OK) {
            err = sk_val_from_msgpack(obj, len, &sec, &e);
            if (!err) err = img_creds_add_secret(c, sec, &e);
        }
        if (rc != SKIFF_OK || err) {
            sk_buf_printf(&names, "%s%s", names.len ? ", " : "", name);
            if (rc == SKIFF_OK)
                sk_buf_printf(&why, " %s: %s.", name, sk_error_msg(e, err));
            else if (rc != SKIFF_ENOTFOUND)
                sk_buf_printf(&why, " %s: the store cannot be read (%d).", name, rc);
            sk_arr_push(failed, sk_val_str(name));
            h->log(im->ctx, SKIFF_LOG_WARN, "pull secret unusable secret=%s/%s reason=%s", ns, name,
                   rc == SKIFF_ENOTFOUND ? "not found" : sk_error_msg(e, err));
        }
        sk_error_free(e);
        sk_val_free(sec);
        free(obj);
        free(name);
    }
    if (!status && names.len) {
        char *m = sk_xasprintf("Unable to retrieve some image pull secrets (%s); attempting to "
                               "pull the image may not succeed.%s",
                               names.p, why.p ? why.p : "");
        struct sk_val *w = sk_val_map();
        sk_map_set(w, "event", sk_val_str("warning"));
        sk_map_set(w, "reason", sk_val_str("FailedToRetrieveImagePullSecret"));
        sk_map_set(w, "message", sk_val_str(m));
        sk_map_set(w, "namespace", sk_val_str(ns));
        sk_map_set(w, "secrets", failed);
        failed = NULL;
        char *js = sk_json_dump(w, SK_JSON_COMPACT, NULL);
        sk_val_free(w);
        *warning = sk_xasprintf("%s\n", js);
        free(js);
        free(m);
    }
    sk_val_free(failed);
    sk_buf_free(&names);
    sk_buf_free(&why);
    free(ns);
    return status;
}

/* The credentials as the child's stdin: a memfd (no path on disk, no
 * command line). Returns the fd, or -1 with errno. */
static int creds_memfd(const struct img_creds *c)
{
    int fd = memfd_create("skiff-pull-creds", MFD_CLOEXEC);
    if (fd < 0) return -1;
    char *js = img_creds_to_json(c);
    size_t left = strlen(js);
    const char *p = js;
    int er = 0;
    while (left && !er) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            er = w < 0 ? errno : EIO;
        else
            p += w, left -= (size_t)w;
    }
    explicit_bzero(js, strlen(js));
    free(js);
    if (!er && lseek(fd, 0, SEEK_SET) < 0) er = errno;
    if (er) {
        close(fd);
        errno = er;
        return -1;
    }
    return fd;
}

/* The upload of an import, written to DATA_DIR/images/incoming/ on a
 * worker thread (the child removes it once imported; a crash leaves it
 * for the sweep at the next start). */
static void upload_work(void *arg)
{
    struct job *j = arg;
    /* DATA_DIR/images may not exist yet: nothing was pulled or imported */
    char *dir = sk_xasprintf("%s/" UPLOAD_DIR, j->im->host->data_dir(j->im->ctx));
    char *slash = strrchr(dir, '/');
    *slash = 0;
    mkdir(dir, 0755);
    *slash = '/';
    mkdir(dir, 0700);
    free(dir);
    int fd = open(j->upload_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        j->upload_errno = errno;
        return;
    }
    const char *p = j->upload;
    size_t left = j->upload_len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            j->upload_errno = w < 0 ? errno : EIO;
            break;
        }
        p += w, left -= (size_t)w;
    }
    if (close(fd) && !j->upload_errno) j->upload_errno = errno;
    if (j->upload_errno) unlink(j->upload_path);
}

static void upload_done(void *arg)
{
    struct job *j = arg;
    struct images *im = j->im;
    free(j->upload);
    j->upload = NULL;
    if (j->gone || j->upload_errno) {
        job_unlink(j);
        if (j->gone)
            im->host->http_end(j->s);
        else
            answer_error(im, j->s, 500, "import: cannot store the upload as %s: %s", j->upload_path,
                         strerror(j->upload_errno));
        if (j->gone && !j->upload_errno) unlink(j->upload_path);
        job_free(j);
        return;
    }
    struct argv_b a = {0};
    argv_add(&a, "skiff");
    argv_add(&a, "image");
    argv_add(&a, "import");
    argv_add(&a, "--emit");
    argv_add(&a, "json");
    argv_add(&a, "--remove-input");
    argv_add(&a, "--data-dir");
    argv_add(&a, im->host->data_dir(im->ctx));
    argv_add(&a, "--");
    argv_add(&a, j->upload_path);
    job_start(j, &a);
}

static void upload_gone(void *arg)
{
    ((struct job *)arg)->gone = true;
}

static void images_http(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    struct images *im = arg;
    const char *m = req->method, *q = req->query ? req->query : "";
    const char *sub = req->path + strlen("/images");
    if (!*sub || !strcmp(sub, "/")) sub = "";
    if (im->njobs >= MAX_JOBS)
        return answer_error(im, s, 429, "too many image operations in progress (%d); retry later",
                            MAX_JOBS);
    struct argv_b a = {0};
    argv_add(&a, "skiff");
    argv_add(&a, "image");
    char *ref = query_get(q, "image", 0);
    const char *verb = NULL, *what = NULL, *ctype = NULL;
    enum job_mode mode = JOB_BUFFER;
    bool need_ref = true, many = false;
    if (!*sub && !strcmp(m, "GET"))
        verb = "ls", what = "image ls", need_ref = false;
    else if (!strcmp(sub, "/inspect") && !strcmp(m, "GET"))
        verb = "inspect", what = "image inspect";
    else if (!*sub && !strcmp(m, "DELETE"))
        verb = "rm", what = "image rm";
    else if (!strcmp(sub, "/pull") && !strcmp(m, "POST"))
        verb = "pull", what = "image pull", mode = JOB_STREAM, ctype = "application/json";
    else if (!strcmp(sub, "/export") && !strcmp(m, "GET"))
        verb = "export", what = "image export", mode = JOB_STREAM, ctype = "application/x-tar",
        many = true;
    else if (!strcmp(sub, "/prune") && !strcmp(m, "POST"))
        verb = "prune", what = "image prune", need_ref = false;
    else if (!strcmp(sub, "/import") && !strcmp(m, "POST"))
        verb = "import", what = "image import", need_ref = false;
    if (!verb) {
        free(ref);
        argv_free(&a);
        bool known = !*sub || !strcmp(sub, "/inspect") || !strcmp(sub, "/pull") ||
                     !strcmp(sub, "/export") || !strcmp(sub, "/prune") || !strcmp(sub, "/import");
        return answer_error(im, s, known ? 405 : 404, "%s %s: %s", m, req->path,
                            known ? "method not allowed" : "no such image endpoint");
    }
    if (need_ref && (!ref || !*ref)) {
        free(ref);
        argv_free(&a);
        return answer_error(im, s, 400, "%s: want ?image=REF", req->path);
    }
    argv_add(&a, verb);
    argv_add(&a, "--emit");
    argv_add(&a, "json");
    argv_add(&a, "--data-dir");
    argv_add(&a, im->host->data_dir(im->ctx));
    int in_fd = -1;
    char *warning = NULL;
    if (!strcmp(verb, "pull")) {
        struct img_creds creds = {0};
        char *bad = NULL;
        int st = read_pull_secrets(im, q, &creds, &warning, &bad);
        if (!st && creds.n) {
            in_fd = creds_memfd(&creds);
            if (in_fd < 0) {
                st = 500;
                bad = sk_xasprintf("pull: cannot hand the pull secrets to the pull: memfd: %s",
                                   strerror(errno));
            } else {
                argv_add(&a, "--pull-creds-fd");
                argv_add(&a, "0");
            }
        }
        img_creds_free(&creds);
        if (st) {
            free(ref), free(warning), argv_free(&a);
            answer_error(im, s, st, "%s", bad);
            free(bad);
            return;
        }
        if (im->registries) {
            argv_add(&a, "--registries");
            argv_add(&a, im->registries);
        }
        static const char *const vflags[] = {"platform", "parallel", NULL};
        for (const char *const *f = vflags; *f; f++) {
            char *v = query_get(q, *f, 0);
            if (v) {
                char fl[32];
                snprintf(fl, sizeof(fl), "--%s", *f);
                argv_add(&a, fl);
                argv_add(&a, v);
            }
            free(v);
        }
        if (query_true(q, "allow-devices")) argv_add(&a, "--allow-devices");
    } else if (!strcmp(verb, "prune")) {
        if (query_true(q, "all")) argv_add(&a, "--all");
        static const char *const gflags[] = {"gc-high", "gc-low", NULL};
        for (const char *const *f = gflags; *f; f++) {
            char *v = query_get(q, *f, 0);
            if (v) {
                char fl[32];
                snprintf(fl, sizeof(fl), "--%s", *f);
                argv_add(&a, fl);
                argv_add(&a, v);
            }
            free(v);
        }
    } else if (!strcmp(verb, "import")) {
        if (query_true(q, "allow-devices")) argv_add(&a, "--allow-devices");
    }
    struct job *j = job_new(im, s, what, mode, ctype);
    j->in_fd = in_fd;
    if (warning) {
        im->host->http_head(s, 200, "application/json");
        im->host->http_write(s, warning, strlen(warning));
        j->head_sent = true;
        free(warning);
    }
    if (!strcmp(verb, "import")) {
        char *path = query_get(q, "path", 0);
        if (path) {
            if (path[0] != '/') {
                job_unlink(j), job_free(j), argv_free(&a);
                answer_error(im, s, 400, "import: path \"%s\" is not absolute", path);
                free(path);
                free(ref);
                return;
            }
            argv_add(&a, "--");
            argv_add(&a, path);
            free(path);
            free(ref);
            return job_start(j, &a);
        }
        argv_free(&a);
        free(ref);
        if (!req->body_len) {
            job_unlink(j), job_free(j);
            return answer_error(im, s, 400,
                                "import: want the tarball as the request body, or ?path=FILE");
        }
        j->upload = sk_xmalloc(req->body_len);
        memcpy(j->upload, req->body, req->body_len);
        j->upload_len = req->body_len;
        j->upload_path = sk_xasprintf("%s/" UPLOAD_DIR "/upload-%d-%lu.tar",
                                      im->host->data_dir(im->ctx), (int)getpid(), ++im->uploads);
        im->host->http_notify(s, NULL, upload_gone, j);
        if (im->host->work(im->ctx, upload_work, upload_done, j)) {
            job_unlink(j), job_free(j);
            return answer_error(im, s, 503, "import: the agent is stopping");
        }
        return;
    }
    if (need_ref) {
        argv_add(&a, "--");
        for (int i = 0; ref; i++) {
            if (a.n >= 58) { /* 8 words before the names */
                free(ref);
                job_unlink(j), job_free(j), argv_free(&a);
                return answer_error(im, s, 400, "export: at most 50 images at once");
            }
            if (*ref) argv_add(&a, ref);
            free(ref);
            ref = many ? query_get(q, "image", i + 1) : NULL;
        }
    }
    free(ref);
    job_start(j, &a);
}

/* Uploads a crash left behind in DATA_DIR/images/incoming/ (this
 * process's own, upload-PID-*, may already be arriving: kept). */
static void incoming_sweep(void *arg)
{
    struct images *im = arg;
    char *dir = sk_xasprintf("%s/" UPLOAD_DIR, im->host->data_dir(im->ctx));
    char mine[32];
    snprintf(mine, sizeof(mine), "upload-%d-", (int)getpid());
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && strncmp(e->d_name, mine, strlen(mine)))
            unlinkat(dirfd(d), e->d_name, 0);
    if (d) closedir(d);
    free(dir);
}

static void incoming_swept(void *arg)
{
    (void)arg;
}

/* ---- IMAGE_ENSURE: the pod runtime's image requests ----
 *
 * The runtime asks for an image by pull policy; the answer (IMAGE_READY)
 * carries what it needs to build a rootfs: the image config and the
 * unpacked layer directories. Never: inspect only; IfNotPresent: inspect,
 * and pull when missing; Always: pull, then inspect. The work is done by
 * the same `skiff image ... --emit json` children as agent mode; equal
 * requests in flight share one child chain. */

#define ENSURE_MAX_OUT (8u << 20)

struct ensure_wait {
    char to[64];
    uint64_t id;
};

struct ensure;
static void im_log_ensure(struct ensure *e, const char *reason, const char *msg);

struct ensure {
    struct images *im;
    struct ensure *next;
    char *key, *image, *policy, *query; /* query: namespace=..&secret=.. for pull secrets */
    struct ensure_wait *waits;
    int nwaits;
    int stage; /* 1 inspect first, 2 pull, 3 inspect after the pull */
    bool pulled;
    pid_t pid;
    int out_fd, err_fd;
    struct skiff_watch *out_w, *err_w;
    struct sk_buf out, err;
};

static void ensure_free(struct ensure *e)
{
    struct images *im = e->im;
    for (struct ensure **p = &im->ensures; *p; p = &(*p)->next)
        if (*p == e) {
            *p = e->next;
            break;
        }
    if (e->out_w) im->host->fd_unwatch(im->ctx, e->out_w);
    if (e->err_w) im->host->fd_unwatch(im->ctx, e->err_w);
    if (e->out_fd >= 0) close(e->out_fd);
    if (e->err_fd >= 0) close(e->err_fd);
    sk_buf_free(&e->out);
    sk_buf_free(&e->err);
    free(e->key), free(e->image), free(e->policy), free(e->query);
    free(e->waits);
    free(e);
}

/* The message of the child's last "error: STATUS MESSAGE" line. */
static char *child_error(const struct sk_buf *b)
{
    char *msg = NULL;
    const char *p = b->p, *end = b->p + b->len;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l > 7 && !strncmp(p, "error: ", 7)) {
            const char *m = p + 7;
            size_t ml = l - 7;
            char *sp = memchr(m, ' ', ml);
            if (sp && sp - m == 3 && isdigit((unsigned char)m[0]))
                ml -= (size_t)(sp + 1 - m), m = sp + 1;
            free(msg);
            msg = sk_xstrndup(m, ml);
        }
        p = nl ? nl + 1 : NULL;
    }
    return msg ? msg : sk_xstrdup("the image command failed without a message");
}

static void ensure_reply(struct ensure *e, struct sk_val *body)
{
    struct images *im = e->im;
    struct sk_buf mp = {0};
    sk_val_to_msgpack(body, &mp);
    for (int i = 0; i < e->nwaits; i++) {
        struct skiff_msg req = {.from = e->waits[i].to, .id = e->waits[i].id};
        im->host->reply(im->ctx, &req, SKIFF_MSG_IMAGE_READY, 1, mp.p, mp.len);
    }
    sk_buf_free(&mp);
    sk_val_free(body);
}

static void ensure_fail(struct ensure *e, const char *reason, const char *msg)
{
    struct sk_val *b = sk_val_map();
    sk_map_set(b, "ok", sk_val_bool(false));
    sk_map_set(b, "pulled", sk_val_bool(false));
    sk_map_set(b, "reason", sk_val_str(reason));
    sk_map_set(b, "message", sk_val_str(msg));
    sk_map_set(b, "ref", sk_val_str(e->image));
    im_log_ensure(e, reason, msg);
    ensure_reply(e, b);
    ensure_free(e);
}

static int ensure_step(struct ensure *e);

/* An inspect answered: the image is here (reply) or not. */
static void ensure_inspected(struct ensure *e)
{
    struct images *im = e->im;
    struct sk_val *doc = NULL;
    bool found = e->out.len && !sk_json_parse(e->out.p, e->out.len, &doc, NULL) &&
                 sk_val_is(doc, SK_V_MAP);
    if (!found) {
        sk_val_free(doc);
        if (e->stage == 1 && !strcmp(e->policy, "Never")) {
            char *m = sk_xasprintf(
                    "Container image \"%s\" is not present with pull policy of Never", e->image);
            ensure_fail(e, "ErrImageNeverPull", m);
            free(m);
            return;
        }
        if (e->stage == 1) {
            e->stage = 2;
            if (ensure_step(e)) ensure_fail(e, "ErrImagePull", "cannot start the image pull");
            return;
        }
        char *why = child_error(&e->err);
        char *m = sk_xasprintf("pulled image \"%s\" cannot be read back: %s", e->image, why);
        ensure_fail(e, "ErrImagePull", m);
        free(m), free(why);
        return;
    }
    const char *name = sk_val_str_at(doc, "name", NULL);
    const char *md = sk_val_str_at(doc, "manifest", NULL);
    const struct sk_val *ls = sk_map_get(doc, "layers");
    struct sk_val *dirs = sk_val_arr();
    bool ok = name && md;
    for (size_t i = 0; ok && i < sk_arr_len(ls); i++) {
        const char *d = sk_val_str_at(sk_arr_get(ls, i), "diffID", NULL);
        ok = d && !strncmp(d, "sha256:", 7) && strlen(d) == 71 && !strchr(d + 7, '/') &&
             sk_val_to_bool(sk_map_get(sk_arr_get(ls, i), "unpacked"), false);
        if (ok)
            sk_arr_push(dirs, sk_val_strf("%s/images/layers/sha256/%s", im->host->data_dir(im->ctx),
                                          d + 7));
    }
    if (!ok) {
        sk_val_free(doc);
        sk_val_free(dirs);
        if (e->stage == 1 && strcmp(e->policy, "Never")) {
            e->stage = 2; /* layers missing: a pull completes them */
            if (ensure_step(e)) ensure_fail(e, "ErrImagePull", "cannot start the image pull");
            return;
        }
        char *m = sk_xasprintf("image \"%s\" is not complete in the store (layers missing)",
                               e->image);
        ensure_fail(e, "ErrImagePull", m);
        free(m);
        return;
    }
    /* imageID as the kubelet shows it: repository@manifest digest */
    const char *slash = strrchr(name, '/');
    const char *at = strchr(name, '@');
    const char *colon = strrchr(slash ? slash : name, ':');
    size_t rl = at ? (size_t)(at - name) : colon ? (size_t)(colon - name) : strlen(name);
    struct sk_val *b = sk_val_map();
    sk_map_set(b, "ok", sk_val_bool(true));
    sk_map_set(b, "pulled", sk_val_bool(e->pulled));
    sk_map_set(b, "reason", sk_val_str(""));
    sk_map_set(b, "message", sk_val_str(""));
    sk_map_set(b, "imageID", sk_val_strf("%.*s@%s", (int)rl, name, md));
    sk_map_set(b, "ref", sk_val_str(name));
    const struct sk_val *cfg = sk_val_at(doc, "config", "config", NULL);
    sk_map_set(b, "config", cfg ? sk_val_dup(cfg) : sk_val_map());
    sk_map_set(b, "layers", dirs);
    sk_val_free(doc);
    ensure_reply(e, b);
    ensure_free(e);
}

static void ensure_child_done(struct ensure *e)
{
    if (e->stage == 2) {
        /* a pull: its error lines say why it failed */
        bool failed = false;
        for (const char *p = e->err.p; p && p < e->err.p + e->err.len;) {
            if (!strncmp(p, "error: ", 7)) failed = true;
            const char *nl = memchr(p, '\n', (size_t)(e->err.p + e->err.len - p));
            p = nl ? nl + 1 : NULL;
        }
        if (failed) {
            char *why = child_error(&e->err);
            char *m = sk_xasprintf("failed to pull and unpack image \"%s\": %s", e->image, why);
            ensure_fail(e, "ErrImagePull", m);
            free(m), free(why);
            return;
        }
        e->pulled = true;
        e->stage = 3;
        if (ensure_step(e)) ensure_fail(e, "ErrImagePull", "cannot start the image inspect");
        return;
    }
    ensure_inspected(e);
}

static void on_ensure_fd(struct ensure *e, int *fd, struct skiff_watch **w, struct sk_buf *b)
{
    char buf[16384];
    ssize_t n = read(*fd, buf, sizeof(buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n > 0) {
        if (b->len + (size_t)n <= ENSURE_MAX_OUT) sk_buf_append(b, buf, (size_t)n);
        return;
    }
    e->im->host->fd_unwatch(e->im->ctx, *w);
    *w = NULL;
    close(*fd);
    *fd = -1;
    if (e->out_fd < 0 && e->err_fd < 0) ensure_child_done(e);
}

static void on_ensure_out(int fd, int events, void *arg)
{
    (void)fd, (void)events;
    struct ensure *e = arg;
    on_ensure_fd(e, &e->out_fd, &e->out_w, &e->out);
}

static void on_ensure_err(int fd, int events, void *arg)
{
    (void)fd, (void)events;
    struct ensure *e = arg;
    on_ensure_fd(e, &e->err_fd, &e->err_w, &e->err);
}

/* Start the child of the current stage. 0 or -1. */
static int ensure_step(struct ensure *e)
{
    struct images *im = e->im;
    struct argv_b a = {0};
    argv_add(&a, "skiff");
    argv_add(&a, "image");
    argv_add(&a, e->stage == 2 ? "pull" : "inspect");
    argv_add(&a, "--emit");
    argv_add(&a, "json");
    argv_add(&a, "--data-dir");
    argv_add(&a, im->host->data_dir(im->ctx));
    int in_fd = -1;
    if (e->stage == 2) {
        struct img_creds creds = {0};
        char *warning = NULL, *bad = NULL;
        if (!read_pull_secrets(im, e->query, &creds, &warning, &bad) && creds.n) {
            in_fd = creds_memfd(&creds);
            if (in_fd >= 0) {
                argv_add(&a, "--pull-creds-fd");
                argv_add(&a, "0");
            }
        }
        img_creds_free(&creds);
        free(warning), free(bad);
        if (im->registries) {
            argv_add(&a, "--registries");
            argv_add(&a, im->registries);
        }
    }
    argv_add(&a, "--");
    argv_add(&a, e->image);
    int o[2] = {-1, -1}, er[2] = {-1, -1};
    int rc = -1;
    if (!pipe2(o, O_CLOEXEC) && !pipe2(er, O_CLOEXEC)) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        if (in_fd >= 0)
            posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
        else
            posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, o[1], 1);
        posix_spawn_file_actions_adddup2(&fa, er[1], 2);
        rc = posix_spawn(&e->pid, "/proc/self/exe", &fa, NULL, a.v, environ);
        posix_spawn_file_actions_destroy(&fa);
    }
    argv_free(&a);
    if (in_fd >= 0) close(in_fd);
    if (o[1] >= 0) close(o[1]);
    if (er[1] >= 0) close(er[1]);
    if (rc) {
        if (o[0] >= 0) close(o[0]);
        if (er[0] >= 0) close(er[0]);
        return -1;
    }
    fcntl(o[0], F_SETFL, O_NONBLOCK);
    fcntl(er[0], F_SETFL, O_NONBLOCK);
    e->out.len = e->err.len = 0;
    e->out_fd = o[0];
    e->err_fd = er[0];
    e->out_w = im->host->fd_watch(im->ctx, o[0], SKIFF_FD_READ, on_ensure_out, e);
    e->err_w = im->host->fd_watch(im->ctx, er[0], SKIFF_FD_READ, on_ensure_err, e);
    return 0;
}

static void im_log_ensure(struct ensure *e, const char *reason, const char *msg)
{
    e->im->host->log(e->im->ctx, SKIFF_LOG_WARN, "image ensure failed image=%s reason=%s: %s",
                     e->image, reason, msg);
}

static void images_on_msg(void *self, const struct skiff_msg *m)
{
    struct images *im = self;
    if (m->type != SKIFF_MSG_IMAGE_ENSURE) return;
    struct sk_val *b = NULL;
    const char *image = NULL, *policy = NULL, *ns = NULL;
    if (!sk_val_from_msgpack(m->body, m->body_len, &b, NULL)) {
        image = sk_val_str_at(b, "image", NULL);
        policy = sk_val_str_at(b, "policy", NULL);
        ns = sk_val_str_at(b, "namespace", NULL);
    }
    if (!image || !*image || !policy ||
        (strcmp(policy, "Always") && strcmp(policy, "IfNotPresent") && strcmp(policy, "Never"))) {
        struct sk_val *r = sk_val_map();
        sk_map_set(r, "ok", sk_val_bool(false));
        sk_map_set(r, "pulled", sk_val_bool(false));
        sk_map_set(r, "reason", sk_val_str("ErrImagePull"));
        sk_map_set(r, "message",
                   sk_val_str("IMAGE_ENSURE: want image (string) and policy "
                              "(Always, IfNotPresent or Never)"));
        struct sk_buf mp = {0};
        sk_val_to_msgpack(r, &mp);
        im->host->reply(im->ctx, m, SKIFF_MSG_IMAGE_READY, 1, mp.p, mp.len);
        sk_buf_free(&mp);
        sk_val_free(r);
        sk_val_free(b);
        return;
    }
    struct sk_buf q = {0};
    if (ns && *ns) sk_buf_printf(&q, "namespace=%s", ns);
    const struct sk_val *secs = sk_map_get(b, "secrets");
    for (size_t i = 0; i < sk_arr_len(secs) && i < MAX_PULL_SECRETS; i++) {
        const char *s = sk_val_cstr(sk_arr_get(secs, i));
        if (s && k8s_name_ok(s)) sk_buf_printf(&q, "&secret=%s", s);
    }
    char *query = q.p ? sk_buf_take(&q, NULL) : sk_xstrdup("");
    char *key = sk_xasprintf("%s\n%s\n%s", image, policy, query);
    struct ensure *e = NULL;
    for (struct ensure *x = im->ensures; x; x = x->next)
        if (!strcmp(x->key, key)) e = x;
    if (e) {
        free(key);
        free(query);
    } else {
        e = sk_xcalloc(1, sizeof(*e));
        e->im = im;
        e->key = key;
        e->query = query;
        e->image = sk_xstrdup(image);
        e->policy = sk_xstrdup(policy);
        e->out_fd = e->err_fd = -1;
        e->stage = strcmp(policy, "Always") ? 1 : 2;
        e->next = im->ensures;
        im->ensures = e;
    }
    e->waits = sk_xrealloc(e->waits, (size_t)(e->nwaits + 1) * sizeof(*e->waits));
    snprintf(e->waits[e->nwaits].to, sizeof(e->waits[e->nwaits].to), "%s", m->from);
    e->waits[e->nwaits].id = m->id;
    e->nwaits++;
    sk_val_free(b);
    if (e->nwaits == 1 && ensure_step(e))
        ensure_fail(e, "ErrImagePull", "cannot start the image command");
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
    /* Registry settings are checked now, so a mistake stops the agent
     * with the file, line and key instead of failing every pull. */
    char *reg = NULL;
    struct sk_error *e = NULL;
    sk_err rc = img_regconf_option_file(o->registries.msgpack, o->registries.len,
                                        o->registries.origin, host->data_dir(ctx), &reg, &e);
    if (rc) {
        host->log(ctx, SKIFF_LOG_ERROR, "registries: %s", sk_error_msg(e, rc));
        sk_error_free(e);
        return -1;
    }
    struct images *im = calloc(1, sizeof(*im));
    if (!im) {
        free(reg);
        return -1;
    }
    im->registries = reg;
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
    const struct skiff_host *h = im->host;
    if (h->abi_minor >= 2 && h->struct_size > offsetof(struct skiff_host, http_end) &&
        h->http_serve) {
        im->host->work(im->ctx, incoming_sweep, incoming_swept, im);
        int rc = h->http_serve(im->ctx, "images", images_http, im);
        if (rc)
            h->log(im->ctx, SKIFF_LOG_ERROR, "cannot serve /images (agent-mode skiff image): %d",
                   rc);
    } else {
        h->log(im->ctx, SKIFF_LOG_WARN,
               "this agent has no node HTTP surface (host ABI 1.%u): `skiff image` works only "
               "with --data-dir",
               (unsigned)h->abi_minor);
    }
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
    while (im->ensures) {
        if (im->ensures->pid > 0) kill(im->ensures->pid, SIGTERM);
        ensure_free(im->ensures);
    }
    /* Requests in progress end now; their children are told to stop. An
     * upload still being written finishes on its worker and is dropped. */
    for (struct job *j = im->jobs, *next; j; j = next) {
        next = j->next;
        if (j->upload) continue;
        if (j->pid > 0) kill(j->pid, SIGTERM);
        if (j->out_w) im->host->fd_unwatch(im->ctx, j->out_w);
        if (j->err_w) im->host->fd_unwatch(im->ctx, j->err_w);
        if (j->out_fd >= 0) close(j->out_fd);
        if (j->err_fd >= 0) close(j->err_fd);
        job_unlink(j);
        if (!j->head_sent)
            answer_error(im, j->s, 503, "%s: the agent is stopping", j->what);
        else
            im->host->http_end(j->s);
        job_free(j);
    }
}

static void images_fini(void *self)
{
    struct images *im = self;
    if (im) free(im->registries);
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
        .on_msg = images_on_msg,
};
