/* The admin kubeconfig `skiff kubeconfig` prints: the cluster CA inline,
 * the API's URL and the admin bearer token, in the layout kubectl itself
 * writes, so kubectl and the client libraries load it unchanged. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "mem.h"
#include "val.h"

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
    char *b64 = sk_xmalloc(4 * ((ca_len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)ca, (int)ca_len);
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
