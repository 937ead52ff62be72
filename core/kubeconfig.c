/* The admin kubeconfig `skiff kubeconfig` prints: the cluster CA inline,
 * the API's URL and the admin bearer token, in the layout kubectl itself
 * writes, so kubectl and the client libraries load it unchanged. And the
 * merge of a $KUBECONFIG list of files, as client-go's loading rules do. */
#include <errno.h>
#include <mbedtls/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "cli_kubeconfig.h"
#include "config.h"
#include "json.h"
#include "kclient.h"
#include "mem.h"
#include "val.h"
#include "yaml.h"

#define MAX_FILE (1024 * 1024)

static char *read_small(const char *path, size_t *len, struct sk_error **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sk_fail_sys(err, errno, "cannot read %s (has the agent run with this data dir?)", path);
        return NULL;
    }
    char *buf = sk_xmalloc(MAX_FILE + 1);
    size_t n = fread(buf, 1, MAX_FILE + 1, f);
    bool bad = ferror(f) || n > MAX_FILE;
    fclose(f);
    if (bad) {
        free(buf);
        sk_fail(err, SK_EINVAL, "cannot read %s: unreadable or too large", path);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

char *sk_api_kubeconfig(const char *data_dir, const char *server_url, struct sk_error **err)
{
    char *ca_path = sk_xasprintf("%s/tls/ca.crt", data_dir);
    char *tok_path = sk_xasprintf("%s/tls/admin.token", data_dir);
    size_t ca_len = 0, tok_len = 0;
    char *ca = read_small(ca_path, &ca_len, err);
    char *tok = ca ? read_small(tok_path, &tok_len, err) : NULL;
    free(ca_path);
    free(tok_path);
    if (!ca || !tok) {
        free(ca);
        free(tok);
        return NULL;
    }
    tok[strcspn(tok, "\r\n")] = 0;
    /* the token file holds a printable token; anything else would need
     * quoting the reader does not expect */
    for (const char *p = tok; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\'' || *p == '#' || *p == ':') {
            free(ca);
            free(tok);
            sk_fail(err, SK_EINVAL, "%s/tls/admin.token holds characters a token may not",
                    data_dir);
            return NULL;
        }
    }
    size_t b64cap = 4 * ((ca_len + 2) / 3) + 1, b64len = 0;
    char *b64 = sk_xmalloc(b64cap);
    if (mbedtls_base64_encode((unsigned char *)b64, b64cap, &b64len, (const unsigned char *)ca,
                              ca_len))
        abort(); /* the buffer is sized for it */
    struct sk_buf b = {0};
    sk_buf_printf(&b,
                  "apiVersion: v1\n"
                  "kind: Config\n"
                  "clusters:\n"
                  "- cluster:\n"
                  "    certificate-authority-data: %s\n"
                  "    server: %s\n"
                  "  name: skiff\n"
                  "contexts:\n"
                  "- context:\n"
                  "    cluster: skiff\n"
                  "    user: skiff-admin\n"
                  "  name: skiff\n"
                  "current-context: skiff\n"
                  "preferences: {}\n"
                  "users:\n"
                  "- name: skiff-admin\n"
                  "  user:\n"
                  "    token: %s\n",
                  b64, server_url ? server_url : "https://127.0.0.1:6443", tok);
    free(b64);
    free(ca);
    free(tok);
    return sk_buf_take(&b, NULL);
}

char *sk_api_local_url(const char *listen)
{
    char host[256];
    int port = 0;
    if (!listen || sk_parse_hostport(listen, host, sizeof(host), &port) != SK_OK) return NULL;
    const char *h = host;
    if (!strcmp(h, "0.0.0.0") || !*h) h = "127.0.0.1";
    if (!strcmp(h, "::")) h = "::1";
    return strchr(h, ':') ? sk_xasprintf("https://[%s]:%d", h, port)
                          : sk_xasprintf("https://%s:%d", h, port);
}

/* ---- merging $KUBECONFIG ---- */

/* A path in file fname made absolute against fname's directory, as
 * client-go's ResolvePaths does before merging. */
static void resolve_path(struct sk_val *m, const char *key, const char *fname)
{
    const char *p = sk_val_str_at(m, key, NULL);
    if (!p || !*p || p[0] == '/') return;
    const char *slash = strrchr(fname, '/');
    char *abs = slash ? sk_xasprintf("%.*s/%s", (int)(slash - fname), fname, p) : sk_xstrdup(p);
    if (!slash) {
        char cwd[4096];
        if (getcwd(cwd, sizeof(cwd))) {
            free(abs);
            abs = sk_xasprintf("%s/%s", cwd, p);
        }
    }
    sk_map_set(m, key, sk_val_str(abs));
    free(abs);
}

static void resolve_paths(struct sk_val *doc, const char *fname)
{
    struct sk_val *cl = sk_map_get(doc, "clusters");
    for (size_t i = 0; i < sk_arr_len(cl); i++)
        resolve_path(sk_map_get(sk_arr_get(cl, i), "cluster"), "certificate-authority", fname);
    struct sk_val *us = sk_map_get(doc, "users");
    static const char *const ukeys[] = {"client-certificate", "client-key", "tokenFile"};
    for (size_t i = 0; i < sk_arr_len(us); i++)
        for (int k = 0; k < 3; k++)
            resolve_path(sk_map_get(sk_arr_get(us, i), "user"), ukeys[k], fname);
}

static bool named_in(const struct sk_val *a, const char *name)
{
    for (size_t i = 0; i < sk_arr_len(a); i++) {
        const char *n = sk_val_str_at(sk_arr_get(a, i), "name", NULL);
        if (n && !strcmp(n, name)) return true;
    }
    return false;
}

static int by_name(const void *a, const void *b)
{
    const char *x = sk_val_str_at(*(struct sk_val *const *)a, "name", NULL);
    const char *y = sk_val_str_at(*(struct sk_val *const *)b, "name", NULL);
    return strcmp(x ? x : "", y ? y : "");
}

struct sk_val *sk_kubeconfig_merge(const char *list, bool resolve, char **first,
                                   struct sk_error **err)
{
    *first = NULL;
    struct sk_val *merged = NULL;
    char *copy = sk_xstrdup(list ? list : ""), *save = NULL;
    for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
        FILE *f = fopen(p, "rb");
        if (!f) {
            if (errno == ENOENT) continue; /* kubectl skips missing files */
            sk_fail_sys(err, errno, "error loading config file \"%s\"", p);
            goto fail;
        }
        fclose(f);
        size_t n = 0;
        char *text = read_small(p, &n, err);
        if (!text) goto fail;
        struct sk_val *doc = NULL;
        struct sk_error *e = NULL;
        sk_err rc = n ? sk_yaml_parse_one(text, n, p, &doc, &e) : SK_OK;
        free(text);
        if (rc) {
            sk_fail(err, rc, "error loading config file \"%s\": %s", p, sk_error_msg(e, rc));
            sk_error_free(e);
            goto fail;
        }
        if (doc && doc->type != SK_V_MAP) {
            sk_val_free(doc);
            sk_fail(err, SK_EINVAL, "error loading config file \"%s\": not a kubeconfig map", p);
            goto fail;
        }
        if (!*first) *first = sk_xstrdup(p);
        if (!doc) doc = sk_val_map();
        if (resolve) resolve_paths(doc, p);
        if (!merged) {
            merged = doc;
            continue;
        }
        /* the first file to set a value wins: current-context, named
         * clusters, contexts and users, and other top-level keys */
        const char *cur = sk_val_str_at(merged, "current-context", NULL);
        const char *dcur = sk_val_str_at(doc, "current-context", NULL);
        if ((!cur || !*cur) && dcur && *dcur)
            sk_map_set(merged, "current-context", sk_val_str(dcur));
        static const char *const lists[] = {"clusters", "contexts", "users"};
        for (int l = 0; l < 3; l++) {
            struct sk_val *src = sk_map_get(doc, lists[l]);
            if (!sk_val_is(src, SK_V_ARR)) continue;
            struct sk_val *dst = sk_map_get(merged, lists[l]);
            if (!sk_val_is(dst, SK_V_ARR)) dst = sk_map_set(merged, lists[l], sk_val_arr());
            for (size_t i = 0; i < sk_arr_len(src); i++) {
                const char *name = sk_val_str_at(sk_arr_get(src, i), "name", NULL);
                if (name && !named_in(dst, name)) sk_arr_push(dst, sk_val_dup(sk_arr_get(src, i)));
            }
        }
        for (size_t i = 0; i < doc->u.m.n; i++) {
            const char *k = doc->u.m.kv[i].key;
            if (!sk_map_get(merged, k)) sk_map_set(merged, k, sk_val_dup(doc->u.m.kv[i].val));
        }
        sk_val_free(doc);
    }
    free(copy);
    /* kubectl keeps them in maps: they come out sorted by name */
    static const char *const named[] = {"clusters", "contexts", "users"};
    for (int l = 0; merged && l < 3; l++) {
        struct sk_val *a = sk_map_get(merged, named[l]);
        if (sk_val_is(a, SK_V_ARR) && a->u.a.n > 1)
            qsort(a->u.a.items, a->u.a.n, sizeof(*a->u.a.items), by_name);
    }
    return merged;
fail:
    free(copy);
    free(*first);
    *first = NULL;
    sk_val_free(merged);
    return NULL;
}

sk_err sk_kubeconfig_load_merged(const char *list, const char *context, struct sk_kconn **out,
                                 struct sk_error **err)
{
    char *first = NULL;
    struct sk_val *m = sk_kubeconfig_merge(list, true, &first, err);
    if (!m) {
        free(first);
        if (err && *err) return (*err)->code ? (*err)->code : SK_EINVAL;
        return sk_fail(err, SK_ENOENT, "no file of $KUBECONFIG (%s) exists", list);
    }
    size_t n = 0;
    char *text = sk_json_dump(m, SK_JSON_COMPACT, &n);
    sk_err rc = sk_kubeconfig_parse(text, n, first, context, out, err);
    free(text);
    free(first);
    sk_val_free(m);
    return rc;
}
