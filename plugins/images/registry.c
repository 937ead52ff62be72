/* The puller: OCI distribution API over libcurl (see registry.h). One
 * pull is: choose an endpoint and fetch the manifest (following an index
 * to this platform's manifest), then fetch the config and layer blobs in
 * parallel through one curl multi handle, each streamed into the store's
 * ingest (hashed on the way), then unpack the layers and name the image. */
#include "registry.h"

#include "json.h"
#include "mem.h"

#include <errno.h>
#include <mbedtls/base64.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "dl.h"
#include "manifest.h"
#include "ref.h"
#include "regconf.h"
#include "store.h"

#define USER_AGENT "skiff/" SKIFF_VERSION_STR
#ifdef SKIFF_VERSION
#define SKIFF_VERSION_STR SKIFF_VERSION
#else
#define SKIFF_VERSION_STR "0"
#endif

/* One pull's connection to one registry endpoint. */
struct conn {
    const struct img_curl_api *C;
    const struct img_pull_opts *o;
    char *base;      /* "https://host:port" (no trailing slash) */
    char *host;      /* the registry's name, for configs and credentials */
    char *repo;      /* "library/busybox" */
    char *query;     /* "?ns=docker.io" for mirrors, else "" */
    bool http_retry; /* may fall back to plain HTTP (localhost) */
    char *user, *pass;
    char *bearer; /* current token */
    bool basic;   /* send basic credentials */
    const struct sk_val *tls;
    /* One multi handle for every request of the pull: connections, TLS
     * sessions and the parsed CA bundle are reused (loading the bundle
     * alone costs tens of milliseconds per handle). */
    CURLM *multi;
};

struct resp {
    long status;
    char *ctype, *digest, *challenge;
    struct sk_buf body;
    size_t limit;
    bool over;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
    }
}

static void resp_reset(struct resp *r)
{
    free(r->ctype);
    free(r->digest);
    free(r->challenge);
    sk_buf_free(&r->body);
    size_t limit = r->limit;
    memset(r, 0, sizeof(*r));
    r->limit = limit;
}

static char *trim_dup(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
        n--;
    return sk_xstrndup(p, n);
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
    struct resp *r = arg;
    size_t n = size * nmemb;
    if (n >= 5 && !strncmp(p, "HTTP/", 5)) { /* a new response (redirect): forget the last */
        free(r->ctype), free(r->digest), free(r->challenge);
        r->ctype = r->digest = r->challenge = NULL;
        return n;
    }
    const char *colon = memchr(p, ':', n);
    if (!colon) return n;
    size_t kl = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vl = n - kl - 1;
    if (kl == 12 && !strncasecmp(p, "Content-Type", 12)) {
        free(r->ctype);
        r->ctype = trim_dup(v, vl);
    } else if (kl == 21 && !strncasecmp(p, "Docker-Content-Digest", 21)) {
        free(r->digest);
        r->digest = trim_dup(v, vl);
    } else if (kl == 16 && !strncasecmp(p, "WWW-Authenticate", 16)) {
        free(r->challenge);
        r->challenge = trim_dup(v, vl);
    }
    return n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct resp *r = arg;
    size_t n = size * nmemb;
    if (r->body.len + n > r->limit) {
        r->over = true;
        return 0;
    }
    sk_buf_append(&r->body, p, n);
    return n;
}

static void setup_easy(struct conn *c, CURL *h, const char *url, struct curl_slist *hdrs)
{
    const struct img_curl_api *C = c->C;
    C->curl_easy_setopt(h, CURLOPT_URL, url);
    C->curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
    C->curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    C->curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    C->curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    C->curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    C->curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    C->curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
    /* A stalled transfer (under 1 byte/s for 60 s) fails and is retried. */
    C->curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    C->curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
    C->curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "identity");
    if (hdrs) C->curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    const struct sk_val *tls = c->tls;
    const char *ca = sk_val_str_at(tls, "ca_file", NULL);
    const char *cert = sk_val_str_at(tls, "cert_file", NULL);
    const char *key = sk_val_str_at(tls, "key_file", NULL);
    if (ca && *ca) C->curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    if (cert && *cert) C->curl_easy_setopt(h, CURLOPT_SSLCERT, cert);
    if (key && *key) C->curl_easy_setopt(h, CURLOPT_SSLKEY, key);
    if (sk_val_to_bool(sk_map_get(tls, "insecure_skip_verify"), false)) {
        C->curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        C->curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
}

static struct curl_slist *auth_headers(struct conn *c, const char *accept)
{
    struct curl_slist *l = NULL;
    if (accept) {
        char *a = sk_xasprintf("Accept: %s", accept);
        l = c->C->curl_slist_append(l, a);
        free(a);
    }
    if (c->bearer) {
        char *a = sk_xasprintf("Authorization: Bearer %s", c->bearer);
        l = c->C->curl_slist_append(l, a);
        free(a);
    } else if (c->basic && c->user) {
        char *up = sk_xasprintf("%s:%s", c->user, c->pass ? c->pass : "");
        size_t n = strlen(up);
        size_t cap = 4 * ((n + 2) / 3) + 1, blen = 0;
        char *b64 = sk_xmalloc(cap);
        if (mbedtls_base64_encode((unsigned char *)b64, cap, &blen, (const unsigned char *)up, n))
            abort(); /* the buffer is sized for it */
        char *a = sk_xasprintf("Authorization: Basic %s", b64);
        l = c->C->curl_slist_append(l, a);
        free(a);
        free(b64);
        free(up);
    }
    return l;
}

static bool retryable_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_COULDNT_RESOLVE_HOST: return true;
    default: return false;
    }
}

static bool retryable_status(long st)
{
    return st == 408 || st == 429 || st >= 500;
}

static double backoff(int attempt)
{
    /* 0.2 s, 0.4 s, 0.8 s, ... with jitter, at most 5 s. */
    double d = 0.2 * (double)(1 << (attempt < 5 ? attempt : 5));
    d *= 0.75 + 0.5 * ((double)(rand() % 1000) / 1000.0);
    return d < 5 ? d : 5;
}

/* Run one easy handle to completion on the pull's multi handle. */
static CURLcode perform(struct conn *c, CURL *h)
{
    const struct img_curl_api *C = c->C;
    if (!c->multi) c->multi = C->curl_multi_init();
    if (C->curl_multi_add_handle(c->multi, h) != CURLM_OK) return CURLE_FAILED_INIT;
    CURLcode cc = CURLE_OK;
    for (bool done = false; !done;) {
        int running = 0, q;
        C->curl_multi_perform(c->multi, &running);
        CURLMsg *msg;
        while ((msg = C->curl_multi_info_read(c->multi, &q)))
            if (msg->msg == CURLMSG_DONE && msg->easy_handle == h)
                cc = msg->data.result, done = true;
        if (!done) C->curl_multi_poll(c->multi, NULL, 0, 100, NULL);
    }
    C->curl_multi_remove_handle(c->multi, h);
    return cc;
}

/* One blocking request with retries; the body goes to r->body (at most
 * r->limit bytes). Returns SK_OK with r->status set whenever an HTTP
 * answer arrived; transport failures after the last retry are errors. */
static sk_err request(struct conn *c, const char *url, const char *accept, bool head,
                      struct resp *r, CURLcode *cc_out, struct sk_error **err)
{
    const struct img_curl_api *C = c->C;
    int tries = c->o->retries > 0 ? c->o->retries : 4;
    CURLcode cc = CURLE_OK;
    char errbuf[CURL_ERROR_SIZE];
    for (int attempt = 0; attempt < tries; attempt++) {
        if (attempt) sleep_s(backoff(attempt - 1));
        resp_reset(r);
        CURL *h = C->curl_easy_init();
        if (!h) return sk_fail(err, SK_ENOMEM, "curl_easy_init failed");
        struct curl_slist *hdrs = auth_headers(c, accept);
        setup_easy(c, h, url, hdrs);
        errbuf[0] = 0;
        C->curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        C->curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        C->curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
        C->curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        C->curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
        if (head) C->curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        cc = perform(c, h);
        C->curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        C->curl_easy_cleanup(h);
        c->C->curl_slist_free_all(hdrs);
        if (cc_out) *cc_out = cc;
        if (cc == CURLE_WRITE_ERROR && r->over)
            return sk_fail(err, SK_ETOOBIG, "%s: response over %zu bytes", url, r->limit);
        if (cc == CURLE_OK && !retryable_status(r->status)) return SK_OK;
        if (cc != CURLE_OK && !retryable_curl(cc)) break;
    }
    if (cc == CURLE_OK) return SK_OK; /* the last answer was a 5xx: the caller reports it */
    return sk_fail(err, SK_EAGAIN, "%s: %s", url, errbuf[0] ? errbuf : C->curl_easy_strerror(cc));
}

/* The registry's own words from an error body, when it sent some. */
static char *registry_message(const struct resp *r)
{
    struct sk_val *doc = NULL;
    char *out = NULL;
    if (r->body.len && sk_json_parse(r->body.p, r->body.len, &doc, NULL) == SK_OK) {
        const struct sk_val *e0 = sk_arr_get(sk_map_get(doc, "errors"), 0);
        const char *code = sk_val_str_at(e0, "code", NULL);
        const char *msg = sk_val_str_at(e0, "message", NULL);
        if (code || msg)
            out = sk_xasprintf("%.100s%s%.300s", code ? code : "", code && msg ? ": " : "",
                               msg ? msg : "");
    }
    sk_val_free(doc);
    return out;
}

/* WWW-Authenticate: Bearer realm="...",service="...",scope="..." */
static char *challenge_param(const char *ch, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = ch; (p = strcasestr(p, key)); p += kl) {
        if (p != ch && p[-1] != ' ' && p[-1] != ',') continue;
        const char *q = p + kl;
        if (*q != '=') continue;
        q++;
        if (*q == '"') {
            const char *e = strchr(q + 1, '"');
            if (!e) return NULL;
            return sk_xstrndup(q + 1, (size_t)(e - q - 1));
        }
        return sk_xstrndup(q, strcspn(q, ", "));
    }
    return NULL;
}

static void urlencode(struct sk_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~')
            sk_buf_putc(b, (char)ch);
        else
            sk_buf_printf(b, "%%%02X", ch);
    }
}

/* Answer a 401: fetch a bearer token from the realm the challenge names
 * (with our credentials, when we have some), or switch to basic auth. */
static sk_err authenticate(struct conn *c, const char *challenge, struct sk_error **err)
{
    if (!challenge) return sk_fail(err, SK_EINVAL, "unauthorized (no WWW-Authenticate challenge)");
    if (!strncasecmp(challenge, "Basic", 5)) {
        if (!c->user || c->basic)
            return sk_fail(err, SK_EINVAL, "unauthorized: %s",
                           c->user ? "credentials refused" : "authentication required");
        c->basic = true;
        return SK_OK;
    }
    if (strncasecmp(challenge, "Bearer", 6))
        return sk_fail(err, SK_EINVAL, "unauthorized: unsupported auth scheme in \"%.60s\"",
                       challenge);
    char *realm = challenge_param(challenge, "realm");
    char *service = challenge_param(challenge, "service");
    char *scope = challenge_param(challenge, "scope");
    sk_err rc = SK_OK;
    if (!realm || (strncmp(realm, "https://", 8) && strncmp(realm, "http://", 7))) {
        rc = sk_fail(err, SK_EINVAL, "unauthorized: bearer challenge without a usable realm");
        goto out;
    }
    struct sk_buf u = {0};
    sk_buf_puts(&u, realm);
    sk_buf_putc(&u, strchr(realm, '?') ? '&' : '?');
    if (service) {
        sk_buf_puts(&u, "service=");
        urlencode(&u, service);
        sk_buf_putc(&u, '&');
    }
    sk_buf_puts(&u, "scope=");
    if (scope) {
        urlencode(&u, scope);
    } else {
        char *s = sk_xasprintf("repository:%s:pull", c->repo);
        urlencode(&u, s);
        free(s);
    }
    char *url = sk_buf_take(&u, NULL);
    /* The token request carries basic credentials, never an old token. */
    char *old = c->bearer;
    bool oldbasic = c->basic;
    c->bearer = NULL;
    c->basic = c->user != NULL;
    struct resp r = {.limit = 1 << 20};
    rc = request(c, url, NULL, false, &r, NULL, err);
    c->basic = oldbasic;
    free(old);
    if (!rc && r.status != 200) {
        char *m = registry_message(&r);
        rc = sk_fail(err, SK_EINVAL, "unauthorized: token server %s answered %ld%s%s", realm,
                     r.status, m ? ": " : "", m ? m : "");
        free(m);
    }
    if (!rc) {
        struct sk_val *doc = NULL;
        if (sk_json_parse(r.body.p, r.body.len, &doc, NULL) == SK_OK) {
            const char *t = sk_val_str_at(doc, "token", NULL);
            if (!t || !*t) t = sk_val_str_at(doc, "access_token", NULL);
            if (t && *t && strlen(t) < 16384 && !strpbrk(t, "\r\n")) c->bearer = sk_xstrdup(t);
        }
        sk_val_free(doc);
        if (!c->bearer) rc = sk_fail(err, SK_EPROTO, "token server %s sent no token", realm);
    }
    free(url);
    resp_reset(&r);
out:
    free(realm);
    free(service);
    free(scope);
    return rc;
}

/* A request that answers 401 challenges (once each). */
static sk_err authed_request(struct conn *c, const char *url, const char *accept, struct resp *r,
                             CURLcode *cc, struct sk_error **err)
{
    for (int round = 0;; round++) {
        sk_err rc = request(c, url, accept, false, r, cc, err);
        if (rc || r->status != 401 || round == 2) return rc;
        char *ch = r->challenge ? sk_xstrdup(r->challenge) : NULL;
        if (round == 1 && c->bearer) { /* a fresh token was refused too */
            free(ch);
            return SK_OK;
        }
        rc = authenticate(c, ch, err);
        free(ch);
        if (rc) return rc;
    }
}

static bool is_local_host(const char *host)
{
    size_t hl = strcspn(host, ":");
    if (host[0] == '[') return !strncmp(host, "[::1]", 5);
    return (hl == 9 && !strncmp(host, "localhost", 9)) || !strncmp(host, "127.", 4);
}

/* Does the server at base answer TLS at all? Certificates are not
 * checked: this only chooses the scheme; the real requests verify. A
 * server that cannot be reached counts as TLS, so the normal path reports
 * it with its retries. */
static bool speaks_tls(const struct img_curl_api *C, const struct img_pull_opts *o,
                       const char *base)
{
    (void)o;
    CURL *h = C->curl_easy_init();
    if (!h) return true;
    char *url = sk_xasprintf("%s/v2/", base);
    C->curl_easy_setopt(h, CURLOPT_URL, url);
    C->curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    C->curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    C->curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    C->curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    C->curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    C->curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    CURLcode cc = C->curl_easy_perform(h);
    C->curl_easy_cleanup(h);
    free(url);
    return cc == CURLE_OK || cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT ||
           cc == CURLE_COULDNT_RESOLVE_HOST;
}

static void conn_free(struct conn *c)
{
    if (c->multi) c->C->curl_multi_cleanup(c->multi);
    free(c->base);
    free(c->host);
    free(c->repo);
    free(c->query);
    free(c->user);
    free(c->pass);
    free(c->bearer);
    memset(c, 0, sizeof(*c));
}

static void conn_init(struct conn *c, const struct img_curl_api *C, const struct img_pull_opts *o,
                      const char *base, const char *repo, const char *query)
{
    memset(c, 0, sizeof(*c));
    c->C = C;
    c->o = o;
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/')
        bl--;
    if (bl >= 3 && !strncmp(base + bl - 3, "/v2", 3)) bl -= 3;
    c->base = sk_xstrndup(base, bl);
    const char *h = strstr(c->base, "://") + 3;
    c->host = sk_xstrndup(h, strcspn(h, "/"));
    c->repo = sk_xstrdup(repo);
    c->query = sk_xstrdup(query);
    c->tls = sk_val_at(img_regconf_host(o->conf, c->host), "tls", NULL);
}

/* ---- manifests ---- */

struct fetched {
    char *body;
    size_t len;
    char digest[72];
    char *ctype;
};

static sk_err fetch_manifest(struct conn *c, const char *ref, struct fetched *f, CURLcode *cc,
                             struct sk_error **err)
{
    memset(f, 0, sizeof(*f));
    char *url = sk_xasprintf("%s/v2/%s/manifests/%s%s", c->base, c->repo, ref, c->query);
    struct resp r = {.limit = IMG_MAX_JSON};
    sk_err rc = authed_request(c, url, IMG_MANIFEST_ACCEPT, &r, cc, err);
    free(url);
    if (rc) goto out;
    if (r.status != 200) {
        char *m = registry_message(&r);
        if (r.status == 404)
            rc = sk_fail(err, SK_ENOENT, "manifest not found in the registry%s%s%s", m ? " (" : "",
                         m ? m : "", m ? ")" : "");
        else if (r.status == 401 || r.status == 403)
            rc = sk_fail(err, SK_EINVAL, "%s (HTTP %ld)%s%s",
                         c->user ? "access denied with the configured credentials"
                                 : "unauthorized: authentication required",
                         r.status, m ? ": " : "", m ? m : "");
        else
            rc = sk_fail(err, SK_EPROTO, "registry answered HTTP %ld%s%s", r.status, m ? ": " : "",
                         m ? m : "");
        free(m);
        goto out;
    }
    struct img_sha *h = img_sha_new();
    img_sha_update(h, r.body.p, r.body.len);
    img_sha_final(h, f->digest);
    if (img_digest_valid(ref) && strcmp(ref, f->digest)) {
        rc = sk_fail(err, SK_ECORRUPT, "manifest content hashes to %s, not %s; discarded",
                     f->digest, ref);
        goto out;
    }
    if (r.digest && img_digest_valid(r.digest) && strcmp(r.digest, f->digest)) {
        rc = sk_fail(err, SK_ECORRUPT,
                     "manifest content hashes to %s but the registry says %s; discarded", f->digest,
                     r.digest);
        goto out;
    }
    f->len = r.body.len;
    f->body = sk_buf_take(&r.body, NULL);
    f->ctype = r.ctype ? sk_xstrdup(r.ctype) : NULL;
out:
    resp_reset(&r);
    return rc;
}

static void fetched_free(struct fetched *f)
{
    free(f->body);
    free(f->ctype);
    memset(f, 0, sizeof(*f));
}

/* ---- blobs, in parallel ---- */

enum job_state { JOB_WAIT, JOB_RUN, JOB_DONE };

struct job {
    const struct img_curl_api *C;
    const struct img_desc *d;
    enum job_state st;
    int lock;
    struct img_ingest *in;
    CURL *h;
    struct curl_slist *hdrs;
    char errbuf[CURL_ERROR_SIZE];
    struct resp r; /* headers, and the body of an error answer */
    sk_err werr;   /* a failed write into the ingest */
    int attempts;
    bool reauthed;
    double not_before;
};

static size_t job_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct job *j = arg;
    size_t n = size * nmemb;
    long status = 0;
    j->C->curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) { /* an error answer's body is a message, not the blob */
        if (j->r.body.len < 65536) sk_buf_append(&j->r.body, p, n < 65536 ? n : 65536);
        return n;
    }
    if (j->werr) return 0;
    struct sk_error *e = NULL;
    j->werr = img_ingest_write(j->in, p, n, &e);
    sk_error_free(e);
    return j->werr ? 0 : n;
}

static void job_release(struct job *j, CURLM *m)
{
    if (j->h) {
        j->C->curl_multi_remove_handle(m, j->h);
        j->C->curl_easy_cleanup(j->h);
        j->h = NULL;
    }
    j->C->curl_slist_free_all(j->hdrs);
    j->hdrs = NULL;
    img_ingest_abort(j->in);
    j->in = NULL;
    img_unlock(j->lock);
    j->lock = -1;
    resp_reset(&j->r);
}

static void progress(const struct img_pull_opts *o, enum img_progress_event ev, const char *d,
                     int64_t done, int64_t total)
{
    if (o->progress) o->progress(o->progress_arg, ev, d, done, total);
}

/* Try to take the job: its blob may be there already, or be fetched by
 * another process right now (then wait for it, without blocking the other
 * transfers). Returns 1 when a transfer started, 0 when done or waiting,
 * or an error. */
static sk_err job_start(struct conn *c, struct img_store *s, CURLM *m, struct job *j,
                        struct img_pull_result *res, struct sk_error **err)
{
    if (img_blob_exists(s, j->d->digest)) {
        j->st = JOB_DONE;
        res->present_blobs++;
        progress(c->o, IMG_PROGRESS_BLOB, j->d->digest, -1, j->d->size);
        return SK_OK;
    }
    if (j->lock < 0) {
        j->lock = img_lock_blob(s, "blob", j->d->digest, false);
        if (j->lock < 0) {
            if (errno != EWOULDBLOCK) return sk_fail_sys(err, errno, "lock blob %s", j->d->digest);
            j->not_before = now_s() + 0.05;
            return SK_OK;
        }
        if (img_blob_exists(s, j->d->digest)) { /* the other process finished it */
            img_unlock(j->lock);
            j->lock = -1;
            j->st = JOB_DONE;
            res->present_blobs++;
            progress(c->o, IMG_PROGRESS_BLOB, j->d->digest, -1, j->d->size);
            return SK_OK;
        }
    }
    sk_err rc = img_ingest_begin(s, j->d->digest, j->d->size, &j->in, err);
    if (rc) return rc;
    char *url = sk_xasprintf("%s/v2/%s/blobs/%s%s", c->base, c->repo, j->d->digest, c->query);
    j->h = c->C->curl_easy_init();
    j->hdrs = auth_headers(c, NULL);
    setup_easy(c, j->h, url, j->hdrs);
    free(url);
    j->errbuf[0] = 0;
    j->C->curl_easy_setopt(j->h, CURLOPT_ERRORBUFFER, j->errbuf);
    j->C->curl_easy_setopt(j->h, CURLOPT_HEADERFUNCTION, on_header);
    j->C->curl_easy_setopt(j->h, CURLOPT_HEADERDATA, &j->r);
    j->C->curl_easy_setopt(j->h, CURLOPT_WRITEFUNCTION, job_body);
    j->C->curl_easy_setopt(j->h, CURLOPT_WRITEDATA, j);
    j->C->curl_easy_setopt(j->h, CURLOPT_PRIVATE, j);
    j->werr = SK_OK;
    c->C->curl_multi_add_handle(m, j->h);
    j->st = JOB_RUN;
    return SK_OK;
}

/* A transfer ended: commit the blob, or decide between retry and failure. */
static sk_err job_finish(struct conn *c, CURLM *m, struct job *j, CURLcode cc,
                         struct img_pull_result *res, struct sk_error **err)
{
    long status = 0;
    c->C->curl_easy_getinfo(j->h, CURLINFO_RESPONSE_CODE, &status);
    c->C->curl_multi_remove_handle(m, j->h);
    c->C->curl_easy_cleanup(j->h);
    j->h = NULL;
    c->C->curl_slist_free_all(j->hdrs);
    j->hdrs = NULL;
    const char *d = j->d->digest;
    if (cc == CURLE_OK && status == 200) {
        int64_t got = img_ingest_size(j->in);
        struct img_ingest *in = j->in;
        j->in = NULL;
        if (got < j->d->size) { /* a short body with a clean end: retry */
            img_ingest_abort(in);
            cc = CURLE_PARTIAL_FILE;
        } else {
            sk_err rc = img_ingest_commit(in, NULL, err);
            if (rc) return rc; /* a digest mismatch is not retried: the bytes are wrong */
            res->fetched_blobs++;
            res->fetched_bytes += (uint64_t)got;
            img_unlock(j->lock);
            j->lock = -1;
            j->st = JOB_DONE;
            progress(c->o, IMG_PROGRESS_BLOB, d, got, j->d->size);
            resp_reset(&j->r);
            return SK_OK;
        }
    }
    if (cc == CURLE_WRITE_ERROR && j->werr == SK_ETOOBIG)
        return sk_fail(err, SK_ECORRUPT, "blob %s: more bytes than its size %lld; discarded", d,
                       (long long)j->d->size);
    if (cc == CURLE_WRITE_ERROR && j->werr)
        return sk_fail(err, SK_ESYS, "blob %s: cannot write to the store (disk full?)", d);
    if (cc == CURLE_OK && status == 401 && !j->reauthed) {
        j->reauthed = true;
        char *ch = j->r.challenge ? sk_xstrdup(j->r.challenge) : NULL;
        sk_err rc = authenticate(c, ch, err);
        free(ch);
        if (rc) return rc;
        img_ingest_abort(j->in);
        j->in = NULL;
        resp_reset(&j->r);
        j->st = JOB_WAIT;
        return SK_OK;
    }
    int tries = c->o->retries > 0 ? c->o->retries : 4;
    bool retry =
            (cc != CURLE_OK && retryable_curl(cc)) || (cc == CURLE_OK && retryable_status(status));
    if (retry && ++j->attempts < tries) {
        img_ingest_abort(j->in);
        j->in = NULL;
        resp_reset(&j->r);
        j->st = JOB_WAIT;
        j->not_before = now_s() + backoff(j->attempts - 1);
        return SK_OK;
    }
    if (cc != CURLE_OK)
        return sk_fail(err, SK_EAGAIN, "blob %s: %s%s", d,
                       j->errbuf[0] ? j->errbuf : c->C->curl_easy_strerror(cc),
                       retry ? " (gave up after retries)" : "");
    char *msg = registry_message(&j->r);
    sk_err rc = sk_fail(err, status == 404 ? SK_ENOENT : SK_EPROTO,
                        "blob %s: registry answered HTTP %ld%s%s", d, status, msg ? ": " : "",
                        msg ? msg : "");
    free(msg);
    return rc;
}

static sk_err fetch_blobs(struct conn *c, struct img_store *s, const struct img_desc *const *want,
                          size_t n, struct img_pull_result *res, struct sk_error **err)
{
    const struct img_curl_api *C = c->C;
    if (!c->multi) c->multi = C->curl_multi_init();
    CURLM *m = c->multi;
    struct job *jobs = sk_xcalloc(n ? n : 1, sizeof(*jobs));
    for (size_t i = 0; i < n; i++) {
        jobs[i].C = C;
        jobs[i].d = want[i];
        jobs[i].lock = -1;
    }
    int parallel = c->o->parallel > 0 ? c->o->parallel : 4;
    sk_err rc = SK_OK;
    double last_progress = 0;
    for (;;) {
        size_t done = 0;
        int running = 0;
        for (size_t i = 0; i < n; i++) {
            if (jobs[i].st == JOB_DONE) done++;
            if (jobs[i].st == JOB_RUN) running++;
        }
        if (done == n) break;
        double t = now_s();
        for (size_t i = 0; !rc && i < n && running < parallel; i++) {
            if (jobs[i].st != JOB_WAIT || jobs[i].not_before > t) continue;
            rc = job_start(c, s, m, &jobs[i], res, err);
            if (jobs[i].st == JOB_RUN) running++;
        }
        if (rc) break;
        int still = 0;
        C->curl_multi_perform(m, &still);
        CURLMsg *msg;
        int q;
        bool finished = false;
        while (!rc && (msg = C->curl_multi_info_read(m, &q))) {
            if (msg->msg != CURLMSG_DONE) continue;
            struct job *j = NULL;
            C->curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            rc = job_finish(c, m, j, msg->data.result, res, err);
            finished = true;
        }
        if (rc) break;
        if (finished) continue; /* start the next jobs, or leave, without a poll */
        if (c->o->progress && t - last_progress > 0.1) {
            last_progress = t;
            for (size_t i = 0; i < n; i++)
                if (jobs[i].st == JOB_RUN && jobs[i].in)
                    progress(c->o, IMG_PROGRESS_BYTES, jobs[i].d->digest,
                             img_ingest_size(jobs[i].in), jobs[i].d->size);
        }
        C->curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    for (size_t i = 0; i < n; i++)
        job_release(&jobs[i], m);
    free(jobs);
    return rc;
}

/* ---- the pull ---- */

/* libarchive and what it links (libxml2, ICU, libstdc++) take a dozen
 * milliseconds to map; a thread maps them while the pull waits on the
 * network, so the unpack finds them loaded. It is joined before the
 * unpack starts (that one changes the working directory). */
static void *preload_archive(void *arg)
{
    (void)arg;
    img_archive(NULL);
    return NULL;
}

static void preload_join(pthread_t *t, bool *started)
{
    if (*started) pthread_join(*t, NULL);
    *started = false;
}

/* The host a registry name is served from. */
static const char *registry_host(const char *domain)
{
    return !strcmp(domain, "docker.io") ? "registry-1.docker.io" : domain;
}

/* Is the endpoint URL the registry itself rather than a mirror? */
static bool is_registry_url(const char *url, const char *domain)
{
    const char *host = registry_host(domain);
    const char *h = strstr(url, "://") + 3;
    size_t n = strlen(host);
    return !strncmp(h, host, n) && (h[n] == 0 || h[n] == '/');
}

static void plan_add(struct sk_val *l, const struct img_regconf *conf, const char *url,
                     const char *domain, const char *repo)
{
    bool mirror = !is_registry_url(url, domain);
    struct sk_val *e = sk_arr_push(l, sk_val_map());
    sk_map_set(e, "url", sk_val_str(url));
    /* Rewrites apply to the mirrors only, as in k3s. */
    char *rw = mirror ? img_regconf_rewrite(conf, domain, repo) : NULL;
    sk_map_set(e, "repo", sk_val_str(rw ? rw : repo));
    free(rw);
    sk_map_set(e, "mirror", sk_val_bool(mirror));
}

struct sk_val *img_pull_plan(const struct img_regconf *conf, const char *domain, const char *repo)
{
    struct sk_val *l = sk_val_arr();
    const struct sk_val *mir = img_regconf_mirrors(conf, domain);
    bool listed = false;
    for (size_t i = 0; i < sk_arr_len(mir); i++) {
        const char *u = sk_val_cstr(sk_arr_get(mir, i));
        plan_add(l, conf, u, domain, repo);
        if (is_registry_url(u, domain)) listed = true;
    }
    if (!listed) {
        char *u = sk_xasprintf("https://%s", registry_host(domain));
        plan_add(l, conf, u, domain, repo);
        free(u);
    }
    return l;
}

static sk_err resolve(struct conn *c, const struct img_ref *r, struct img_store *s,
                      struct img_manifest *man, struct img_pull_result *res, struct sk_error **err)
{
    struct fetched f;
    CURLcode cc = CURLE_OK;
    const char *ref = r->digest ? r->digest : r->tag;
    sk_err rc = fetch_manifest(c, ref, &f, &cc, err);
    if (rc) return rc;
    rc = img_manifest_parse(f.body, f.len, f.ctype, man, err);
    if (rc) {
        fetched_free(&f);
        return rc;
    }
    if (man->kind == IMG_KIND_INDEX) {
        const char *os, *arch, *variant;
        img_platform_self(&os, &arch, &variant);
        if (c->o->os) os = c->o->os;
        if (c->o->arch) arch = c->o->arch, variant = c->o->variant;
        const struct img_desc *d = img_index_select(man, os, arch, variant, err);
        if (!d) {
            img_manifest_free(man);
            fetched_free(&f);
            return SK_ENOENT;
        }
        rc = img_blob_put(s, f.body, f.len, f.digest, NULL, err);
        memcpy(res->index, f.digest, 72);
        char *want = sk_xstrdup(d->digest);
        img_manifest_free(man);
        fetched_free(&f);
        if (rc) {
            free(want);
            return rc;
        }
        rc = fetch_manifest(c, want, &f, &cc, err);
        free(want);
        if (rc) return rc;
        rc = img_manifest_parse(f.body, f.len, f.ctype, man, err);
        if (!rc && man->kind != IMG_KIND_MANIFEST) {
            img_manifest_free(man);
            rc = sk_fail(err, SK_EINVAL, "an index inside an index is not supported");
        }
        if (rc) {
            fetched_free(&f);
            return rc;
        }
    }
    rc = img_blob_put(s, f.body, f.len, f.digest, NULL, err);
    memcpy(res->manifest, f.digest, 72);
    fetched_free(&f);
    if (rc) img_manifest_free(man);
    return rc;
}

sk_err img_pull(struct img_store *s, const char *refstr, const struct img_pull_opts *o,
                struct img_pull_result *res, struct sk_error **err)
{
    static const struct img_pull_opts no_opts;
    struct img_pull_result local;
    if (!o) o = &no_opts;
    if (!res) res = &local;
    memset(res, 0, sizeof(*res));
    struct img_ref r;
    sk_err rc = img_ref_parse(refstr, &r, err);
    if (rc) return rc;
    char *shown = img_ref_string(&r);
    snprintf(res->name, sizeof(res->name), "%s", shown);
    const struct img_curl_api *C = img_curl(err);
    if (!C) {
        rc = SK_ENOENT;
        goto out_ref;
    }
    /* Held shared for the whole pull: a sweep must not delete the blobs
     * we store before the name that keeps them exists. */
    int gc = img_lock_gc(s, LOCK_SH, true);
    if (gc < 0) {
        rc = sk_fail_sys(err, errno, "lock the image store");
        goto out_ref;
    }
    pthread_t preload;
    bool preloading = pthread_create(&preload, NULL, preload_archive, NULL) == 0;
    struct sk_val *eps = img_pull_plan(o->conf, r.domain, r.path);
    struct conn c = {0};
    struct img_manifest man = {0};
    sk_err last = SK_OK;
    struct sk_error *last_err = NULL;
    bool resolved = false;
    for (size_t i = 0; !resolved && i < sk_arr_len(eps); i++) {
        const struct sk_val *ep = sk_arr_get(eps, i);
        const char *base = sk_val_str_at(ep, "url", NULL);
        const char *repo = sk_val_str_at(ep, "repo", NULL);
        bool mirror = sk_val_to_bool(sk_map_get(ep, "mirror"), false);
        char *q = mirror ? sk_xasprintf("?ns=%s", r.domain) : sk_xstrdup("");
        /* A local registry gets a cheap TLS probe first (no CA bundle to
         * load, nothing sent but GET /v2/), so a plain-HTTP one costs no
         * failed verified handshake. */
        int first = 0;
        if (!strncmp(base, "https://", 8) && !mirror && is_local_host(base + 8) &&
            !speaks_tls(C, o, base))
            first = 1;
        for (int plain = first; plain < 2 && !resolved; plain++) {
            char *b = plain ? sk_xasprintf("http://%s", base + 8) : sk_xstrdup(base);
            conn_free(&c);
            conn_init(&c, C, o, b, repo, q);
            img_regconf_creds(o->conf, o->auths, c.host, &c.user, &c.pass);
            if (!c.user && strcmp(c.host, r.domain))
                img_regconf_creds(o->conf, o->auths, r.domain, &c.user, &c.pass);
            free(b);
            sk_error_free(last_err);
            last_err = NULL;
            last = resolve(&c, &r, s, &man, res, &last_err);
            if (!last) {
                resolved = true;
                break;
            }
            /* Plain HTTP only for a local registry that failed at the
             * transport level over HTTPS, as Docker does. */
            bool https = !strncmp(base, "https://", 8);
            if (!(https && !plain && is_local_host(c.host) && last == SK_EAGAIN)) break;
        }
        free(q);
        /* A mirror that fails falls through to the next endpoint; the
         * registry's own answer is final. */
    }
    sk_val_free(eps);
    if (!resolved) {
        rc = last;
        if (last == SK_EAGAIN) {
            sk_fail(err, SK_EAGAIN, "pull %s: cannot reach the registry: %s", shown,
                    sk_error_msg(last_err, last));
        } else {
            sk_fail(err, last, "pull %s: %.900s", shown, sk_error_msg(last_err, last));
        }
        sk_error_free(last_err);
        goto out_conn;
    }
    sk_error_free(last_err);

    /* The config first in the list: it is small and names the diff_ids. */
    size_t n = man.n_layers + 1;
    const struct img_desc **want = sk_xcalloc(n, sizeof(*want));
    want[0] = &man.config;
    int64_t total = man.config.size;
    for (size_t i = 0; i < man.n_layers; i++) {
        want[i + 1] = &man.layers[i];
        total += man.layers[i].size;
    }
    progress(o, IMG_PROGRESS_RESOLVED, res->manifest, (int64_t)n, total);
    rc = fetch_blobs(&c, s, want, n, res, err);
    free(want);
    if (rc) {
        sk_error_prefix(err, "pull %s", shown);
        goto out_man;
    }
    preload_join(&preload, &preloading);
    struct img_manifest m2;
    struct img_config cfg;
    rc = img_image_load(s, res->manifest, &m2, &cfg, err);
    if (rc) {
        sk_error_prefix(err, "pull %s", shown);
        goto out_man;
    }
    memcpy(res->config, man.config.digest, 72);
    /* A single-platform image has no index to choose from; an explicit
     * --platform must still match what the config says it is. */
    if (o->arch && cfg.arch &&
        (strcmp(cfg.arch, o->arch) || (o->os && cfg.os && strcmp(cfg.os, o->os)))) {
        rc = sk_fail(err, SK_EINVAL, "pull %s: image is %s/%s, not the requested %s/%s", shown,
                     cfg.os ? cfg.os : "?", cfg.arch, o->os ? o->os : "linux", o->arch);
    }
    for (size_t i = 0; !rc && i < m2.n_layers; i++) {
        progress(o, IMG_PROGRESS_UNPACK, cfg.diff_ids[i], (int64_t)i, (int64_t)m2.n_layers);
        rc = img_unpack_layer(s, m2.layers[i].digest, cfg.diff_ids[i], o->unpack, NULL, err);
    }
    if (rc && !(err && *err && !strncmp((*err)->msg, "pull ", 5)))
        sk_error_prefix(err, "pull %s", shown);
    if (!rc) {
        struct sk_val *rec = sk_val_map();
        int64_t size = man.config.size;
        for (size_t i = 0; i < man.n_layers; i++)
            size += man.layers[i].size;
        sk_map_set(rec, "manifest", sk_val_str(res->manifest));
        sk_map_set(rec, "config", sk_val_str(res->config));
        if (res->index[0]) sk_map_set(rec, "index", sk_val_str(res->index));
        sk_map_set(rec, "size", sk_val_int(size));
        rc = img_refs_set(s, shown, rec, err);
        sk_val_free(rec);
    }
    img_manifest_free(&m2);
    img_config_free(&cfg);
out_man:
    img_manifest_free(&man);
out_conn:
    preload_join(&preload, &preloading);
    conn_free(&c);
    img_unlock(gc);
out_ref:
    free(shown);
    img_ref_free(&r);
    return rc;
}
