/* registries.yaml-style settings (mirrors with rewrites, per-registry
 * auth and TLS), from a file or inline in skiff.yaml, and the lookups the
 * puller makes in them. */
#include "regconf.h"

#include "json.h"
#include "mem.h"
#include "yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <mbedtls/base64.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One mirrors.<registry>.rewrite rule, compiled. */
struct rewrite {
    const char *host; /* borrowed from doc */
    const char *pattern, *repl;
    regex_t re;
};

struct img_regconf {
    struct sk_val *doc; /* validated map: mirrors, configs */
    struct rewrite *rw; /* in the order written, registry by registry */
    size_t nrw;
};

static bool key_in(const char *k, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (!strcmp(k, *allowed)) return true;
    return false;
}

static sk_err check_keys(const struct sk_val *m, const char *where, const char *const *allowed,
                         struct sk_error **err)
{
    if (!sk_val_is(m, SK_V_MAP)) return sk_fail(err, SK_EINVAL, "%s: want a mapping", where);
    for (size_t i = 0; i < m->u.m.n; i++)
        if (!key_in(m->u.m.kv[i].key, allowed))
            return sk_fail(err, SK_EINVAL, "%s: unknown key \"%s\"", where, m->u.m.kv[i].key);
    return SK_OK;
}

static sk_err check_strs(const struct sk_val *m, const char *where, const char *const *keys,
                         struct sk_error **err)
{
    for (; *keys; keys++) {
        const struct sk_val *v = sk_map_get(m, *keys);
        if (v && v->type != SK_V_STR && v->type != SK_V_NULL)
            return sk_fail(err, SK_EINVAL, "%s.%s: want a string", where, *keys);
    }
    return SK_OK;
}

/* A replacement may name groups as $N or ${N}; $$ is a dollar. The
 * highest group it names, or -1 for a malformed one. */
static int max_group(const char *r)
{
    int hi = 0;
    for (const char *p = r; *p; p++) {
        if (*p != '$') continue;
        p++;
        if (*p == '$') continue;
        bool brace = *p == '{';
        if (brace) p++;
        if (*p < '0' || *p > '9') return -1;
        int g = 0;
        while (*p >= '0' && *p <= '9') {
            g = g * 10 + (*p - '0');
            if (g > 99) return -1;
            p++;
        }
        if (brace && *p != '}') return -1;
        if (!brace) p--;
        if (g > hi) hi = g;
    }
    return hi;
}

static sk_err add_rewrites(struct img_regconf *c, const char *host, const struct sk_val *rw,
                           const char *where, struct sk_error **err)
{
    if (!rw || rw->type == SK_V_NULL) return SK_OK;
    if (!sk_val_is(rw, SK_V_MAP))
        return sk_fail(err, SK_EINVAL,
                       "%s.rewrite: want a mapping of pattern to replacement, like "
                       "{\"^library/(.*)\": \"mirror/$1\"}",
                       where);
    for (size_t i = 0; i < rw->u.m.n; i++) {
        const char *pat = rw->u.m.kv[i].key;
        const char *rep = sk_val_cstr(rw->u.m.kv[i].val);
        if (!rep)
            return sk_fail(err, SK_EINVAL, "%s.rewrite[\"%.200s\"]: want a string replacement",
                           where, pat);
        if (!*pat)
            return sk_fail(err, SK_EINVAL, "%s.rewrite: an empty pattern matches everything",
                           where);
        c->rw = sk_xrealloc(c->rw, (c->nrw + 1) * sizeof(*c->rw));
        struct rewrite *r = &c->rw[c->nrw];
        int e = regcomp(&r->re, pat, REG_EXTENDED);
        if (e) {
            char why[200];
            regerror(e, &r->re, why, sizeof(why));
            return sk_fail(err, SK_EINVAL,
                           "%s.rewrite: bad pattern \"%.200s\": %s (POSIX extended regular "
                           "expression)",
                           where, pat, why);
        }
        c->nrw++;
        r->host = host;
        r->pattern = pat;
        r->repl = rep;
        int g = max_group(rep);
        if (g < 0)
            return sk_fail(err, SK_EINVAL,
                           "%s.rewrite[\"%.200s\"]: bad replacement \"%.200s\": write $1 .. $99 "
                           "or ${1}, and $$ for a dollar",
                           where, pat, rep);
        if ((size_t)g > r->re.re_nsub)
            return sk_fail(err, SK_EINVAL,
                           "%s.rewrite[\"%.200s\"]: the replacement uses $%d but the pattern has "
                           "%zu group%s",
                           where, pat, g, r->re.re_nsub, r->re.re_nsub == 1 ? "" : "s");
    }
    return SK_OK;
}

static sk_err validate(struct img_regconf *conf, const struct sk_val *doc, const char *pfx,
                       struct sk_error **err)
{
    static const char *const top[] = {"mirrors", "configs", NULL};
    static const char *const mir[] = {"endpoint", "rewrite", NULL};
    static const char *const cfg[] = {"auth", "tls", NULL};
    static const char *const auth[] = {"username", "password", "auth", "identitytoken", NULL};
    static const char *const tls[] = {"ca_file", "cert_file", "key_file", "insecure_skip_verify",
                                      NULL};
    char topw[64];
    snprintf(topw, sizeof(topw), "%.*s", *pfx ? (int)strlen(pfx) - 1 : 10,
             *pfx ? pfx : "registries");
    sk_err rc = check_keys(doc, topw, top, err);
    if (rc) return rc;
    const struct sk_val *mirrors = sk_map_get(doc, "mirrors");
    if (mirrors && mirrors->type != SK_V_NULL) {
        if (!sk_val_is(mirrors, SK_V_MAP))
            return sk_fail(err, SK_EINVAL,
                           "%smirrors: want a mapping of registry host to endpoints", pfx);
        for (size_t i = 0; i < mirrors->u.m.n; i++) {
            char where[300];
            snprintf(where, sizeof(where), "%smirrors.%.200s", pfx, mirrors->u.m.kv[i].key);
            const struct sk_val *m = mirrors->u.m.kv[i].val;
            if ((rc = check_keys(m, where, mir, err))) return rc;
            rc = add_rewrites(conf, mirrors->u.m.kv[i].key, sk_map_get(m, "rewrite"), where, err);
            if (rc) return rc;
            const struct sk_val *ep = sk_map_get(m, "endpoint");
            if (!sk_val_is(ep, SK_V_ARR))
                return sk_fail(err, SK_EINVAL, "%s.endpoint: want a list of URLs", where);
            for (size_t k = 0; k < sk_arr_len(ep); k++) {
                const char *u = sk_val_cstr(sk_arr_get(ep, k));
                if (!u || (strncmp(u, "http://", 7) && strncmp(u, "https://", 8)) ||
                    strlen(u) < 9 || strlen(u) > 1000)
                    return sk_fail(err, SK_EINVAL,
                                   "%s.endpoint[%zu]: want an http:// or https:// URL", where, k);
            }
        }
    }
    const struct sk_val *configs = sk_map_get(doc, "configs");
    if (configs && configs->type != SK_V_NULL) {
        if (!sk_val_is(configs, SK_V_MAP))
            return sk_fail(err, SK_EINVAL, "%sconfigs: want a mapping of registry host to settings",
                           pfx);
        for (size_t i = 0; i < configs->u.m.n; i++) {
            char where[300];
            snprintf(where, sizeof(where), "%sconfigs.%.200s", pfx, configs->u.m.kv[i].key);
            const struct sk_val *c = configs->u.m.kv[i].val;
            if ((rc = check_keys(c, where, cfg, err))) return rc;
            const struct sk_val *a = sk_map_get(c, "auth");
            if (a && a->type != SK_V_NULL) {
                char w2[320];
                snprintf(w2, sizeof(w2), "%s.auth", where);
                if ((rc = check_keys(a, w2, auth, err)) || (rc = check_strs(a, w2, auth, err)))
                    return rc;
            }
            const struct sk_val *t = sk_map_get(c, "tls");
            if (t && t->type != SK_V_NULL) {
                char w2[320];
                snprintf(w2, sizeof(w2), "%s.tls", where);
                static const char *const files[] = {"ca_file", "cert_file", "key_file", NULL};
                if ((rc = check_keys(t, w2, tls, err)) || (rc = check_strs(t, w2, files, err)))
                    return rc;
                const struct sk_val *v = sk_map_get(t, "insecure_skip_verify");
                if (v && v->type != SK_V_BOOL && v->type != SK_V_NULL)
                    return sk_fail(err, SK_EINVAL, "%s.insecure_skip_verify: want true or false",
                                   w2);
            }
        }
    }
    return SK_OK;
}

/* Take doc (a mapping or null) and check it; pfx starts key paths in
 * messages ("" or "plugins.images.registries."). */
static sk_err build(struct sk_val *doc, const char *pfx, struct img_regconf **out,
                    struct sk_error **err)
{
    *out = NULL;
    if (!doc || doc->type == SK_V_NULL) {
        sk_val_free(doc);
        doc = sk_val_map();
    }
    struct img_regconf *c = sk_xcalloc(1, sizeof(*c));
    c->doc = doc;
    sk_err rc = validate(c, doc, pfx, err);
    if (rc) {
        img_regconf_free(c);
        return rc;
    }
    *out = c;
    return SK_OK;
}

sk_err img_regconf_from_val(const struct sk_val *doc, const char *origin, struct img_regconf **out,
                            struct sk_error **err)
{
    sk_err rc = build(sk_val_dup(doc), "plugins.images.registries.", out, err);
    if (rc && origin && *origin) sk_error_prefix(err, "%s", origin);
    return rc;
}

sk_err img_regconf_parse(const char *text, size_t n, const char *fname, struct img_regconf **out,
                         struct sk_error **err)
{
    *out = NULL;
    struct sk_val *doc = NULL;
    sk_err rc = sk_yaml_parse_one(text, n, fname, &doc, err);
    if (rc) return rc;
    /* A skiff.yaml: its plugins.images.registries, a file or inline. */
    if (sk_val_is(doc, SK_V_MAP) && sk_map_get(doc, "plugins") && !sk_map_get(doc, "mirrors") &&
        !sk_map_get(doc, "configs")) {
        const struct sk_val *r = sk_val_at(doc, "plugins", "images", "registries", NULL);
        if (sk_val_cstr(r)) {
            char *path = sk_xstrdup(sk_val_cstr(r));
            sk_val_free(doc);
            rc = *path ? img_regconf_load(path, out, err) : build(NULL, "", out, err);
            if (rc && *path) sk_error_prefix(err, "%s: plugins.images.registries", fname);
            free(path);
            return rc;
        }
        rc = r && r->type != SK_V_NULL && !sk_val_is(r, SK_V_MAP)
                     ? sk_fail(err, SK_EINVAL,
                               "plugins.images.registries: want a file path or a mapping")
                     : build(sk_val_dup(r), "plugins.images.registries.", out, err);
        sk_val_free(doc);
        if (rc) sk_error_prefix(err, "%s", fname);
        return rc;
    }
    if ((rc = build(doc, "", out, err))) sk_error_prefix(err, "%s", fname);
    return rc;
}

sk_err img_regconf_from_option(const void *msgpack, size_t len, const char *origin,
                               struct img_regconf **out, struct sk_error **err)
{
    *out = NULL;
    struct sk_val *v = NULL;
    sk_err rc = len ? sk_val_from_msgpack(msgpack, len, &v, err) : SK_OK;
    if (rc) return rc;
    const char *path = sk_val_cstr(v);
    if (path)
        rc = img_regconf_load(path, out, err);
    else if (!v || v->type == SK_V_NULL || sk_val_is(v, SK_V_MAP))
        rc = img_regconf_from_val(v, origin, out, err);
    else
        rc = sk_fail(err, SK_EINVAL,
                     "%s: plugins.images.registries: want a file path or a mapping (mirrors, "
                     "configs)",
                     origin ? origin : "");
    sk_val_free(v);
    return rc;
}

sk_err img_regconf_load(const char *path, struct img_regconf **out, struct sk_error **err)
{
    *out = NULL;
    if (!path || !*path) return img_regconf_parse("", 0, "registries", out, err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sk_fail_sys(err, errno, "open %s", path);
    struct stat st;
    if (fstat(fd, &st) || st.st_size > (1 << 20)) {
        close(fd);
        return sk_fail(err, SK_ETOOBIG, "%s: missing or over 1 MiB", path);
    }
    char *buf = sk_xmalloc((size_t)st.st_size + 1);
    ssize_t r = read(fd, buf, (size_t)st.st_size);
    close(fd);
    if (r < 0) {
        free(buf);
        return sk_fail_sys(err, errno, "read %s", path);
    }
    sk_err rc = img_regconf_parse(buf, (size_t)r, path, out, err);
    free(buf);
    return rc;
}

sk_err img_regconf_option_file(const void *msgpack, size_t len, const char *origin,
                               const char *data_dir, char **path_out, struct sk_error **err)
{
    *path_out = NULL;
    struct img_regconf *c = NULL;
    sk_err rc = img_regconf_from_option(msgpack, len, origin, &c, err);
    if (rc) return rc;
    struct sk_val *v = NULL;
    sk_val_from_msgpack(msgpack, len, &v, NULL);
    if (sk_val_cstr(v)) {
        if (*sk_val_cstr(v)) *path_out = sk_xstrdup(sk_val_cstr(v));
        goto out;
    }
    if (!sk_val_is(v, SK_V_MAP)) goto out;
    /* Inline: the children read it as a file, written whole (it may hold
     * credentials: 0600) and renamed into place. JSON is YAML. */
    char *dir = sk_xasprintf("%s/images", data_dir);
    char *dst = sk_xasprintf("%s/registries.json", dir);
    char *tmp = sk_xasprintf("%s.tmp", dst);
    mkdir(data_dir, 0700);
    mkdir(dir, 0700);
    size_t n = 0;
    char *text = sk_json_dump(c->doc, 0, &n);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = sk_fail_sys(err, errno, "write %s", tmp);
    } else {
        bool ok = write(fd, text, n) == (ssize_t)n && !fsync(fd);
        int e = errno;
        close(fd);
        if (!ok || rename(tmp, dst)) {
            rc = sk_fail_sys(err, ok ? errno : e, "write %s", dst);
            unlink(tmp);
        }
    }
    free(text);
    free(tmp);
    free(dir);
    if (!rc)
        *path_out = dst;
    else
        free(dst);
out:
    sk_val_free(v);
    img_regconf_free(c);
    return rc;
}

void img_regconf_free(struct img_regconf *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nrw; i++)
        regfree(&c->rw[i].re);
    free(c->rw);
    sk_val_free(c->doc);
    free(c);
}

/* The mirrors entry for host, else the "*" one (as k3s: "*" serves the
 * registries without an entry of their own). */
static const char *mirror_key(const struct img_regconf *c, const char *host)
{
    if (!c) return NULL;
    if (sk_val_at(c->doc, "mirrors", host, NULL)) return host;
    if (sk_val_at(c->doc, "mirrors", "*", NULL)) return "*";
    return NULL;
}

const struct sk_val *img_regconf_mirrors(const struct img_regconf *c, const char *host)
{
    const char *k = mirror_key(c, host);
    return k ? sk_val_at(c->doc, "mirrors", k, "endpoint", NULL) : NULL;
}

/* Append r's replacement for the match m of subject s to b. */
static void expand(struct sk_buf *b, const char *repl, const char *s, const regmatch_t *m,
                   size_t nsub)
{
    for (const char *p = repl; *p; p++) {
        if (*p != '$') {
            sk_buf_putc(b, *p);
            continue;
        }
        p++;
        if (*p == '$') {
            sk_buf_putc(b, '$');
            continue;
        }
        bool brace = *p == '{';
        if (brace) p++;
        size_t g = 0;
        while (*p >= '0' && *p <= '9')
            g = g * 10 + (size_t)(*p++ - '0');
        if (!brace) p--;
        if (g <= nsub && m[g].rm_so >= 0)
            sk_buf_append(b, s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
    }
}

char *img_regconf_rewrite(const struct img_regconf *c, const char *host, const char *repo)
{
    const char *k = mirror_key(c, host);
    if (!k) return NULL;
    for (size_t i = 0; i < c->nrw; i++) {
        const struct rewrite *r = &c->rw[i];
        regmatch_t m[100];
        size_t nm = r->re.re_nsub + 1 < 100 ? r->re.re_nsub + 1 : 100;
        if (strcmp(r->host, k) || regexec(&r->re, repo, nm, m, 0)) continue;
        /* The first rule that matches rewrites every match, as Go's
         * ReplaceAllString does in k3s. */
        struct sk_buf b = {0};
        const char *s = repo;
        int flags = 0;
        for (;;) {
            sk_buf_append(&b, s, (size_t)m[0].rm_so);
            expand(&b, r->repl, s, m, nm - 1);
            if (m[0].rm_eo == m[0].rm_so) { /* an empty match: step over one byte */
                if (!s[m[0].rm_eo]) {
                    s += m[0].rm_eo;
                    break;
                }
                sk_buf_putc(&b, s[m[0].rm_eo]);
                s += m[0].rm_eo + 1;
            } else {
                s += m[0].rm_eo;
            }
            flags = REG_NOTBOL;
            if (!*s || regexec(&r->re, s, nm, m, flags)) break;
        }
        sk_buf_puts(&b, s);
        return sk_buf_take(&b, NULL);
    }
    return NULL;
}

const struct sk_val *img_regconf_host(const struct img_regconf *c, const char *host)
{
    if (!c) return NULL;
    return sk_val_at(c->doc, "configs", host, NULL);
}

static bool split_auth(const char *b64, char **user, char **pass)
{
    size_t n = strlen(b64);
    if (!n || n > 4096 || n % 4) return false;
    unsigned char *out = sk_xmalloc(n);
    size_t len = 0;
    if (mbedtls_base64_decode(out, n, &len, (const unsigned char *)b64, n)) {
        free(out);
        return false;
    }
    char *colon = memchr(out, ':', len);
    if (!colon) {
        free(out);
        return false;
    }
    *user = sk_xstrndup((char *)out, (size_t)(colon - (char *)out));
    *pass = sk_xstrndup(colon + 1, len - (size_t)(colon + 1 - (char *)out));
    free(out);
    return true;
}

static bool creds_from(const struct sk_val *a, char **user, char **pass)
{
    const char *u = sk_val_str_at(a, "username", NULL);
    const char *p = sk_val_str_at(a, "password", NULL);
    if (u && *u) {
        *user = sk_xstrdup(u);
        *pass = sk_xstrdup(p ? p : "");
        return true;
    }
    const char *b = sk_val_str_at(a, "auth", NULL);
    return b && split_auth(b, user, pass);
}

bool img_regconf_creds(const struct img_regconf *c, const struct sk_val *auths, const char *host,
                       char **user, char **pass)
{
    *user = *pass = NULL;
    if (sk_val_is(auths, SK_V_MAP)) {
        /* docker config keys: "host", "https://host", "https://host/v1/" */
        bool hub = !strcmp(host, "docker.io") || !strcmp(host, "registry-1.docker.io");
        for (size_t i = 0; i < auths->u.m.n; i++) {
            const char *k = auths->u.m.kv[i].key;
            if (!strncmp(k, "https://", 8))
                k += 8;
            else if (!strncmp(k, "http://", 7))
                k += 7;
            size_t kl = strcspn(k, "/");
            bool hit = (strlen(host) == kl && !strncmp(k, host, kl)) ||
                       (hub && ((kl == 15 && !strncmp(k, "index.docker.io", 15)) ||
                                (kl == 9 && !strncmp(k, "docker.io", 9))));
            if (hit && creds_from(auths->u.m.kv[i].val, user, pass)) return true;
        }
    }
    const struct sk_val *a = sk_val_at(img_regconf_host(c, host), "auth", NULL);
    return a && creds_from(a, user, pass);
}
