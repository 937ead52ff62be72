/* The CLI framework: kubectl's flag parser (pflag rules: interspersed
 * flags, --x=v, --x v, -x v, -xv, bool flags, repeatable lists, "--"),
 * global flags, generated help, the connection and request helpers. */
#include "cli.h"
#include "json.h"
#include "khttp.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

struct sk_cli_fval {
    bool set;
    char *s;
    int64_t i;
    double d;
    bool b;
    struct sk_strv sv;
};

static const struct sk_cli_flag global_flags[] = {
        {"cluster", 0, SK_FLAG_STRING, "", "The name of the kubeconfig cluster to use"},
        {"context", 0, SK_FLAG_STRING, "", "The name of the kubeconfig context to use"},
        {"insecure-skip-tls-verify", 0, SK_FLAG_BOOL, "false",
         "If true, the server's certificate will not be checked for validity. This will make "
         "your HTTPS connections insecure"},
        {"kubeconfig", 0, SK_FLAG_STRING, "",
         "Path to the kubeconfig file to use for CLI requests."},
        {"namespace", 'n', SK_FLAG_STRING, "",
         "If present, the namespace scope for this CLI request"},
        {"request-timeout", 0, SK_FLAG_STRING, "0",
         "The length of time to wait before giving up on a single server request. Non-zero "
         "values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero "
         "means don't timeout requests."},
        {"server", 's', SK_FLAG_STRING, "", "The address and port of the Kubernetes API server"},
        {"token", 0, SK_FLAG_STRING, "", "Bearer token for authentication to the API server"},
        {"user", 0, SK_FLAG_STRING, "", "The name of the kubeconfig user to use"},
        {"v", 'v', SK_FLAG_INT, "0", "number for the log level verbosity"},
        {0},
};

static size_t nflags(const struct sk_cli_flag *f)
{
    size_t n = 0;
    while (f && f[n].name)
        n++;
    return n;
}

/* ---- flag values ---- */

static void strv_push(struct sk_strv *sv, const char *s, size_t n)
{
    sv->v = sk_xrealloc(sv->v, (sv->n + 2) * sizeof(char *));
    sv->v[sv->n++] = sk_xstrndup(s, n);
    sv->v[sv->n] = NULL;
}

static void strv_free(struct sk_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = 0;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
    static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
    for (int i = 0; t[i]; i++) {
        if (!strcmp(s, t[i])) return *out = true, true;
        if (!strcmp(s, f[i])) return *out = false, true;
    }
    return false;
}

static bool parse_int(const char *s, int64_t *out)
{
    if (!*s) return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || *end) return false;
    *out = v;
    return true;
}

bool sk_cli_parse_duration(const char *s, double *seconds)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    long long whole = strtoll(s, &end, 10);
    if (!*end && !errno) return *seconds = (double)whole, true;
    const char *p = s;
    double sign = 1, total = 0;
    if (*p == '-' || *p == '+') sign = *p++ == '-' ? -1 : 1;
    if (!strcmp(p, "0")) return *seconds = 0, true;
    if (!*p) return false;
    while (*p) {
        if (!((*p >= '0' && *p <= '9') || *p == '.')) return false;
        double v = strtod(p, &end);
        if (end == p) return false;
        p = end;
        static const struct {
            const char *u;
            double mul;
        } units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3},
                     {"s", 1},     {"m", 60},    {"h", 3600}};
        size_t best = 0;
        double mul = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t ul = strlen(units[i].u);
            if (!strncmp(p, units[i].u, ul) && ul > best) best = ul, mul = units[i].mul;
        }
        if (!best) return false;
        p += best;
        total += v * mul;
    }
    *seconds = sign * total;
    return true;
}

/* "-w, --watch" or "--watch", as pflag names a flag in messages. */
static const char *flag_disp(const struct sk_cli_flag *f, char *buf)
{
    if (f->shorthand)
        snprintf(buf, 96, "-%c, --%.80s", f->shorthand, f->name);
    else
        snprintf(buf, 96, "--%.80s", f->name);
    return buf;
}

/* Store one value; on a bad value prints kubectl's message. */
static int set_value(struct sk_cli *c, const struct sk_cli_flag *f, struct sk_cli_fval *fv,
                     const char *val)
{
    char disp[96];
    fv->set = true;
    switch (f->type) {
    case SK_FLAG_BOOL:
        if (!parse_bool(val, &fv->b))
            return sk_cli_usage_fail(c,
                                     "invalid argument \"%s\" for \"%s\" flag: "
                                     "strconv.ParseBool: parsing \"%s\": invalid syntax",
                                     val, flag_disp(f, disp), val);
        return 0;
    case SK_FLAG_INT:
        if (!parse_int(val, &fv->i))
            return sk_cli_usage_fail(c,
                                     "invalid argument \"%s\" for \"%s\" flag: "
                                     "strconv.ParseInt: parsing \"%s\": invalid syntax",
                                     val, flag_disp(f, disp), val);
        return 0;
    case SK_FLAG_DURATION:
        if (!sk_cli_parse_duration(val, &fv->d))
            return sk_cli_usage_fail(c,
                                     "invalid argument \"%s\" for \"%s\" flag: time: invalid "
                                     "duration \"%s\"",
                                     val, flag_disp(f, disp), val);
        return 0;
    case SK_FLAG_STRING:
        free(fv->s);
        fv->s = sk_xstrdup(val);
        return 0;
    case SK_FLAG_STRINGS:
        if (!*val) return 0;
        for (const char *p = val;;) {
            size_t n = strcspn(p, ",");
            strv_push(&fv->sv, p, n);
            if (!p[n]) break;
            p += n + 1;
        }
        return 0;
    case SK_FLAG_ARRAY: strv_push(&fv->sv, val, strlen(val)); return 0;
    }
    return 0;
}

static const struct sk_cli_flag *find_long(const struct sk_cli_flag *t, const char *name, size_t n,
                                           size_t *idx)
{
    for (size_t i = 0; t && t[i].name; i++)
        if (strlen(t[i].name) == n && !strncmp(t[i].name, name, n)) return *idx = i, &t[i];
    return NULL;
}

static const struct sk_cli_flag *find_short(const struct sk_cli_flag *t, char ch, size_t *idx)
{
    for (size_t i = 0; t && t[i].name; i++)
        if (t[i].shorthand == ch) return *idx = i, &t[i];
    return NULL;
}

static bool use_globals(const struct sk_cli *c)
{
    return !(c->verb->opts & SK_CLI_NO_GLOBALS);
}

/* Locate a flag in the verb's table, then the globals. */
static bool lookup(struct sk_cli *c, const char *name, size_t n, char ch,
                   const struct sk_cli_flag **f, struct sk_cli_fval **fv)
{
    size_t i;
    const struct sk_cli_flag *x =
            name ? find_long(c->verb->flags, name, n, &i) : find_short(c->verb->flags, ch, &i);
    if (x) return *f = x, *fv = &c->fv[i], true;
    if (!use_globals(c)) return false;
    x = name ? find_long(global_flags, name, n, &i) : find_short(global_flags, ch, &i);
    if (x) return *f = x, *fv = &c->gv[i], true;
    return false;
}

static bool is_help(const char *a)
{
    return !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "--help=true");
}

/* Parse argv[1..argc) (argv[0] is the verb's name). Returns 0, 1 on a
 * usage error (printed), or 2 when help was asked for. */
static int parse_args(struct sk_cli *c, int argc, char **argv)
{
    c->args = sk_xcalloc((size_t)argc + 1, sizeof(char *));
    c->nargs = 0;
    c->dash_at = -1;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (c->dash_at >= 0 || a[0] != '-' || !a[1]) {
            c->args[c->nargs++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            c->dash_at = c->nargs;
            continue;
        }
        if (is_help(a)) return 2;
        const struct sk_cli_flag *f;
        struct sk_cli_fval *fv;
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t n = eq ? (size_t)(eq - name) : strlen(name);
            if (!lookup(c, name, n, 0, &f, &fv)) {
                return sk_cli_usage_fail(c, "unknown flag: --%.*s", (int)n, name);
            }
            const char *val;
            if (eq) {
                val = eq + 1;
            } else if (f->type == SK_FLAG_BOOL) {
                val = "true";
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                return sk_cli_usage_fail(c, "flag needs an argument: --%s", f->name);
            }
            int rc = set_value(c, f, fv, val);
            if (rc) return rc;
            continue;
        }
        /* shorthand cluster: -abc, -n value, -nvalue, -n=value */
        for (const char *p = a + 1; *p; p++) {
            if (*p == 'h' && !lookup(c, NULL, 0, 'h', &f, &fv)) return 2;
            if (!lookup(c, NULL, 0, *p, &f, &fv))
                return sk_cli_usage_fail(c, "unknown shorthand flag: '%c' in %s", *p, a);
            const char *rest = p + 1;
            if (f->type == SK_FLAG_BOOL) {
                if (*rest == '=') {
                    int rc = set_value(c, f, fv, rest + 1);
                    if (rc) return rc;
                    break;
                }
                set_value(c, f, fv, "true");
                continue;
            }
            const char *val;
            if (*rest) {
                val = *rest == '=' ? rest + 1 : rest;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                return sk_cli_usage_fail(c, "flag needs an argument: '%c' in -%c", *p, *p);
            }
            int rc = set_value(c, f, fv, val);
            if (rc) return rc;
            break;
        }
    }
    return 0;
}

/* ---- flag getters ---- */

static struct sk_cli_fval *getv(struct sk_cli *c, const char *name, const struct sk_cli_flag **f)
{
    struct sk_cli_fval *fv;
    if (lookup(c, name, strlen(name), 0, f, &fv)) return fv;
    size_t i;
    /* globals are readable even by verbs that do not parse them */
    const struct sk_cli_flag *g = find_long(global_flags, name, strlen(name), &i);
    if (g && c->gv) return *f = g, &c->gv[i];
    fprintf(stderr, "skiff: bug: verb %s reads undeclared flag --%s\n", c->verb->name, name);
    abort();
}

const char *sk_cli_str(struct sk_cli *c, const char *name)
{
    const struct sk_cli_flag *f;
    struct sk_cli_fval *fv = getv(c, name, &f);
    if (fv->set) return fv->s;
    return f->def && *f->def ? f->def : NULL;
}

bool sk_cli_bool(struct sk_cli *c, const char *name)
{
    const struct sk_cli_flag *f;
    struct sk_cli_fval *fv = getv(c, name, &f);
    if (fv->set) return fv->b;
    bool b = false;
    if (f->def) parse_bool(f->def, &b);
    return b;
}

int64_t sk_cli_int(struct sk_cli *c, const char *name)
{
    const struct sk_cli_flag *f;
    struct sk_cli_fval *fv = getv(c, name, &f);
    if (fv->set) return fv->i;
    int64_t v = 0;
    if (f->def) parse_int(f->def, &v);
    return v;
}

double sk_cli_duration(struct sk_cli *c, const char *name)
{
    const struct sk_cli_flag *f;
    struct sk_cli_fval *fv = getv(c, name, &f);
    if (fv->set) return fv->d;
    double d = 0;
    if (f->def) sk_cli_parse_duration(f->def, &d);
    return d;
}

const struct sk_strv *sk_cli_strs(struct sk_cli *c, const char *name)
{
    const struct sk_cli_flag *f;
    struct sk_cli_fval *fv = getv(c, name, &f);
    return &fv->sv;
}

bool sk_cli_has_flag(struct sk_cli *c, const char *name)
{
    const struct sk_cli_flag *f;
    struct sk_cli_fval *fv;
    return lookup(c, name, strlen(name), 0, &f, &fv);
}

bool sk_cli_changed(struct sk_cli *c, const char *name)
{
    const struct sk_cli_flag *f;
    return getv(c, name, &f)->set;
}

/* ---- errors ---- */

int sk_cli_fail(struct sk_cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", c->err);
    vfprintf(c->err, fmt, ap);
    fputc('\n', c->err);
    va_end(ap);
    return 1;
}

int sk_cli_usage_fail(struct sk_cli *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", c->err);
    vfprintf(c->err, fmt, ap);
    fputc('\n', c->err);
    va_end(ap);
    fprintf(c->err, "See '%s --help' for usage.\n", c->cmd_path);
    return 1;
}

int sk_cli_fail_resp(struct sk_cli *c, const struct sk_kresp *r)
{
    char *line = sk_kclient_error_line(r);
    fprintf(c->err, "%s\n", line);
    free(line);
    return 1;
}

/* ---- help ---- */

static int flag_cmp(const void *a, const void *b)
{
    const struct sk_cli_flag *x = *(const struct sk_cli_flag *const *)a;
    const struct sk_cli_flag *y = *(const struct sk_cli_flag *const *)b;
    return strcmp(x->name, y->name);
}

static void print_flags(FILE *f, const struct sk_cli_flag *t)
{
    size_t n = nflags(t);
    const struct sk_cli_flag **s = sk_xcalloc(n + 1, sizeof(*s));
    for (size_t i = 0; i < n; i++)
        s[i] = &t[i];
    qsort(s, n, sizeof(*s), flag_cmp);
    for (size_t i = 0; i < n; i++) {
        const struct sk_cli_flag *x = s[i];
        const char *def = x->def ? x->def : "";
        bool quote = x->type == SK_FLAG_STRING;
        if (x->shorthand)
            fprintf(f, "    -%c, --%s=%s%s%s:\n", x->shorthand, x->name, quote ? "'" : "", def,
                    quote ? "'" : "");
        else
            fprintf(f, "    --%s=%s%s%s:\n", x->name, quote ? "'" : "", def, quote ? "'" : "");
        fprintf(f, "\t%s\n\n", x->help ? x->help : "");
    }
    free(s);
}

static void print_help(const struct sk_cli_verb *v, const char *cmd_path, FILE *f)
{
    fprintf(f, "%s\n\n", v->long_help ? v->long_help : v->short_help);
    if (v->subs) {
        fprintf(f, "Available Commands:\n");
        for (const struct sk_cli_verb *const *s = v->subs; *s; s++)
            fprintf(f, "  %-15s %s\n", (*s)->name, (*s)->short_help);
        fputc('\n', f);
    }
    if (v->examples) fprintf(f, "Examples:\n%s\n\n", v->examples);
    if (v->flags && v->flags[0].name) {
        fprintf(f, "Options:\n");
        print_flags(f, v->flags);
    }
    fprintf(f, "Usage:\n  %s\n\n", v->usage ? v->usage : cmd_path);
    if (v->subs)
        fprintf(f, "Use \"%s <command> --help\" for more information about a given command.\n",
                cmd_path);
    if (!(v->opts & SK_CLI_NO_GLOBALS))
        fprintf(f, "Use \"skiff options\" for a list of global command-line options (applies to "
                   "all commands).\n");
}

static int options_run(struct sk_cli *c)
{
    fprintf(c->out, "The following options can be passed to any command:\n\n");
    print_flags(c->out, global_flags);
    return 0;
}

const struct sk_cli_verb sk_cli_verb_options = {
        .name = "options",
        .short_help = "Print the list of flags inherited by all commands",
        .usage = "skiff options [flags]",
        .examples = "  # Print flags inherited by all commands\n  skiff options",
        .run = options_run,
};

/* ---- running ---- */

static void cli_free(struct sk_cli *c)
{
    size_t n = nflags(c->verb->flags), g = nflags(global_flags);
    for (size_t i = 0; c->fv && i < n; i++) {
        free(c->fv[i].s);
        strv_free(&c->fv[i].sv);
    }
    for (size_t i = 0; c->gv && i < g; i++) {
        free(c->gv[i].s);
        strv_free(&c->gv[i].sv);
    }
    free(c->fv);
    free(c->gv);
    free(c->args);
    free(c->ns);
    sk_kclient_free(c->client);
    sk_kconn_free(c->conn);
}

int sk_cli_run_verb(const struct sk_cli_verb *v, const char *cmd_path, int argc, char **argv,
                    FILE *out, FILE *errf)
{
    /* subcommand? (the first argument that is not a flag) */
    if (v->subs && argc > 1 && argv[1][0] != '-') {
        for (const struct sk_cli_verb *const *s = v->subs; *s; s++) {
            bool match = !strcmp((*s)->name, argv[1]);
            for (const char *const *al = (*s)->aliases; !match && al && *al; al++)
                match = !strcmp(*al, argv[1]);
            if (match) {
                char *path = sk_xasprintf("%s %s", cmd_path, (*s)->name);
                int rc = sk_cli_run_verb(*s, path, argc - 1, argv + 1, out, errf);
                free(path);
                return rc;
            }
        }
        if (!v->run) {
            fprintf(errf, "error: unknown command \"%s\" for \"%s\"\n", argv[1], cmd_path);
            fprintf(errf, "See '%s -h' for help and examples\n", cmd_path);
            return 1;
        }
    }
    struct sk_cli c = {.verb = v, .cmd_path = cmd_path, .out = out, .err = errf};
    c.fv = sk_xcalloc(nflags(v->flags) + 1, sizeof(*c.fv));
    c.gv = sk_xcalloc(nflags(global_flags) + 1, sizeof(*c.gv));
    int rc = parse_args(&c, argc, argv);
    if (rc == 2 || (!rc && !v->run)) {
        print_help(v, cmd_path, out);
        rc = 0;
    } else if (!rc) {
        if (use_globals(&c)) c.verbosity = (int)sk_cli_int(&c, "v");
        if (use_globals(&c) && sk_cli_changed(&c, "request-timeout")) {
            double d;
            if (!sk_cli_parse_duration(sk_cli_str(&c, "request-timeout"), &d) || d < 0)
                rc = sk_cli_fail(&c, "Invalid timeout value. Timeout must be a single integer in "
                                     "seconds, or an integer followed by a corresponding time unit "
                                     "(e.g. 1s | 2m | 3h)");
        }
        if (!rc) rc = v->run(&c);
    }
    fflush(out);
    cli_free(&c);
    return rc;
}

/* The size of a transparent huge page, or 0 when the kernel has none. */
static uintptr_t thp_size(void)
{
    int fd = open("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[32];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    unsigned long long v = strtoull(buf, NULL, 10);
    return v >= 65536 && !(v & (v - 1)) ? (uintptr_t)v : 0;
}

static void *volatile heap_gap; /* kept so that the compiler keeps the malloc */

/* A CLI run is short and allocates a few MiB at most (the parsed answer,
 * the rows), in many small blocks. First touch of each 4 KiB page is a
 * page fault, and on virtual machines without nested paging a fault costs
 * 30-100 us: for `get pods` with 100 pods they were about half its wall
 * time. So grow the heap once by 8 MiB, ask for transparent huge pages on
 * its aligned part and start allocating there: a few faults instead of
 * hundreds. Virtual space only; the RSS grows by the huge pages touched
 * (2 MiB each). Without THP (or with brk unavailable) nothing changes.
 * Never for the agent or the shims, whose heaps live long. */
static void cli_heap_setup(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return; /* ASan's allocator is not glibc's heap */
#endif
    uintptr_t huge = thp_size();
    if (!huge) return;
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* large buffers from the heap too */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 8 << 20);
    uintptr_t lo = (uintptr_t)malloc(64); /* the top of the heap, which grows by the pad */
    uintptr_t hi = (uintptr_t)sbrk(0);
    mallopt(M_TOP_PAD, 128 << 10); /* glibc's default again */
    if (!lo || hi == (uintptr_t)-1 || hi < lo) return;
    uintptr_t a = (lo + huge - 1) & ~(huge - 1);
    uintptr_t b = hi & ~(huge - 1);
    if (b < a + huge || madvise((void *)a, b - a, MADV_HUGEPAGE)) return;
    /* a block up to the first huge page, never touched (so never faulted
     * in) and never freed: what is allocated next lands on huge pages */
    if (a - lo > 4096) heap_gap = malloc(a - lo - 256);
}

int sk_cli_main(int argc, char **argv)
{
    const struct sk_cli_verb *v = sk_cli_find_verb(argv[0]);
    if (!v) return -1;
    cli_heap_setup();
    char *path = sk_xasprintf("skiff %s", v->name);
    int rc = sk_cli_run_verb(v, path, argc, argv, stdout, stderr);
    free(path);
    return rc;
}

/* ---- connection ---- */

const struct sk_kconn *sk_cli_conn(struct sk_cli *c)
{
    if (c->conn) return c->conn;
    struct sk_kclient_opts o = {
            .kubeconfig = sk_cli_str(c, "kubeconfig"),
            .context = sk_cli_str(c, "context"),
            .server = sk_cli_str(c, "server"),
            .token = sk_cli_str(c, "token"),
    };
    struct sk_error *e = NULL;
    if (sk_kclient_resolve(&o, &c->conn, &e)) {
        sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        return NULL;
    }
    if (sk_cli_bool(c, "insecure-skip-tls-verify")) c->conn->insecure = true;
    return c->conn;
}

struct sk_kclient *sk_cli_client(struct sk_cli *c)
{
    if (c->client) return c->client;
    const struct sk_kconn *conn = sk_cli_conn(c);
    if (!conn) return NULL;
    struct sk_error *e = NULL;
    if (sk_kclient_new(conn, &c->client, &e)) {
        sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        return NULL;
    }
    return c->client;
}

bool sk_cli_namespace_explicit(struct sk_cli *c)
{
    return use_globals(c) && sk_cli_changed(c, "namespace");
}

const char *sk_cli_namespace(struct sk_cli *c)
{
    if (c->ns_resolved) return c->ns;
    c->ns_resolved = true;
    const char *n = use_globals(c) ? sk_cli_str(c, "namespace") : NULL;
    if (n && *n) {
        c->ns = sk_xstrdup(n);
        return c->ns;
    }
    if (use_globals(c)) {
        struct sk_kclient_opts o = {
                .kubeconfig = sk_cli_str(c, "kubeconfig"),
                .context = sk_cli_str(c, "context"),
                .server = sk_cli_str(c, "server"),
                .token = sk_cli_str(c, "token"),
        };
        if (!c->conn) sk_kclient_resolve(&o, &c->conn, NULL);
        if (c->conn && c->conn->ns && *c->conn->ns) c->ns = sk_xstrdup(c->conn->ns);
        if (c->conn && sk_cli_bool(c, "insecure-skip-tls-verify")) c->conn->insecure = true;
    }
    if (!c->ns) c->ns = sk_xstrdup("default");
    return c->ns;
}

double sk_cli_timeout(struct sk_cli *c)
{
    if (!use_globals(c)) return 0;
    double d = 0;
    const char *s = sk_cli_str(c, "request-timeout");
    if (s) sk_cli_parse_duration(s, &d);
    return d > 0 ? d : 0;
}

/* ---- requests ---- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int sk_cli_request(struct sk_cli *c, const char *method, const char *path, const char *content_type,
                   const void *body, size_t body_len, const char *accept, struct sk_kresp *resp)
{
    memset(resp, 0, sizeof(*resp));
    struct sk_kclient *k = sk_cli_client(c);
    if (!k) return 1;
    struct sk_kreq req = {
            .method = method,
            .path = path,
            .content_type = content_type,
            .body = body,
            .body_len = body_len,
            .timeout = sk_cli_timeout(c),
            .accept = accept ? accept : "application/json",
    };
    double t0 = now_ms();
    struct sk_error *e = NULL;
    sk_err rc = sk_kclient_do(k, &req, resp, &e);
    if (rc) {
        /* connection failures read "Unable to connect to the server: ..."
         * as kubectl's do; bad local input (a CA that does not load, a
         * body file) is an "error: " line as kubectl prints it */
        fprintf(c->err, "%s%s\n", rc == SK_EINVAL || rc == SK_ESYS ? "error: " : "",
                sk_error_msg(e, SK_ECLOSED));
        sk_error_free(e);
        return 1;
    }
    if (c->verbosity >= 6)
        fprintf(c->err, "I0000 round_trippers: %s %s%s %d in %.0f milliseconds\n",
                method ? method : "GET", c->conn->server, path, resp->status, now_ms() - t0);
    if (c->verbosity >= 7 && sk_khttp_session_file(sk_kclient_http(k)))
        fprintf(c->err, "I0000 tls: %s %s\n",
                sk_khttp_resumed(sk_kclient_http(k)) ? "session resumed from"
                                                     : "full handshake, session cache",
                sk_khttp_session_file(sk_kclient_http(k)));
    return 0;
}

static bool ok_status(int s)
{
    return s >= 200 && s < 300;
}

int sk_cli_get_json(struct sk_cli *c, const char *path, struct sk_val **out)
{
    struct sk_kresp r;
    int rc = sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r);
    if (rc) return rc;
    if (!ok_status(r.status)) {
        rc = sk_cli_fail_resp(c, &r);
        sk_kresp_free(&r);
        return rc;
    }
    struct sk_error *e = NULL;
    if (sk_json_parse(r.body ? r.body : "", r.body_len, out, &e)) {
        rc = sk_cli_fail(c, "the server's answer to GET %s is not JSON: %s", path,
                         sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }
    sk_kresp_free(&r);
    return rc;
}

int sk_cli_send_raw(struct sk_cli *c, const char *method, const char *path,
                    const char *content_type, const void *body, size_t len, int *status_out,
                    struct sk_val **out)
{
    struct sk_kresp r;
    if (out) *out = NULL;
    int rc = sk_cli_request(c, method, path, content_type, body, len, NULL, &r);
    if (rc) return rc;
    if (status_out) *status_out = r.status;
    if (!ok_status(r.status) && !status_out) {
        rc = sk_cli_fail_resp(c, &r);
        sk_kresp_free(&r);
        return rc;
    }
    if (out && r.body && r.body_len) sk_json_parse(r.body, r.body_len, out, NULL);
    sk_kresp_free(&r);
    return 0;
}

int sk_cli_send_json(struct sk_cli *c, const char *method, const char *path,
                     const char *content_type, const struct sk_val *body, struct sk_val **out)
{
    size_t len = 0;
    char *text = body ? sk_json_dump(body, SK_JSON_COMPACT, &len) : NULL;
    int rc = sk_cli_send_raw(c, method, path,
                             body ? (content_type ? content_type : "application/json") : NULL, text,
                             len, NULL, out);
    free(text);
    return rc;
}
