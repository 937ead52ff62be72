/* registries.yaml-style settings (mirrors, per-registry auth and TLS) and
 * the credential lookup the puller uses. */
#include "regconf.h"

#include "mem.h"
#include "yaml.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct img_regconf {
    struct sk_val *doc; /* validated map: mirrors, configs */
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

static sk_err validate(const struct sk_val *doc, struct sk_error **err)
{
    static const char *const top[] = {"mirrors", "configs", NULL};
    static const char *const mir[] = {"endpoint", "rewrite", NULL};
    static const char *const cfg[] = {"auth", "tls", NULL};
    static const char *const auth[] = {"username", "password", "auth", "identitytoken", NULL};
    static const char *const tls[] = {"ca_file", "cert_file", "key_file", "insecure_skip_verify",
                                      NULL};
    sk_err rc = check_keys(doc, "registries", top, err);
    if (rc) return rc;
    const struct sk_val *mirrors = sk_map_get(doc, "mirrors");
    if (mirrors && mirrors->type != SK_V_NULL) {
        if (!sk_val_is(mirrors, SK_V_MAP))
            return sk_fail(err, SK_EINVAL, "mirrors: want a mapping of registry host to endpoints");
        for (size_t i = 0; i < mirrors->u.m.n; i++) {
            char where[300];
            snprintf(where, sizeof(where), "mirrors.%.200s", mirrors->u.m.kv[i].key);
            const struct sk_val *m = mirrors->u.m.kv[i].val;
            if ((rc = check_keys(m, where, mir, err))) return rc;
            if (sk_map_get(m, "rewrite"))
                return sk_fail(err, SK_EINVAL, "%s.rewrite: not supported yet", where);
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
            return sk_fail(err, SK_EINVAL, "configs: want a mapping of registry host to settings");
        for (size_t i = 0; i < configs->u.m.n; i++) {
            char where[300];
            snprintf(where, sizeof(where), "configs.%.200s", configs->u.m.kv[i].key);
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

sk_err img_regconf_parse(const char *text, size_t n, const char *fname, struct img_regconf **out,
                         struct sk_error **err)
{
    *out = NULL;
    struct sk_val *doc = NULL;
    sk_err rc = sk_yaml_parse_one(text, n, fname, &doc, err);
    if (rc) return rc;
    if (!doc || doc->type == SK_V_NULL) {
        sk_val_free(doc);
        doc = sk_val_map();
    }
    if ((rc = validate(doc, err))) {
        sk_error_prefix(err, "%s", fname);
        sk_val_free(doc);
        return rc;
    }
    *out = sk_xcalloc(1, sizeof(**out));
    (*out)->doc = doc;
    return SK_OK;
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

void img_regconf_free(struct img_regconf *c)
{
    if (!c) return;
    sk_val_free(c->doc);
    free(c);
}

const struct sk_val *img_regconf_mirrors(const struct img_regconf *c, const char *host)
{
    if (!c) return NULL;
    const struct sk_val *m = sk_val_at(c->doc, "mirrors", host, "endpoint", NULL);
    if (!m) m = sk_val_at(c->doc, "mirrors", "*", "endpoint", NULL);
    return m;
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
    int len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
    if (len < 0) {
        free(out);
        return false;
    }
    while (len > 0 && b64[n - 1] == '=') { /* DecodeBlock counts the padding */
        len--;
        n--;
    }
    char *colon = memchr(out, ':', (size_t)len);
    if (!colon) {
        free(out);
        return false;
    }
    *user = sk_xstrndup((char *)out, (size_t)(colon - (char *)out));
    *pass = sk_xstrndup(colon + 1, (size_t)len - (size_t)(colon + 1 - (char *)out));
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
