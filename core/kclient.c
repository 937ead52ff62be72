/* The CLI's API client of kclient.h: kubeconfig resolution as kubectl does
 * it, and requests over the lean HTTP client of khttp.h. */
#include "kclient.h"

#include <errno.h>
#include <mbedtls/base64.h>
#include <mbedtls/platform_util.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "cli_kubeconfig.h"
#include "config.h"
#include "json.h"
#include "khttp.h"
#include "mem.h"
#include "val.h"
#include "yaml.h"

#define MAX_FILE (4 * 1024 * 1024)

void sk_kconn_free(struct sk_kconn *c)
{
    if (!c) return;
    free(c->source);
    free(c->context);
    free(c->ns);
    free(c->server);
    free(c->ca_file);
    free(c->ca_data);
    free(c->tls_server_name);
    /* the credentials are wiped, not just freed */
    if (c->token) mbedtls_platform_zeroize(c->token, strlen(c->token));
    free(c->token);
    free(c->cert_file);
    free(c->key_file);
    free(c->cert_data);
    if (c->key_data) mbedtls_platform_zeroize(c->key_data, c->key_len);
    free(c->key_data);
    free(c);
}

/* The whole file, NUL-terminated; NULL with errno (ENOENT, EFBIG, ...). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct sk_buf b = {0};
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        sk_buf_append(&b, buf, n);
        if (b.len > MAX_FILE) break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad || b.len > MAX_FILE) {
        sk_buf_free(&b);
        errno = bad ? EIO : EFBIG;
        return NULL;
    }
    return sk_buf_take(&b, len);
}

static bool exists(const char *path)
{
    struct stat st;
    return path && *path && stat(path, &st) == 0;
}

/* kubectl resolves relative paths in a kubeconfig against its directory. */
static char *rel_path(const char *fname, const char *p)
{
    if (p[0] == '/' || !fname) return sk_xstrdup(p);
    const char *slash = strrchr(fname, '/');
    if (!slash) return sk_xstrdup(p);
    return sk_xasprintf("%.*s/%s", (int)(slash - fname), fname, p);
}

static char *b64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
        n--;
    if (n == 0 || n % 4 || n > MAX_FILE) return NULL;
    unsigned char *out = sk_xmalloc(n / 4 * 3 + 1);
    size_t olen = 0;
    if (mbedtls_base64_decode(out, n / 4 * 3, &olen, (const unsigned char *)s, n)) {
        free(out);
        return NULL;
    }
    *len = olen;
    out[olen] = 0;
    return (char *)out;
}

/* The entry named name in a kubeconfig list (clusters, users, contexts):
 * its inner map (entry[field]). */
static sk_err find_named(const struct sk_val *doc, const char *list, const char *field,
                         const char *name, const char *fname, const struct sk_val **out,
                         struct sk_error **err)
{
    const struct sk_val *l = sk_map_get(doc, list);
    if (l && !sk_val_is(l, SK_V_ARR) && !sk_val_is(l, SK_V_NULL))
        return sk_fail(err, SK_EINVAL, "%s: %s: want a list, not %s", fname, list,
                       sk_vtype_name(l->type));
    for (size_t i = 0; i < sk_arr_len(l); i++) {
        const struct sk_val *e = sk_arr_get(l, i);
        if (!sk_val_is(e, SK_V_MAP))
            return sk_fail(err, SK_EINVAL, "%s: %s[%zu]: want a mapping with name and %s", fname,
                           list, i, field);
        const char *n = sk_val_str_at(e, "name", NULL);
        if (!n || strcmp(n, name)) continue;
        const struct sk_val *in = sk_map_get(e, field);
        if (in && !sk_val_is(in, SK_V_MAP) && !sk_val_is(in, SK_V_NULL))
            return sk_fail(err, SK_EINVAL, "%s: %s[%zu].%s: want a mapping", fname, list, i, field);
        *out = in;
        return SK_OK;
    }
    *out = NULL;
    return SK_ENOENT;
}

/* A string field, or NULL; a non-string is an error. */
static sk_err str_field(const struct sk_val *m, const char *key, const char *where,
                        const char *fname, const char **out, struct sk_error **err)
{
    const struct sk_val *v = sk_map_get(m, key);
    *out = NULL;
    if (!v || sk_val_is(v, SK_V_NULL)) return SK_OK;
    if (!sk_val_is(v, SK_V_STR))
        return sk_fail(err, SK_EINVAL, "%s: %s.%s: want a string, not %s", fname, where, key,
                       sk_vtype_name(v->type));
    *out = sk_val_cstr(v);
    return SK_OK;
}

static sk_err pem_field(const struct sk_val *m, const char *key, const char *where,
                        const char *fname, char **data, size_t *len, struct sk_error **err)
{
    const char *s;
    sk_err rc = str_field(m, key, where, fname, &s, err);
    if (rc || !s) return rc;
    *data = b64_decode(s, len);
    if (!*data) return sk_fail(err, SK_EINVAL, "%s: %s.%s: not valid base64", fname, where, key);
    return SK_OK;
}

static sk_err parse_doc(const struct sk_val *doc, const char *fname, const char *context,
                        struct sk_kconn *c, struct sk_error **err)
{
    if (sk_val_is(doc, SK_V_NULL)) return sk_fail(err, SK_EINVAL, "%s: the file is empty", fname);
    if (!sk_val_is(doc, SK_V_MAP))
        return sk_fail(err, SK_EINVAL, "%s: want a kubeconfig mapping, not %s", fname,
                       sk_vtype_name(doc->type));
    const char *ctx = context;
    sk_err rc = SK_OK;
    if (!ctx || !*ctx) {
        rc = str_field(doc, "current-context", "kubeconfig", fname, &ctx, err);
        if (rc) return rc;
        if (!ctx || !*ctx)
            return sk_fail(err, SK_EINVAL,
                           "%s: no current-context is set (pick one with --context)", fname);
    }
    const struct sk_val *cx = NULL, *cl = NULL, *us = NULL;
    rc = find_named(doc, "contexts", "context", ctx, fname, &cx, err);
    if (rc == SK_ENOENT)
        return sk_fail(err, SK_ENOENT, "context \"%s\" does not exist in %s", ctx, fname);
    if (rc) return rc;
    c->context = sk_xstrdup(ctx);
    const char *cluster, *user, *cns;
    if ((rc = str_field(cx, "cluster", "context", fname, &cluster, err)) ||
        (rc = str_field(cx, "user", "context", fname, &user, err)) ||
        (rc = str_field(cx, "namespace", "context", fname, &cns, err)))
        return rc;
    if (cns && *cns) c->ns = sk_xstrdup(cns);
    if (!cluster || !*cluster)
        return sk_fail(err, SK_EINVAL, "%s: context \"%s\" names no cluster", fname, ctx);
    rc = find_named(doc, "clusters", "cluster", cluster, fname, &cl, err);
    if (rc == SK_ENOENT)
        return sk_fail(err, SK_ENOENT, "%s: cluster \"%s\" (of context \"%s\") does not exist",
                       fname, cluster, ctx);
    if (rc) return rc;
    const char *server, *ca, *sni;
    if ((rc = str_field(cl, "server", "cluster", fname, &server, err)) ||
        (rc = str_field(cl, "certificate-authority", "cluster", fname, &ca, err)) ||
        (rc = str_field(cl, "tls-server-name", "cluster", fname, &sni, err)) ||
        (rc = pem_field(cl, "certificate-authority-data", "cluster", fname, &c->ca_data, &c->ca_len,
                        err)))
        return rc;
    if (server) {
        size_t sl = strlen(server);
        while (sl && server[sl - 1] == '/')
            sl--;
        c->server = sk_xasprintf("%.*s", (int)sl, server);
    }
    if (ca && !c->ca_data) c->ca_file = rel_path(fname, ca);
    if (sni && *sni) c->tls_server_name = sk_xstrdup(sni);
    const struct sk_val *isv = sk_map_get(cl, "insecure-skip-tls-verify");
    if (isv && !sk_val_is(isv, SK_V_BOOL) && !sk_val_is(isv, SK_V_NULL))
        return sk_fail(err, SK_EINVAL, "%s: cluster.insecure-skip-tls-verify: want true or false",
                       fname);
    c->insecure = sk_val_to_bool(isv, false);
    if (!user || !*user) return SK_OK; /* anonymous, as kubectl allows */
    rc = find_named(doc, "users", "user", user, fname, &us, err);
    if (rc == SK_ENOENT)
        return sk_fail(err, SK_ENOENT, "%s: user \"%s\" (of context \"%s\") does not exist", fname,
                       user, ctx);
    if (rc) return rc;
    const char *tok, *tokfile, *cert, *key;
    if ((rc = str_field(us, "token", "user", fname, &tok, err)) ||
        (rc = str_field(us, "tokenFile", "user", fname, &tokfile, err)) ||
        (rc = str_field(us, "client-certificate", "user", fname, &cert, err)) ||
        (rc = str_field(us, "client-key", "user", fname, &key, err)) ||
        (rc = pem_field(us, "client-certificate-data", "user", fname, &c->cert_data, &c->cert_len,
                        err)) ||
        (rc = pem_field(us, "client-key-data", "user", fname, &c->key_data, &c->key_len, err)))
        return rc;
    if (cert && !c->cert_data) c->cert_file = rel_path(fname, cert);
    if (key && !c->key_data) c->key_file = rel_path(fname, key);
    if (tok && *tok) {
        c->token = sk_xstrdup(tok);
    } else if (tokfile && *tokfile) {
        char *p = rel_path(fname, tokfile);
        size_t n;
        struct stat st;
        /* a regular file only: never block on a fifo or read a device */
        if (stat(p, &st) == 0 && !S_ISREG(st.st_mode)) {
            rc = sk_fail(err, SK_EINVAL, "%s: tokenFile %s is not a regular file", fname, p);
            free(p);
            return rc;
        }
        char *t = slurp(p, &n);
        if (!t) {
            rc = sk_fail_sys(err, errno, "%s: tokenFile %s", fname, p);
            free(p);
            return rc;
        }
        free(p);
        t[strcspn(t, "\r\n")] = 0;
        c->token = t;
    }
    return SK_OK;
}

sk_err sk_kubeconfig_parse(const char *text, size_t n, const char *fname, const char *context,
                           struct sk_kconn **out, struct sk_error **err)
{
    const char *name = fname ? fname : "kubeconfig";
    struct sk_val *doc = NULL;
    sk_err rc = sk_yaml_parse_one(text, n, name, &doc, err);
    if (rc) return rc;
    struct sk_kconn *c = sk_xcalloc(1, sizeof(*c));
    rc = parse_doc(doc, name, context, c, err);
    sk_val_free(doc);
    if (!rc && (!c->server || !*c->server))
        rc = sk_fail(err, SK_EINVAL, "%s: cluster of context \"%s\" has no server", name,
                     c->context);
    if (rc) {
        sk_kconn_free(c);
        return rc;
    }
    c->source = sk_xasprintf("kubeconfig %s", name);
    *out = c;
    return SK_OK;
}

static sk_err load_file(const char *path, const char *context, struct sk_kconn **out,
                        struct sk_error **err)
{
    size_t n;
    char *text = slurp(path, &n);
    if (!text) return sk_fail_sys(err, errno, "cannot read kubeconfig %s", path);
    sk_err rc = sk_kubeconfig_parse(text, n, path, context, out, err);
    free(text);
    return rc;
}

/* The agent's admin credentials: DATA_DIR/tls/{ca.crt,admin.token}. */
static sk_err load_agent(const struct sk_kclient_opts *o, char *why, size_t whylen,
                         struct sk_kconn **out, struct sk_error **err)
{
    struct sk_config_flags fl = {.config_path = o->config_path, .data_dir = o->data_dir};
    struct sk_config *cfg = NULL;
    sk_err rc = sk_config_load(&fl, &cfg, err);
    if (rc) return rc;
    char *ca = sk_xasprintf("%s/tls/ca.crt", cfg->data_dir);
    char *tokp = sk_xasprintf("%s/tls/admin.token", cfg->data_dir);
    size_t cal = 0, tl = 0;
    char *cad = slurp(ca, &cal);
    int e1 = errno;
    char *tok = cad ? slurp(tokp, &tl) : NULL;
    int e2 = errno;
    if (!cad || !tok) {
        snprintf(why, whylen, "%s: %s", cad ? tokp : ca, strerror(cad ? e2 : e1));
        free(cad);
        free(ca);
        free(tokp);
        sk_config_free(cfg);
        return SK_ENOENT;
    }
    tok[strcspn(tok, "\r\n")] = 0;
    struct sk_kconn *c = sk_xcalloc(1, sizeof(*c));
    c->source = sk_xasprintf("agent data dir %s", cfg->data_dir);
    c->server = sk_api_local_url(cfg->api_listen);
    c->ca_data = cad;
    c->ca_len = cal;
    c->token = tok;
    free(ca);
    free(tokp);
    sk_config_free(cfg);
    if (!c->server) {
        sk_kconn_free(c);
        return sk_fail(err, SK_EINVAL, "cannot derive a server URL from api.listen");
    }
    *out = c;
    return SK_OK;
}

sk_err sk_kclient_resolve(const struct sk_kclient_opts *o, struct sk_kconn **out,
                          struct sk_error **err)
{
    const char *envkc = o->env_set ? o->env_kubeconfig : getenv("KUBECONFIG");
    const char *home = o->env_set ? o->env_home : getenv("HOME");
    struct sk_kconn *c = NULL;
    sk_err rc = SK_OK;
    char tried[2048] = "";
    size_t tl = 0;
#define TRIED(...)                                                                                 \
    do {                                                                                           \
        int w_ = snprintf(tried + tl, sizeof(tried) - tl, __VA_ARGS__);                            \
        if (w_ > 0) tl = tl + (size_t)w_ < sizeof(tried) ? tl + (size_t)w_ : sizeof(tried) - 1;    \
    } while (0)
    if (o->kubeconfig && *o->kubeconfig) {
        rc = load_file(o->kubeconfig, o->context, &c, err);
    } else {
        char *found = NULL;
        bool from_env = false;
        if (envkc && *envkc) {
            char *list = sk_xstrdup(envkc), *save = NULL;
            for (char *p = strtok_r(list, ":", &save); p && !found; p = strtok_r(NULL, ":", &save))
                if (exists(p)) found = sk_xstrdup(p);
            free(list);
            from_env = found != NULL;
            if (!found) TRIED("no file of $KUBECONFIG (%s), ", envkc);
        }
        if (!found && home && *home) {
            char *p = sk_xasprintf("%s/.kube/config", home);
            if (exists(p))
                found = p;
            else {
                TRIED("no %s, ", p);
                free(p);
            }
        }
        if (found) {
            /* every file of $KUBECONFIG, merged as kubectl does */
            rc = from_env ? sk_kubeconfig_load_merged(envkc, o->context, &c, err)
                          : load_file(found, o->context, &c, err);
            free(found);
        } else {
            char why[1024];
            rc = load_agent(o, why, sizeof(why), &c, err);
            if (rc == SK_ENOENT && !(err && *err)) {
                TRIED("no agent credentials (%s)", why);
                if (o->server && *o->server) {
                    c = sk_xcalloc(1, sizeof(*c));
                    c->source = sk_xstrdup("--server");
                    rc = SK_OK;
                } else {
                    rc = sk_fail(err, SK_ENOENT,
                                 "no connection to a Kubernetes API found: no --kubeconfig, %s",
                                 tried);
                }
            }
        }
    }
#undef TRIED
    if (rc) {
        sk_kconn_free(c);
        return rc;
    }
    if (o->server && *o->server) {
        free(c->server);
        size_t sl = strlen(o->server);
        while (sl && o->server[sl - 1] == '/')
            sl--;
        c->server = sk_xasprintf("%.*s", (int)sl, o->server);
    }
    if (o->token) {
        free(c->token);
        c->token = sk_xstrdup(o->token);
        /* as kubectl: an explicit token replaces the client certificate */
        free(c->cert_file), free(c->key_file), free(c->cert_data), free(c->key_data);
        c->cert_file = c->key_file = c->cert_data = c->key_data = NULL;
    }
    *out = c;
    return SK_OK;
}

/* ---- requests ---- */

/* Requests go through the lean client in khttp.c: loading libcurl would
 * cost each CLI run more than the whole request (docs/architecture.md). */
struct sk_kclient {
    struct sk_khttp *h;
};

sk_err sk_kclient_new(const struct sk_kconn *conn, struct sk_kclient **out, struct sk_error **err)
{
    if (!conn->server || !*conn->server)
        return sk_fail(err, SK_EINVAL, "no server URL (%s)", conn->source ? conn->source : "");
    struct sk_kclient *k = sk_xcalloc(1, sizeof(*k));
    sk_err rc = sk_khttp_new(conn, &k->h, err);
    if (rc) {
        free(k);
        return rc;
    }
    *out = k;
    return SK_OK;
}

void sk_kclient_free(struct sk_kclient *k)
{
    if (!k) return;
    sk_khttp_free(k->h);
    free(k);
}

struct sk_khttp *sk_kclient_http(struct sk_kclient *k)
{
    return k->h;
}

void sk_kresp_free(struct sk_kresp *r)
{
    if (!r) return;
    free(r->body);
    free(r->header);
    r->body = r->header = NULL;
}

sk_err sk_kclient_do(struct sk_kclient *k, const struct sk_kreq *req, struct sk_kresp *resp,
                     struct sk_error **err)
{
    return sk_khttp_do(k->h, req, resp, err);
}

char *sk_kclient_error_line(const struct sk_kresp *r)
{
    if (r->status == 401)
        return sk_xstrdup("error: You must be logged in to the server (Unauthorized)");
    struct sk_val *doc = NULL;
    char *line = NULL;
    if (r->body && sk_json_parse(r->body, r->body_len, &doc, NULL) == SK_OK) {
        const char *msg = sk_val_str_at(doc, "message", NULL);
        const char *kind = sk_val_str_at(doc, "kind", NULL);
        const char *reason = sk_val_str_at(doc, "reason", NULL);
        if (msg && kind && !strcmp(kind, "Status"))
            line = sk_xasprintf("Error from server (%s): %s",
                                reason && *reason ? reason : "Unknown", msg);
        else if (msg)
            line = sk_xasprintf("error: %s", msg);
    }
    sk_val_free(doc);
    if (line) return line;
    const char *b = r->body ? r->body : "";
    return sk_xasprintf("error: the server responded with status %d: %.*s", r->status,
                        (int)strcspn(b, "\r\n"), b);
}

char *sk_kclient_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    struct sk_buf b = {0};
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p)) {
            sk_buf_putc(&b, (char)*p);
        } else {
            sk_buf_putc(&b, '%');
            sk_buf_putc(&b, hex[*p >> 4]);
            sk_buf_putc(&b, hex[*p & 15]);
        }
    }
    return sk_buf_take(&b, NULL);
}
