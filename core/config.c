/* The agent's configuration: skiff.yaml is read with libyaml's event API into
 * a small tree, checked key by key against the schema below, then overridden
 * by command-line flags. plugins.<name> sections stay raw (text and position
 * of each value) until the plugin's option table is known. */
#include "config.h"
#include "log.h"
#include "mem.h"
#include "val.h"
#include "yaml.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

/* A config file is a few dozen lines; anything near this is a mistake. */
#define CONFIG_MAX_BYTES ((size_t)1 << 20)
/* plugins.<name>.<key> is the deepest valid place; deeper collections are
 * always a type error, so they are skipped instead of being built. */
#define MAX_MAP_DEPTH 3
/* How deep a skipped (always invalid) collection may nest. */
#define MAX_SKIP_DEPTH 32
/* Larger than any sane timeout, small enough that callers may convert to
 * int64 nanoseconds without overflow. */
#define DURATION_MAX 1e9
/* A plugin's options struct is a handful of fields. */
#define OPTIONS_MAX_SIZE ((size_t)1 << 20)
#define SUN_PATH_MAX     107

#define DEFAULT_DATA_DIR   "/var/lib/skiff"
#define DEFAULT_PLUGIN_DIR "/usr/lib/skiff/plugins"
#define DEFAULT_API_LISTEN "127.0.0.1:6443"
#define DEFAULT_SYSTEM_CFG "/etc/skiff/skiff.yaml"

/* ---- the parsed tree ---- */

enum node_kind { N_SCALAR, N_MAP, N_SEQ, N_ALIAS };

struct pair;

struct node {
    enum node_kind kind;
    int line, col; /* 1-based */
    bool null;     /* a plain ~, null or empty scalar */
    char *str;     /* scalar text (always set for scalars), or alias name */
    /* A list, or a mapping too deep to build: where its text is, so a
     * SKIFF_OPT_TREE option can parse it later (span_len 0: not kept). */
    size_t span_off, span_len;
    struct pair *pairs;
    size_t npairs, cap;
};

struct pair {
    struct node key, val;
};

/* One `key: value` of a plugin section, kept as written. */
struct plugin_kv {
    char *key;
    char *value; /* NULL when the value is null: keep the default */
    /* A mapping or list value: its YAML text, preceded by newlines and
     * spaces so that it starts at its own line and column (parse errors
     * then name the file's lines); NULL for scalars. */
    char *tree;
    size_t tree_len;
    bool tree_is_list;
    int kline, kcol, vline, vcol;
};

struct sk_config_plugin {
    struct sk_config_plugin *next;
    char *name;
    char *file; /* for messages: plugin options are parsed long after the file */
    int line, col;
    bool enabled;
    struct plugin_kv *kv;
    size_t nkv;
};

static void node_clear(struct node *n)
{
    for (size_t i = 0; i < n->npairs; i++) {
        node_clear(&n->pairs[i].key);
        node_clear(&n->pairs[i].val);
    }
    free(n->pairs);
    free(n->str);
    memset(n, 0, sizeof(*n));
}

static void event_cleanup(yaml_event_t *ev)
{
    yaml_event_delete(ev);
}
#define _cleanup_event_ __attribute__((cleanup(event_cleanup)))

static void config_freep(struct sk_config **c)
{
    sk_config_free(*c);
}
#define _cleanup_config_ __attribute__((cleanup(config_freep)))

/* ---- message helpers ---- */

/* User text goes into one-line messages: escape it and cut it short so a
 * 1 MiB scalar or an embedded newline cannot mangle the log. */
static const char *esc(char *buf, size_t n, const char *s, size_t max)
{
    size_t o = 0, i = 0;
    for (; s[i] && o + 8 < n && i < max; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (c == '\t') {
            buf[o++] = '\\';
            buf[o++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
        } else {
            buf[o++] = (char)c;
        }
    }
    if (s[i] && o + 4 <= n) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = 0;
    return buf;
}

#define QLEN 256
/* Quoted, escaped form of a user value for messages. */
static const char *quote(char *buf, const char *s)
{
    char tmp[QLEN - 2];
    esc(tmp, sizeof(tmp), s, 64);
    snprintf(buf, QLEN, "\"%s\"", tmp);
    return buf;
}

/* Dotted key path, e.g. "plugins.ping.interval", with each part escaped. */
static void path_join(char *out, size_t n, const char *prefix, const char *key)
{
    char k[QLEN];
    esc(k, sizeof(k), key, 48);
    /* a cut-off path still names the place well enough */
    size_t o = 0;
    const char *parts[3] = {prefix && *prefix ? prefix : "", prefix && *prefix ? "." : "", k};
    for (int i = 0; i < 3; i++)
        for (const char *p = parts[i]; *p && o + 1 < n; p++)
            out[o++] = *p;
    out[o] = 0;
}

/* Levenshtein distance, for "did you mean"; keys are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return SIZE_MAX;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Track the closest candidate for a misspelt key. */
struct suggest {
    const char *key;
    const char *best;
    size_t dist;
};

static void suggest_try(struct suggest *s, const char *cand)
{
    size_t d = edit_distance(s->key, cand);
    size_t limit = strlen(cand) < 5 ? 1 : 2;
    if (d <= limit && d < s->dist) {
        s->dist = d;
        s->best = cand;
    }
}

/* " (did you mean \"prefix.best\"?)" or "" */
static const char *suggest_text(char *buf, size_t n, const struct suggest *s, const char *prefix)
{
    buf[0] = 0;
    if (!s->best) return buf;
    char p[QLEN * 2];
    path_join(p, sizeof(p), prefix, s->best);
    snprintf(buf, n, " (did you mean \"%s\"?)", p);
    return buf;
}

/* ---- value parsers: each returns NULL when the text is good, else a
 * static reason that callers put after the offending value ---- */

static const char *int64_why(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    if (!*p) return "expected an integer";
    for (; *p; p++)
        if (!isdigit((unsigned char)*p)) return "expected an integer";
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end) return "integer out of range";
    *out = v;
    return NULL;
}

static const char *double_why(const char *s, double *out)
{
    /* strtod alone would take "inf", "nan" and hex floats */
    bool digit = false;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digit = true;
        else if (!strchr("+-.eE", *p))
            return "expected a number";
    }
    if (!digit) return "expected a number";
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (*end || end == s) return "expected a number";
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0)) return "number out of range";
    *out = v;
    return NULL;
}

static const char *bool_why(const char *s, bool *out)
{
    if (!strcmp(s, "true")) {
        *out = true;
        return NULL;
    }
    if (!strcmp(s, "false")) {
        *out = false;
        return NULL;
    }
    return "expected true or false (yes/no/on/off are not accepted)";
}

static const char *duration_why(const char *s, double *out)
{
    static const struct {
        const char *unit;
        double secs;
    } units[] = {
            /* longer units first so "ms" is not read as "m" */
            {"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"ms", 1e-3},
            {"s", 1},     {"m", 60},    {"h", 3600},
    };
    if (!*s) return "empty duration";
    if (*s == '-') return "negative durations are not allowed";
    double total = 0;
    const char *p = s;
    while (*p) {
        size_t n = strspn(p, "0123456789.");
        if (n == 0) return "expected a number followed by a unit (e.g. 500ms, 10s, 5m, 1h30m)";
        if (n > 32) return "number too long";
        char num[40];
        memcpy(num, p, n);
        num[n] = 0;
        if (strchr(num, '.') != strrchr(num, '.') || !strpbrk(num, "0123456789"))
            return "bad number";
        p += n;
        if (!*p) return "missing unit (e.g. 500ms, 10s, 5m, 1h30m)";
        double unit = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t ul = strlen(units[i].unit);
            if (!strncmp(p, units[i].unit, ul)) {
                unit = units[i].secs;
                p += ul;
                break;
            }
        }
        if (unit == 0) return "unknown unit (use ns, us, ms, s, m or h)";
        total += strtod(num, NULL) * unit;
        if (!(total <= DURATION_MAX)) return "duration too large";
    }
    *out = total;
    return NULL;
}

static const char *size_why(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t mult;
    } units[] = {
            {"Ki", 1ull << 10},
            {"Mi", 1ull << 20},
            {"Gi", 1ull << 30},
            {"Ti", 1ull << 40},
            {"Pi", 1ull << 50},
            {"Ei", 1ull << 60},
            {"k", 1000ull},
            {"M", 1000000ull},
            {"G", 1000000000ull},
            {"T", 1000000000000ull},
            {"P", 1000000000000000ull},
            {"E", 1000000000000000000ull},
            {"", 1},
    };
    if (!*s) return "empty size";
    if (*s == '-') return "negative sizes are not allowed";
    const char *p = s;
    size_t ni = strspn(p, "0123456789");
    if (ni == 0) return "expected a number of bytes, optionally with a unit (e.g. 512, 64Ki, 10Mi)";
    unsigned __int128 whole = 0;
    for (size_t i = 0; i < ni; i++) {
        whole = whole * 10 + (unsigned)(p[i] - '0');
        if (whole > UINT64_MAX) return "size too large";
    }
    p += ni;
    unsigned __int128 frac = 0, scale = 1;
    if (*p == '.') {
        p++;
        size_t nf = strspn(p, "0123456789");
        if (nf == 0) return "bad number";
        if (nf > 18) return "too many decimals";
        for (size_t i = 0; i < nf; i++) {
            frac = frac * 10 + (unsigned)(p[i] - '0');
            scale *= 10;
        }
        p += nf;
    }
    uint64_t mult = 0;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcmp(p, units[i].unit)) {
            mult = units[i].mult;
            break;
        }
    if (!mult) return "unknown unit (use k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei)";
    unsigned __int128 v = whole * mult;
    if (v > UINT64_MAX) return "size too large";
    if (frac) {
        unsigned __int128 f = frac * mult;
        if (f % scale) return "not a whole number of bytes";
        v += f / scale;
        if (v > UINT64_MAX) return "size too large";
    }
    *out = (uint64_t)v;
    return NULL;
}

/* A DNS-style host name; the address family is the resolver's business. */
static bool is_hostname(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 253) return false;
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        if (!isalnum((unsigned char)c) && c != '-') return false;
        if (c == '-' && label == 0) return false;
        if (++label > 63) return false;
    }
    return s[len - 1] != '-';
}

static const char *hostport_why(const char *s, char *host, size_t hostlen, int *port, bool *toobig)
{
    const char *h, *ps;
    size_t hl;
    *toobig = false;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close) return "missing ']' after an IPv6 address";
        h = s + 1;
        hl = (size_t)(close - h);
        if (close[1] != ':') return "want ADDR:PORT";
        ps = close + 2;
        char a6[INET6_ADDRSTRLEN + 1];
        unsigned char bin[16];
        if (hl == 0 || hl >= sizeof(a6)) return "invalid IPv6 address";
        memcpy(a6, h, hl);
        a6[hl] = 0;
        if (inet_pton(AF_INET6, a6, bin) != 1) return "invalid IPv6 address";
    } else {
        const char *colon = strrchr(s, ':');
        if (!colon) return "want ADDR:PORT";
        h = s;
        hl = (size_t)(colon - s);
        ps = colon + 1;
        if (memchr(h, ':', hl))
            return "want ADDR:PORT (write IPv6 addresses in brackets: [::1]:6443)";
        if (hl == 0) return "missing address (use 0.0.0.0 for every interface)";
        char a[256];
        if (hl >= sizeof(a)) return "address too long";
        memcpy(a, h, hl);
        a[hl] = 0;
        unsigned char bin[4];
        if (strspn(a, "0123456789.") == hl) {
            if (inet_pton(AF_INET, a, bin) != 1) return "invalid IPv4 address";
        } else if (!is_hostname(a)) {
            return "invalid host name";
        }
    }
    size_t pl = strlen(ps);
    if (pl == 0) return "missing port";
    if (pl > 5 || strspn(ps, "0123456789") != pl) return "port must be a number 1..65535";
    int pv = atoi(ps);
    if (pv < 1 || pv > 65535) return "port must be 1..65535";
    if (host) {
        if (hl >= hostlen) {
            *toobig = true;
            return "address too long";
        }
        memcpy(host, h, hl);
        host[hl] = 0;
    }
    if (port) *port = pv;
    return NULL;
}

static const char *bus_listen_why(const char *s)
{
    if (!*s) return NULL;
    if (!strncmp(s, "tcp://", 6)) {
        bool big;
        int port;
        const char *why = hostport_why(s + 6, NULL, 0, &port, &big);
        return why ? why : NULL;
    }
    if (!strncmp(s, "ipc://", 6)) {
        const char *path = s + 6;
        if (path[0] != '/') return "want ipc:///absolute/path";
        if (strlen(path) > SUN_PATH_MAX) return "socket path too long (max 107 bytes)";
        return NULL;
    }
    return "want \"\" (off), tcp://ADDR:PORT or ipc:///path";
}

static const char *node_name_why(const char *s)
{
    size_t len = strlen(s);
    if (len == 0) return "must not be empty";
    if (len > 253) return "too long (max 253 characters)";
    for (size_t i = 0; i < len; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-' &&
            s[i] != '.')
            return "use only lowercase letters, digits, '-' and '.'";
    if (!is_hostname(s))
        return "each dot-separated part must start and end with a letter or digit and be at "
               "most 63 characters";
    return NULL;
}

sk_err sk_parse_duration(const char *s, double *seconds)
{
    double v;
    if (!s || duration_why(s, &v)) return SK_EINVAL;
    if (seconds) *seconds = v;
    return SK_OK;
}

sk_err sk_parse_size(const char *s, uint64_t *bytes)
{
    uint64_t v;
    if (!s || size_why(s, &v)) return SK_EINVAL;
    if (bytes) *bytes = v;
    return SK_OK;
}

sk_err sk_parse_hostport(const char *s, char *host, size_t hostlen, int *port)
{
    bool big;
    if (!s) return SK_EINVAL;
    if (hostport_why(s, host, hostlen, port, &big)) return big ? SK_ETOOBIG : SK_EINVAL;
    return SK_OK;
}

/* ---- the schema of the core keys ---- */

enum key {
    K_NODE_NAME,
    K_DATA_DIR,
    K_PLUGIN_DIR,
    K_LOG_LEVEL,
    K_WORKERS,
    K_SHUTDOWN_TIMEOUT,
    K_API_LISTEN,
    K_API_MAX_PROXY_BODY,
    K_BUS_LISTEN,
    K_SECTION,
    K_PLUGINS,
};

struct key_def {
    const char *name;
    enum key k;
    const char *what; /* for "expected <what>, got a list" */
    const struct key_def *sub;
};

static const struct key_def api_defs[] = {
        {"listen", K_API_LISTEN, "an address (ADDR:PORT)", NULL},
        {"max-proxy-body", K_API_MAX_PROXY_BODY, "a size", NULL},
        {NULL, 0, NULL, NULL},
};

static const struct key_def bus_defs[] = {
        {"listen", K_BUS_LISTEN, "an address (tcp://ADDR:PORT or ipc:///path)", NULL},
        {NULL, 0, NULL, NULL},
};

static const struct key_def top_defs[] = {
        {"node-name", K_NODE_NAME, "a string", NULL},
        {"data-dir", K_DATA_DIR, "a path", NULL},
        {"plugin-dir", K_PLUGIN_DIR, "a path", NULL},
        {"log-level", K_LOG_LEVEL, "a log level", NULL},
        {"workers", K_WORKERS, "an integer", NULL},
        {"shutdown-timeout", K_SHUTDOWN_TIMEOUT, "a duration", NULL},
        {"api", K_SECTION, "a mapping", api_defs},
        {"bus", K_SECTION, "a mapping", bus_defs},
        {"plugins", K_PLUGINS, "a mapping", NULL},
        {NULL, 0, NULL, NULL},
};

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = sk_xstrdup(v);
}

/* Check v for key k and store it. On failure writes the reason, starting
 * after "key: ", into why. Shared by the file and the flags. */
static bool apply_key(struct sk_config *cfg, enum key k, const char *v, char *why, size_t n)
{
    char q[QLEN];
    const char *r;
    switch (k) {
    case K_NODE_NAME:
        if ((r = node_name_why(v))) {
            snprintf(why, n, "invalid node name %s: %s", quote(q, v), r);
            return false;
        }
        set_str(&cfg->node_name, v);
        return true;
    case K_DATA_DIR:
    case K_PLUGIN_DIR:
        if (!*v) {
            snprintf(why, n, "must not be empty");
            return false;
        }
        set_str(k == K_DATA_DIR ? &cfg->data_dir : &cfg->plugin_dir, v);
        return true;
    case K_LOG_LEVEL:
        /* exact names only, so the file reads the same as the docs */
        for (int l = SK_LOG_ERROR; l <= SK_LOG_TRACE; l++)
            if (!strcmp(v, sk_log_level_name(l))) {
                cfg->log_level = l;
                return true;
            }
        snprintf(why, n, "expected one of error|warn|info|debug|trace, got %s", quote(q, v));
        return false;
    case K_WORKERS: {
        int64_t w;
        if (int64_why(v, &w)) {
            snprintf(why, n, "expected an integer, got %s", quote(q, v));
            return false;
        }
        if (w < 1 || w > 64) {
            snprintf(why, n, "must be between 1 and 64, got %s", quote(q, v));
            return false;
        }
        cfg->workers = (int)w;
        return true;
    }
    case K_SHUTDOWN_TIMEOUT: {
        double d;
        if ((r = duration_why(v, &d))) {
            snprintf(why, n, "invalid duration %s: %s", quote(q, v), r);
            return false;
        }
        cfg->shutdown_timeout = d;
        return true;
    }
    case K_API_LISTEN: {
        bool big;
        int port;
        if ((r = hostport_why(v, NULL, 0, &port, &big))) {
            snprintf(why, n, "invalid address %s: %s", quote(q, v), r);
            return false;
        }
        set_str(&cfg->api_listen, v);
        return true;
    }
    case K_API_MAX_PROXY_BODY: {
        uint64_t b;
        if ((r = size_why(v, &b))) {
            snprintf(why, n, "invalid size %s: %s", quote(q, v), r);
            return false;
        }
        /* a body is held in memory whole: keep it within what a small
         * node can spare */
        if (b < 1024 || b > (uint64_t)1 << 30) {
            snprintf(why, n, "must be between 1Ki and 1Gi, got %s", quote(q, v));
            return false;
        }
        cfg->api_max_proxy_body = b;
        return true;
    }
    case K_BUS_LISTEN:
        if ((r = bus_listen_why(v))) {
            snprintf(why, n, "invalid address %s: %s", quote(q, v), r);
            return false;
        }
        set_str(&cfg->bus_listen, v);
        return true;
    case K_SECTION:
    case K_PLUGINS: break;
    }
    snprintf(why, n, "not a value key");
    return false;
}

/* ---- reading YAML into a tree ---- */

struct reader {
    yaml_parser_t parser;
    const char *name;
    const char *text;
    size_t len;
    struct sk_error **err;
};

static sk_err fail_at(struct sk_error **err, const char *name, int line, int col, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));

static sk_err fail_at(struct sk_error **err, const char *name, int line, int col, const char *fmt,
                      ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return sk_fail(err, SK_EINVAL, "%s: line %d, column %d: %s", name, line, col, msg);
}

static sk_err syntax_error(struct reader *r)
{
    yaml_parser_t *p = &r->parser;
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_MEMORY_ERROR)
        return sk_fail(r->err, SK_ENOMEM, "%s: out of memory", r->name);
    if (p->error == YAML_READER_ERROR) {
        /* the reader reports a byte offset; count lines ourselves when we
         * can (UTF-8, the only encoding anyone writes configs in) */
        size_t off = p->problem_offset < r->len ? p->problem_offset : r->len;
        if (p->encoding == YAML_UTF8_ENCODING || p->encoding == YAML_ANY_ENCODING) {
            int line = 1, col = 1;
            for (size_t i = 0; i < off; i++) {
                if (r->text[i] == '\n') {
                    line++;
                    col = 1;
                } else if (((unsigned char)r->text[i] & 0xc0) != 0x80) {
                    col++;
                }
            }
            return fail_at(r->err, r->name, line, col, "invalid input: %s", problem);
        }
        return sk_fail(r->err, SK_EINVAL, "%s: byte %zu: invalid input: %s", r->name, off, problem);
    }
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    if (p->context)
        return fail_at(r->err, r->name, line, col, "syntax error: %s (%s at line %d, column %d)",
                       problem, p->context, (int)p->context_mark.line + 1,
                       (int)p->context_mark.column + 1);
    return fail_at(r->err, r->name, line, col, "syntax error: %s", problem);
}

static sk_err next_event(struct reader *r, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&r->parser, ev)) return syntax_error(r);
    return SK_OK;
}

/* Consume the rest of a list or mapping whose start event was just read;
 * only the syntax of its contents matters. */
static sk_err skip_collection(struct reader *r, size_t *end)
{
    for (size_t depth = 1; depth > 0;) {
        yaml_event_t ev _cleanup_event_ = {0};
        sk_err rc = next_event(r, &ev);
        if (rc) return rc;
        switch (ev.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            /* libyaml's scanner slows down quadratically with flow nesting
             * depth; stop long before that can stall start-up */
            if (++depth > MAX_SKIP_DEPTH)
                return fail_at(r->err, r->name, (int)ev.start_mark.line + 1,
                               (int)ev.start_mark.column + 1, "nesting deeper than %d levels",
                               MAX_SKIP_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (--depth == 0) *end = ev.end_mark.index;
            break;
        default: break;
        }
    }
    return SK_OK;
}

/* libyaml's marks count characters; the text is UTF-8 (a BOM is not
 * counted). */
static size_t char_to_byte(const char *text, size_t len, size_t idx)
{
    size_t i = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0;
    for (; i < len && idx; idx--) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xc0) == 0x80)
            i++;
    }
    return i;
}

/* Skip a collection whose start event is ev, remembering its span. */
static sk_err skip_span(struct reader *r, const yaml_event_t *ev, struct node *out)
{
    size_t end = 0;
    sk_err rc = skip_collection(r, &end);
    if (rc) return rc;
    size_t a = char_to_byte(r->text, r->len, ev->start_mark.index);
    size_t b = char_to_byte(r->text, r->len, end);
    out->span_off = a;
    out->span_len = b > a ? b - a : 0;
    return SK_OK;
}

static bool tag_is(const yaml_char_t *tag, const char *want)
{
    return tag && !strcmp((const char *)tag, want);
}

static sk_err load_map(struct reader *r, struct node *map, int depth);

/* Build out from the node whose first event is ev. depth counts the
 * mappings around it. */
static sk_err load_node(struct reader *r, yaml_event_t *ev, int depth, struct node *out)
{
    out->line = (int)ev->start_mark.line + 1;
    out->col = (int)ev->start_mark.column + 1;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        const char *v = (const char *)ev->data.scalar.value;
        size_t len = ev->data.scalar.length;
        if (memchr(v, 0, len))
            return fail_at(r->err, r->name, out->line, out->col, "NUL character in a value");
        out->kind = N_SCALAR;
        out->str = sk_xstrndup(v, len);
        const yaml_char_t *tag = ev->data.scalar.tag;
        if (tag_is(tag, YAML_NULL_TAG))
            out->null = true;
        else if (!tag_is(tag, YAML_STR_TAG) && ev->data.scalar.plain_implicit &&
                 ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
            out->null = len == 0 || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
                        !strcmp(v, "NULL");
        return SK_OK;
    }
    case YAML_ALIAS_EVENT:
        out->kind = N_ALIAS;
        out->str = sk_xstrdup((const char *)ev->data.alias.anchor);
        return SK_OK;
    case YAML_SEQUENCE_START_EVENT: out->kind = N_SEQ; return skip_span(r, ev, out);
    case YAML_MAPPING_START_EVENT:
        out->kind = N_MAP;
        if (depth >= MAX_MAP_DEPTH) return skip_span(r, ev, out);
        return load_map(r, out, depth + 1);
    default:
        return fail_at(r->err, r->name, out->line, out->col, "unexpected YAML event %d",
                       (int)ev->type);
    }
}

static sk_err load_map(struct reader *r, struct node *map, int depth)
{
    for (;;) {
        yaml_event_t kev _cleanup_event_ = {0};
        sk_err rc = next_event(r, &kev);
        if (rc) return rc;
        if (kev.type == YAML_MAPPING_END_EVENT) return SK_OK;
        if (map->npairs == map->cap) {
            map->cap = map->cap ? map->cap * 2 : 8;
            map->pairs = sk_xrealloc(map->pairs, map->cap * sizeof(*map->pairs));
        }
        struct pair *p = &map->pairs[map->npairs++];
        memset(p, 0, sizeof(*p));
        /* keys are never descended into: a collection key is an error */
        if ((rc = load_node(r, &kev, MAX_MAP_DEPTH, &p->key))) return rc;
        yaml_event_t vev _cleanup_event_ = {0};
        if ((rc = next_event(r, &vev))) return rc;
        if ((rc = load_node(r, &vev, depth, &p->val))) return rc;
    }
}

/* Parse text into *root. An empty stream gives a null scalar. */
static sk_err load_tree(struct reader *r, struct node *root)
{
    sk_err rc;
    bool seen_doc = false;
    root->kind = N_SCALAR;
    root->null = true;
    root->line = root->col = 1;
    for (;;) {
        yaml_event_t ev _cleanup_event_ = {0};
        if ((rc = next_event(r, &ev))) return rc;
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT: break;
        case YAML_STREAM_END_EVENT: return SK_OK;
        case YAML_DOCUMENT_START_EVENT: {
            if (seen_doc)
                return fail_at(r->err, r->name, (int)ev.start_mark.line + 1,
                               (int)ev.start_mark.column + 1,
                               "a second YAML document: the config file holds exactly one");
            seen_doc = true;
            yaml_event_t body _cleanup_event_ = {0};
            if ((rc = next_event(r, &body))) return rc;
            if ((rc = load_node(r, &body, 0, root))) return rc;
            break;
        }
        default:
            return fail_at(r->err, r->name, (int)ev.start_mark.line + 1,
                           (int)ev.start_mark.column + 1, "unexpected YAML event %d", (int)ev.type);
        }
    }
}

/* ---- checking the tree ---- */

struct walk {
    const char *name;
    const char *text; /* the file, for the spans of trees */
    struct sk_error **err;
    struct sk_config *cfg;
    struct sk_config_plugin **tail;
};

/* "a list", "a mapping", "an alias", or the quoted scalar */
static const char *describe(char *buf, const struct node *n)
{
    switch (n->kind) {
    case N_MAP: return "a mapping";
    case N_SEQ: return "a list";
    case N_ALIAS: return "an alias (anchors and aliases are not supported)";
    case N_SCALAR: return n->null ? "null" : quote(buf, n->str);
    }
    return "?";
}

static sk_err type_error(struct walk *w, const struct node *n, const char *path, const char *what)
{
    char q[QLEN];
    return fail_at(w->err, w->name, n->line, n->col, "%s: expected %s, got %s", path, what,
                   describe(q, n));
}

struct keyref {
    const char *key;
    size_t idx;
};

static int keyref_cmp(const void *a, const void *b)
{
    const struct keyref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c) return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Find the first key (in file order) that repeats an earlier one, in
 * O(n log n) so a file of a hundred thousand keys cannot stall the agent.
 * Returns its index and the original's in *orig, or SIZE_MAX. */
static size_t find_dup(const struct node *map, size_t *orig)
{
    size_t n = map->npairs, first = SIZE_MAX, m = 0;
    if (n < 2) return SIZE_MAX;
    struct keyref *refs _sk_cleanup_free_ = sk_xmalloc(n * sizeof(*refs));
    for (size_t i = 0; i < n; i++)
        if (map->pairs[i].key.kind == N_SCALAR && map->pairs[i].key.str)
            refs[m++] = (struct keyref){map->pairs[i].key.str, i};
    qsort(refs, m, sizeof(*refs), keyref_cmp);
    /* equal keys sit together, in file order: the head of a run is the
     * original, every later member a duplicate of it */
    for (size_t k = 1, head = 0; k < m; k++) {
        if (strcmp(refs[k].key, refs[head].key)) {
            head = k;
            continue;
        }
        if (refs[k].idx < first) {
            first = refs[k].idx;
            *orig = refs[head].idx;
        }
    }
    return first;
}

static sk_err walk_plugins(struct walk *w, const struct node *n);

static sk_err walk_map(struct walk *w, const struct node *map, const char *prefix,
                       const struct key_def *defs)
{
    size_t orig = 0, dup = find_dup(map, &orig);
    for (size_t i = 0; i < map->npairs; i++) {
        const struct node *key = &map->pairs[i].key, *val = &map->pairs[i].val;
        char path[QLEN * 2], why[640], sug[QLEN * 3];
        if (key->kind != N_SCALAR)
            return fail_at(w->err, w->name, key->line, key->col,
                           "%s%skeys must be plain strings, not %s", prefix, *prefix ? ": " : "",
                           describe(why, key));
        path_join(path, sizeof(path), prefix, key->str);
        if (i == dup)
            return fail_at(w->err, w->name, key->line, key->col,
                           "duplicate key \"%s\" (first at line %d)", path,
                           map->pairs[orig].key.line);
        const struct key_def *d = defs;
        struct suggest s = {key->str, NULL, SIZE_MAX};
        for (; d->name; d++) {
            if (!strcmp(d->name, key->str)) break;
            suggest_try(&s, d->name);
        }
        if (!d->name)
            return fail_at(w->err, w->name, key->line, key->col, "unknown key \"%s\"%s", path,
                           suggest_text(sug, sizeof(sug), &s, prefix));
        sk_err rc;
        switch (d->k) {
        case K_SECTION:
            if (val->kind == N_SCALAR && val->null) break;
            if (val->kind != N_MAP) return type_error(w, val, path, d->what);
            if ((rc = walk_map(w, val, path, d->sub))) return rc;
            break;
        case K_PLUGINS:
            if ((rc = walk_plugins(w, val))) return rc;
            break;
        default:
            if (val->kind != N_SCALAR) return type_error(w, val, path, d->what);
            if (val->null) break; /* keep the default */
            if (!apply_key(w->cfg, d->k, val->str, why, sizeof(why)))
                return fail_at(w->err, w->name, val->line, val->col, "%s: %s", path, why);
            break;
        }
    }
    return SK_OK;
}

static sk_err walk_section(struct walk *w, struct pair *pr, const char *path)
{
    struct node *key = &pr->key, *val = &pr->val;
    struct sk_config_plugin *sec = sk_xcalloc(1, sizeof(*sec));
    /* link first so the section is freed with the config on error */
    *w->tail = sec;
    w->tail = &sec->next;
    sec->name = sk_xstrdup(key->str);
    sec->file = sk_xstrdup(w->name);
    sec->line = key->line;
    sec->col = key->col;
    sec->enabled = true;
    if (val->kind == N_SCALAR && val->null) return SK_OK;
    if (val->kind != N_MAP) {
        char q[QLEN];
        const char *hint =
                val->kind == N_SCALAR && (!strcmp(val->str, "false") || !strcmp(val->str, "true"))
                        ? " (to switch a plugin on or off write `name: {enabled: false}`)"
                        : "";
        return fail_at(w->err, w->name, val->line, val->col,
                       "%s: a plugin section must be a mapping, got %s%s", path, describe(q, val),
                       hint);
    }
    size_t orig = 0, dup = find_dup(val, &orig);
    sec->kv = sk_xcalloc(val->npairs ? val->npairs : 1, sizeof(*sec->kv));
    for (size_t i = 0; i < val->npairs; i++) {
        struct node *k = &val->pairs[i].key, *v = &val->pairs[i].val;
        char kpath[QLEN * 3], q[QLEN];
        if (k->kind != N_SCALAR)
            return fail_at(w->err, w->name, k->line, k->col,
                           "%s: keys must be plain strings, not %s", path, describe(q, k));
        path_join(kpath, sizeof(kpath), path, k->str);
        if (i == dup)
            return fail_at(w->err, w->name, k->line, k->col,
                           "duplicate key \"%s\" (first at line %d)", kpath,
                           val->pairs[orig].key.line);
        /* A mapping or list is kept as text: whether it is welcome
         * depends on the option's type, known only when the plugin is. */
        bool tree = (v->kind == N_MAP || v->kind == N_SEQ) && v->span_len;
        if (v->kind != N_SCALAR && (!tree || !strcmp(k->str, "enabled")))
            return type_error(w, v, kpath,
                              !strcmp(k->str, "enabled") ? "true or false" : "a single value");
        if (!strcmp(k->str, "enabled")) {
            const char *why;
            if (!v->null && (why = bool_why(v->str, &sec->enabled)))
                return fail_at(w->err, w->name, v->line, v->col, "%s: %s, got %s", kpath, why,
                               quote(q, v->str));
            continue;
        }
        struct plugin_kv *kv = &sec->kv[sec->nkv++];
        /* take the strings: the tree is thrown away after the walk */
        kv->key = k->str;
        k->str = NULL;
        if (tree) {
            struct sk_buf b = {0};
            for (int l = 1; l < v->line; l++)
                sk_buf_putc(&b, '\n');
            for (int c = 1; c < v->col; c++)
                sk_buf_putc(&b, ' ');
            sk_buf_append(&b, w->text + v->span_off, v->span_len);
            kv->tree = sk_buf_take(&b, &kv->tree_len);
            kv->tree_is_list = v->kind == N_SEQ;
        } else if (!v->null) {
            kv->value = v->str;
            v->str = NULL;
        }
        kv->kline = k->line;
        kv->kcol = k->col;
        kv->vline = v->line;
        kv->vcol = v->col;
    }
    return SK_OK;
}

static sk_err walk_plugins(struct walk *w, const struct node *n)
{
    if (n->kind == N_SCALAR && n->null) return SK_OK;
    if (n->kind != N_MAP) return type_error(w, n, "plugins", "a mapping of plugin sections");
    size_t orig = 0, dup = find_dup(n, &orig);
    for (size_t i = 0; i < n->npairs; i++) {
        struct pair *pr = &n->pairs[i];
        char path[QLEN * 2], q[QLEN];
        if (pr->key.kind != N_SCALAR)
            return fail_at(w->err, w->name, pr->key.line, pr->key.col,
                           "plugins: keys must be plugin names, not %s", describe(q, &pr->key));
        path_join(path, sizeof(path), "plugins", pr->key.str);
        if (i == dup)
            return fail_at(w->err, w->name, pr->key.line, pr->key.col,
                           "duplicate key \"%s\" (first at line %d)", path,
                           n->pairs[orig].key.line);
        sk_err rc = walk_section(w, pr, path);
        if (rc) return rc;
    }
    return SK_OK;
}

/* ---- public entry points ---- */

static struct sk_config *config_new(void)
{
    struct sk_config *c = sk_xcalloc(1, sizeof(*c));
    c->data_dir = sk_xstrdup(DEFAULT_DATA_DIR);
    c->plugin_dir = sk_xstrdup(DEFAULT_PLUGIN_DIR);
    c->log_level = SK_LOG_INFO;
    c->workers = 2;
    c->api_listen = sk_xstrdup(DEFAULT_API_LISTEN);
    c->bus_listen = sk_xstrdup("");
    c->api_max_proxy_body = (uint64_t)64 << 20;
    c->shutdown_timeout = 2.0;
    return c;
}

static sk_err parse_into(struct sk_config *cfg, const char *name, const char *text, size_t len,
                         struct sk_error **err)
{
    if (len > CONFIG_MAX_BYTES)
        return sk_fail(err, SK_ETOOBIG, "%s: file is larger than 1 MiB (%zu bytes)", name, len);
    struct reader r = {.name = name, .text = text ? text : "", .len = text ? len : 0, .err = err};
    if (!yaml_parser_initialize(&r.parser))
        return sk_fail(err, SK_ENOMEM, "%s: out of memory", name);
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)r.text, r.len);
    struct node root = {0};
    sk_err rc = load_tree(&r, &root);
    yaml_parser_delete(&r.parser);
    if (!rc) {
        struct walk w = {
                .name = name, .text = r.text, .err = err, .cfg = cfg, .tail = &cfg->plugins};
        if (root.kind == N_MAP)
            rc = walk_map(&w, &root, "", top_defs);
        else if (!(root.kind == N_SCALAR && root.null)) {
            char q[QLEN];
            rc = fail_at(
                    err, name, root.line, root.col,
                    "the top level must be a mapping of keys (like `data-dir: /var/lib/skiff`), "
                    "got %s",
                    describe(q, &root));
        }
    }
    node_clear(&root);
    return rc;
}

/* node-name's default; Kubernetes wants lowercase node names */
static sk_err default_node_name(struct sk_config *cfg, struct sk_error **err)
{
    char host[256] = {0}, q[QLEN];
    if (gethostname(host, sizeof(host) - 1) < 0)
        return sk_fail_sys(err, errno, "node-name: not set and gethostname failed");
    for (char *p = host; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *why = node_name_why(host);
    if (why)
        return sk_fail(
                err, SK_EINVAL,
                "node-name: the host name %s is not a valid node name (%s); set node-name in "
                "the config file or pass --node-name",
                quote(q, host), why);
    cfg->node_name = sk_xstrdup(host);
    return SK_OK;
}

sk_err sk_config_parse(const char *name, const char *text, size_t len, struct sk_config **out,
                       struct sk_error **err)
{
    *out = NULL;
    if (!name) name = "<config>";
    struct sk_config *cfg _cleanup_config_ = config_new();
    sk_err rc = parse_into(cfg, name, text, len, err);
    if (!rc && !cfg->node_name) rc = default_node_name(cfg, err);
    if (rc) return rc;
    *out = cfg;
    cfg = NULL;
    return SK_OK;
}

/* Read a whole file of at most CONFIG_MAX_BYTES. */
static sk_err read_file(int fd, const char *path, char **out, size_t *outlen, struct sk_error **err)
{
    size_t cap = 16384, n = 0;
    char *buf _sk_cleanup_free_ = sk_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > CONFIG_MAX_BYTES)
                return sk_fail(err, SK_ETOOBIG, "%s: file is larger than 1 MiB", path);
            cap = cap * 2 > CONFIG_MAX_BYTES + 1 ? CONFIG_MAX_BYTES + 1 : cap * 2;
            buf = sk_xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return sk_fail_sys(err, errno, "%s: read", path);
        if (r == 0) break;
        n += (size_t)r;
    }
    *out = buf;
    *outlen = n;
    buf = NULL;
    return SK_OK;
}

/* Open the file to read: the named one, or the first default that exists.
 * *fd is -1 when there is none. */
static sk_err find_file(const struct sk_config_flags *flags, int *fd, const char **path,
                        struct sk_error **err)
{
    *fd = -1;
    *path = NULL;
    if (flags && flags->config_path) {
        *fd = open(flags->config_path, O_RDONLY | O_CLOEXEC);
        if (*fd < 0) return sk_fail_sys(err, errno, "--config %s", flags->config_path);
        *path = flags->config_path;
        return SK_OK;
    }
    const char *env = getenv("SKIFF_CONFIG");
    const char *cands[2] = {env && *env ? env : NULL, DEFAULT_SYSTEM_CFG};
    for (int i = 0; i < 2; i++) {
        if (!cands[i]) continue;
        *fd = open(cands[i], O_RDONLY | O_CLOEXEC);
        if (*fd >= 0) {
            *path = cands[i];
            return SK_OK;
        }
        if (errno != ENOENT && errno != ENOTDIR) return sk_fail_sys(err, errno, "%s", cands[i]);
        if (i == 0)
            SK_WARN("config", "SKIFF_CONFIG names a missing file, ignored path=%s", cands[i]);
    }
    return SK_OK;
}

static sk_err apply_flags(struct sk_config *cfg, const struct sk_config_flags *f,
                          struct sk_error **err)
{
    const struct {
        const char *flag;
        const char *v;
        enum key k;
    } list[] = {
            {"--data-dir", f->data_dir, K_DATA_DIR},
            {"--node-name", f->node_name, K_NODE_NAME},
            {"--api-listen", f->api_listen, K_API_LISTEN},
            {"--plugin-dir", f->plugin_dir, K_PLUGIN_DIR},
            {"--log-level", f->log_level, K_LOG_LEVEL},
    };
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        char why[640];
        if (list[i].v && !apply_key(cfg, list[i].k, list[i].v, why, sizeof(why)))
            return sk_fail(err, SK_EINVAL, "%s: %s", list[i].flag, why);
    }
    return SK_OK;
}

sk_err sk_config_load(const struct sk_config_flags *flags, struct sk_config **out,
                      struct sk_error **err)
{
    *out = NULL;
    struct sk_config *cfg _cleanup_config_ = config_new();
    int fd;
    const char *path;
    sk_err rc = find_file(flags, &fd, &path, err);
    if (rc) return rc;
    if (fd >= 0) {
        char *text _sk_cleanup_free_ = NULL;
        size_t len = 0;
        rc = read_file(fd, path, &text, &len, err);
        close(fd);
        if (rc) return rc;
        cfg->path = sk_xstrdup(path);
        if ((rc = parse_into(cfg, path, text, len, err))) return rc;
    }
    if (flags && (rc = apply_flags(cfg, flags, err))) return rc;
    if (!cfg->node_name && (rc = default_node_name(cfg, err))) return rc;
    *out = cfg;
    cfg = NULL;
    return SK_OK;
}

void sk_config_free(struct sk_config *cfg)
{
    if (!cfg) return;
    free(cfg->path);
    free(cfg->node_name);
    free(cfg->data_dir);
    free(cfg->plugin_dir);
    free(cfg->api_listen);
    free(cfg->bus_listen);
    for (struct sk_config_plugin *p = cfg->plugins, *next; p; p = next) {
        next = p->next;
        for (size_t i = 0; i < p->nkv; i++) {
            free(p->kv[i].key);
            free(p->kv[i].value);
            free(p->kv[i].tree);
        }
        free(p->kv);
        free(p->name);
        free(p->file);
        free(p);
    }
    free(cfg);
}

static const struct sk_config_plugin *find_section(const struct sk_config *cfg, const char *name)
{
    if (!cfg || !name) return NULL;
    for (const struct sk_config_plugin *p = cfg->plugins; p; p = p->next)
        if (!strcmp(p->name, name)) return p;
    return NULL;
}

bool sk_config_plugin_enabled(const struct sk_config *cfg, const char *name)
{
    const struct sk_config_plugin *p = find_section(cfg, name);
    return p ? p->enabled : true;
}

size_t sk_config_plugin_sections(const struct sk_config *cfg, const char **names, size_t max)
{
    size_t n = 0;
    for (const struct sk_config_plugin *p = cfg ? cfg->plugins : NULL; p; p = p->next) {
        if (names && n == max) break;
        if (names) names[n] = p->name;
        n++;
    }
    return n;
}

int sk_config_plugin_line(const struct sk_config *cfg, const char *name)
{
    const struct sk_config_plugin *p = find_section(cfg, name);
    return p ? p->line : 0;
}

/* ---- plugin option tables ---- */

static size_t opt_size(enum skiff_opt_type t)
{
    switch (t) {
    case SKIFF_OPT_STR: return sizeof(char *);
    case SKIFF_OPT_INT: return sizeof(int64_t);
    case SKIFF_OPT_BOOL: return sizeof(bool);
    case SKIFF_OPT_DOUBLE:
    case SKIFF_OPT_DURATION: return sizeof(double);
    case SKIFF_OPT_SIZE: return sizeof(uint64_t);
    case SKIFF_OPT_TREE: return sizeof(struct skiff_opt_tree);
    }
    return 0;
}

static void tree_clear(void *dst)
{
    struct skiff_opt_tree t;
    memcpy(&t, dst, sizeof(t));
    free((void *)t.msgpack);
    free((void *)t.origin);
    memset(dst, 0, sizeof(t));
}

/* Replace the tree at dst (memcpy: it need not be aligned) with v. */
static void tree_set(void *dst, const struct sk_val *v, const char *origin)
{
    tree_clear(dst);
    struct sk_buf b = {0};
    sk_val_to_msgpack(v, &b);
    struct skiff_opt_tree t = {.origin = sk_xstrdup(origin)};
    t.msgpack = sk_buf_take(&b, &t.len);
    memcpy(dst, &t, sizeof(t));
}

/* Parse s as type t into the field at dst (memcpy: the offset comes from
 * the plugin and need not be aligned). Returns NULL or why not, in buf. */
static const char *opt_parse(enum skiff_opt_type t, const char *s, void *dst, char *buf, size_t n)
{
    char q[QLEN];
    const char *r = NULL;
    switch (t) {
    case SKIFF_OPT_STR: {
        char *old, *nw = sk_xstrdup(s);
        memcpy(&old, dst, sizeof(old));
        free(old);
        memcpy(dst, &nw, sizeof(nw));
        return NULL;
    }
    case SKIFF_OPT_INT: {
        int64_t v;
        if ((r = int64_why(s, &v))) break;
        memcpy(dst, &v, sizeof(v));
        return NULL;
    }
    case SKIFF_OPT_BOOL: {
        bool v;
        if ((r = bool_why(s, &v))) break;
        memcpy(dst, &v, sizeof(v));
        return NULL;
    }
    case SKIFF_OPT_DOUBLE: {
        double v;
        if ((r = double_why(s, &v))) break;
        memcpy(dst, &v, sizeof(v));
        return NULL;
    }
    case SKIFF_OPT_DURATION: {
        double v;
        if ((r = duration_why(s, &v))) {
            snprintf(buf, n, "invalid duration %s: %s", quote(q, s), r);
            return buf;
        }
        memcpy(dst, &v, sizeof(v));
        return NULL;
    }
    case SKIFF_OPT_TREE: {
        struct sk_val *v = s ? sk_val_str(s) : sk_val_null();
        tree_set(dst, v, "default");
        sk_val_free(v);
        return NULL;
    }
    case SKIFF_OPT_SIZE: {
        uint64_t v;
        if ((r = size_why(s, &v))) {
            snprintf(buf, n, "invalid size %s: %s", quote(q, s), r);
            return buf;
        }
        memcpy(dst, &v, sizeof(v));
        return NULL;
    }
    }
    if (!r) r = "unknown option type";
    snprintf(buf, n, "%s, got %s", r, quote(q, s));
    return buf;
}

void sk_config_options_free(const struct skiff_option *table, void *opts)
{
    if (!opts) return;
    for (const struct skiff_option *o = table; o && o->key; o++)
        if (o->type == SKIFF_OPT_TREE) {
            tree_clear((char *)opts + o->offset);
        } else if (o->type == SKIFF_OPT_STR) {
            char *s;
            memcpy(&s, (char *)opts + o->offset, sizeof(s));
            free(s);
            /* two table rows may share a field; never free it twice */
            s = NULL;
            memcpy((char *)opts + o->offset, &s, sizeof(s));
        }
    free(opts);
}

/* A SKIFF_OPT_TREE value from the file: a scalar is a string, a mapping
 * or list is parsed as Kubernetes YAML (errors keep the file's lines). */
static sk_err tree_option(const struct plugin_kv *kv, const char *file, const char *path, void *dst,
                          struct sk_error **err)
{
    struct sk_val *v = NULL;
    if (kv->tree) {
        struct sk_error *e = NULL;
        sk_err rc = sk_yaml_parse_one(kv->tree, kv->tree_len, file, &v, &e);
        if (rc) {
            rc = sk_fail(err, rc, "%s (in %s)", sk_error_msg(e, rc), path);
            sk_error_free(e);
            return rc;
        }
    } else {
        v = sk_val_str(kv->value);
    }
    char origin[QLEN * 2];
    snprintf(origin, sizeof(origin), "%s: line %d, column %d", file, kv->vline, kv->vcol);
    tree_set(dst, v, origin);
    sk_val_free(v);
    return SK_OK;
}

static void opts_freep(void *p)
{
    void **pp = p;
    free(*pp);
}

sk_err sk_config_plugin_options(const struct sk_config *cfg, const char *name,
                                const struct skiff_option *table, size_t options_size, void **out,
                                struct sk_error **err)
{
    *out = NULL;
    char pname[QLEN];
    esc(pname, sizeof(pname), name ? name : "?", 48);
    /* the table is the plugin's: check it before writing through it */
    if (options_size > OPTIONS_MAX_SIZE)
        return sk_fail(err, SK_EINVAL, "plugin %s: options_size %zu is too large", pname,
                       options_size);
    for (const struct skiff_option *o = table; o && o->key; o++) {
        size_t sz = opt_size(o->type);
        if (!sz)
            return sk_fail(err, SK_EINVAL, "plugin %s: option %s: unknown type %d", pname, o->key,
                           (int)o->type);
        if (o->offset > options_size || sz > options_size - o->offset)
            return sk_fail(err, SK_EINVAL,
                           "plugin %s: option %s: offset %zu is outside options_size %zu", pname,
                           o->key, o->offset, options_size);
    }

    /* STR fields must be valid before anything can fail: calloc gives NULL */
    void *opts __attribute__((cleanup(opts_freep))) =
            sk_xcalloc(1, options_size ? options_size : 1);
    sk_err rc = SK_OK;
    for (const struct skiff_option *o = table; o && o->key && !rc; o++) {
        char why[640];
        void *dst = (char *)opts + o->offset;
        const char *def = o->def ? o->def : (o->type == SKIFF_OPT_STR ? "" : NULL);
        if (!def && o->type == SKIFF_OPT_TREE) {
            struct sk_val *nil = sk_val_null();
            tree_set(dst, nil, "default");
            sk_val_free(nil);
        }
        if (def && opt_parse(o->type, def, dst, why, sizeof(why)))
            rc = sk_fail(err, SK_EINVAL, "plugins.%s.%s: the plugin's default is invalid: %s",
                         pname, o->key, why);
    }

    const struct sk_config_plugin *sec = find_section(cfg, name);
    for (size_t i = 0; sec && i < sec->nkv && !rc; i++) {
        const struct plugin_kv *kv = &sec->kv[i];
        const struct skiff_option *o = table;
        struct suggest s = {kv->key, NULL, SIZE_MAX};
        suggest_try(&s, "enabled");
        for (; o && o->key; o++) {
            if (!strcmp(o->key, kv->key)) break;
            suggest_try(&s, o->key);
        }
        char path[QLEN * 2], pfx[QLEN + 16], why[640], sug[QLEN * 3];
        snprintf(pfx, sizeof(pfx), "plugins.%s", pname);
        path_join(path, sizeof(path), pfx, kv->key);
        if (!o || !o->key) {
            rc = fail_at(err, sec->file, kv->kline, kv->kcol, "unknown key \"%s\"%s", path,
                         suggest_text(sug, sizeof(sug), &s, pfx));
            break;
        }
        void *dst = (char *)opts + o->offset;
        if (kv->tree && o->type != SKIFF_OPT_TREE) {
            rc = fail_at(err, sec->file, kv->vline, kv->vcol, "%s: expected a single value, got %s",
                         path, kv->tree_is_list ? "a list" : "a mapping");
            break;
        }
        if (o->type == SKIFF_OPT_TREE && (kv->tree || kv->value)) {
            rc = tree_option(kv, sec->file, path, dst, err);
            continue;
        }
        if (!kv->value) continue; /* null: keep the default */
        if (opt_parse(o->type, kv->value, dst, why, sizeof(why)))
            rc = fail_at(err, sec->file, kv->vline, kv->vcol, "%s: %s", path, why);
    }
    if (rc) {
        sk_config_options_free(table, opts);
        opts = NULL;
        return rc;
    }
    *out = opts;
    opts = NULL;
    return SK_OK;
}
