/* Image pull secrets: decoding dockerconfigjson / dockercfg documents and
 * choosing credentials for an image as the kubelet's keyring does
 * (pkg/credentialprovider: normalised keys, reverse-sorted index, glob
 * host labels, exact ports, path prefixes, Docker Hub's legacy key). */
#include "creds.h"

#include "json.h"
#include "mem.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define HUB_KEY "index.docker.io"

static void cred_clear(struct img_cred *x)
{
    free(x->key);
    if (x->pass) explicit_bzero(x->pass, strlen(x->pass));
    free(x->user);
    free(x->pass);
    free(x->source);
}

static void creds_truncate(struct img_creds *c, size_t n)
{
    while (c->n > n)
        cred_clear(&c->v[--c->n]);
}

void img_creds_free(struct img_creds *c)
{
    if (!c) return;
    creds_truncate(c, 0);
    free(c->v);
    c->v = NULL;
    c->cap = 0;
}

static void creds_push(struct img_creds *c, char *key, char *user, char *pass, const char *source)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4;
        c->v = sk_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n++] = (struct img_cred){key, user, pass, sk_xstrdup(source ? source : "")};
}

char *img_creds_key(const char *loc, const char **why)
{
    const char *w = NULL;
    if (!strncmp(loc, "https://", 8))
        loc += 8;
    else if (!strncmp(loc, "http://", 7))
        loc += 7;
    size_t hl = strcspn(loc, "/?#");
    const char *path = loc + hl;
    if (!hl) w = "no host";
    for (size_t i = 0; !w && i < hl; i++)
        if ((unsigned char)loc[i] <= ' ' || loc[i] == 0x7f || loc[i] == '%' || loc[i] == '@')
            w = "a space, control character, '%' or '@' in the host";
    if (!w && *path && *path != '/') w = "a query or fragment after the host";
    if (w) {
        if (why) *why = w;
        return NULL;
    }
    if (!strncmp(path, "/v1/", 4) || !strncmp(path, "/v2/", 4)) path += 3;
    if (!*path || !strcmp(path, "/")) return sk_xstrndup(loc, hl);
    return sk_xasprintf("%.*s%s", (int)hl, loc, path);
}

/* host[:port] into labels-to-match and port, as Go's net.SplitHostPort
 * (which fails, leaving the whole host, unless there is exactly one port). */
static void split_host(const char *h, size_t hl, char **host, char **port)
{
    if (hl && h[0] == '[') {
        const char *rb = memchr(h, ']', hl);
        if (rb && rb + 1 < h + hl && rb[1] == ':') {
            *host = sk_xstrndup(h + 1, (size_t)(rb - h - 1));
            *port = sk_xstrndup(rb + 2, hl - (size_t)(rb + 2 - h));
            return;
        }
    } else {
        const char *c = memchr(h, ':', hl);
        if (c && !memchr(c + 1, ':', hl - (size_t)(c + 1 - h))) {
            *host = sk_xstrndup(h, (size_t)(c - h));
            *port = sk_xstrndup(c + 1, hl - (size_t)(c + 1 - h));
            return;
        }
    }
    *host = sk_xstrndup(h, hl);
    *port = sk_xstrdup("");
}

static size_t count_char(const char *s, char ch)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == ch;
    return n;
}

bool img_creds_match(const char *key, const char *repo)
{
    size_t kl = strcspn(key, "/"), rl = strcspn(repo, "/");
    const char *kpath = key + kl, *rpath = repo + rl;
    if (strncmp(rpath, kpath, strlen(kpath))) return false;
    char *kh, *kp, *rh, *rp;
    split_host(key, kl, &kh, &kp);
    split_host(repo, rl, &rh, &rp);
    bool ok = !strcmp(kp, rp) && count_char(kh, '.') == count_char(rh, '.');
    for (char *a = kh, *b = rh; ok && a && b;) {
        char *ad = strchr(a, '.'), *bd = strchr(b, '.');
        if (ad) *ad = 0;
        if (bd) *bd = 0;
        ok = fnmatch(a, b, 0) == 0;
        a = ad ? ad + 1 : NULL;
        b = bd ? bd + 1 : NULL;
    }
    free(kh), free(kp), free(rh), free(rp);
    return ok;
}

static int b64_value(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9') return ch - '0' + 52;
    if (ch == '+') return 62;
    if (ch == '/') return 63;
    return -1;
}

sk_err img_base64_decode(const char *s, size_t n, char **out, size_t *out_len,
                         struct sk_error **err)
{
    *out = NULL;
    *out_len = 0;
    char *o = sk_xmalloc(n / 4 * 3 + 4);
    size_t len = 0;
    int quad[4], q = 0, pad = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r' || ch == '\n') continue;
        if (pad && ch != '=') break; /* data after the padding */
        if (ch == '=') {
            if (q < 2) break; /* "=" too early in a quantum */
            pad++;
            quad[q++] = 0;
        } else {
            int v = b64_value(ch);
            if (v < 0) break;
            quad[q++] = v;
        }
        if (q == 4) {
            o[len++] = (char)(quad[0] << 2 | quad[1] >> 4);
            if (pad < 2) o[len++] = (char)((quad[1] & 15) << 4 | quad[2] >> 2);
            if (pad < 1) o[len++] = (char)((quad[2] & 3) << 6 | quad[3]);
            q = 0;
            if (pad) {
                i++;
                /* only line breaks may follow the padding */
                while (i < n && (s[i] == '\r' || s[i] == '\n'))
                    i++;
                break;
            }
        }
    }
    if (i < n || q) {
        free(o);
        return sk_fail(err, SK_EINVAL, "illegal base64 data at input byte %zu", i < n ? i : n);
    }
    o[len] = 0;
    *out = o;
    *out_len = len;
    return SK_OK;
}

static sk_err entry_creds(const struct sk_val *e, char **user, char **pass, struct sk_error **err)
{
    *user = *pass = NULL;
    if (!sk_val_is(e, SK_V_MAP)) return sk_fail(err, SK_EINVAL, "want an object");
    static const char *const fields[] = {"username", "password", "email", "auth"};
    for (size_t i = 0; i < 4; i++) {
        const struct sk_val *f = sk_map_get(e, fields[i]);
        if (f && !sk_val_is(f, SK_V_STR) && !sk_val_is(f, SK_V_NULL))
            return sk_fail(err, SK_EINVAL, "\"%s\" is %s, want a string", fields[i],
                           sk_vtype_name(f->type));
    }
    const char *auth = sk_val_str_at(e, "auth", NULL);
    if (auth && *auth) {
        char *raw;
        size_t rl;
        sk_err rc = img_base64_decode(auth, strlen(auth), &raw, &rl, err);
        if (rc) {
            sk_error_prefix(err, "\"auth\"");
            return rc;
        }
        char *colon = memchr(raw, ':', rl);
        if (!colon) {
            explicit_bzero(raw, rl);
            free(raw);
            return sk_fail(err, SK_EINVAL,
                           "\"auth\": unable to parse auth field, must be formatted as "
                           "base64(username:password)");
        }
        *user = sk_xstrndup(raw, (size_t)(colon - raw));
        *pass = sk_xstrndup(colon + 1, rl - (size_t)(colon + 1 - raw));
        explicit_bzero(raw, rl);
        free(raw);
        return SK_OK;
    }
    const char *u = sk_val_str_at(e, "username", NULL), *p = sk_val_str_at(e, "password", NULL);
    *user = sk_xstrdup(u ? u : "");
    *pass = sk_xstrdup(p ? p : "");
    return SK_OK;
}

sk_err img_creds_parse(struct img_creds *c, const char *doc, size_t len, bool legacy,
                       const char *source, struct sk_error **err)
{
    struct sk_val *v = NULL;
    sk_err rc = sk_json_parse(doc, len, &v, err);
    if (rc) return rc;
    const struct sk_val *auths = v;
    if (!sk_val_is(v, SK_V_MAP)) {
        rc = sk_fail(err, SK_EINVAL, "want a JSON object, not %s",
                     v ? sk_vtype_name(v->type) : "nothing");
    } else if (!legacy) {
        auths = sk_map_get(v, "auths");
        if (auths && !sk_val_is(auths, SK_V_MAP) && !sk_val_is(auths, SK_V_NULL))
            rc = sk_fail(err, SK_EINVAL, "\"auths\" is %s, want an object",
                         sk_vtype_name(auths->type));
    }
    size_t before = c->n;
    for (size_t i = 0; !rc && sk_val_is(auths, SK_V_MAP) && i < auths->u.m.n; i++) {
        const char *loc = auths->u.m.kv[i].key;
        char *user, *pass;
        rc = entry_creds(auths->u.m.kv[i].val, &user, &pass, err);
        if (rc) {
            sk_error_prefix(err, "%s\"%s\"", legacy ? "" : "auths: ", loc);
            break;
        }
        char *key = img_creds_key(loc, NULL);
        if (!key) { /* the kubelet logs and ignores such an entry */
            free(user);
            explicit_bzero(pass, strlen(pass));
            free(pass);
            continue;
        }
        creds_push(c, key, user, pass, source);
    }
    if (rc) creds_truncate(c, before);
    sk_val_free(v);
    return rc;
}

sk_err img_creds_add_secret(struct img_creds *c, const struct sk_val *secret, struct sk_error **err)
{
    const char *type = sk_val_str_at(secret, "type", NULL);
    const char *field;
    bool legacy;
    if (type && !strcmp(type, "kubernetes.io/dockerconfigjson"))
        field = ".dockerconfigjson", legacy = false;
    else if (type && !strcmp(type, "kubernetes.io/dockercfg"))
        field = ".dockercfg", legacy = true;
    else
        return sk_fail(err, SK_EINVAL,
                       "type is \"%s\", want kubernetes.io/dockerconfigjson or "
                       "kubernetes.io/dockercfg",
                       type ? type : "Opaque");
    const char *b64 = sk_val_str_at(secret, "data", field, NULL);
    if (!b64 || !*b64) return sk_fail(err, SK_EINVAL, "no data[\"%s\"]", field);
    char *raw;
    size_t rl;
    sk_err rc = img_base64_decode(b64, strlen(b64), &raw, &rl, err);
    if (!rc) {
        char *src =
                sk_xasprintf("%s/%s", sk_val_str_at(secret, "metadata", "namespace", NULL) ?: "",
                             sk_val_str_at(secret, "metadata", "name", NULL) ?: "");
        rc = img_creds_parse(c, raw, rl, legacy, src, err);
        free(src);
        explicit_bzero(raw, rl);
        free(raw);
    }
    if (rc) sk_error_prefix(err, "data[\"%s\"]", field);
    return rc;
}

/* Reverse byte order of keys; list order among equal keys. */
static int by_key_desc(const void *a, const void *b, void *arg)
{
    const struct img_creds *c = arg;
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int r = strcmp(c->v[y].key, c->v[x].key);
    return r ? r : (x > y) - (x < y);
}

/* As the kubelet's isDefaultRegistryMatch. */
static bool hub_repo(const char *repo)
{
    size_t hl = strcspn(repo, "/");
    if (!hl) return false;
    if (!repo[hl]) return true;
    if ((hl == 9 && !strncmp(repo, "docker.io", 9)) || (hl == 15 && !strncmp(repo, HUB_KEY, 15)))
        return true;
    return !memchr(repo, '.', hl) && !memchr(repo, ':', hl);
}

size_t img_creds_lookup(const struct img_creds *c, const char *repo, size_t **idx)
{
    *idx = NULL;
    if (!c->n) return 0;
    size_t *all = sk_xcalloc(c->n, sizeof(size_t)), n = 0;
    for (size_t i = 0; i < c->n; i++)
        if (img_creds_match(c->v[i].key, repo)) all[n++] = i;
    if (!n && hub_repo(repo))
        for (size_t i = 0; i < c->n; i++)
            if (!strcmp(c->v[i].key, HUB_KEY)) all[n++] = i;
    if (!n) {
        free(all);
        return 0;
    }
    /* qsort is not stable: the comparison breaks ties by index */
    qsort_r(all, n, sizeof(size_t), by_key_desc, (void *)c);
    *idx = all;
    return n;
}

static struct sk_val *b64_str(const char *s)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    char *o = sk_xmalloc(n / 3 * 4 + 5), *w = o;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
                     (i + 2 < n ? u[i + 2] : 0);
        *w++ = tab[v >> 18 & 63];
        *w++ = tab[v >> 12 & 63];
        *w++ = i + 1 < n ? tab[v >> 6 & 63] : '=';
        *w++ = i + 2 < n ? tab[v & 63] : '=';
    }
    *w = 0;
    struct sk_val *r = sk_val_str(o);
    explicit_bzero(o, (size_t)(w - o));
    free(o);
    return r;
}

/* A base64 field of the hand-over, or NULL. */
static char *unb64_at(const struct sk_val *e, const char *key)
{
    const char *v = sk_val_str_at(e, key, NULL);
    char *out = NULL;
    size_t len;
    if (!v || img_base64_decode(v, strlen(v), &out, &len, NULL)) return NULL;
    return out;
}

char *img_creds_to_json(const struct img_creds *c)
{
    struct sk_val *list = sk_val_arr();
    for (size_t i = 0; i < c->n; i++) {
        struct sk_val *m = sk_val_map();
        sk_map_set(m, "key", sk_val_str(c->v[i].key));
        /* base64: a decoded "auth" may hold any bytes, JSON strings only UTF-8 */
        sk_map_set(m, "username", b64_str(c->v[i].user));
        sk_map_set(m, "password", b64_str(c->v[i].pass));
        sk_map_set(m, "source", sk_val_str(c->v[i].source));
        sk_arr_push(list, m);
    }
    struct sk_val *doc = sk_val_map();
    sk_map_set(doc, "credentials", list);
    char *js = sk_json_dump(doc, SK_JSON_COMPACT, NULL);
    sk_val_free(doc);
    return js;
}

sk_err img_creds_from_json(struct img_creds *c, const char *js, size_t len, struct sk_error **err)
{
    struct sk_val *doc = NULL;
    sk_err rc = sk_json_parse(js, len, &doc, err);
    if (rc) return rc;
    const struct sk_val *list = sk_map_get(doc, "credentials");
    if (!sk_val_is(list, SK_V_ARR)) rc = sk_fail(err, SK_EINVAL, "want {\"credentials\": [...]}");
    size_t before = c->n;
    for (size_t i = 0; !rc && i < sk_arr_len(list); i++) {
        const struct sk_val *e = sk_arr_get(list, i);
        const char *k = sk_val_str_at(e, "key", NULL), *s = sk_val_str_at(e, "source", NULL);
        char *u = unb64_at(e, "username"), *p = unb64_at(e, "password");
        if (!k || !*k || !u || !p || !s) {
            free(u);
            if (p) explicit_bzero(p, strlen(p));
            free(p);
            rc = sk_fail(err, SK_EINVAL,
                         "credentials[%zu]: want key and source strings, username and password "
                         "in base64",
                         i);
            break;
        }
        creds_push(c, sk_xstrdup(k), u, p, s);
    }
    if (rc) creds_truncate(c, before);
    sk_val_free(doc);
    return rc;
}
