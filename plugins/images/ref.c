/* Docker-style image reference parsing and normalisation (the grammar of
 * the distribution project's reference package, written from its
 * documentation): pure string work, fuzzed by tests/fuzz/fuzz_image_ref.c. */
#include "ref.h"

#include "mem.h"

#include <ctype.h>
#include <string.h>

#define NAME_MAX_LEN 255 /* domain/path, as Docker limits it */
#define TAG_MAX_LEN  128

static int is_lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int img_digest_valid(const char *s)
{
    if (!s || strncmp(s, "sha256:", 7)) return 0;
    s += 7;
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return 0;
    return n == 64;
}

/* One path component: [a-z0-9]+ joined by '.', '_', '__' or runs of '-'. */
static int component_valid(const char *p, size_t n)
{
    size_t i = 0;
    if (!n || !is_lower_alnum(p[0])) return 0;
    while (i < n) {
        while (i < n && is_lower_alnum(p[i]))
            i++;
        if (i == n) return 1;
        size_t s = i;
        if (p[i] == '.') {
            i++;
        } else if (p[i] == '_') {
            i++;
            if (i < n && p[i] == '_') i++;
        } else if (p[i] == '-') {
            while (i < n && p[i] == '-')
                i++;
        } else {
            return 0;
        }
        if (i == n || !is_lower_alnum(p[i]) || i == s) return 0;
    }
    return 1;
}

/* host[:port]: DNS labels of letters, digits and '-', or an IPv6 address
 * in brackets. */
static int domain_valid(const char *p, size_t n)
{
    size_t i = 0;
    if (!n) return 0;
    if (p[0] == '[') {
        while (i < n && p[i] != ']')
            i++;
        if (i == n || i < 3) return 0;
        for (size_t k = 1; k < i; k++)
            if (!isxdigit((unsigned char)p[k]) && p[k] != ':' && p[k] != '.') return 0;
        i++;
    } else {
        for (;;) {
            size_t s = i;
            while (i < n && (isalnum((unsigned char)p[i]) || p[i] == '-'))
                i++;
            if (i == s || p[s] == '-' || p[i - 1] == '-') return 0;
            if (i < n && p[i] == '.') {
                i++;
                continue;
            }
            break;
        }
    }
    if (i == n) return 1;
    if (p[i] != ':' || i + 1 == n || n - i - 1 > 5) return 0;
    for (i++; i < n; i++)
        if (!isdigit((unsigned char)p[i])) return 0;
    return 1;
}

static int tag_valid(const char *p, size_t n)
{
    if (!n || n > TAG_MAX_LEN) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        int ok = isalnum((unsigned char)c) || c == '_' || (i > 0 && (c == '.' || c == '-'));
        if (!ok) return 0;
    }
    return 1;
}

void img_ref_free(struct img_ref *r)
{
    if (!r) return;
    free(r->domain);
    free(r->path);
    free(r->tag);
    free(r->digest);
    memset(r, 0, sizeof(*r));
}

static sk_err bad(struct sk_error **err, const char *s, const char *why)
{
    return sk_fail(err, SK_EINVAL, "invalid reference \"%s\": %s", s, why);
}

sk_err img_ref_parse(const char *s, struct img_ref *out, struct sk_error **err)
{
    memset(out, 0, sizeof(*out));
    if (!s || !*s) return sk_fail(err, SK_EINVAL, "invalid reference \"\": empty image name");
    size_t len = strlen(s);
    if (len > 1024) return sk_fail(err, SK_EINVAL, "invalid reference: longer than 1024 bytes");

    const char *at = strchr(s, '@');
    size_t name_end = at ? (size_t)(at - s) : len;
    if (at) {
        const char *d = at + 1;
        if (strchr(d, '@')) return bad(err, s, "more than one '@'");
        if (strncmp(d, "sha256:", 7)) {
            if (!strchr(d, ':')) return bad(err, s, "digest must be ALGORITHM:HEX");
            return bad(err, s, "unsupported digest algorithm (only sha256)");
        }
        if (!img_digest_valid(d))
            return bad(err, s, "sha256 digest must be 64 lowercase hex digits");
    }
    /* The tag is after the last ':' that follows the last '/', so a
     * registry port ("host:5000/x") is not mistaken for one. */
    size_t slash = 0, colon = 0;
    int has_slash = 0, has_colon = 0;
    for (size_t i = 0; i < name_end; i++) {
        if (s[i] == '/') slash = i, has_slash = 1, has_colon = 0;
        if (s[i] == ':') colon = i, has_colon = 1;
    }
    (void)slash;
    size_t repo_end = has_colon ? colon : name_end;
    if (has_colon && !tag_valid(s + colon + 1, name_end - colon - 1))
        return bad(err, s, "tag must be 1-128 of [A-Za-z0-9_.-], not starting with '.' or '-'");
    if (repo_end == 0) return bad(err, s, "empty repository name");

    /* Domain: the first component when it looks like a host. */
    const char *first_slash = memchr(s, '/', repo_end);
    const char *dom = NULL;
    size_t dom_len = 0;
    const char *path = s;
    size_t path_len = repo_end;
    if (has_slash && first_slash) {
        size_t fl = (size_t)(first_slash - s);
        int hostlike = memchr(s, '.', fl) || memchr(s, ':', fl) ||
                       (fl == 9 && !strncmp(s, "localhost", 9));
        for (size_t i = 0; i < fl && !hostlike; i++)
            if (isupper((unsigned char)s[i])) hostlike = 1;
        if (hostlike) {
            dom = s;
            dom_len = fl;
            path = first_slash + 1;
            path_len = repo_end - fl - 1;
            if (!domain_valid(dom, dom_len))
                return bad(err, s, "registry host must be HOST[:PORT] (letters, digits, '-', '.')");
        }
    }
    if (!path_len) return bad(err, s, "empty repository name");
    for (size_t i = 0; i < path_len; i++)
        if (isupper((unsigned char)path[i]))
            return bad(err, s, "repository name must be lowercase");
    for (size_t i = 0, st = 0; i <= path_len; i++) {
        if (i == path_len || path[i] == '/') {
            if (!component_valid(path + st, i - st))
                return bad(err, s,
                           "repository name components must be [a-z0-9] separated by '.', '_', "
                           "'__' or '-'");
            st = i + 1;
        }
    }

    if (!dom || (dom_len == 15 && !strncmp(dom, "index.docker.io", 15))) {
        out->domain = sk_xstrdup("docker.io");
    } else {
        out->domain = sk_xstrndup(dom, dom_len);
    }
    if (!strcmp(out->domain, "docker.io") && !memchr(path, '/', path_len))
        out->path = sk_xasprintf("library/%.*s", (int)path_len, path);
    else
        out->path = sk_xstrndup(path, path_len);
    if (strlen(out->domain) + 1 + strlen(out->path) > NAME_MAX_LEN) {
        img_ref_free(out);
        return bad(err, s, "repository name longer than 255 characters");
    }
    if (has_colon) out->tag = sk_xstrndup(s + colon + 1, name_end - colon - 1);
    if (at) out->digest = sk_xstrdup(at + 1);
    if (!out->tag && !out->digest) out->tag = sk_xstrdup("latest");
    return SK_OK;
}

char *img_ref_repo(const struct img_ref *r)
{
    return sk_xasprintf("%s/%s", r->domain, r->path);
}

char *img_ref_string(const struct img_ref *r)
{
    return sk_xasprintf("%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
                        r->tag ? r->tag : "", r->digest ? "@" : "", r->digest ? r->digest : "");
}
