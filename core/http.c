/* HTTP/1.1 server on the loop: accept, TLS, request parsing (http-parser),
 * responses and streams, timeouts and limits. A connection is a small state
 * machine fed with bytes, so the same code runs on sockets and on memory
 * connections (tests, fuzzing). Connections are only ever freed by the reap
 * timer, never inside a call the owner of a request is making. TLS is
 * mbedtls 2.28 (TLS 1.2 only; the configuration comes from core/tls.c)
 * driven through our own send and receive callbacks. */
#include "http.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "tls.h"
#include "val.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <http_parser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WHO        "http"
#define READ_CHUNK (32 * 1024)  /* one read; over TLS, one record's plaintext */
#define WRITE_MAX  (256 * 1024) /* one write call */
#define TLS_CHUNK  (64 * 1024)  /* plaintext per turn: four records, one send */
/* TLS read-ahead: one recv(2) takes a whole record of the largest size
 * (5 + 8 + 16384 + 16 bytes with AES-GCM) and the next record's header,
 * instead of a read for the header and another for the body. */
#define RX_CAP       (17 * 1024)
#define HOLD_MAX     (64 * 1024) /* input held back while a request is owned */
#define KEEP_BUF     4096        /* drained buffers up to this size are kept */
#define REFUSE_SLOTS 64          /* over max_conns: this many get a 503, the rest a close */
#define LINGER_SECS  2.0         /* after an error response, drain input before close */
#define LINGER_BYTES (256 * 1024)
#define REMOTE_LEN   (INET6_ADDRSTRLEN + 8)

struct buf {
    char *p;
    size_t off, len, cap; /* bytes p[off..len) are live */
};

enum cstate { C_HANDSHAKE, C_OPEN, C_LINGER, C_DEAD };
enum rstate { R_PARSING, R_OWNED, R_STREAMING, R_UPGRADED };
enum { CB_NONE, CB_FIELD, CB_VALUE };

struct hf {
    size_t name, value; /* offsets into hb (headers) or qb (query) */
};

struct sk_http_req {
    struct sk_http_conn *conn; /* NULL once detached from a dead connection */
    enum rstate st;
    /* target, then header names and values, then the raw query and the
     * decoded path, NUL-terminated each; never reallocated after the
     * headers are complete, so offsets and pointers stay put */
    char *hb;
    size_t hlen, hcap;
    size_t target_len, path, query;
    struct hf *hdrs;
    size_t nhdr, hdrcap;
    char *qb; /* decoded query: name\0value\0... */
    struct hf *qs;
    size_t nq;
    char *body;
    size_t blen, bcap;
    /* this request's body limit (the hook's, or the server's) */
    size_t max_body;
    char *rh; /* response headers added by the owner */
    size_t rhlen;
    const char *method;
    int minor;
    bool is_head, keep_alive, upgrade, chunked_out, body_out, close_at_end, head_sent, gone, tls;
    sk_http_close_fn on_close;
    void *close_arg;
    sk_http_raw_fn raw_fn; /* R_UPGRADED: the client's bytes go here */
    void *raw_arg;
    bool raw_paused;
    double started;
    char remote[REMOTE_LEN];
};

struct sk_http_conn {
    struct sk_http_conn *prev, *next;
    struct sk_http_server *srv;
    int fd;
    struct sk_io *io;
    int io_events;
    mbedtls_ssl_context *ssl;  /* NULL for plain HTTP */
    struct sk_tls_server *tls; /* the configuration ssl was set up from (a reference) */
    enum cstate st;
    http_parser p;
    struct sk_http_req *cur;   /* being parsed */
    struct sk_http_req *owned; /* handed to the handler, not yet ended */
    struct buf in, out;
    struct buf net;     /* TLS records waiting for the socket */
    struct buf rx;      /* TLS records read from the socket, not yet taken by mbedtls */
    int rx_errno;       /* errno of a failed recv/send in a TLS callback */
    bool rx_progress;   /* the receive callback handed mbedtls bytes */
    bool rx_drained;    /* the last recv(2) was short: the socket is empty */
    struct buf mem_out; /* memory connections: everything written */
    bool mem, refuse, close_after, peer_eof, in_capped, resume, finalized;
    bool hs_want_write, read_wants_write, write_wants_read, headers_done;
    int last_cb;
    int err_status; /* set by a parser callback that failed */
    const char *err_msg, *err_reason;
    size_t head_bytes;
    double t_active, t_req, t_headers, t_progress, t_over, t_linger;
    double t_in;   /* monotonic: the owned request's last byte was read */
    double t_resp; /* monotonic: answered at... (t_in), until the last byte is out */
    size_t linger_bytes;
    char remote[REMOTE_LEN];
};

struct sk_http_server {
    struct sk_loop *loop;
    int lfd, port;
    struct sk_io *lio;
    struct sk_timer *accept_pause, *sweep, *reap;
    struct sk_tls_server *tls; /* for new connections */
    sk_http_handler_fn handler;
    void *arg;
    sk_http_error_fn errfn;
    void *errarg;
    sk_http_body_limit_fn limfn;
    void *limarg;
    struct sk_http_limits lim;
    struct sk_http_conn *conns; /* socket connections, dead ones until reaped */
    int nconns, nrefusing, nmem;
    struct sk_http_stats st;
    time_t date_t;
    char date[64];
    bool freeing;
    char scratch[READ_CHUNK];
};

static void conn_flush(struct sk_http_conn *c);
static bool net_send(struct sk_http_conn *c);
static void conn_update_io(struct sk_http_conn *c);
static void conn_read(struct sk_http_conn *c);
static void conn_reject(struct sk_http_conn *c, int status, const char *msg, const char *why);

/* ---- buffers ---- */

static size_t buf_pending(const struct buf *b)
{
    return b->len - b->off;
}

static void buf_free(struct buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

static void buf_append(struct buf *b, const void *d, size_t n)
{
    if (!n) return;
    if (b->len + n > b->cap && b->off) {
        memmove(b->p, b->p + b->off, b->len - b->off);
        b->len -= b->off;
        b->off = 0;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + n)
            cap *= 2;
        b->p = sk_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

/* After the last live byte was consumed: small buffers are reused, big ones
 * go back to the allocator so idle connections stay small. */
static void buf_drained(struct buf *b)
{
    if (b->cap > KEEP_BUF)
        buf_free(b);
    else
        b->off = b->len = 0;
}

/* ---- recycled body buffers ----
 * A LIST answer is megabytes built on a worker and sent from the loop. Fresh
 * memory for each one costs a page fault per 4 KiB, twice (encode, then
 * send), which on small VMs costs more than the encoding; so big buffers
 * go back to a small shared pool when their bytes are out, and the next body
 * takes one. The pool is bounded and empties once it sat unused a while. */

#define POOL_MIN   (64 * 1024)        /* smaller buffers go back to malloc */
#define POOL_MAX   (16 * 1024 * 1024) /* bigger ones too */
#define POOL_BYTES (40 * 1024 * 1024) /* kept at most, in all */
#define POOL_SLOTS 64
#define POOL_IDLE  10.0 /* seconds unused before a kept buffer is freed */

static struct {
    pthread_mutex_t mu;
    struct {
        char *p;
        size_t cap;
    } v[POOL_SLOTS];
    int n;
    size_t bytes;
    double used; /* monotonic time of the last take or give */
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keep p (cap bytes) for a later body, or free it. Any thread. */
static void pool_give(char *p, size_t cap)
{
    if (!p) return;
    if (cap >= POOL_MIN && cap <= POOL_MAX) {
        pthread_mutex_lock(&pool.mu);
        if (pool.n < POOL_SLOTS && pool.bytes + cap <= POOL_BYTES) {
            pool.v[pool.n].p = p;
            pool.v[pool.n].cap = cap;
            pool.n++;
            pool.bytes += cap;
            pool.used = mono();
            p = NULL;
        }
        pthread_mutex_unlock(&pool.mu);
    }
    free(p);
}

/* The smallest kept buffer of at least want bytes, else the biggest (the
 * caller grows it), else NULL. Any thread. */
static char *pool_take(size_t want, size_t *cap)
{
    pthread_mutex_lock(&pool.mu);
    int best = -1;
    for (int i = 0; i < pool.n; i++) {
        bool fits = pool.v[i].cap >= want;
        if (best < 0) {
            best = i;
            continue;
        }
        bool best_fits = pool.v[best].cap >= want;
        if (fits ? !best_fits || pool.v[i].cap < pool.v[best].cap
                 : !best_fits && pool.v[i].cap > pool.v[best].cap)
            best = i;
    }
    char *p = NULL;
    if (best >= 0) {
        p = pool.v[best].p;
        *cap = pool.v[best].cap;
        pool.bytes -= *cap;
        pool.v[best] = pool.v[--pool.n];
        pool.used = mono();
    }
    pthread_mutex_unlock(&pool.mu);
    return p;
}

/* Free every kept buffer when the pool sat unused for POOL_IDLE seconds, or
 * at once with force. */
static void pool_trim(bool force)
{
    pthread_mutex_lock(&pool.mu);
    if (force || mono() - pool.used > POOL_IDLE) {
        for (int i = 0; i < pool.n; i++)
            free(pool.v[i].p);
        pool.n = 0;
        pool.bytes = 0;
    }
    pthread_mutex_unlock(&pool.mu);
}

void sk_http_body_init(struct sk_buf *b, size_t hint)
{
    size_t want = hint + SK_HTTP_HEADROOM;
    b->len = 0;
    if (!b->p && want >= POOL_MIN / 2) {
        size_t cap;
        char *p = pool_take(want, &cap);
        if (p) {
            b->p = p;
            b->cap = cap;
        }
    }
    sk_buf_reserve(b, want);
    b->len = SK_HTTP_HEADROOM;
}

void sk_http_body_release(struct sk_buf *b)
{
    pool_give(b->p, b->cap);
    b->p = NULL;
    b->len = b->cap = 0;
}

void sk_http_pool_trim(void)
{
    pool_trim(true);
}

/* ---- limits, stats, small helpers ---- */

/* Latency buckets: eight per power of two of microseconds. */
static size_t lat_bucket(double sec)
{
    double us = sec * 1e6;
    if (!(us >= 1)) return 0;
    uint64_t u = us >= (double)(1ull << 40) ? 1ull << 40 : (uint64_t)us;
    int e = 63 - __builtin_clzll(u);
    unsigned sub = e >= 3 ? (unsigned)(u >> (e - 3)) & 7 : (unsigned)(u << (3 - e)) & 7;
    size_t b = (size_t)e * 8 + sub;
    return b < SK_HTTP_LAT_BUCKETS ? b : SK_HTTP_LAT_BUCKETS - 1;
}

static void lat_record(struct sk_http_stats *st, double sec)
{
    st->latency[lat_bucket(sec)]++;
}

double sk_http_lat_quantile(const uint64_t *hist, double q)
{
    uint64_t total = 0;
    for (size_t i = 0; i < SK_HTTP_LAT_BUCKETS; i++)
        total += hist[i];
    if (!total) return 0;
    uint64_t want = (uint64_t)(q * (double)total), seen = 0;
    if (want >= total) want = total - 1;
    for (size_t i = 0; i < SK_HTTP_LAT_BUCKETS; i++) {
        seen += hist[i];
        if (seen > want) {
            /* the bucket's upper bound */
            size_t e = i / 8, sub = i % 8;
            return (double)((8 + sub + 1) << e) / 8 / 1e6;
        }
    }
    return 0;
}

void sk_http_limits_default(struct sk_http_limits *l)
{
    *l = (struct sk_http_limits){
            .max_header_bytes = 64 * 1024,
            .max_uri_bytes = 16 * 1024,
            .max_body_bytes = 3 * 1024 * 1024,
            .max_conns = 1024,
            .header_timeout = 10,
            .body_timeout = 60,
            .idle_timeout = 90,
            .write_timeout = 60,
            .max_out_bytes = 16 * 1024 * 1024,
            .out_limit_timeout = 60,
    };
}

/* A field left 0 keeps its default. */
static void limits_fill(struct sk_http_limits *l, const struct sk_http_limits *in)
{
    sk_http_limits_default(l);
    if (!in) return;
#define TAKE(f) l->f = in->f > 0 ? in->f : l->f
    TAKE(max_header_bytes), TAKE(max_uri_bytes), TAKE(max_body_bytes), TAKE(max_conns);
    TAKE(header_timeout), TAKE(body_timeout), TAKE(idle_timeout), TAKE(write_timeout);
    TAKE(max_out_bytes), TAKE(out_limit_timeout);
#undef TAKE
}

void sk_http_server_stats(const struct sk_http_server *srv, struct sk_http_stats *out)
{
    *out = srv->st;
    out->conns_open = (uint64_t)srv->nconns;
}

int sk_http_server_port(const struct sk_http_server *srv)
{
    return srv->port;
}

void sk_http_server_set_error_fn(struct sk_http_server *srv, sk_http_error_fn fn, void *arg)
{
    srv->errfn = fn;
    srv->errarg = arg;
}

void sk_http_server_set_body_limit_fn(struct sk_http_server *srv, sk_http_body_limit_fn fn,
                                      void *arg)
{
    srv->limfn = fn;
    srv->limarg = arg;
}

static double now(const struct sk_http_server *srv)
{
    return sk_loop_now(srv->loop);
}

/* Bytes not yet handed to the kernel: the response and, over TLS, the
 * records made of it. */
static size_t out_pending(const struct sk_http_conn *c)
{
    return buf_pending(&c->out) + buf_pending(&c->net);
}

/* Output goes through here: the write-timeout clock starts when the
 * buffer stops being empty, not at the last write long ago. */
static void out_append(struct sk_http_conn *c, const void *d, size_t n)
{
    if (!out_pending(c)) c->t_progress = now(c->srv);
    buf_append(&c->out, d, n);
}

/* Everything queued went out: a big buffer goes back to the pool. */
static void out_drained(struct sk_http_conn *c)
{
    if (c->out.cap > KEEP_BUF) {
        pool_give(c->out.p, c->out.cap);
        memset(&c->out, 0, sizeof(c->out));
    } else {
        c->out.off = c->out.len = 0;
    }
}

static void out_puts(struct sk_http_conn *c, const char *s)
{
    out_append(c, s, strlen(s));
}

static const char *http_date(struct sk_http_server *srv)
{
    time_t t = time(NULL);
    if (t != srv->date_t) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(srv->date, sizeof(srv->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        srv->date_t = t;
    }
    return srv->date;
}

static bool is_tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* A field value: no control characters but HTAB (RFC 9110 5.5). */
static bool value_ok(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f) return false;
    return true;
}

/* A response header the owner may set: a token name that is not one of the
 * framing headers the transport writes, and a valid value. */
static bool header_ok(const char *name, size_t nlen, const char *value, size_t vlen)
{
    if (!nlen || !value_ok(value, vlen)) return false;
    for (size_t i = 0; i < nlen; i++)
        if (!is_tchar((unsigned char)name[i])) return false;
    static const char *const framing[] = {"content-length", "transfer-encoding", "connection"};
    for (size_t i = 0; i < sizeof(framing) / sizeof(framing[0]); i++)
        if (strlen(framing[i]) == nlen && !strncasecmp(name, framing[i], nlen)) return false;
    return true;
}

/* extra_headers: zero or more complete "Name: value\r\n" lines. */
static bool extra_ok(const char *s)
{
    while (*s) {
        const char *colon = strchr(s, ':');
        const char *eol = strstr(s, "\r\n");
        if (!colon || !eol || colon > eol) return false;
        const char *v = colon + 1;
        while (v < eol && (*v == ' ' || *v == '\t'))
            v++;
        if (!header_ok(s, (size_t)(colon - s), v, (size_t)(eol - v))) return false;
        s = eol + 2;
    }
    return true;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Percent-decode n bytes of s into out (room for n + 1). Query mode turns
 * '+' into a space and keeps bad escapes as they are (as Go's ParseQuery
 * does for lenient callers); path mode rejects bad escapes and %00.
 * Returns the decoded length, or -1. */
static ssize_t pct_decode(const char *s, size_t n, char *out, bool query)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            int v = hi * 16 + lo;
            if (!v && !query) return -1;
            out[o++] = (char)v;
            i += 2;
        } else if (s[i] == '%' && !query) {
            return -1;
        } else {
            out[o++] = (query && s[i] == '+') ? ' ' : s[i];
        }
    }
    out[o] = 0;
    return (ssize_t)o;
}

/* ---- requests ---- */

static struct sk_http_req *req_new(struct sk_http_conn *c)
{
    struct sk_http_req *r = sk_xcalloc(1, sizeof(*r));
    r->conn = c;
    r->st = R_PARSING;
    r->started = now(c->srv);
    r->tls = c->ssl != NULL;
    memcpy(r->remote, c->remote, sizeof(r->remote));
    return r;
}

static void req_free(struct sk_http_req *r)
{
    if (!r) return;
    /* the headers hold the client's bearer token */
    if (r->hb) mbedtls_platform_zeroize(r->hb, r->hlen);
    free(r->hb);
    free(r->hdrs);
    free(r->qb);
    free(r->qs);
    free(r->body);
    free(r->rh);
    free(r);
}

/* Room for n more bytes and a NUL. Header sizes are bounded by the limits,
 * so the aborting allocator is fine here. */
static void hb_reserve(struct sk_http_req *r, size_t n)
{
    if (r->hlen + n + 1 > r->hcap) {
        size_t cap = r->hcap ? r->hcap : 256;
        while (cap < r->hlen + n + 1)
            cap *= 2;
        r->hb = sk_xrealloc(r->hb, cap);
        r->hcap = cap;
    }
}

static void hb_append(struct sk_http_req *r, const char *d, size_t n)
{
    hb_reserve(r, n);
    memcpy(r->hb + r->hlen, d, n);
    r->hlen += n;
    r->hb[r->hlen] = 0;
}

static void hb_end_string(struct sk_http_req *r)
{
    hb_append(r, "", 0);
    r->hlen++; /* keep the NUL hb_append wrote */
}

/* The connection no longer carries r: the owner keeps it until it ends it. */
static void req_detach(struct sk_http_req *r)
{
    struct sk_http_conn *c = r->conn;
    if (!c) return;
    if (r->st == R_STREAMING && c->srv->st.streams_open) c->srv->st.streams_open--;
    if (c->owned == r) c->owned = NULL;
    r->conn = NULL;
    r->gone = true;
}

static void req_release(struct sk_http_req *r)
{
    req_detach(r);
    req_free(r);
}

/* Split the query into decoded name/value pairs. */
static void req_parse_query(struct sk_http_req *r)
{
    const char *q = r->hb + r->query;
    size_t n = strlen(q);
    if (!n) return;
    size_t pieces = 1;
    for (size_t i = 0; i < n; i++)
        pieces += q[i] == '&';
    r->qb = sk_xmalloc(n + 2 * pieces + 1);
    r->qs = sk_xcalloc(pieces, sizeof(*r->qs));
    size_t o = 0;
    const char *s = q;
    while (s <= q + n) {
        const char *amp = strchr(s, '&');
        const char *end = amp ? amp : q + n;
        if (end > s) {
            const char *eq = memchr(s, '=', (size_t)(end - s));
            const char *ne = eq ? eq : end;
            r->qs[r->nq].name = o;
            o += (size_t)pct_decode(s, (size_t)(ne - s), r->qb + o, true) + 1;
            r->qs[r->nq].value = o;
            if (eq)
                o += (size_t)pct_decode(eq + 1, (size_t)(end - eq - 1), r->qb + o, true) + 1;
            else
                r->qb[o++] = 0;
            r->nq++;
        }
        if (!amp) break;
        s = amp + 1;
    }
}

/* ---- parser callbacks ---- */

static int fail_cb(struct sk_http_conn *c, int status, const char *msg, const char *why)
{
    c->err_status = status;
    c->err_msg = msg;
    c->err_reason = why;
    return -1;
}

static int count_head(struct sk_http_conn *c, size_t n)
{
    c->head_bytes += n;
    if (c->head_bytes > c->srv->lim.max_header_bytes)
        return fail_cb(c, 431, "request header fields too large", "header-too-large");
    return 0;
}

static int on_message_begin(http_parser *p)
{
    struct sk_http_conn *c = p->data;
    req_free(c->cur);
    c->cur = req_new(c);
    c->t_req = now(c->srv);
    c->head_bytes = 0;
    c->last_cb = CB_NONE;
    c->headers_done = false;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    struct sk_http_conn *c = p->data;
    struct sk_http_req *r = c->cur;
    if (r->target_len + n > c->srv->lim.max_uri_bytes)
        return fail_cb(c, 414, "request URI too long", "uri-too-long");
    hb_append(r, at, n);
    r->target_len += n;
    return count_head(c, n);
}

/* Close the string being collected (target, header name or value). */
static void end_piece(struct sk_http_conn *c)
{
    struct sk_http_req *r = c->cur;
    if (c->last_cb == CB_NONE) {
        hb_end_string(r); /* the target */
    } else if (c->last_cb == CB_FIELD) {
        hb_end_string(r);
        r->hdrs[r->nhdr - 1].value = r->hlen;
        hb_end_string(r); /* a header without a value */
    } else {
        /* trailing whitespace is not part of a value */
        size_t v = r->hdrs[r->nhdr - 1].value;
        while (r->hlen > v && (r->hb[r->hlen - 1] == ' ' || r->hb[r->hlen - 1] == '\t'))
            r->hlen--;
        r->hb[r->hlen] = 0;
        hb_end_string(r);
    }
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    struct sk_http_conn *c = p->data;
    struct sk_http_req *r = c->cur;
    if (c->headers_done) return count_head(c, n); /* trailers: counted, not kept */
    if (c->last_cb != CB_FIELD) {
        end_piece(c);
        if (r->nhdr == r->hdrcap) {
            r->hdrcap = r->hdrcap ? r->hdrcap * 2 : 16;
            r->hdrs = sk_xrealloc(r->hdrs, r->hdrcap * sizeof(*r->hdrs));
        }
        r->hdrs[r->nhdr++] = (struct hf){.name = r->hlen};
        c->last_cb = CB_FIELD;
        if (count_head(c, 4)) return -1; /* ": " and CRLF */
    }
    hb_append(r, at, n);
    return count_head(c, n);
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    struct sk_http_conn *c = p->data;
    struct sk_http_req *r = c->cur;
    if (c->headers_done) return count_head(c, n);
    if (c->last_cb != CB_VALUE) {
        hb_end_string(r);
        r->hdrs[r->nhdr - 1].value = r->hlen;
        c->last_cb = CB_VALUE;
    }
    hb_append(r, at, n);
    return count_head(c, n);
}

static size_t header_count(const struct sk_http_req *r, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nhdr; i++)
        n += !strcasecmp(r->hb + r->hdrs[i].name, name);
    return n;
}

/* Find path and query in the target: origin-form "/p?q", absolute-form
 * "http://host/p?q", or anything else ("*", authority) taken as the path. */
static int split_target(struct sk_http_conn *c)
{
    struct sk_http_req *r = c->cur;
    const char *t = r->hb;
    size_t n = r->target_len;
    if (strlen(t) != n) return fail_cb(c, 400, "bad request", "nul-in-target");
    const char *ps = t, *pe;
    const char *scheme = strstr(t, "://");
    if (*t != '/' && scheme &&
        strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == (size_t)(scheme - t)) {
        ps = strchr(scheme + 3, '/');
        if (!ps) ps = t + n;
    }
    pe = ps + strcspn(ps, "?#");
    size_t qs = 0, ql = 0;
    if (*pe == '?') {
        qs = (size_t)(pe + 1 - t);
        ql = strcspn(pe + 1, "#");
    }
    size_t poff = (size_t)(ps - t), plen = (size_t)(pe - ps);
    /* reserve first: hb must not move while copying from itself */
    hb_reserve(r, ql + plen + 3);
    r->query = r->hlen;
    memcpy(r->hb + r->hlen, r->hb + qs, ql);
    r->hlen += ql;
    r->hb[r->hlen++] = 0;
    r->path = r->hlen;
    ssize_t dl = pct_decode(r->hb + poff, plen, r->hb + r->path, false);
    if (dl < 0) return fail_cb(c, 400, "invalid URL escape in path", "bad-path");
    if (dl == 0) memcpy(r->hb + r->path, "/", 2); /* "http://host" means "/" */
    r->hlen = r->path + (dl ? (size_t)dl : 1) + 1;
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    struct sk_http_conn *c = p->data;
    struct sk_http_server *srv = c->srv;
    struct sk_http_req *r = c->cur;
    end_piece(c);
    c->last_cb = CB_NONE;
    c->headers_done = true;
    c->t_headers = now(srv);
    if (p->http_major != 1) return fail_cb(c, 505, "HTTP version not supported", "http-version");
    r->method = http_method_str((enum http_method)p->method);
    r->minor = p->http_minor ? 11 : 10;
    r->is_head = p->method == HTTP_HEAD;
    r->keep_alive = http_should_keep_alive(p);
    r->upgrade = p->upgrade;
    if (split_target(c)) return -1;
    size_t hosts = header_count(r, "Host");
    if (hosts > 1 || (hosts == 0 && r->minor == 11))
        return fail_cb(c, 400, "missing or repeated Host header", "bad-host");
    if (c->refuse) return fail_cb(c, 503, "too many connections", NULL);
    bool has_body =
            (p->flags & F_CHUNKED) || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
    r->max_body = srv->lim.max_body_bytes;
    if (srv->limfn) {
        size_t m = srv->limfn(r, srv->limarg);
        if (m) r->max_body = m;
    }
    if (!(p->flags & F_CHUNKED) && (p->flags & F_CONTENTLENGTH) && p->content_length > r->max_body)
        return fail_cb(c, 413, "request entity too large", "body-too-large");
    const char *expect = sk_http_req_header(r, "Expect");
    if (expect) {
        if (strcasecmp(expect, "100-continue"))
            return fail_cb(c, 417, "expectation failed", "expect");
        if (has_body && r->minor == 11) {
            out_puts(c, "HTTP/1.1 100 Continue\r\n\r\n");
            conn_flush(c);
        }
    }
    req_parse_query(r);
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    struct sk_http_conn *c = p->data;
    struct sk_http_req *r = c->cur;
    size_t max = r->max_body;
    if (r->blen + n > max) return fail_cb(c, 413, "request entity too large", "body-too-large");
    if (r->blen + n + 1 > r->bcap) {
        /* grow with what arrives, not with what Content-Length promises, so
         * a client cannot pin memory it never sends */
        size_t cap = r->bcap ? r->bcap : 4096;
        while (cap < r->blen + n + 1)
            cap *= 2;
        if (cap > max + 1) cap = max + 1;
        char *nb = realloc(r->body, cap);
        if (!nb) return fail_cb(c, 503, "out of memory", "oom");
        r->body = nb;
        r->bcap = cap;
    }
    memcpy(r->body + r->blen, at, n);
    r->blen += n;
    r->body[r->blen] = 0;
    return 0;
}

static int on_message_complete(http_parser *p)
{
    /* hand the request over once http_parser_execute has returned, so a
     * handler never runs inside the parser */
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
        .on_message_begin = on_message_begin,
        .on_url = on_url,
        .on_header_field = on_header_field,
        .on_header_value = on_header_value,
        .on_headers_complete = on_headers_complete,
        .on_body = on_body,
        .on_message_complete = on_message_complete,
};

/* ---- request accessors ---- */

const char *sk_http_req_method(const struct sk_http_req *req)
{
    return req->method;
}

const char *sk_http_req_target(const struct sk_http_req *req)
{
    return req->hb;
}

const char *sk_http_req_path(const struct sk_http_req *req)
{
    return req->hb + req->path;
}

const char *sk_http_req_query(const struct sk_http_req *req)
{
    return req->hb + req->query;
}

const char *sk_http_req_query_param(const struct sk_http_req *req, const char *name)
{
    for (size_t i = 0; i < req->nq; i++)
        if (!strcmp(req->qb + req->qs[i].name, name)) return req->qb + req->qs[i].value;
    return NULL;
}

size_t sk_http_req_query_count(const struct sk_http_req *req)
{
    return req->nq;
}

void sk_http_req_query_at(const struct sk_http_req *req, size_t i, const char **name,
                          const char **value)
{
    *name = i < req->nq ? req->qb + req->qs[i].name : NULL;
    *value = i < req->nq ? req->qb + req->qs[i].value : NULL;
}

const char *sk_http_req_header_nth(const struct sk_http_req *req, const char *name, size_t n)
{
    for (size_t i = 0; i < req->nhdr; i++)
        if (!strcasecmp(req->hb + req->hdrs[i].name, name) && n-- == 0)
            return req->hb + req->hdrs[i].value;
    return NULL;
}

const char *sk_http_req_header(const struct sk_http_req *req, const char *name)
{
    return sk_http_req_header_nth(req, name, 0);
}

size_t sk_http_req_header_count(const struct sk_http_req *req)
{
    return req->nhdr;
}

void sk_http_req_header_at(const struct sk_http_req *req, size_t i, const char **name,
                           const char **value)
{
    *name = i < req->nhdr ? req->hb + req->hdrs[i].name : NULL;
    *value = i < req->nhdr ? req->hb + req->hdrs[i].value : NULL;
}

const char *sk_http_req_body(const struct sk_http_req *req, size_t *len)
{
    if (len) *len = req->blen;
    return req->body ? req->body : "";
}

const char *sk_http_req_remote(const struct sk_http_req *req)
{
    return req->remote;
}

bool sk_http_req_is_tls(const struct sk_http_req *req)
{
    return req->tls;
}

int sk_http_req_version(const struct sk_http_req *req)
{
    return req->minor;
}

double sk_http_req_started(const struct sk_http_req *req)
{
    return req->started;
}

bool sk_http_req_gone(const struct sk_http_req *req)
{
    return req->gone || !req->conn || req->conn->st == C_DEAD;
}

void sk_http_req_on_close(struct sk_http_req *req, sk_http_close_fn fn, void *arg)
{
    req->on_close = fn;
    req->close_arg = arg;
}

sk_err sk_http_req_add_header(struct sk_http_req *req, const char *name, const char *value)
{
    if (req->head_sent || !header_ok(name, strlen(name), value, strlen(value))) return SK_EINVAL;
    size_t nl = strlen(name), vl = strlen(value);
    req->rh = sk_xrealloc(req->rh, req->rhlen + nl + vl + 5);
    char *p = req->rh + req->rhlen;
    memcpy(p, name, nl);
    memcpy(p + nl, ": ", 2);
    memcpy(p + nl + 2, value, vl);
    memcpy(p + nl + 2 + vl, "\r\n", 3);
    req->rhlen += nl + vl + 4;
    return SK_OK;
}

/* ---- connections: life and death ---- */

static void reap_cb(void *arg);
static void sweep_cb(void *arg);

static void schedule_reap(struct sk_http_server *srv)
{
    if (!srv->reap && !srv->freeing) srv->reap = sk_timer_add(srv->loop, 0, 0, reap_cb, srv);
}

/* Mark c dead: no more I/O, and the reap timer frees it later. fail names
 * the error for the debug log, NULL for an ordinary close. */
static void conn_kill(struct sk_http_conn *c, const char *fail, const char *detail)
{
    if (c->st == C_DEAD) return;
    c->st = C_DEAD;
    if (fail) {
        c->srv->st.conns_failed++;
        SK_DEBUG(WHO, "conn failed remote=%s reason=%s%s%s", c->remote, fail, detail ? " " : "",
                 detail ? detail : "");
    }
    sk_io_del(c->io);
    c->io = NULL;
    if (c->owned) c->owned->gone = true;
    if (!c->mem) schedule_reap(c->srv);
}

/* A socket error, errno e. A peer that reset the connection has only gone
 * away. */
static void conn_io_error(struct sk_http_conn *c, const char *fail, int e)
{
    char d[160];
    snprintf(d, sizeof(d), "err=\"%s\"", strerror(e));
    conn_kill(c, e != EPIPE && e != ECONNRESET ? fail : NULL, d);
}

/* A TLS error, mbedtls's code ret: its reason, or errno's when one of our
 * callbacks failed on the socket. */
static void conn_tls_error(struct sk_http_conn *c, const char *fail, int ret)
{
    if (ret == MBEDTLS_ERR_NET_RECV_FAILED || ret == MBEDTLS_ERR_NET_SEND_FAILED) {
        conn_io_error(c, fail, c->rx_errno ? c->rx_errno : EIO);
        return;
    }
    char d[200], m[128];
    mbedtls_strerror(ret, m, sizeof(m));
    snprintf(d, sizeof(d), "err=\"%s (-0x%04x)\"", m, (unsigned)-ret);
    conn_kill(c, ret == MBEDTLS_ERR_NET_CONN_RESET ? NULL : fail, d);
}

/* Free what a dead connection holds; a request its owner still holds is
 * detached and the owner told through the close callback. */
static void conn_finalize(struct sk_http_conn *c)
{
    struct sk_http_server *srv = c->srv;
    c->finalized = true;
    struct sk_http_req *r = c->owned;
    if (!c->mem) {
        if (c->prev)
            c->prev->next = c->next;
        else
            srv->conns = c->next;
        if (c->next) c->next->prev = c->prev;
        srv->nconns--;
        if (c->refuse) srv->nrefusing--;
        if (c->ssl) {
            mbedtls_ssl_free(c->ssl); /* wipes keys, session and record buffers */
            free(c->ssl);
        }
        sk_tls_server_unref(c->tls); /* after the context that points into it */
        if (c->fd >= 0) close(c->fd);
        c->ssl = NULL;
        c->tls = NULL;
        c->fd = -1;
    }
    buf_free(&c->in);
    buf_free(&c->rx);
    pool_give(c->net.p, c->net.cap);
    memset(&c->net, 0, sizeof(c->net));
    pool_give(c->out.p, c->out.cap);
    memset(&c->out, 0, sizeof(c->out));
    req_free(c->cur);
    c->cur = NULL;
    if (r) {
        req_detach(r);
        if (r->on_close) r->on_close(r, r->close_arg);
    }
    if (!c->mem) free(c);
    if (!srv->nconns && srv->sweep) {
        sk_timer_cancel(srv->sweep);
        srv->sweep = NULL;
        pool_trim(true); /* no client left: no big answer to send soon */
    }
}

static void reap_cb(void *arg)
{
    struct sk_http_server *srv = arg;
    srv->reap = NULL; /* a one-shot timer is gone once it fired */
    /* close callbacks may kill other connections but never free one, so
     * next stays valid; a connection killed behind us gets a new reap */
    struct sk_http_conn *c = srv->conns, *next;
    for (; c; c = next) {
        next = c->next;
        if (c->st == C_DEAD && !c->finalized) conn_finalize(c);
    }
}

static bool can_read(const struct sk_http_conn *c)
{
    return !c->peer_eof && !c->close_after && buf_pending(&c->in) < HOLD_MAX &&
           !(c->owned && c->owned->raw_paused);
}

static void conn_update_io(struct sk_http_conn *c)
{
    if (c->mem || !c->io) return;
    int ev = 0;
    if (c->st == C_HANDSHAKE) {
        ev = c->hs_want_write ? SK_IO_WRITE : SK_IO_READ;
        if (buf_pending(&c->net)) ev |= SK_IO_WRITE;
    } else if (c->st == C_LINGER) {
        ev = SK_IO_READ;
    } else if (c->st == C_OPEN) {
        if (can_read(c) || c->write_wants_read) ev |= SK_IO_READ;
        if (out_pending(c) || c->read_wants_write || c->resume) ev |= SK_IO_WRITE;
    }
    if (ev != c->io_events) {
        sk_io_set(c->io, ev);
        c->io_events = ev;
    }
}

/* All output is out and the connection should end: send close_notify, stop
 * our side, and read (and drop) what the client still sends for a moment,
 * so closing with unread input does not reset the connection before the
 * client has read our last response. */
static void conn_close_gracefully(struct sk_http_conn *c)
{
    if (c->mem || c->peer_eof) {
        conn_kill(c, NULL, NULL);
        return;
    }
    if (c->ssl) {
        /* close_notify, if the socket takes it now; a client that cannot
         * take 31 bytes learns of the end from the FIN. Our send callback
         * never blocks, so this only fails on a broken context. */
        mbedtls_ssl_close_notify(c->ssl);
        if (!net_send(c) && c->st == C_DEAD) return;
    }
    shutdown(c->fd, SHUT_WR);
    c->st = C_LINGER;
    c->t_linger = now(c->srv);
    c->linger_bytes = 0;
}

static void conn_linger(struct sk_http_conn *c)
{
    for (;;) {
        ssize_t n = read(c->fd, c->srv->scratch, sizeof(c->srv->scratch));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0 || (c->linger_bytes += (size_t)n) > LINGER_BYTES) {
            conn_kill(c, NULL, NULL);
            return;
        }
    }
}

/* ---- output ---- */

/* mbedtls's send callback: TLS records go to c->net rather than straight
 * to the socket, so that a big answer leaves in a few large sends instead
 * of one write(2) per 16 KiB record (on small VMs system calls cost more
 * than the crypto), and a handshake flight leaves in one. Never blocks:
 * conn_flush bounds what it encrypts per turn. */
static int tls_send(void *ctx, const unsigned char *d, size_t n)
{
    struct sk_http_conn *c = ctx;
    buf_append(&c->net, d, n);
    return (int)n;
}

/* mbedtls's receive callback, with read-ahead: mbedtls asks for a record's
 * 5-byte header and then its body; one recv(2) into c->rx serves both (and
 * usually the records after them). c->rx is freed once it is empty and the
 * connection waits for the client (rx_trim), so idle connections keep no
 * read buffer of ours. After a short recv the socket is empty: rather than
 * a second recv that fails with EAGAIN, wait for the loop (level-triggered)
 * to say it is readable again; rx_drained is cleared before each read. */
static int tls_recv(void *ctx, unsigned char *d, size_t n)
{
    struct sk_http_conn *c = ctx;
    if (!buf_pending(&c->rx)) {
        if (c->rx_drained) return MBEDTLS_ERR_SSL_WANT_READ;
        if (!c->rx.p) {
            c->rx.p = sk_xmalloc(RX_CAP);
            c->rx.cap = RX_CAP;
        }
        c->rx.off = c->rx.len = 0;
        ssize_t got;
        do
            got = recv(c->fd, c->rx.p, c->rx.cap, 0);
        while (got < 0 && errno == EINTR);
        if (got == 0) return 0; /* end of stream: mbedtls_ssl_read returns 0 */
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return MBEDTLS_ERR_SSL_WANT_READ;
            if (errno == ECONNRESET) return MBEDTLS_ERR_NET_CONN_RESET;
            c->rx_errno = errno;
            return MBEDTLS_ERR_NET_RECV_FAILED;
        }
        c->rx.len = (size_t)got;
        c->rx_drained = (size_t)got < c->rx.cap;
    }
    size_t take = buf_pending(&c->rx) < n ? buf_pending(&c->rx) : n;
    memcpy(d, c->rx.p + c->rx.off, take);
    c->rx.off += take;
    c->rx_progress = true;
    return (int)take;
}

/* The connection waits for the client: an empty read-ahead buffer goes. */
static void rx_trim(struct sk_http_conn *c)
{
    if (!buf_pending(&c->rx)) buf_free(&c->rx);
}

/* TLS input that the socket will not announce again: records read ahead,
 * or the rest of a decrypted record. */
static bool tls_pending(const struct sk_http_conn *c)
{
    return c->ssl && (buf_pending(&c->rx) || mbedtls_ssl_check_pending(c->ssl));
}

/* mbedtls_ssl_write takes at most one record's plaintext per call: write
 * all n bytes as records into c->net. Returns the bytes taken (n unless a
 * call failed part way), or mbedtls's error when none was taken. */
static int tls_write(struct sk_http_conn *c, const char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        int r = mbedtls_ssl_write(c->ssl, (const unsigned char *)p + done, n - done);
        if (r < 0) return done ? (int)done : r;
        done += (size_t)r;
    }
    return (int)done;
}

/* Hand the TLS records waiting in c->net to the kernel, in as few calls
 * as it takes (one record per write costs a system call per 16 KiB).
 * True when none is left; false when the socket is full or the connection
 * died. */
static bool net_send(struct sk_http_conn *c)
{
    while (buf_pending(&c->net)) {
        ssize_t n = send(c->fd, c->net.p + c->net.off, buf_pending(&c->net), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
            conn_io_error(c, "write", errno);
            return false;
        }
        c->net.off += (size_t)n;
        c->t_progress = now(c->srv);
    }
    c->net.off = c->net.len = 0; /* kept until the whole answer is out */
    return true;
}

static void conn_flush(struct sk_http_conn *c)
{
    struct sk_http_server *srv = c->srv;
    c->write_wants_read = false;
    while (c->st == C_OPEN && out_pending(c)) {
        if (buf_pending(&c->net) && !net_send(c)) break;
        if (c->st != C_OPEN || !buf_pending(&c->out)) break;
        size_t want = buf_pending(&c->out);
        if (want > WRITE_MAX) want = WRITE_MAX;
        /* a few records per send: the client decrypts the first while
         * the next are made */
        if (c->ssl && want > TLS_CHUNK) want = TLS_CHUNK;
        const char *p = c->out.p + c->out.off;
        ssize_t n;
        if (c->mem) {
            buf_append(&c->mem_out, p, want);
            n = (ssize_t)want;
        } else if (c->ssl) {
            /* the records go to c->net (tls_send), sent on the next turn */
            if (!c->net.p) {
                size_t cap;
                char *np = pool_take(TLS_CHUNK + TLS_CHUNK / 4, &cap);
                if (np) c->net = (struct buf){.p = np, .cap = cap};
            }
            int r = tls_write(c, p, want);
            if (r <= 0) {
                if (r == MBEDTLS_ERR_SSL_WANT_WRITE) break;
                if (r == MBEDTLS_ERR_SSL_WANT_READ) {
                    c->write_wants_read = true;
                    break;
                }
                conn_tls_error(c, "tls-write", r);
                return;
            }
            n = r;
        } else {
            n = send(c->fd, p, want, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) break;
                conn_io_error(c, "write", errno);
                return;
            }
        }
        c->out.off += (size_t)n;
        srv->st.bytes_out += (uint64_t)n;
        c->t_progress = now(srv);
    }
    if (c->st != C_OPEN) return;
    if (!buf_pending(&c->out) && c->out.p) out_drained(c);
    size_t pending = out_pending(c);
    if (!pending) {
        if (c->t_resp) {
            lat_record(&srv->st, mono() - c->t_resp);
            c->t_resp = 0;
        }
        if (c->net.cap > KEEP_BUF) {
            pool_give(c->net.p, c->net.cap);
            memset(&c->net, 0, sizeof(c->net));
        }
        c->t_over = 0;
        if (c->close_after) conn_close_gracefully(c);
    } else if (pending > srv->lim.max_out_bytes) {
        if (!c->t_over) c->t_over = now(srv);
    } else {
        c->t_over = 0;
    }
}

__attribute__((format(printf, 2, 3))) static void out_printf(struct sk_http_conn *c,
                                                             const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0) out_append(c, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static const char *reason_phrase(int status)
{
    const char *s = http_status_str((enum http_status)status);
    return (!s || *s == '<') ? "Unknown" : s;
}

static bool status_has_body(int status)
{
    return status >= 200 && status != 204 && status != 304;
}

/* clen: the Content-Length to announce, -1 for a stream, -2 for none. */
static void write_head(struct sk_http_conn *c, struct sk_http_req *r, int status, const char *ctype,
                       const char *extra, long long clen, bool close)
{
    out_printf(c, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, reason_phrase(status),
               http_date(c->srv));
    if (ctype) {
        out_puts(c, "Content-Type: ");
        out_puts(c, ctype);
        out_puts(c, "\r\n");
    }
    if (clen >= 0)
        out_printf(c, "Content-Length: %lld\r\n", clen);
    else if (clen == -1 && r->chunked_out)
        out_puts(c, "Transfer-Encoding: chunked\r\n");
    if (close)
        out_puts(c, "Connection: close\r\n");
    else if (r->minor == 10)
        out_puts(c, "Connection: keep-alive\r\n");
    if (r->rh) out_append(c, r->rh, r->rhlen);
    if (extra) out_puts(c, extra);
    out_puts(c, "\r\n");
    r->head_sent = true;
}

static bool should_close(const struct sk_http_conn *c, const struct sk_http_req *r)
{
    return !r->keep_alive || r->upgrade || c->refuse || c->peer_eof || c->srv->freeing;
}

/* The owner ended r with a complete response: on to the next request. */
static void response_done(struct sk_http_conn *c, struct sk_http_req *r, bool close)
{
    req_release(r);
    c->t_active = now(c->srv);
    if (close)
        c->close_after = true;
    else if (buf_pending(&c->in) || c->in_capped || tls_pending(c))
        c->resume = true; /* parsed on the next loop turn, never inside the owner's call */
    conn_flush(c);
    conn_update_io(c);
}

/* own, when set, holds the body after SK_HTTP_HEADROOM bytes and is taken:
 * with nothing else queued, the head goes into the headroom and the buffer
 * itself becomes the connection's output, so a big body is never copied. */
static void respond(struct sk_http_req *req, int status, const char *content_type,
                    const char *extra_headers, const void *body, size_t len, struct sk_buf *own)
{
    struct sk_http_conn *c = req->conn;
    if (!c || c->st != C_OPEN || req->st != R_OWNED) {
        bool cut = c && c->st == C_OPEN && req->st == R_STREAMING;
        req_release(req);
        if (cut) {
            SK_ERROR(WHO, "respond on a streaming request remote=%s", c->remote);
            c->close_after = true;
            conn_flush(c);
            conn_update_io(c);
        }
        if (own) sk_http_body_release(own);
        return;
    }
    if (status < 200 || status > 599 || (extra_headers && !extra_ok(extra_headers)) ||
        (content_type && !value_ok(content_type, strlen(content_type)))) {
        SK_ERROR(WHO, "bad response from handler status=%d path=%s", status, sk_http_req_path(req));
        status = 500;
        content_type = "text/plain; charset=utf-8";
        extra_headers = NULL;
        body = "internal error\n";
        len = strlen(body);
        if (own) sk_http_body_release(own);
        own = NULL;
    }
    bool close = should_close(c, req);
    bool with_body = status_has_body(status) && !req->is_head;
    size_t before = buf_pending(&c->out);
    write_head(c, req, status, content_type, extra_headers,
               status_has_body(status) ? (long long)len : -2, close);
    size_t hl = buf_pending(&c->out) - before;
    if (with_body && own && !before && hl <= SK_HTTP_HEADROOM) {
        char *start = own->p + SK_HTTP_HEADROOM - hl;
        memcpy(start, c->out.p + c->out.off, hl);
        pool_give(c->out.p, c->out.cap);
        c->out = (struct buf){
                .p = own->p, .off = (size_t)(start - own->p), .len = own->len, .cap = own->cap};
        own->p = NULL;
        own->len = own->cap = 0;
    } else if (with_body) {
        out_append(c, body, len);
    }
    if (own) sk_http_body_release(own);
    c->t_resp = c->t_in;
    response_done(c, req, close);
}

void sk_http_respond(struct sk_http_req *req, int status, const char *content_type,
                     const char *extra_headers, const void *body, size_t len)
{
    respond(req, status, content_type, extra_headers, body, len, NULL);
}

void sk_http_respond_buf(struct sk_http_req *req, int status, const char *content_type,
                         const char *extra_headers, struct sk_buf *body)
{
    if (!body->p || body->len < SK_HTTP_HEADROOM) {
        /* not from sk_http_body_init: a caller bug, answered like other
         * bad responses */
        SK_ERROR(WHO, "respond_buf without headroom path=%s", sk_http_req_path(req));
        sk_http_body_release(body);
        respond(req, 500, "text/plain; charset=utf-8", NULL, "internal error\n", 15, NULL);
        return;
    }
    respond(req, status, content_type, extra_headers, body->p + SK_HTTP_HEADROOM,
            body->len - SK_HTTP_HEADROOM, body);
}

sk_err sk_http_stream_begin(struct sk_http_req *req, int status, const char *content_type)
{
    struct sk_http_conn *c = req->conn;
    if (req->st != R_OWNED || status < 200 || status > 599 ||
        (content_type && !value_ok(content_type, strlen(content_type))))
        return SK_EINVAL;
    if (!c || c->st != C_OPEN) return SK_ECLOSED;
    req->st = R_STREAMING;
    c->srv->st.streams_open++;
    req->chunked_out = req->minor == 11 && status_has_body(status);
    req->body_out = status_has_body(status) && !req->is_head;
    /* HTTP/1.0 has no chunks: the end of the body is the end of the connection */
    req->close_at_end = should_close(c, req) || (!req->chunked_out && status_has_body(status));
    write_head(c, req, status, content_type, NULL, status_has_body(status) ? -1 : -2,
               req->close_at_end);
    conn_flush(c);
    conn_update_io(c);
    return c->st == C_OPEN ? SK_OK : SK_ECLOSED;
}

ssize_t sk_http_stream_write(struct sk_http_req *req, const void *data, size_t len)
{
    struct sk_http_conn *c = req->conn;
    if (!c || c->st != C_OPEN || req->st != R_STREAMING) return -1;
    if (len && req->body_out) {
        if (req->chunked_out) {
            out_printf(c, "%zx\r\n", len);
            out_append(c, data, len);
            out_puts(c, "\r\n");
        } else {
            out_append(c, data, len);
        }
        conn_flush(c);
        conn_update_io(c);
    }
    return c->st == C_OPEN ? (ssize_t)out_pending(c) : -1;
}

void sk_http_stream_end(struct sk_http_req *req)
{
    struct sk_http_conn *c = req->conn;
    if (req->st != R_STREAMING) {
        sk_http_req_abort(req);
        return;
    }
    if (!c || c->st != C_OPEN) {
        req_release(req);
        return;
    }
    if (req->chunked_out && req->body_out) out_puts(c, "0\r\n\r\n");
    response_done(c, req, req->close_at_end);
}

void sk_http_req_abort(struct sk_http_req *req)
{
    struct sk_http_conn *c = req->conn;
    req_release(req);
    if (c && c->st == C_OPEN) {
        /* what was queued still goes out; the client then sees the end */
        c->close_after = true;
        conn_flush(c);
        conn_update_io(c);
    }
}

/* ---- upgraded connections (http_upgrade.c speaks WebSocket on them) ---- */

sk_err sk_http_upgrade(struct sk_http_req *req, const char *extra_headers, sk_http_raw_fn fn,
                       void *arg)
{
    struct sk_http_conn *c = req->conn;
    if (req->st != R_OWNED || !req->upgrade || !fn || (extra_headers && !extra_ok(extra_headers)))
        return SK_EINVAL;
    if (!c || c->st != C_OPEN) return SK_ECLOSED;
    out_printf(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n");
    if (req->rh) out_append(c, req->rh, req->rhlen);
    if (extra_headers) out_puts(c, extra_headers);
    out_puts(c, "\r\n");
    req->head_sent = true;
    req->st = R_UPGRADED;
    req->raw_fn = fn;
    req->raw_arg = arg;
    conn_flush(c);
    /* bytes that came with the request belong to the new protocol; they
     * are handed over on the next turn, never inside the owner's call */
    if (c->st == C_OPEN && (buf_pending(&c->in) || tls_pending(c))) c->resume = true;
    conn_update_io(c);
    return c->st == C_OPEN ? SK_OK : SK_ECLOSED;
}

ssize_t sk_http_raw_write(struct sk_http_req *req, const void *data, size_t len)
{
    struct sk_http_conn *c = req->conn;
    if (!c || c->st != C_OPEN || req->st != R_UPGRADED) return -1;
    if (len) {
        out_append(c, data, len);
        conn_flush(c);
        conn_update_io(c);
    }
    return c->st == C_OPEN ? (ssize_t)out_pending(c) : -1;
}

void sk_http_raw_pause(struct sk_http_req *req, bool paused)
{
    struct sk_http_conn *c = req->conn;
    if (req->st != R_UPGRADED || req->raw_paused == paused) return;
    req->raw_paused = paused;
    if (!c || c->st != C_OPEN) return;
    /* reading again: TLS may hold decrypted bytes the socket will not
     * announce, so look on the next turn */
    if (!paused) c->resume = true;
    conn_update_io(c);
}

/* The transport answers the request itself and closes the connection. */
static void conn_reject(struct sk_http_conn *c, int status, const char *msg, const char *why)
{
    struct sk_http_server *srv = c->srv;
    srv->st.requests_rejected++;
    if (why) {
        srv->st.conns_failed++;
        SK_DEBUG(WHO, "conn failed remote=%s reason=%s status=%d", c->remote, why, status);
    }
    req_free(c->cur);
    c->cur = NULL;
    const char *ctype = "text/plain; charset=utf-8";
    size_t len = 0;
    char *body = srv->errfn ? srv->errfn(status, msg, &ctype, &len, srv->errarg) : NULL;
    if (!body) {
        body = sk_xasprintf("%s\n", msg);
        len = strlen(body);
        ctype = "text/plain; charset=utf-8";
    }
    out_printf(c,
               "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
               "Connection: close\r\n\r\n",
               status, reason_phrase(status), http_date(srv), ctype, len);
    out_append(c, body, len);
    free(body);
    c->close_after = true;
    buf_free(&c->in);
    conn_flush(c);
}

/* ---- input ---- */

static void dispatch(struct sk_http_conn *c)
{
    struct sk_http_req *r = c->cur;
    c->cur = NULL;
    r->st = R_OWNED;
    c->owned = r;
    c->t_in = mono();
    c->srv->st.requests++;
    c->srv->handler(r, c->srv->arg);
}

/* Parse until a request is owned, the input ends or the connection is
 * closing. Returns the bytes consumed. */
static size_t conn_parse(struct sk_http_conn *c, const char *data, size_t len)
{
    size_t done = 0;
    while (done < len && !c->owned && c->st == C_OPEN && !c->close_after) {
        size_t n = http_parser_execute(&c->p, &settings, data + done, len - done);
        done += n;
        enum http_errno e = HTTP_PARSER_ERRNO(&c->p);
        if (e == HPE_PAUSED) {
            http_parser_pause(&c->p, 0);
            if (c->cur && c->st == C_OPEN) dispatch(c);
            continue;
        }
        if (e != HPE_OK || n == 0) {
            if (c->err_status)
                conn_reject(c, c->err_status, c->err_msg, c->err_reason);
            else if (e == HPE_HEADER_OVERFLOW)
                conn_reject(c, 431, "request header fields too large", "header-too-large");
            else
                conn_reject(c, 400, "bad request", http_errno_name(e));
            return len;
        }
    }
    return done;
}

static void parse_held(struct sk_http_conn *c)
{
    if (!buf_pending(&c->in)) return;
    size_t n = conn_parse(c, c->in.p + c->in.off, buf_pending(&c->in));
    if (c->in.p) c->in.off += n; /* conn_reject may have freed it */
    if (!buf_pending(&c->in)) buf_drained(&c->in);
}

static void conn_input(struct sk_http_conn *c, const char *data, size_t len)
{
    c->srv->st.bytes_in += len;
    if (c->close_after) return; /* an answer that ends the connection is queued */
    if (c->owned && c->owned->st == R_UPGRADED) {
        if (buf_pending(&c->in) || c->owned->raw_paused) {
            buf_append(&c->in, data, len); /* after what waits already */
            c->resume = true;
            return;
        }
        c->owned->raw_fn(c->owned, data, len, c->owned->raw_arg);
        return;
    }
    if (buf_pending(&c->in) || c->owned) {
        buf_append(&c->in, data, len);
        if (!c->owned) parse_held(c);
        return;
    }
    size_t n = conn_parse(c, data, len);
    if (n < len && c->st == C_OPEN && !c->close_after) buf_append(&c->in, data + n, len - n);
}

static void conn_eof(struct sk_http_conn *c)
{
    c->peer_eof = true;
    if (c->owned)
        conn_kill(c, NULL, NULL); /* the client went away: its owner hears of it */
    else if (c->cur)
        conn_kill(c, "eof-in-request", NULL);
    else if (out_pending(c))
        c->close_after = true;
    else
        conn_kill(c, NULL, NULL);
}

static void conn_read_some(struct sk_http_conn *c)
{
    struct sk_http_server *srv = c->srv;
    c->read_wants_write = false;
    c->in_capped = false;
    c->rx_drained = false;
    while (c->st == C_OPEN && can_read(c)) {
        ssize_t n;
        if (c->ssl) {
            c->rx_progress = false;
            int r = mbedtls_ssl_read(c->ssl, (unsigned char *)srv->scratch, sizeof(srv->scratch));
            if (r == MBEDTLS_ERR_SSL_WANT_READ) {
                /* a record without data (an alert mbedtls handled itself)
                 * was consumed: look for more; else the socket is empty */
                if (c->rx_progress) continue;
                return;
            }
            if (r == MBEDTLS_ERR_SSL_WANT_WRITE) {
                c->read_wants_write = true;
                return;
            }
            if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF ||
                r == MBEDTLS_ERR_NET_CONN_RESET) {
                conn_eof(c); /* end of stream, close_notify or reset: the client is gone */
                return;
            }
            if (r < 0) {
                conn_tls_error(c, "tls-read", r);
                return;
            }
            n = r;
        } else {
            n = recv(c->fd, srv->scratch, sizeof(srv->scratch), 0);
            if (n == 0) {
                conn_eof(c);
                return;
            }
            if (n < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                if (errno == ECONNRESET) {
                    conn_eof(c);
                    return;
                }
                conn_io_error(c, "read", errno);
                return;
            }
        }
        conn_input(c, srv->scratch, (size_t)n);
    }
    if (c->st == C_OPEN && buf_pending(&c->in) >= HOLD_MAX) c->in_capped = true;
}

static void conn_read(struct sk_http_conn *c)
{
    conn_read_some(c);
    if (c->ssl) rx_trim(c);
}

static void conn_resume(struct sk_http_conn *c)
{
    c->resume = false;
    if (c->owned && c->owned->st == R_UPGRADED && c->st == C_OPEN) {
        struct sk_http_req *r = c->owned;
        if (r->raw_paused) return;
        if (buf_pending(&c->in)) {
            /* what arrived with the request; the handler may end r */
            struct buf held = c->in;
            memset(&c->in, 0, sizeof(c->in));
            r->raw_fn(r, held.p + held.off, buf_pending(&held), r->raw_arg);
            buf_free(&held);
        }
        if (c->st == C_OPEN && c->owned == r && !c->mem) conn_read(c);
        return;
    }
    if (c->owned || c->st != C_OPEN) return;
    bool more = !c->mem && (c->in_capped || tls_pending(c));
    parse_held(c);
    if (more && c->st == C_OPEN && !c->owned) conn_read(c);
}

static void conn_handshake(struct sk_http_conn *c)
{
    c->rx_drained = false;
    int r = mbedtls_ssl_handshake(c->ssl);
    if (r == 0) {
        c->st = C_OPEN;
        c->t_active = now(c->srv);
        conn_read(c); /* the first request may have come with the Finished */
        return;
    }
    if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
        c->hs_want_write = r == MBEDTLS_ERR_SSL_WANT_WRITE;
        rx_trim(c);
        return;
    }
    /* the alert mbedtls queued (protocol version, handshake failure) tells
     * the client why, if the socket takes it now */
    if (buf_pending(&c->net))
        (void)!send(c->fd, c->net.p + c->net.off, buf_pending(&c->net), MSG_NOSIGNAL);
    conn_tls_error(c, "tls-handshake", r);
}

static void conn_io(int fd, int events, void *arg)
{
    (void)fd;
    struct sk_http_conn *c = arg;
    if (c->st == C_HANDSHAKE) {
        if (buf_pending(&c->net)) net_send(c);
        if (c->st == C_HANDSHAKE) conn_handshake(c);
    } else if (c->st == C_LINGER) {
        conn_linger(c);
    } else if (c->st == C_OPEN) {
        if ((events & SK_IO_WRITE) || (c->write_wants_read && (events & SK_IO_READ))) conn_flush(c);
        if (c->st == C_OPEN && c->resume) conn_resume(c);
        if (c->st == C_OPEN &&
            ((events & SK_IO_READ) || (c->read_wants_write && (events & SK_IO_WRITE))))
            conn_read(c);
    }
    /* handshake messages, session tickets and alerts made while reading */
    if ((c->st == C_OPEN || c->st == C_HANDSHAKE) && buf_pending(&c->net)) net_send(c);
    conn_update_io(c);
}

/* ---- timeouts ---- */

/* Why c has overstayed at time t, or NULL. *reject gets the status to
 * answer with (408) when the client is owed a response. */
static const char *conn_expired(struct sk_http_conn *c, double t, int *reject)
{
    const struct sk_http_limits *l = &c->srv->lim;
    *reject = 0;
    if (c->st == C_HANDSHAKE) return t - c->t_active > l->header_timeout ? "tls-timeout" : NULL;
    if (c->st == C_LINGER) return t - c->t_linger > LINGER_SECS ? "" : NULL;
    if (out_pending(c)) {
        if (t - c->t_progress > l->write_timeout) return "write-timeout";
        if (c->t_over && t - c->t_over > l->out_limit_timeout) return "slow-reader";
    }
    if (c->owned || c->close_after) return NULL;
    if (c->cur) {
        *reject = 408;
        if (!c->headers_done && t - c->t_req > l->header_timeout) return "header-timeout";
        if (c->headers_done && t - c->t_headers > l->body_timeout) return "body-timeout";
        return NULL;
    }
    if (!out_pending(c) && t - c->t_active > l->idle_timeout) return "";
    return NULL;
}

static void sweep_cb(void *arg)
{
    struct sk_http_server *srv = arg;
    double t = now(srv);
    pool_trim(false);
    for (struct sk_http_conn *c = srv->conns; c; c = c->next) {
        if (c->st == C_DEAD) continue;
        int status;
        const char *why = conn_expired(c, t, &status);
        if (!why) continue;
        if (!*why && c->st == C_OPEN)
            conn_close_gracefully(c); /* idle keep-alive */
        else if (!*why)
            conn_kill(c, NULL, NULL);
        else if (status)
            conn_reject(c, status, "request timeout", why);
        else
            conn_kill(c, why, NULL);
        conn_update_io(c);
    }
}

static double sweep_interval(const struct sk_http_limits *l)
{
    double m = l->header_timeout;
    if (l->body_timeout < m) m = l->body_timeout;
    if (l->idle_timeout < m) m = l->idle_timeout;
    if (l->write_timeout < m) m = l->write_timeout;
    if (l->out_limit_timeout < m) m = l->out_limit_timeout;
    m /= 4;
    return m < 0.02 ? 0.02 : m > 1.0 ? 1.0 : m;
}

/* ---- accepting ---- */

static struct sk_http_conn *conn_new(struct sk_http_server *srv, int fd, const char *remote)
{
    struct sk_http_conn *c = sk_xcalloc(1, sizeof(*c));
    c->srv = srv;
    c->fd = fd;
    c->st = C_OPEN;
    snprintf(c->remote, sizeof(c->remote), "%s", remote);
    http_parser_init(&c->p, HTTP_REQUEST);
    c->p.data = c;
    c->t_active = c->t_progress = now(srv);
    return c;
}

static void format_remote(const struct sockaddr_storage *ss, socklen_t sl, char *out, size_t n)
{
    char h[INET6_ADDRSTRLEN] = "?", p[8] = "?";
    getnameinfo((const struct sockaddr *)ss, sl, h, sizeof(h), p, sizeof(p),
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, n, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", h, p);
}

static void accept_cb(int fd, int events, void *arg);

static void accept_resume(void *arg)
{
    struct sk_http_server *srv = arg;
    srv->accept_pause = NULL;
    sk_io_set(srv->lio, SK_IO_READ);
}

static void accept_one(struct sk_http_server *srv, int fd, const struct sockaddr_storage *ss,
                       socklen_t sl)
{
    char remote[REMOTE_LEN];
    format_remote(ss, sl, remote, sizeof(remote));
    srv->st.conns_accepted++;
    bool refuse = srv->nconns - srv->nrefusing >= srv->lim.max_conns;
    if (refuse) {
        srv->st.conns_refused++;
        SK_DEBUG(WHO, "conn refused remote=%s reason=max-conns conns=%d", remote, srv->nconns);
        if (srv->nrefusing >= REFUSE_SLOTS) {
            close(fd);
            return;
        }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sk_http_conn *c = conn_new(srv, fd, remote);
    c->refuse = refuse;
    if (srv->tls) {
        /* mbedtls_ssl_setup allocates the two record buffers (16.3 KiB
         * each with Debian's build, which has no
         * MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH) for the connection's life */
        c->ssl = sk_xmalloc(sizeof(*c->ssl));
        mbedtls_ssl_init(c->ssl);
        int r = mbedtls_ssl_setup(c->ssl, sk_tls_server_conf(srv->tls));
        if (r) {
            char m[128];
            mbedtls_strerror(r, m, sizeof(m));
            SK_WARN(WHO, "cannot set up TLS for a connection remote=%s err=\"%s\"", remote, m);
            mbedtls_ssl_free(c->ssl);
            free(c->ssl);
            close(fd);
            free(c);
            return;
        }
        /* the connection keeps the configuration it started with, even if
         * sk_http_server_set_tls replaces the server's */
        c->tls = sk_tls_server_ref(srv->tls);
        mbedtls_ssl_set_bio(c->ssl, c, tls_send, tls_recv, NULL);
        c->st = C_HANDSHAKE;
    }
    c->next = srv->conns;
    if (srv->conns) srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    if (refuse) srv->nrefusing++;
    if (!srv->sweep)
        srv->sweep = sk_timer_add(srv->loop, sweep_interval(&srv->lim), sweep_interval(&srv->lim),
                                  sweep_cb, srv);
    c->io = sk_io_add(srv->loop, fd, SK_IO_READ, conn_io, c);
    c->io_events = SK_IO_READ;
}

static void accept_cb(int fd, int events, void *arg)
{
    (void)events;
    struct sk_http_server *srv = arg;
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd >= 0) {
            accept_one(srv, cfd, &ss, sl);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        /* out of descriptors or memory: the listener would stay readable
         * and spin the loop, so stop accepting for a moment */
        SK_WARN(WHO, "accept failed, pausing 100ms: %s", strerror(errno));
        sk_io_set(srv->lio, 0);
        if (!srv->accept_pause)
            srv->accept_pause = sk_timer_add(srv->loop, 0.1, 0, accept_resume, srv);
        return;
    }
}

/* ---- the server ---- */

static sk_err listen_on(struct sk_http_server *srv, const char *spec, struct sk_error **err)
{
    char host[256];
    const char *port;
    bool bracket = spec[0] == '[';
    if (bracket) {
        const char *rb = strchr(spec, ']');
        if (!rb || rb[1] != ':' || (size_t)(rb - spec - 1) >= sizeof(host))
            return sk_fail(err, SK_EINVAL, "listen %s: want [IPv6]:PORT", spec);
        memcpy(host, spec + 1, (size_t)(rb - spec - 1));
        host[rb - spec - 1] = 0;
        port = rb + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon || colon == spec || memchr(spec, ':', (size_t)(colon - spec)) ||
            (size_t)(colon - spec) >= sizeof(host))
            return sk_fail(err, SK_EINVAL,
                           "listen %s: want ADDR:PORT (IPv6 in brackets: [::1]:6443)", spec);
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = 0;
        port = colon + 1;
    }
    size_t pl = strlen(port);
    if (!pl || pl > 5 || strspn(port, "0123456789") != pl || atoi(port) > 65535)
        return sk_fail(err, SK_EINVAL, "listen %s: port must be 0..65535", spec);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc == EAI_NONAME && !bracket) {
        hints.ai_flags &= ~AI_NUMERICHOST;
        rc = getaddrinfo(host, port, &hints, &res);
    }
    if (rc) return sk_fail(err, SK_EINVAL, "listen %s: %s", spec, gai_strerror(rc));
    int last = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            last = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 511)) {
            last = errno;
            close(fd);
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &sl);
        srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
        srv->lfd = fd;
        freeaddrinfo(res);
        return SK_OK;
    }
    freeaddrinfo(res);
    return sk_fail_sys(err, last, "listen %s", spec);
}

void sk_http_server_set_tls(struct sk_http_server *srv, struct sk_tls_server *tls)
{
    struct sk_tls_server *old = srv->tls;
    srv->tls = tls ? sk_tls_server_ref(tls) : NULL;
    sk_tls_server_unref(old);
}

struct sk_http_server *sk_http_server_new(struct sk_loop *loop, const char *listen,
                                          struct sk_tls_server *tls, sk_http_handler_fn handler,
                                          void *arg, const struct sk_http_limits *limits,
                                          struct sk_error **err)
{
    struct sk_http_server *srv = sk_xcalloc(1, sizeof(*srv));
    srv->loop = loop;
    srv->lfd = -1;
    srv->handler = handler;
    srv->arg = arg;
    limits_fill(&srv->lim, limits);
    if (listen) {
        if (listen_on(srv, listen, err)) {
            free(srv);
            return NULL;
        }
        srv->lio = sk_io_add(loop, srv->lfd, SK_IO_READ, accept_cb, srv);
    }
    sk_http_server_set_tls(srv, tls);
    if (listen)
        SK_DEBUG(WHO, "listening addr=%s port=%d tls=%s", listen, srv->port, tls ? "yes" : "no");
    return srv;
}

void sk_http_server_free(struct sk_http_server *srv)
{
    if (!srv) return;
    srv->freeing = true;
    if (srv->nmem) SK_ERROR(WHO, "server freed with %d memory connections open", srv->nmem);
    sk_io_del(srv->lio);
    if (srv->lfd >= 0) close(srv->lfd);
    sk_timer_cancel(srv->accept_pause);
    sk_timer_cancel(srv->reap);
    srv->reap = NULL;
    for (struct sk_http_conn *c = srv->conns; c; c = c->next)
        conn_kill(c, NULL, NULL);
    while (srv->conns)
        conn_finalize(srv->conns);
    sk_timer_cancel(srv->sweep);
    sk_tls_server_unref(srv->tls);
    mbedtls_platform_zeroize(srv->scratch, sizeof(srv->scratch)); /* last plaintext read */
    free(srv);
}

/* ---- memory connections ---- */

struct sk_http_conn *sk_http_mem_conn_new(struct sk_http_server *srv)
{
    struct sk_http_conn *c = conn_new(srv, -1, "mem");
    c->mem = true;
    srv->nmem++;
    return c;
}

void sk_http_mem_conn_feed(struct sk_http_conn *c, const void *data, size_t len)
{
    if (c->st != C_OPEN) return;
    if (len)
        conn_input(c, data, len);
    else
        conn_resume(c);
}

const char *sk_http_mem_conn_output(const struct sk_http_conn *c, size_t *len)
{
    *len = buf_pending(&c->mem_out);
    return c->mem_out.p ? c->mem_out.p + c->mem_out.off : "";
}

void sk_http_mem_conn_clear_output(struct sk_http_conn *c)
{
    buf_free(&c->mem_out);
}

bool sk_http_mem_conn_closed(const struct sk_http_conn *c)
{
    return c->st != C_OPEN || c->close_after;
}

void sk_http_mem_conn_free(struct sk_http_conn *c)
{
    if (!c) return;
    conn_kill(c, NULL, NULL);
    if (!c->finalized) conn_finalize(c);
    c->srv->nmem--;
    buf_free(&c->mem_out);
    free(c);
}
