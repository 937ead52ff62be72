/* `skiff image pull|ls|inspect|rm|import|export|prune`. With --data-dir
 * the commands work on that data dir directly (seeding images before an
 * agent first starts, and the agent's own child processes); talking to a
 * running agent arrives with the API. */
#include "cli.h"

#include "json.h"
#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "manifest.h"
#include "ref.h"
#include "registry.h"
#include "store.h"
#include "unpack.h"

struct opts {
    const char *data_dir;
    const char *registries;
    const char *auth_file;
    const char *platform;
    const char *output;
    bool quiet, all, help, allow_devices;
    int gc_high, gc_low;
    int parallel;
    char **args; /* positionals */
    int nargs;
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static int fail_err(struct sk_error *e, sk_err rc)
{
    int r = fail("%s", sk_error_msg(e, rc));
    sk_error_free(e);
    return r;
}

static const char usage_top[] = "Manage container images on this node.\n"
                                "\n"
                                "Usage:\n"
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
                                "\n"
                                "Use 'skiff image COMMAND --help' for more about a command.\n";

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
                "--data-dir", "--registries", "--auth-file", "--platform", "-o",
                "--output",   "--gc-high",    "--gc-low",    "--parallel", NULL};
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

static void on_progress(void *arg, enum img_progress_event ev, const char *digest, int64_t done,
                        int64_t total)
{
    struct bar *b = arg;
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

static int cmd_pull(struct opts *o, struct img_store *s)
{
    struct sk_error *e = NULL;
    struct img_regconf *conf = NULL;
    struct sk_val *auths = NULL;
    sk_err rc = img_regconf_load(o->registries, &conf, &e);
    if (!rc && o->auth_file) rc = load_auths(o->auth_file, &auths, &e);
    if (rc) {
        img_regconf_free(conf);
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
            return fail("invalid --platform \"%s\": want OS/ARCH[/VARIANT]", o->platform);
        }
        *a++ = 0;
        char *v = strchr(a, '/');
        if (v) *v++ = 0;
        po.os = plat, po.arch = a, po.variant = v;
    }
    if (!o->quiet) po.progress = on_progress, po.progress_arg = &bar;
    struct img_pull_result res;
    rc = img_pull(s, o->args[0], &po, &res, &e);
    if (bar.tty && bar.blobs) fputc('\n', stderr);
    free(plat);
    img_regconf_free(conf);
    sk_val_free(auths);
    if (rc) {
        /* Leave nothing behind when no other pull runs: the blobs this
         * pull stored are unreferenced now. */
        img_sweep(s, false, NULL, NULL);
        return fail_err(e, rc);
    }
    printf("%s\nDigest: %s\n", res.name, res.manifest);
    return 0;
}

/* ---- ls, inspect ---- */

static int cmd_ls(struct opts *o, struct img_store *s)
{
    struct sk_error *e = NULL;
    struct sk_val *refs;
    sk_err rc = img_refs_load(s, &refs, &e);
    if (rc) return fail_err(e, rc);
    if (!o->quiet) printf("%-60s %-14s %-10s %s\n", "IMAGE", "IMAGE ID", "SIZE", "DIGEST");
    for (size_t i = 0; i < refs->u.m.n; i++) {
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
    sk_val_free(refs);
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
    if (sk_arr_len(out)) {
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
        printf("Untagged: %s\n", name);
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
        printf("images removed: %d (disk %d%% used)\n", removed, img_disk_used_pct(s));
        return 0;
    }
    if (o->all) {
        struct sk_val *refs;
        rc = img_refs_load(s, &refs, &e);
        if (rc) return fail_err(e, rc);
        for (size_t i = 0; !rc && i < refs->u.m.n; i++) {
            rc = img_refs_del(s, refs->u.m.kv[i].key, &e);
            if (!rc) printf("Untagged: %s\n", refs->u.m.kv[i].key);
        }
        sk_val_free(refs);
        if (rc) return fail_err(e, rc);
    }
    uint64_t freed = 0;
    rc = img_sweep(s, true, &freed, &e);
    if (rc) return fail_err(e, rc);
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
        if (rc) {
            status = fail_err(e, rc);
            img_sweep(s, false, NULL, NULL);
            continue;
        }
        for (size_t i = 0; i < sk_arr_len(names); i++)
            printf("imported %s %s\n", sk_val_str_at(sk_arr_get(names, i), "name", NULL),
                   sk_val_str_at(sk_arr_get(names, i), "manifest", NULL));
        sk_val_free(names);
    }
    return status;
}

static int cmd_export(struct opts *o, struct img_store *s)
{
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

static int with_store(struct opts *o, int (*fn)(struct opts *, struct img_store *))
{
    if (!o->data_dir || !*o->data_dir)
        return fail("no --data-dir given: talking to a running agent is not supported yet; "
                    "use --data-dir DIR to work on a data dir directly");
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
        return with_store(o, cmd_##n);                                                             \
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
         "Usage:\n  skiff image pull IMAGE --data-dir DIR [flags]\n\n"
         "Examples:\n  skiff image pull busybox --data-dir /var/lib/skiff\n"
         "  skiff image pull 127.0.0.1:5000/app@sha256:... --data-dir D\n\n"
         "Flags:\n"
         "  --registries FILE   mirrors, endpoints, TLS and credentials (registries.yaml)\n"
         "  --auth-file FILE    docker config.json with \"auths\" (as in imagePullSecrets)\n"
         "  --platform OS/ARCH[/VARIANT]  choose from a multi-platform index\n"
         "  --parallel N        blobs downloaded at once (default 4)\n"
         "  --allow-devices     keep device nodes found in layers\n"
         "  -q, --quiet         no progress\n",
         1, 1},
        {"ls", verb_ls,
         "List images.\n\nUsage:\n  skiff image ls --data-dir DIR [-q]\n\n"
         "Flags:\n  -q, --quiet   names only\n",
         0, 0},
        {"inspect", verb_inspect,
         "Show images' manifests, layers and configs as JSON.\n\n"
         "Usage:\n  skiff image inspect IMAGE... --data-dir DIR\n\n"
         "IMAGE is a name (busybox, host:5000/app:v1, repo@sha256:...), a manifest digest or\n"
         "a prefix of an image id.\n",
         1, 1000},
        {"rm", verb_rm,
         "Remove images, and their blobs and layers no other image uses.\n\n"
         "Usage:\n  skiff image rm IMAGE... --data-dir DIR\n",
         1, 1000},
        {"import", verb_import,
         "Import oci-archive or docker save tarballs (plain, gzip or zstd).\n\n"
         "Usage:\n  skiff image import FILE... --data-dir DIR [--allow-devices]\n",
         1, 1000},
        {"export", verb_export,
         "Write images as one oci-archive.\n\n"
         "Usage:\n  skiff image export IMAGE... FILE --data-dir DIR\n"
         "  skiff image export IMAGE... -o FILE --data-dir DIR\n",
         1, 1000},
        {"prune", verb_prune,
         "Remove image data no image uses (and stale temp files).\n\n"
         "Usage:\n  skiff image prune --data-dir DIR [--all] [--gc-high P --gc-low P]\n\n"
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
        return 1;
    }
    int r;
    if (o.help) {
        printf(v->usage, 0);
        r = 0;
    } else if (o.nargs < v->min_args || o.nargs > v->max_args) {
        r = fail("\"skiff image %s\" requires %s argument%s\nSee 'skiff image %s --help'.", v->name,
                 v->min_args == v->max_args ? (v->min_args ? "exactly 1" : "no") : "at least 1",
                 v->max_args == 1 && v->min_args == 1 ? "" : "s", v->name);
    } else {
        r = v->fn(&o);
    }
    free(o.args);
    return r;
}
