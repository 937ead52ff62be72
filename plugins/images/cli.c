/* `skiff image pull|ls|inspect|rm|import|export|prune`. With --data-dir
 * the commands work on that data dir directly (seeding images before an
 * agent first starts, and the agent's own child processes); without it
 * they go through the Kubernetes API to a node's image service
 * (nodes/NODE/proxy/images/..., served by plugin.c), and print the same.
 *
 * `--emit json` is the agent's protocol with its children: results as
 * JSON on stdout and failures as "error: HTTP-STATUS MESSAGE" on stderr. */
#include "cli.h"

#include "json.h"
#include "kclient.h"
#include "mem.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "creds.h"
#include "manifest.h"
#include "ref.h"
#include "regconf.h"
#include "registry.h"
#include "store.h"
#include "unpack.h"

struct opts {
    const char *data_dir;
    const char *registries;
    const char *auth_file;
    const char *platform;
    const char *output;
    const char *emit; /* "json": the agent's child (hidden) */
    const char *node, *kubeconfig, *server, *token, *context, *config;
    bool quiet, all, help, allow_devices, remove_input;
    int gc_high, gc_low;
    int parallel;
    const char *namespace;     /* of the pull secrets (agent mode) */
    const char **pull_secrets; /* --pull-secret, in order */
    int npull_secrets;
    int pull_creds_fd; /* --pull-creds-fd: the agent's hand-over (hidden); -1 */
    char **args;       /* positionals */
    int nargs;
};

/* Set by --emit json: errors carry an HTTP status for the agent. */
static bool emit_json;
static int fail_status = 400;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    if (emit_json) {
        /* one line: the agent reads it as the answer's status and message */
        char msg[2048];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        for (char *c = msg; *c; c++)
            if (*c == '\n') *c = ' ';
        fprintf(stderr, "%d %s", fail_status, msg);
        fail_status = 400;
    } else {
        vfprintf(stderr, fmt, ap);
    }
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static int http_status(sk_err rc)
{
    switch (rc) {
    case SK_ENOENT: return 404;
    case SK_EINVAL: return 400;
    case SK_EEXIST:
    case SK_ECONFLICT:
    case SK_EAGAIN: return 409;
    case SK_ETOOBIG: return 413;
    case SK_ETIMEDOUT: return 504;
    default: return 500;
    }
}

static int fail_err(struct sk_error *e, sk_err rc)
{
    fail_status = http_status(e ? e->code : rc);
    int r = fail("%s", sk_error_msg(e, rc));
    sk_error_free(e);
    return r;
}

/* A JSON line on stdout (the agent forwards it as it comes). Takes v. */
static void emit(struct sk_val *v)
{
    char *js = sk_json_dump(v, SK_JSON_COMPACT, NULL);
    printf("%s\n", js);
    fflush(stdout);
    free(js);
    sk_val_free(v);
}

static const char usage_top[] =
        "Manage container images on a node: through the Kubernetes API and\n"
        "that node's agent, or with --data-dir on a data dir directly.\n"
        "\n"
        "Usage:\n"
        "  skiff image COMMAND [flags] [--node NAME]\n"
        "  skiff image COMMAND [flags] --data-dir DIR\n"
        "\n"
        "Commands:\n"
        "  pull      pull an image from a registry\n"
        "  ls        list images\n"
        "  inspect   show an image's manifest, layers and config\n"
        "  rm        remove images\n"
        "  import    import oci-archive or docker save tarballs\n"
        "  export    write images as an oci-archive\n"
        "  prune     remove unused image data\n"
        "\n"
        "Flags for every command:\n"
        "  --data-dir DIR   work on DIR/images directly (no agent needed)\n"
        "  --node NAME      the node whose images to manage (default: the\n"
        "                   node serving the API)\n"
        "  --kubeconfig PATH, --context NAME, --server URL, --token T\n"
        "                   how to reach the API, as for kubectl (default:\n"
        "                   $KUBECONFIG, ~/.kube/config, then this node's\n"
        "                   agent credentials)\n"
        "  --config PATH    the agent's skiff.yaml, for those credentials\n"
        "\n"
        "Use 'skiff image COMMAND --help' for more about a command.\n";

static const char usage_where[] =
        "\nWhere the images are (every command):\n"
        "  --node NAME         the node whose image service to use (default: the node\n"
        "                      serving the API, named by its /version answer)\n"
        "  --kubeconfig PATH   kubeconfig to use (default: $KUBECONFIG, ~/.kube/config,\n"
        "                      then this node's agent credentials, as root)\n"
        "  --context NAME      kubeconfig context (default: its current-context)\n"
        "  --server URL        API server URL, overriding the kubeconfig's\n"
        "  --token T           bearer token, overriding the kubeconfig's\n"
        "  --config PATH       the agent's skiff.yaml, for its data dir and api.listen\n"
        "  --data-dir DIR      work on DIR/images directly: no agent, no API\n";

struct verb {
    const char *name;
    int (*fn)(struct opts *o);
    const char *usage;
    int min_args, max_args;
};

static int parse_int(const char *flag, const char *v, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < lo || x > hi) {
        fail("invalid argument \"%s\" for \"%s\" flag: want an integer %d..%d", v, flag, lo, hi);
        return -1;
    }
    *out = (int)x;
    return 0;
}

static int parse_flags(int argc, char **argv, struct opts *o)
{
    o->args = sk_xcalloc((size_t)argc + 1, sizeof(char *));
    o->pull_secrets = sk_xcalloc((size_t)argc + 1, sizeof(char *));
    o->pull_creds_fd = -1;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            o->args[o->nargs++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            while (++i < argc)
                o->args[o->nargs++] = argv[i];
            break;
        }
        char *val = NULL;
        char *eq = strchr(a, '=');
        char name[64];
        snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        if (eq) val = eq + 1;
        static const char *const with_value[] = {
                "--data-dir", "--registries",  "--auth-file", "--platform",  "-o",
                "--output",   "--gc-high",     "--gc-low",    "--parallel",  "--emit",
                "--node",     "--kubeconfig",  "--server",    "--token",     "--context",
                "--config",   "--pull-secret", "-n",          "--namespace", "--pull-creds-fd",
                NULL};
        bool takes = false;
        for (const char *const *w = with_value; *w; w++)
            if (!strcmp(name, *w)) takes = true;
        if (takes && !val) {
            if (i + 1 >= argc) return fail("flag needs an argument: %s", name), -1;
            val = argv[++i];
        }
        if (!takes && val) return fail("flag %s takes no value", name), -1;
        if (!strcmp(name, "--data-dir"))
            o->data_dir = val;
        else if (!strcmp(name, "--registries"))
            o->registries = val;
        else if (!strcmp(name, "--auth-file"))
            o->auth_file = val;
        else if (!strcmp(name, "--platform"))
            o->platform = val;
        else if (!strcmp(name, "-o") || !strcmp(name, "--output"))
            o->output = val;
        else if (!strcmp(name, "--emit")) {
            if (strcmp(val, "json")) return fail("--emit: want json, not \"%s\"", val), -1;
            o->emit = val;
        } else if (!strcmp(name, "--node"))
            o->node = val;
        else if (!strcmp(name, "--kubeconfig"))
            o->kubeconfig = val;
        else if (!strcmp(name, "--server"))
            o->server = val;
        else if (!strcmp(name, "--token"))
            o->token = val;
        else if (!strcmp(name, "--context"))
            o->context = val;
        else if (!strcmp(name, "--config"))
            o->config = val;
        else if (!strcmp(name, "--pull-secret")) {
            if (!*val) return fail("--pull-secret: want a Secret name"), -1;
            o->pull_secrets[o->npull_secrets++] = val;
        } else if (!strcmp(name, "-n") || !strcmp(name, "--namespace")) {
            if (!*val) return fail("%s: want a namespace", name), -1;
            o->namespace = val;
        } else if (!strcmp(name, "--pull-creds-fd")) {
            if (parse_int(name, val, 0, 1 << 20, &o->pull_creds_fd)) return -1;
        } else if (!strcmp(name, "--remove-input"))
            o->remove_input = true;
        else if (!strcmp(name, "--gc-high")) {
            if (parse_int(name, val, 0, 100, &o->gc_high)) return -1;
        } else if (!strcmp(name, "--gc-low")) {
            if (parse_int(name, val, 0, 100, &o->gc_low)) return -1;
        } else if (!strcmp(name, "--parallel")) {
            if (parse_int(name, val, 1, 32, &o->parallel)) return -1;
        } else if (!strcmp(name, "-q") || !strcmp(name, "--quiet"))
            o->quiet = true;
        else if (!strcmp(name, "-a") || !strcmp(name, "--all"))
            o->all = true;
        else if (!strcmp(name, "--allow-devices"))
            o->allow_devices = true;
        else if (!strcmp(name, "-h") || !strcmp(name, "--help"))
            o->help = true;
        else
            return fail("unknown flag: %s", name), -1;
    }
    return 0;
}

static void human(uint64_t b, char *out, size_t n)
{
    const char *u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1024 && i < 4)
        v /= 1024, i++;
    if (i == 0)
        snprintf(out, n, "%llu B", (unsigned long long)b);
    else
        snprintf(out, n, "%.1f %s", v, u[i]);
}

/* ---- pull ---- */

struct bar {
    bool tty;
    int64_t total, done_bytes;
    int blobs, blobs_done;
    struct {
        char digest[72];
        int64_t done;
    } cur[64];
    int ncur;
    double last;
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bar_draw(struct bar *b, bool force)
{
    double t = mono();
    if (!force && t - b->last < 0.1) return;
    b->last = t;
    int64_t done = b->done_bytes;
    for (int i = 0; i < b->ncur; i++)
        done += b->cur[i].done;
    if (done > b->total) done = b->total;
    int w = 30, fill = b->total > 0 ? (int)((double)done / (double)b->total * w) : w;
    char d[32], tot[32];
    human((uint64_t)done, d, sizeof(d));
    human((uint64_t)b->total, tot, sizeof(tot));
    fprintf(stderr, "\r[");
    for (int i = 0; i < w; i++)
        fputc(i < fill ? '=' : i == fill ? '>' : ' ', stderr);
    fprintf(stderr, "] %s / %s  %d/%d blobs \033[K", d, tot, b->blobs_done, b->blobs);
    fflush(stderr);
}

/* Progress as the agent's JSON lines: the same events, byte counts at
 * most ten times a second. */
static void emit_progress(struct bar *b, enum img_progress_event ev, const char *digest,
                          int64_t done, int64_t total)
{
    static const char *const names[] = {"resolved", "bytes", "blob", "unpack"};
    if (ev == IMG_PROGRESS_BYTES) {
        double t = mono();
        if (t - b->last < 0.1) return;
        b->last = t;
    }
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "event", sk_val_str(names[ev]));
    sk_map_set(m, "digest", sk_val_str(digest));
    sk_map_set(m, "done", sk_val_int(done));
    sk_map_set(m, "total", sk_val_int(total));
    emit(m);
}

static void on_progress(void *arg, enum img_progress_event ev, const char *digest, int64_t done,
                        int64_t total)
{
    struct bar *b = arg;
    if (emit_json) return emit_progress(b, ev, digest, done, total);
    switch (ev) {
    case IMG_PROGRESS_RESOLVED:
        b->total = total;
        b->blobs = (int)done;
        if (!b->tty)
            fprintf(stderr, "resolved %s: %d blobs, %lld bytes\n", digest, (int)done,
                    (long long)total);
        break;
    case IMG_PROGRESS_BYTES: {
        int i;
        for (i = 0; i < b->ncur && strcmp(b->cur[i].digest, digest); i++) {
        }
        if (i == b->ncur && b->ncur < 64) snprintf(b->cur[b->ncur++].digest, 72, "%s", digest);
        if (i < 64) b->cur[i].done = done;
        if (b->tty) bar_draw(b, false);
        break;
    }
    case IMG_PROGRESS_BLOB:
        for (int i = 0; i < b->ncur; i++)
            if (!strcmp(b->cur[i].digest, digest)) b->cur[i] = b->cur[--b->ncur];
        b->blobs_done++;
        b->done_bytes += total;
        if (b->tty)
            bar_draw(b, true);
        else
            fprintf(stderr, "%s %s (%lld bytes)\n", done < 0 ? "present" : "fetched", digest,
                    (long long)total);
        break;
    case IMG_PROGRESS_UNPACK:
        if (!b->tty) fprintf(stderr, "unpacking %s\n", digest);
        break;
    }
}

static sk_err load_auths(const char *path, struct sk_val **out, struct sk_error **err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return sk_fail_sys(err, errno, "open %s", path);
    struct sk_buf b = {0};
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && b.len < (1u << 20))
        sk_buf_append(&b, buf, n);
    fclose(f);
    struct sk_val *doc = NULL;
    sk_err rc = sk_json_parse(b.p ? b.p : "", b.len, &doc, err);
    sk_buf_free(&b);
    if (rc) {
        sk_error_prefix(err, "%s", path);
        return rc;
    }
    struct sk_val *auths = sk_map_take(doc, "auths");
    sk_val_free(doc);
    if (!sk_val_is(auths, SK_V_MAP)) {
        sk_val_free(auths);
        return sk_fail(err, SK_EINVAL, "%s: want a docker config.json with an \"auths\" object",
                       path);
    }
    *out = auths;
    return SK_OK;
}

/* The pull secrets' credentials the agent hands a pull child on fd
 * (see plugin.c), read to EOF. */
static sk_err read_creds_fd(int fd, struct img_creds *c, struct sk_error **err)
{
    struct sk_buf b = {0};
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            sk_buf_free(&b);
            return sk_fail_sys(err, errno, "--pull-creds-fd %d: read", fd);
        }
        if (!n) break;
        if (b.len + (size_t)n > (4u << 20)) {
            sk_buf_free(&b);
            return sk_fail(err, SK_ETOOBIG, "--pull-creds-fd %d: over 4 MiB", fd);
        }
        sk_buf_append(&b, buf, (size_t)n);
    }
    sk_err rc = img_creds_from_json(c, b.p ? b.p : "", b.len, err);
    if (rc) sk_error_prefix(err, "--pull-creds-fd %d", fd);
    if (b.p) explicit_bzero(b.p, b.len);
    sk_buf_free(&b);
    return rc;
}

/* The pull, once per credential to try. With pull secrets (pc) the
 * kubelet's order: every secret credential matching the image (creds.c),
 * then the node's own for the registry (--registries / --auth-file) if it
 * has any; the first that pulls wins. No secret matching: one pull with
 * the node's credentials, or none. A registry that cannot be reached is
 * not asked again with other credentials. */
static sk_err pull_with_creds(struct img_store *s, const char *ref, struct img_pull_opts *po,
                              const struct img_creds *pc, struct img_pull_result *res,
                              struct sk_error **err)
{
    size_t *idx = NULL, nidx = 0;
    struct img_ref r = {0};
    if (pc->n && !img_ref_parse(ref, &r, NULL)) {
        char *repo = img_ref_repo(&r);
        nidx = img_creds_lookup(pc, repo, &idx);
        free(repo);
    }
    const struct sk_val *node_auths = po->auths;
    bool node_has = false;
    if (nidx) {
        char *u = NULL, *p = NULL;
        node_has = img_regconf_creds(po->conf, node_auths, r.domain, &u, &p);
        free(u), free(p);
    }
    size_t tries = nidx ? nidx + node_has : 1;
    sk_err rc = SK_OK;
    struct sk_buf tried = {0};
    for (size_t k = 0; k < tries; k++) {
        struct sk_val *one = NULL;
        if (k < nidx) {
            const struct img_cred *cr = &pc->v[idx[k]];
            struct sk_val *ent = sk_val_map();
            sk_map_set(ent, "username", sk_val_str(cr->user));
            sk_map_set(ent, "password", sk_val_str(cr->pass));
            one = sk_val_map();
            sk_map_set(one, r.domain, ent);
            sk_buf_printf(&tried, "%ssecret %s", tried.len ? ", " : "", cr->source);
        } else if (nidx) {
            sk_buf_printf(&tried, "%sthe node's", tried.len ? ", " : "");
        }
        po->auths = one ? one : node_auths;
        struct sk_error *e = NULL;
        rc = img_pull(s, ref, po, res, &e);
        po->auths = node_auths;
        sk_val_free(one);
        if (!rc) {
            sk_error_free(e);
            break;
        }
        bool last = k + 1 == tries || rc == SK_EAGAIN || rc == SK_ETIMEDOUT;
        if (!last) {
            /* for the agent's log (its children's stderr lines at debug) */
            fprintf(stderr, "credentials %zu of %zu failed: %s\n", k + 1, tries,
                    sk_error_msg(e, rc));
            sk_error_free(e);
            continue;
        }
        if (nidx)
            sk_fail(err, rc, "%s (credentials tried: %s)", sk_error_msg(e, rc), tried.p);
        else
            sk_fail(err, rc, "%s", sk_error_msg(e, rc));
        sk_error_free(e);
        break;
    }
    sk_buf_free(&tried);
    free(idx);
    img_ref_free(&r);
    return rc;
}

static int cmd_pull(struct opts *o, struct img_store *s)
{
    if (o->npull_secrets || o->namespace)
        return fail("%s needs an agent (it reads Secrets from the cluster's store, and a data "
                    "dir has none); with --data-dir give credentials with --auth-file FILE",
                    o->npull_secrets ? "--pull-secret" : "--namespace");
    struct sk_error *e = NULL;
    struct img_regconf *conf = NULL;
    struct sk_val *auths = NULL;
    struct img_creds pc = {0};
    sk_err rc = img_regconf_load(o->registries, &conf, &e);
    if (!rc && o->auth_file) rc = load_auths(o->auth_file, &auths, &e);
    if (!rc && o->pull_creds_fd >= 0) rc = read_creds_fd(o->pull_creds_fd, &pc, &e);
    if (rc) {
        img_regconf_free(conf);
        sk_val_free(auths);
        img_creds_free(&pc);
        return fail_err(e, rc);
    }
    struct img_unpack_opts uo = {.allow_devices = o->allow_devices};
    struct bar bar = {.tty = isatty(2) && !o->quiet};
    struct img_pull_opts po = {
            .conf = conf, .auths = auths, .unpack = &uo, .parallel = o->parallel};
    char *plat = NULL;
    if (o->platform) {
        plat = sk_xstrdup(o->platform);
        char *a = strchr(plat, '/');
        if (!a || !a[1]) {
            free(plat);
            img_regconf_free(conf);
            sk_val_free(auths);
            img_creds_free(&pc);
            return fail("invalid --platform \"%s\": want OS/ARCH[/VARIANT]", o->platform);
        }
        *a++ = 0;
        char *v = strchr(a, '/');
        if (v) *v++ = 0;
        po.os = plat, po.arch = a, po.variant = v;
    }
    if (!o->quiet) po.progress = on_progress, po.progress_arg = &bar;
    struct img_pull_result res;
    rc = pull_with_creds(s, o->args[0], &po, &pc, &res, &e);
    if (bar.tty && bar.blobs) fputc('\n', stderr);
    free(plat);
    img_regconf_free(conf);
    sk_val_free(auths);
    img_creds_free(&pc);
    if (rc) {
        /* Leave nothing behind when no other pull runs: the blobs this
         * pull stored are unreferenced now. */
        img_sweep(s, false, NULL, NULL);
        return fail_err(e, rc);
    }
    if (emit_json) {
        struct sk_val *m = sk_val_map();
        sk_map_set(m, "event", sk_val_str("done"));
        sk_map_set(m, "name", sk_val_str(res.name));
        sk_map_set(m, "digest", sk_val_str(res.manifest));
        sk_map_set(m, "index", sk_val_str(res.index));
        sk_map_set(m, "config", sk_val_str(res.config));
        sk_map_set(m, "fetchedBytes", sk_val_int((int64_t)res.fetched_bytes));
        sk_map_set(m, "fetchedBlobs", sk_val_int(res.fetched_blobs));
        sk_map_set(m, "presentBlobs", sk_val_int(res.present_blobs));
        emit(m);
        return 0;
    }
    printf("%s\nDigest: %s\n", res.name, res.manifest);
    return 0;
}

/* ---- ls, inspect ---- */

static void print_ls(const struct opts *o, const struct sk_val *refs)
{
    if (!o->quiet) printf("%-60s %-14s %-10s %s\n", "IMAGE", "IMAGE ID", "SIZE", "DIGEST");
    for (size_t i = 0; i < sk_map_len(refs); i++) {
        const char *name = refs->u.m.kv[i].key;
        const struct sk_val *rec = refs->u.m.kv[i].val;
        const char *cfg = sk_val_str_at(rec, "config", NULL);
        const char *md = sk_val_str_at(rec, "manifest", NULL);
        if (o->quiet) {
            printf("%s\n", name);
            continue;
        }
        char sz[32];
        human((uint64_t)sk_val_to_int(sk_map_get(rec, "size"), 0), sz, sizeof(sz));
        printf("%-60s %-14.12s %-10s %s\n", name, cfg && strlen(cfg) > 7 ? cfg + 7 : "?", sz,
               md ? md : "?");
    }
}

static int cmd_ls(struct opts *o, struct img_store *s)
{
    struct sk_error *e = NULL;
    struct sk_val *refs;
    sk_err rc = img_refs_load(s, &refs, &e);
    if (rc) return fail_err(e, rc);
    if (emit_json)
        emit(refs);
    else {
        print_ls(o, refs);
        sk_val_free(refs);
    }
    return 0;
}

static int cmd_inspect(struct opts *o, struct img_store *s)
{
    struct sk_val *out = sk_val_arr();
    int status = 0;
    for (int a = 0; a < o->nargs; a++) {
        struct sk_error *e = NULL;
        char *name;
        struct sk_val *rec;
        sk_err rc = img_resolve(s, o->args[a], &name, &rec, &e);
        if (rc) {
            status = fail_err(e, rc);
            continue;
        }
        struct img_manifest m;
        struct img_config c;
        const char *md = sk_val_str_at(rec, "manifest", NULL);
        rc = img_image_load(s, md ? md : "", &m, &c, &e);
        if (rc) {
            status = fail_err(e, rc);
            free(name);
            sk_val_free(rec);
            continue;
        }
        struct sk_val *x = sk_arr_push(out, sk_val_map());
        sk_map_set(x, "name", sk_val_str(name));
        sk_map_set(x, "id", sk_val_str(m.config.digest));
        sk_map_set(x, "manifest", sk_val_str(md));
        sk_map_set(x, "mediaType", sk_val_str(m.media_type));
        if (sk_map_get(rec, "index")) sk_map_set(x, "index", sk_val_dup(sk_map_get(rec, "index")));
        sk_map_set(x, "size", sk_val_dup(sk_map_get(rec, "size")));
        sk_map_set(x, "created", sk_val_dup(sk_map_get(rec, "created")));
        sk_map_set(x, "lastUsed", sk_val_dup(sk_map_get(rec, "lastUsed")));
        struct sk_val *ls = sk_map_set(x, "layers", sk_val_arr());
        for (size_t i = 0; i < m.n_layers; i++) {
            struct sk_val *l = sk_arr_push(ls, sk_val_map());
            sk_map_set(l, "digest", sk_val_str(m.layers[i].digest));
            sk_map_set(l, "diffID", sk_val_str(c.diff_ids[i]));
            sk_map_set(l, "mediaType", sk_val_str(m.layers[i].media_type));
            sk_map_set(l, "size", sk_val_int(m.layers[i].size));
            sk_map_set(l, "unpacked", sk_val_bool(img_layer_exists(s, c.diff_ids[i])));
        }
        sk_map_set(x, "config", sk_val_dup(c.doc));
        img_manifest_free(&m);
        img_config_free(&c);
        free(name);
        sk_val_free(rec);
    }
    if (emit_json && sk_arr_len(out)) {
        emit(sk_arr_take(out, 0));
    } else if (sk_arr_len(out)) {
        char *js = sk_json_dump(out, SK_JSON_PRETTY, NULL);
        printf("%s\n", js);
        free(js);
    }
    sk_val_free(out);
    return status;
}

/* ---- rm, prune ---- */

static int cmd_rm(struct opts *o, struct img_store *s)
{
    int status = 0;
    for (int a = 0; a < o->nargs; a++) {
        struct sk_error *e = NULL;
        char *name;
        struct sk_val *rec;
        sk_err rc = img_resolve(s, o->args[a], &name, &rec, &e);
        if (!rc) rc = img_refs_del(s, name, &e);
        if (rc) {
            status = fail_err(e, rc);
            continue;
        }
        if (emit_json) {
            struct sk_val *m = sk_val_map();
            sk_map_set(m, "untagged", sk_val_str(name));
            emit(m);
        } else {
            printf("Untagged: %s\n", name);
        }
        free(name);
        sk_val_free(rec);
    }
    /* Content goes now unless a pull holds the store; prune finishes it. */
    img_sweep(s, false, NULL, NULL);
    return status;
}

static int cmd_prune(struct opts *o, struct img_store *s)
{
    struct sk_error *e = NULL;
    sk_err rc = SK_OK;
    if (o->gc_high || o->gc_low) {
        int removed = 0;
        rc = img_gc(s, o->gc_high ? o->gc_high : 85, o->gc_low ? o->gc_low : 80, NULL, NULL,
                    &removed, &e);
        if (rc) return fail_err(e, rc);
        if (emit_json) {
            struct sk_val *m = sk_val_map();
            sk_map_set(m, "removed", sk_val_int(removed));
            sk_map_set(m, "diskUsedPct", sk_val_int(img_disk_used_pct(s)));
            emit(m);
            return 0;
        }
        printf("images removed: %d (disk %d%% used)\n", removed, img_disk_used_pct(s));
        return 0;
    }
    struct sk_val *untagged = sk_val_arr();
    if (o->all) {
        struct sk_val *refs;
        rc = img_refs_load(s, &refs, &e);
        if (rc) return fail_err(e, rc);
        for (size_t i = 0; !rc && i < refs->u.m.n; i++) {
            rc = img_refs_del(s, refs->u.m.kv[i].key, &e);
            if (!rc && !emit_json) printf("Untagged: %s\n", refs->u.m.kv[i].key);
            if (!rc) sk_arr_push(untagged, sk_val_str(refs->u.m.kv[i].key));
        }
        sk_val_free(refs);
        if (rc) {
            sk_val_free(untagged);
            return fail_err(e, rc);
        }
    }
    uint64_t freed = 0;
    rc = img_sweep(s, true, &freed, &e);
    if (rc) {
        sk_val_free(untagged);
        return fail_err(e, rc);
    }
    if (emit_json) {
        struct sk_val *m = sk_val_map();
        sk_map_set(m, "untagged", untagged);
        sk_map_set(m, "reclaimed", sk_val_int((int64_t)freed));
        emit(m);
        return 0;
    }
    sk_val_free(untagged);
    char h[32];
    human(freed, h, sizeof(h));
    printf("Total reclaimed space: %s\n", h);
    return 0;
}

/* ---- import, export ---- */

static int cmd_import(struct opts *o, struct img_store *s)
{
    int status = 0;
    struct img_unpack_opts uo = {.allow_devices = o->allow_devices};
    for (int a = 0; a < o->nargs; a++) {
        struct sk_error *e = NULL;
        struct sk_val *names;
        sk_err rc = img_import(s, o->args[a], &uo, &names, &e);
        if (o->remove_input) unlink(o->args[a]); /* an upload the agent stored for us */
        if (rc) {
            status = fail_err(e, rc);
            img_sweep(s, false, NULL, NULL);
            continue;
        }
        if (emit_json) {
            struct sk_val *m = sk_val_map();
            sk_map_set(m, "images", names);
            emit(m);
            continue;
        }
        for (size_t i = 0; i < sk_arr_len(names); i++)
            printf("imported %s %s\n", sk_val_str_at(sk_arr_get(names, i), "name", NULL),
                   sk_val_str_at(sk_arr_get(names, i), "manifest", NULL));
        sk_val_free(names);
    }
    return status;
}

/* The export to stdout for the agent: written to a temp file (img_export
 * renames a finished file into place), opened and unlinked while gc.lock
 * is held so no sweep takes it, then copied to the pipe (which blocks
 * while the client is slow: that is the backpressure). */
static int export_stdout(struct opts *o, struct img_store *s)
{
    struct sk_error *e = NULL;
    int gl = img_lock_gc(s, LOCK_SH, true);
    if (gl < 0) return fail("export: lock the store: %s", strerror(errno));
    char *tmp = img_tmp_path(s, "export");
    sk_err rc = img_export(s, (const char *const *)o->args, (size_t)o->nargs, tmp, &e);
    FILE *f = rc ? NULL : fopen(tmp, "rb");
    int er = errno;
    unlink(tmp);
    img_unlock(gl);
    if (rc) {
        free(tmp);
        return fail_err(e, rc);
    }
    if (!f) {
        fail_status = 500;
        int r = fail("export: open %s: %s", tmp, strerror(er));
        free(tmp);
        return r;
    }
    free(tmp);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (fwrite(buf, 1, n, stdout) != n) break;
    bool bad = ferror(f) || fflush(stdout) != 0;
    fclose(f);
    if (bad) {
        fail_status = 500;
        return fail("export: copy to the agent: %s", strerror(errno));
    }
    return 0;
}

static int cmd_export(struct opts *o, struct img_store *s)
{
    if (emit_json) return export_stdout(o, s);
    const char *out = o->output;
    int n = o->nargs;
    if (!out) {
        if (n < 2) return fail("export needs IMAGE... FILE (or -o FILE)");
        out = o->args[--n];
    }
    struct sk_error *e = NULL;
    sk_err rc = img_export(s, (const char *const *)o->args, (size_t)n, out, &e);
    if (rc) return fail_err(e, rc);
    printf("exported %d image%s to %s\n", n, n == 1 ? "" : "s", out);
    return 0;
}

/* ---- agent mode: the same commands through the API ---- */

struct remote {
    struct sk_kclient *k;
    char *base; /* /api/v1/nodes/NODE/proxy/images */
    char *node; /* the node whose image service answers */
    bool local; /* that node's agent runs on this machine: it can read our files */
    int status; /* exit code so far */
};

static bool loopback_url(const char *url)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    return !strncmp(h, "127.", 4) || !strncmp(h, "[::1]", 5) || !strncmp(h, "localhost", 9);
}

/* Print an error answer the way kubectl does. */
static int fail_resp(const struct sk_kresp *r)
{
    char *line = sk_kclient_error_line(r);
    fprintf(stderr, "%s\n", line);
    free(line);
    return 1;
}

static int fail_conn(struct sk_error *e, sk_err rc)
{
    fprintf(stderr, "%s\n", sk_error_msg(e, rc));
    if (rc != SK_ETOOBIG)
        fputs("(is the agent running? use --data-dir DIR to work on a data dir without it)\n",
              stderr);
    sk_error_free(e);
    return 1;
}

static int remote_open(struct opts *o, struct remote *r)
{
    struct sk_kclient_opts ko = {.kubeconfig = o->kubeconfig,
                                 .context = o->context,
                                 .server = o->server,
                                 .token = o->token,
                                 .config_path = o->config};
    struct sk_kconn *c = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_kclient_resolve(&ko, &c, &e);
    if (rc) {
        int x = fail("%s; or use --data-dir DIR to work on a data dir directly",
                     sk_error_msg(e, rc));
        sk_error_free(e);
        return x;
    }
    rc = sk_kclient_new(c, &r->k, &e);
    bool loop = c->server && loopback_url(c->server);
    sk_kconn_free(c);
    if (rc) return fail_err(e, rc);
    /* Which node serves the API: its /version names it (no auth needed). */
    struct sk_kreq vq = {.path = "/version", .header = "Skiff-Node", .timeout = 30};
    struct sk_kresp vr;
    rc = sk_kclient_do(r->k, &vq, &vr, &e);
    if (rc) return fail_conn(e, rc);
    if (vr.status != 200) {
        int x = fail_resp(&vr);
        sk_kresp_free(&vr);
        return x;
    }
    if (!o->node && !vr.header) {
        sk_kresp_free(&vr);
        return fail("the API server names no node (no Skiff-Node header on /version: not a "
                    "skiff agent?); pick one with --node NAME");
    }
    r->node = sk_xstrdup(o->node ? o->node : vr.header);
    r->local = loop && vr.header && !strcmp(r->node, vr.header);
    sk_kresp_free(&vr);
    char *en = sk_kclient_escape(r->node);
    r->base = sk_xasprintf("/api/v1/nodes/%s/proxy/images", en);
    free(en);
    return 0;
}

static void remote_close(struct remote *r)
{
    sk_kclient_free(r->k);
    free(r->base);
    free(r->node);
}

/* One request whose answer is one JSON document: *doc, or an error
 * printed (returns 1). */
static int remote_json(struct remote *r, const char *method, const char *sub, const char *ref,
                       const char *extra, const char *body_file, struct sk_val **doc)
{
    *doc = NULL;
    char *er = ref ? sk_kclient_escape(ref) : NULL;
    char *path = sk_xasprintf("%s%s%s%s%s%s", r->base, sub, ref || extra ? "?" : "",
                              er ? "image=" : "", er ? er : "", extra ? extra : "");
    free(er);
    struct sk_kreq q = {.method = method,
                        .path = path,
                        .body_file = body_file,
                        .content_type = body_file ? "application/x-tar" : NULL};
    struct sk_kresp resp;
    struct sk_error *e = NULL;
    sk_err rc = sk_kclient_do(r->k, &q, &resp, &e);
    free(path);
    if (rc) return fail_conn(e, rc);
    int x = 0;
    if (resp.status < 200 || resp.status > 299) {
        x = fail_resp(&resp);
    } else if (sk_json_parse(resp.body ? resp.body : "", resp.body_len, doc, &e)) {
        x = fail("%s: unreadable answer from node %s: %s", method, r->node,
                 sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }
    sk_kresp_free(&resp);
    return x;
}

struct pull_rx {
    struct bar *bar;
    bool quiet;
    struct sk_buf line;
    char *name, *digest, *error;
};

static void pull_line(struct pull_rx *p, const char *s, size_t n)
{
    struct sk_val *m = NULL;
    if (!n || sk_json_parse(s, n, &m, NULL)) return;
    const char *ev = sk_val_str_at(m, "event", NULL);
    const char *d = sk_val_str_at(m, "digest", NULL);
    int64_t done = sk_val_to_int(sk_map_get(m, "done"), 0);
    int64_t total = sk_val_to_int(sk_map_get(m, "total"), 0);
    static const char *const names[] = {"resolved", "bytes", "blob", "unpack"};
    for (int i = 0; ev && d && i < 4; i++)
        if (!strcmp(ev, names[i]) && !p->quiet)
            on_progress(p->bar, (enum img_progress_event)i, d, done, total);
    if (ev && !strcmp(ev, "done")) {
        free(p->name), free(p->digest);
        p->name = sk_xstrdup(sk_val_str_at(m, "name", NULL) ? sk_val_str_at(m, "name", NULL) : "");
        p->digest = sk_xstrdup(d ? d : "");
    } else if (ev && !strcmp(ev, "warning")) {
        const char *msg = sk_val_str_at(m, "message", NULL);
        if (msg) fprintf(stderr, "Warning: %s\n", msg); /* as kubectl shows API warnings */
    } else if (ev && !strcmp(ev, "error") && !p->error) {
        const char *msg = sk_val_str_at(m, "message", NULL);
        p->error = sk_xstrdup(msg ? msg : "the pull failed");
    }
    sk_val_free(m);
}

static int pull_data(void *arg, const void *data, size_t n)
{
    struct pull_rx *p = arg;
    const char *c = data;
    for (size_t i = 0; i < n; i++) {
        if (c[i] != '\n') {
            if (p->line.len < (1u << 20)) sk_buf_putc(&p->line, c[i]);
            continue;
        }
        pull_line(p, p->line.p, p->line.len);
        p->line.len = 0;
    }
    return 0;
}

static int remote_pull(struct opts *o, struct remote *r)
{
    if (o->registries || o->auth_file)
        return fail("%s works with --data-dir only: through the agent, pulls use its "
                    "plugins.images.registries settings",
                    o->registries ? "--registries" : "--auth-file");
    struct sk_buf x = {0};
    if (o->platform) {
        char *v = sk_kclient_escape(o->platform);
        sk_buf_printf(&x, "&platform=%s", v);
        free(v);
    }
    if (o->parallel) sk_buf_printf(&x, "&parallel=%d", o->parallel);
    if (o->allow_devices) sk_buf_puts(&x, "&allow-devices=true");
    if (o->namespace && !o->npull_secrets)
        return sk_buf_free(&x), fail("--namespace names where the --pull-secret Secrets are: "
                                     "give --pull-secret NAME too");
    if (o->npull_secrets) {
        char *v = sk_kclient_escape(o->namespace ? o->namespace : "default");
        sk_buf_printf(&x, "&namespace=%s", v);
        free(v);
    }
    for (int i = 0; i < o->npull_secrets; i++) {
        char *v = sk_kclient_escape(o->pull_secrets[i]);
        sk_buf_printf(&x, "&secret=%s", v);
        free(v);
    }
    char *er = sk_kclient_escape(o->args[0]);
    char *path = sk_xasprintf("%s/pull?image=%s%s", r->base, er, x.p ? x.p : "");
    free(er);
    sk_buf_free(&x);
    struct bar bar = {.tty = isatty(2) && !o->quiet};
    struct pull_rx p = {.bar = &bar, .quiet = o->quiet};
    struct sk_kreq q = {.method = "POST", .path = path, .on_data = pull_data, .arg = &p};
    struct sk_kresp resp;
    struct sk_error *e = NULL;
    sk_err rc = sk_kclient_do(r->k, &q, &resp, &e);
    free(path);
    if (bar.tty && bar.blobs) fputc('\n', stderr);
    int st = 0;
    if (rc) {
        st = fail_conn(e, rc);
    } else if (resp.status < 200 || resp.status > 299) {
        st = fail_resp(&resp);
    } else {
        if (p.line.len) pull_line(&p, p.line.p, p.line.len);
        if (p.error)
            st = fail("%s", p.error);
        else if (!p.name)
            st = fail("pull %s: the answer from node %s ended before the pull did", o->args[0],
                      r->node);
        else
            printf("%s\nDigest: %s\n", p.name, p.digest);
    }
    if (!rc) sk_kresp_free(&resp);
    sk_buf_free(&p.line);
    free(p.name), free(p.digest), free(p.error);
    return st;
}

static int remote_ls(struct opts *o, struct remote *r)
{
    struct sk_val *refs;
    if (remote_json(r, "GET", "", NULL, NULL, NULL, &refs)) return 1;
    if (!sk_val_is(refs, SK_V_MAP)) {
        sk_val_free(refs);
        return fail("ls: unreadable answer from node %s: want an object", r->node);
    }
    print_ls(o, refs);
    sk_val_free(refs);
    return 0;
}

static int remote_inspect(struct opts *o, struct remote *r)
{
    struct sk_val *out = sk_val_arr();
    int status = 0;
    for (int a = 0; a < o->nargs; a++) {
        struct sk_val *doc;
        if (remote_json(r, "GET", "/inspect", o->args[a], NULL, NULL, &doc))
            status = 1;
        else
            sk_arr_push(out, doc);
    }
    if (sk_arr_len(out)) {
        char *js = sk_json_dump(out, SK_JSON_PRETTY, NULL);
        printf("%s\n", js);
        free(js);
    }
    sk_val_free(out);
    return status;
}

static int remote_rm(struct opts *o, struct remote *r)
{
    int status = 0;
    for (int a = 0; a < o->nargs; a++) {
        struct sk_val *doc;
        if (remote_json(r, "DELETE", "", o->args[a], NULL, NULL, &doc)) {
            status = 1;
            continue;
        }
        const char *n = sk_val_str_at(doc, "untagged", NULL);
        printf("Untagged: %s\n", n ? n : o->args[a]);
        sk_val_free(doc);
    }
    return status;
}

static int remote_prune(struct opts *o, struct remote *r)
{
    struct sk_buf x = {0};
    if (o->all) sk_buf_puts(&x, "all=true");
    if (o->gc_high || o->gc_low)
        sk_buf_printf(&x, "%sgc-high=%d&gc-low=%d", x.len ? "&" : "", o->gc_high ? o->gc_high : 85,
                      o->gc_low ? o->gc_low : 80);
    struct sk_val *doc;
    int st = remote_json(r, "POST", "/prune", NULL, x.len ? x.p : NULL, NULL, &doc);
    sk_buf_free(&x);
    if (st) return st;
    if (sk_map_get(doc, "removed")) {
        printf("images removed: %d (disk %d%% used)\n",
               (int)sk_val_to_int(sk_map_get(doc, "removed"), 0),
               (int)sk_val_to_int(sk_map_get(doc, "diskUsedPct"), -1));
    } else {
        const struct sk_val *u = sk_map_get(doc, "untagged");
        for (size_t i = 0; i < sk_arr_len(u); i++)
            printf("Untagged: %s\n",
                   sk_val_cstr(sk_arr_get(u, i)) ? sk_val_cstr(sk_arr_get(u, i)) : "?");
        char h[32];
        human((uint64_t)sk_val_to_int(sk_map_get(doc, "reclaimed"), 0), h, sizeof(h));
        printf("Total reclaimed space: %s\n", h);
    }
    sk_val_free(doc);
    return 0;
}

/* A file goes by path when the agent runs here (it reads it itself), else
 * as the request body (bounded by the API's api.max-proxy-body). */
static int remote_import(struct opts *o, struct remote *r)
{
    int status = 0;
    for (int a = 0; a < o->nargs; a++) {
        const char *f = o->args[a];
        if (access(f, R_OK)) {
            status = fail("open %s: %s", f, strerror(errno));
            continue;
        }
        struct sk_val *doc = NULL;
        char abs[PATH_MAX];
        int st = 1;
        if (r->local && realpath(f, abs)) {
            char *ep = sk_kclient_escape(abs);
            char *extra =
                    sk_xasprintf("path=%s%s", ep, o->allow_devices ? "&allow-devices=true" : "");
            st = remote_json(r, "POST", "/import", NULL, extra, NULL, &doc);
            free(extra);
            free(ep);
        } else {
            st = remote_json(r, "POST", "/import", NULL,
                             o->allow_devices ? "allow-devices=true" : NULL, f, &doc);
        }
        if (st) {
            status = 1;
            continue;
        }
        const struct sk_val *names = sk_map_get(doc, "images");
        for (size_t i = 0; i < sk_arr_len(names); i++)
            printf("imported %s %s\n", sk_val_str_at(sk_arr_get(names, i), "name", NULL),
                   sk_val_str_at(sk_arr_get(names, i), "manifest", NULL));
        sk_val_free(doc);
    }
    return status;
}

static int write_all(void *arg, const void *p, size_t n)
{
    return fwrite(p, 1, n, arg) == n ? 0 : -1;
}

static int remote_export(struct opts *o, struct remote *r)
{
    const char *out = o->output;
    int n = o->nargs;
    if (!out) {
        if (n < 2) return fail("export needs IMAGE... FILE (or -o FILE)");
        out = o->args[--n];
    }
    struct sk_buf path = {0};
    sk_buf_printf(&path, "%s/export", r->base);
    for (int i = 0; i < n; i++) {
        char *er = sk_kclient_escape(o->args[i]);
        sk_buf_printf(&path, "%cimage=%s", i ? '&' : '?', er);
        free(er);
    }
    char *tmp = sk_xasprintf("%s.part-%d", out, (int)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        int x = fail("create %s: %s", tmp, strerror(errno));
        free(tmp);
        sk_buf_free(&path);
        return x;
    }
    struct sk_kreq q = {.path = path.p, .on_data = write_all, .arg = f, .max_body = 1u << 20};
    struct sk_kresp resp;
    struct sk_error *e = NULL;
    sk_err rc = sk_kclient_do(r->k, &q, &resp, &e);
    sk_buf_free(&path);
    bool wbad = fclose(f) != 0;
    int st = 0;
    if (rc == SK_ECLOSED && !e) {
        st = fail("write %s: %s", tmp, strerror(errno));
    } else if (rc) {
        st = fail_conn(e, rc);
    } else if (resp.status < 200 || resp.status > 299) {
        st = fail_resp(&resp);
    } else if (wbad) {
        st = fail("write %s: %s", tmp, strerror(errno));
    } else if (rename(tmp, out)) {
        st = fail("rename %s to %s: %s", tmp, out, strerror(errno));
    }
    if (!rc) sk_kresp_free(&resp);
    if (st) unlink(tmp);
    free(tmp);
    if (!st) printf("exported %d image%s to %s\n", n, n == 1 ? "" : "s", out);
    return st;
}

static int with_agent(struct opts *o, int (*fn)(struct opts *, struct remote *))
{
    struct remote r = {0};
    int st = remote_open(o, &r);
    if (!st) st = fn(o, &r);
    remote_close(&r);
    return st;
}

static int with_store(struct opts *o, int (*fn)(struct opts *, struct img_store *))
{
    if (!o->data_dir || !*o->data_dir) return fail("--emit json needs --data-dir");
    struct img_store *s;
    struct sk_error *e = NULL;
    sk_err rc = img_store_open(o->data_dir, &s, &e);
    if (rc) return fail_err(e, rc);
    int r = fn(o, s);
    img_store_close(s);
    return r;
}

#define VERB(n)                                                                                    \
    static int verb_##n(struct opts *o)                                                            \
    {                                                                                              \
        if (o->data_dir || o->emit) return with_store(o, cmd_##n);                                 \
        return with_agent(o, remote_##n);                                                          \
    }
VERB(pull)
VERB(ls)
VERB(inspect)
VERB(rm)
VERB(prune)
VERB(import)
VERB(export)

static const struct verb verbs[] = {
        {"pull", verb_pull,
         "Pull an image from a registry, verify every blob and unpack its layers.\n\n"
         "Usage:\n  skiff image pull IMAGE [flags]\n  skiff image pull IMAGE --data-dir DIR "
         "[flags]\n\n"
         "Examples:\n  skiff image pull busybox                       # through this node's agent\n"
         "  skiff image pull busybox --node edge-3\n"
         "  skiff image pull reg.example.com/app:v1 --pull-secret regcred -n shop\n"
         "  skiff image pull busybox --data-dir /var/lib/skiff\n"
         "  skiff image pull 127.0.0.1:5000/app@sha256:... --data-dir D\n\n"
         "Flags:\n"
         "  --registries FILE   mirrors, endpoints, TLS and credentials (registries.yaml;\n"
         "                      --data-dir only: agents use plugins.images.registries)\n"
         "  --auth-file FILE    docker config.json with \"auths\" (--data-dir only)\n"
         "  --pull-secret NAME  use the registry credentials in Secret NAME (type\n"
         "                      kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg),\n"
         "                      as a pod's imagePullSecrets; repeatable, tried in the\n"
         "                      kubelet's order, then the node's own (agent mode only)\n"
         "  -n, --namespace NS  the namespace of the --pull-secret Secrets (default\n"
         "                      \"default\")\n"
         "  --platform OS/ARCH[/VARIANT]  choose from a multi-platform index\n"
         "  --parallel N        blobs downloaded at once (default 4)\n"
         "  --allow-devices     keep device nodes found in layers\n"
         "  -q, --quiet         no progress\n",
         1, 1},
        {"ls", verb_ls,
         "List images.\n\nUsage:\n  skiff image ls [-q] [--node NAME]\n  skiff image ls --data-dir "
         "DIR [-q]\n\n"
         "Flags:\n  -q, --quiet   names only\n",
         0, 0},
        {"inspect", verb_inspect,
         "Show images' manifests, layers and configs as JSON.\n\n"
         "Usage:\n  skiff image inspect IMAGE... [--node NAME]\n  skiff image inspect IMAGE... "
         "--data-dir DIR\n\n"
         "IMAGE is a name (busybox, host:5000/app:v1, repo@sha256:...), a manifest digest or\n"
         "a prefix of an image id.\n",
         1, 1000},
        {"rm", verb_rm,
         "Remove images, and their blobs and layers no other image uses.\n\n"
         "Usage:\n  skiff image rm IMAGE... [--node NAME]\n  skiff image rm IMAGE... --data-dir "
         "DIR\n",
         1, 1000},
        {"import", verb_import,
         "Import oci-archive or docker save tarballs (plain, gzip or zstd).\n\n"
         "Usage:\n  skiff image import FILE... [--node NAME] [--allow-devices]\n"
         "  skiff image import FILE... --data-dir DIR [--allow-devices]\n\n"
         "Through an agent on this machine the agent reads FILE itself; any other node\n"
         "gets it as the request body (at most the API's api.max-proxy-body, 64Mi by\n"
         "default).\n",
         1, 1000},
        {"export", verb_export,
         "Write images as one oci-archive.\n\n"
         "Usage:\n  skiff image export IMAGE... FILE [--node NAME]\n"
         "  skiff image export IMAGE... -o FILE [--data-dir DIR]\n",
         1, 1000},
        {"prune", verb_prune,
         "Remove image data no image uses (and stale temp files).\n\n"
         "Usage:\n  skiff image prune [--all] [--gc-high P --gc-low P] [--node NAME]\n"
         "  skiff image prune --data-dir DIR [--all] [--gc-high P --gc-low P]\n\n"
         "Flags:\n"
         "  -a, --all        remove every image first\n"
         "  --gc-high P      when the disk is more than P%% used, remove least recently\n"
         "  --gc-low P       used images until it is at most P%% used (as the kubelet does)\n",
         0, 0},
};

int skiff_images_cli(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        fputs(usage_top, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const struct verb *v = NULL;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (!strcmp(verbs[i].name, argv[1])) v = &verbs[i];
    if (!v) {
        fail("unknown command \"%s\" for \"skiff image\"", argv[1]);
        fputs("Run 'skiff image --help' for usage.\n", stderr);
        return 1;
    }
    struct opts o = {0};
    if (parse_flags(argc - 1, argv + 1, &o)) {
        free(o.args);
        free(o.pull_secrets);
        return 1;
    }
    emit_json = o.emit != NULL;
    int r;
    if (o.help) {
        printf(v->usage, 0);
        fputs(usage_where, stdout);
        r = 0;
    } else if ((o.npull_secrets || o.namespace || o.pull_creds_fd >= 0) &&
               strcmp(v->name, "pull")) {
        r = fail("%s is a flag of \"skiff image pull\" only", o.npull_secrets ? "--pull-secret"
                                                              : o.namespace   ? "--namespace"
                                                                              : "--pull-creds-fd");
    } else if (o.nargs < v->min_args || o.nargs > v->max_args) {
        r = fail("\"skiff image %s\" requires %s argument%s\nSee 'skiff image %s --help'.", v->name,
                 v->min_args == v->max_args ? (v->min_args ? "exactly 1" : "no") : "at least 1",
                 v->max_args == 1 && v->min_args == 1 ? "" : "s", v->name);
    } else {
        r = v->fn(&o);
    }
    free(o.args);
    free(o.pull_secrets);
    return r;
}
