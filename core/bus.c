/* The message bus on nng. Each endpoint owns an inbox socket at
 * inproc://skiff/<bus>/<name>, fed by one sender socket that every local
 * sender shares; remote buses reach this one through a pair1 polyamorous
 * socket (replies pick the connection by pipe id) and are reached through a
 * pair1 socket per sk_bus_dial. Every socket's receive fd is watched on the
 * loop and drained without blocking, so all bus state stays on the loop
 * thread. */
#include "bus.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "msg.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>

/* Inboxes are pair1, not push0/pull0: nng 1.5.2's pull0 holds one message
 * at a time, so each message cost a round of thread hand-offs and a loop
 * wake-up (7k messages/s with raw nng on a loaded 2-CPU box), while pair1
 * also queues on the receiving side and one wake-up drains hundreds (44k/s
 * on the same box). The sender is pair1 monogamous: it queues, never drops.
 * The inbox is polyamorous only so that more than one pipe may connect
 * (tests inject through one); it never sends, so its drop-on-send does not
 * apply. */
/* The sender queue is nng's maximum, so a burst from one handler (a resync
 * to a plugin, say) fits before a sender sees SK_EAGAIN: 64 KiB of pointers
 * per endpoint. */
#define INBOX_SENDBUF 8192
#define INBOX_RECVBUF 1024
#define PEER_SENDBUF  1024
#define EXT_SENDBUF   1024
#define EXT_RECVBUF   128
/* Messages handled per wake-up of one socket, so a flooded endpoint cannot
 * starve the rest of the loop. */
#define DRAIN_BATCH 256
#define EP_BUCKETS  64
/* Drop log lines per second per bus: a peer sending garbage must not fill
 * the disk with logs. */
#define DROP_LOG_PER_SEC 10
/* "@<pipe>/<name>" or "<peer>/<name>" */
#define ADDR_MAX (2 * SK_MSG_NAME_MAX + 2)

struct sk_bus_ep {
    struct sk_bus *bus;
    struct sk_bus_ep *next; /* hash chain */
    sk_bus_fn fn;
    void *arg;
    nng_socket inbox; /* pair1 poly, listening at the endpoint's inproc URL */
    nng_socket tx;    /* pair1 dialed to inbox, shared by every local sender */
    struct sk_io *io;
    uint64_t inflight; /* sent through tx, not yet taken from inbox */
    int calls;         /* handler calls under way: free waits for them */
    bool dead;         /* detached from inside its own handler */
    char name[SK_MSG_NAME_MAX + 1];
};

/* A bus this one dialed. */
struct peer {
    struct sk_bus *bus;
    struct peer *next;
    nng_socket sock; /* pair1, one dialer that reconnects by itself */
    struct sk_io *io;
    char name[SK_MSG_NAME_MAX + 1];
};

struct sk_bus {
    struct sk_loop *loop;
    nng_socket ext; /* pair1 polyamorous: inproc://skiff/<id> and every listen */
    struct sk_io *ext_io;
    struct sk_bus_ep *eps[EP_BUCKETS];
    struct peer *peers;
    uint64_t next_id;
    uint64_t dropped;
    int calls; /* handler calls under way, to catch sk_bus_free from one */
    int port;
    double log_window;
    unsigned log_lines;
    uint64_t log_suppressed;
    char id[SK_MSG_NAME_MAX + 1];
};

static sk_err from_nng(int rv)
{
    switch (rv) {
    case NNG_EAGAIN: return SK_EAGAIN;
    case NNG_ENOMEM: return SK_ENOMEM;
    case NNG_EADDRINUSE: return SK_EEXIST;
    case NNG_EINVAL:
    case NNG_EADDRINVAL:
    case NNG_ENOTSUP: return SK_EINVAL;
    case NNG_ENOENT: return SK_ENOENT;
    case NNG_ECLOSED: return SK_ECLOSED;
    case NNG_ETIMEDOUT: return SK_ETIMEDOUT;
    case NNG_EMSGSIZE: return SK_ETOOBIG;
    default: return SK_ESYS;
    }
}

static sk_err nng_fail(struct sk_error **err, int rv, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static sk_err nng_fail(struct sk_error **err, int rv, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return sk_fail(err, from_nng(rv), "%s: %s", what, nng_strerror(rv));
}

/* Local endpoint and peer names: wire names without '/', which separates
 * a peer from the endpoint behind it. */
static bool local_name_ok(const char *s)
{
    return sk_msg_name_ok(s) && !strchr(s, '/');
}

static bool bus_id_ok(const char *s)
{
    size_t n = s ? strnlen(s, SK_MSG_NAME_MAX + 1) : 0;
    if (n == 0 || n > SK_MSG_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static unsigned bucket(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h % EP_BUCKETS;
}

static struct sk_bus_ep *ep_find(const struct sk_bus *bus, const char *name)
{
    size_t n = strnlen(name, SK_MSG_NAME_MAX + 1);
    for (struct sk_bus_ep *ep = bus->eps[bucket(name, n)]; ep; ep = ep->next)
        if (!strcmp(ep->name, name)) return ep;
    return NULL;
}

static struct peer *peer_find(const struct sk_bus *bus, const char *name, size_t n)
{
    for (struct peer *p = bus->peers; p; p = p->next)
        if (strlen(p->name) == n && !memcmp(p->name, name, n)) return p;
    return NULL;
}

static void drop(struct sk_bus *bus, const char *via, const char *from, const char *why)
{
    bus->dropped++;
    double now = sk_loop_now(bus->loop);
    if (now - bus->log_window >= 1.0) {
        if (bus->log_suppressed)
            SK_WARN("bus", "suppressed %llu drop lines bus=%s",
                    (unsigned long long)bus->log_suppressed, bus->id);
        bus->log_window = now;
        bus->log_lines = 0;
        bus->log_suppressed = 0;
    }
    if (bus->log_lines >= DROP_LOG_PER_SEC) {
        bus->log_suppressed++;
        return;
    }
    bus->log_lines++;
    const char *f = from && *from ? from : "?";
    SK_WARN("bus", "dropped message bus=%s from=%s%s%s: %s", bus->id, via ? via : "",
            via ? "/" : "", f, why);
}

/* nng 1.5.2 leaks a message when a sending socket closes just as it hands
 * a queued message to its pipe (nng issue #1713, fixed in 1.10). Taking
 * every message this bus sent out of the inbox first leaves the sender
 * nothing to hand over. Those are in-process hand-offs between nng
 * threads, so this waits microseconds per queued message, never on I/O;
 * the timeout only bounds a wait that should not happen. */
static void ep_drain(struct sk_bus_ep *ep)
{
    if (!ep->inflight) return;
    nng_socket_set_ms(ep->inbox, NNG_OPT_RECVTIMEO, 1000);
    while (ep->inflight) {
        nng_msg *nm;
        if (nng_recvmsg(ep->inbox, &nm, 0)) break;
        nng_msg_free(nm);
        ep->inflight--;
    }
}

static void ep_close(struct sk_bus_ep *ep)
{
    sk_io_del(ep->io);
    ep->io = NULL;
    ep_drain(ep);
    /* the sender side first, so it does not try to reconnect to a closed
     * inbox */
    nng_close(ep->tx);
    nng_close(ep->inbox);
}

/* Call the handler. Returns false when the endpoint was detached during
 * the call (and is now freed). */
static bool deliver(struct sk_bus_ep *ep, const struct skiff_msg *m)
{
    struct sk_bus *bus = ep->bus;
    ep->calls++;
    bus->calls++;
    ep->fn(ep->arg, m);
    bus->calls--;
    ep->calls--;
    if (ep->dead) {
        if (!ep->calls) free(ep);
        return false;
    }
    return true;
}

/* Decode one received message and hand it to its endpoint: the inbox it
 * arrived at (via NULL), or the endpoint named by "to" when it came from
 * another bus over `via` ("@pipe" or a peer name). Returns false when
 * `inbox` was freed by its handler. */
static bool route_in(struct sk_bus *bus, nng_msg *nm, struct sk_bus_ep *inbox, const char *via)
{
    struct sk_msg m;
    struct sk_error *err = NULL;
    if (sk_msg_decode(&m, nng_msg_body(nm), nng_msg_len(nm), &err)) {
        drop(bus, via, m.from, sk_error_msg(err, SK_EPROTO));
        sk_error_free(err);
        return true;
    }
    struct sk_bus_ep *dst = inbox;
    if (!dst) {
        dst = strchr(m.to, '/') ? NULL : ep_find(bus, m.to);
        if (!dst || dst->dead) {
            char why[SK_MSG_NAME_MAX + 32];
            snprintf(why, sizeof(why), "no endpoint \"%s\"", m.to);
            drop(bus, via, m.from, why);
            return true;
        }
    } else if (strcmp(m.to, inbox->name)) {
        /* only something else in this process could have put it there */
        char why[2 * SK_MSG_NAME_MAX + 48];
        snprintf(why, sizeof(why), "addressed to \"%s\" in the inbox of \"%s\"", m.to, inbox->name);
        drop(bus, via, m.from, why);
        return true;
    }
    struct skiff_msg view;
    sk_msg_view(&m, &view);
    char from[ADDR_MAX];
    if (via) {
        snprintf(from, sizeof(from), "%s/%s", via, m.from);
        view.from = from;
    }
    bool alive = deliver(dst, &view);
    return alive || dst != inbox;
}

static void inbox_cb(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    struct sk_bus_ep *ep = arg;
    for (int i = 0; i < DRAIN_BATCH; i++) {
        nng_msg *nm;
        if (nng_recvmsg(ep->inbox, &nm, NNG_FLAG_NONBLOCK)) return;
        /* a message injected by someone else makes this undercount, which
         * only weakens ep_drain, never blocks it */
        if (ep->inflight) ep->inflight--;
        bool alive = route_in(ep->bus, nm, ep, NULL);
        nng_msg_free(nm);
        if (!alive) return;
    }
}

static void ext_cb(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    struct sk_bus *bus = arg;
    for (int i = 0; i < DRAIN_BATCH; i++) {
        nng_msg *nm;
        if (nng_recvmsg(bus->ext, &nm, NNG_FLAG_NONBLOCK)) return;
        char via[16];
        snprintf(via, sizeof(via), "@%u", (unsigned)nng_pipe_id(nng_msg_get_pipe(nm)));
        route_in(bus, nm, NULL, via);
        nng_msg_free(nm);
    }
}

static void peer_cb(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    struct peer *p = arg;
    for (int i = 0; i < DRAIN_BATCH; i++) {
        nng_msg *nm;
        if (nng_recvmsg(p->sock, &nm, NNG_FLAG_NONBLOCK)) return;
        route_in(p->bus, nm, NULL, p->name);
        nng_msg_free(nm);
    }
}

static sk_err watch_recv(struct sk_bus *bus, nng_socket s, sk_io_fn fn, void *arg,
                         struct sk_io **io, struct sk_error **err)
{
    int fd, rv;
    if ((rv = nng_socket_get_int(s, NNG_OPT_RECVFD, &fd)))
        return nng_fail(err, rv, "bus %s: receive fd", bus->id);
    *io = sk_io_add(bus->loop, fd, SK_IO_READ, fn, arg);
    return SK_OK;
}

struct sk_bus *sk_bus_new(struct sk_loop *loop, const char *bus_id, struct sk_error **err)
{
    if (!bus_id_ok(bus_id)) {
        sk_fail(err, SK_EINVAL, "bad bus id \"%.*s\" (want 1-63 of [A-Za-z0-9._-])",
                SK_MSG_NAME_MAX, bus_id ? bus_id : "");
        return NULL;
    }
    struct sk_bus *bus = sk_xcalloc(1, sizeof(*bus));
    bus->loop = loop;
    bus->next_id = 1;
    bus->port = -1;
    bus->log_window = -1e9;
    snprintf(bus->id, sizeof(bus->id), "%s", bus_id);

    int rv;
    char url[128];
    snprintf(url, sizeof(url), "inproc://skiff/%s", bus->id);
    if ((rv = nng_pair1_open_poly(&bus->ext))) {
        nng_fail(err, rv, "bus %s: open", bus->id);
        free(bus);
        return NULL;
    }
    nng_socket_set_int(bus->ext, NNG_OPT_SENDBUF, EXT_SENDBUF);
    nng_socket_set_int(bus->ext, NNG_OPT_RECVBUF, EXT_RECVBUF);
    /* bounds what a remote peer can make us allocate; listeners inherit it */
    nng_socket_set_size(bus->ext, NNG_OPT_RECVMAXSZ, SK_MSG_WIRE_MAX);
    /* Listening at the bus's own inproc URL claims the id in nng's
     * process-wide name table, so a duplicate bus fails here. */
    if ((rv = nng_listen(bus->ext, url, NULL, 0))) {
        if (rv == NNG_EADDRINUSE)
            sk_fail(err, SK_EEXIST, "bus id \"%s\" is already in use in this process", bus->id);
        else
            nng_fail(err, rv, "bus %s: listen %s", bus->id, url);
        nng_close(bus->ext);
        free(bus);
        return NULL;
    }
    if (watch_recv(bus, bus->ext, ext_cb, bus, &bus->ext_io, err)) {
        nng_close(bus->ext);
        free(bus);
        return NULL;
    }
    return bus;
}

void sk_bus_free(struct sk_bus *bus)
{
    if (!bus) return;
    /* freeing the bus from a handler would free the message being handled */
    assert(bus->calls == 0);
    for (int i = 0; i < EP_BUCKETS; i++) {
        while (bus->eps[i]) {
            struct sk_bus_ep *ep = bus->eps[i];
            bus->eps[i] = ep->next;
            ep_close(ep);
            free(ep);
        }
    }
    while (bus->peers) {
        struct peer *p = bus->peers;
        bus->peers = p->next;
        sk_io_del(p->io);
        nng_close(p->sock);
        free(p);
    }
    sk_io_del(bus->ext_io);
    nng_close(bus->ext);
    free(bus);
}

struct sk_bus_ep *sk_bus_attach(struct sk_bus *bus, const char *name, sk_bus_fn fn, void *arg,
                                struct sk_error **err)
{
    if (!local_name_ok(name)) {
        sk_fail(err, SK_EINVAL, "bus %s: bad endpoint name \"%.*s\" (want 1-63 of [a-z0-9.-])",
                bus->id, SK_MSG_NAME_MAX, name ? name : "");
        return NULL;
    }
    if (!fn) {
        sk_fail(err, SK_EINVAL, "bus %s: endpoint %s has no handler", bus->id, name);
        return NULL;
    }
    if (ep_find(bus, name)) {
        sk_fail(err, SK_EEXIST, "bus %s: endpoint %s is already attached", bus->id, name);
        return NULL;
    }
    struct sk_bus_ep *ep = sk_xcalloc(1, sizeof(*ep));
    ep->bus = bus;
    ep->fn = fn;
    ep->arg = arg;
    snprintf(ep->name, sizeof(ep->name), "%s", name);

    char url[160];
    snprintf(url, sizeof(url), "inproc://skiff/%s/%s", bus->id, name);
    int rv;
    if ((rv = nng_pair1_open_poly(&ep->inbox))) {
        nng_fail(err, rv, "bus %s: endpoint %s: open inbox", bus->id, name);
        free(ep);
        return NULL;
    }
    if ((rv = nng_listen(ep->inbox, url, NULL, 0))) {
        nng_fail(err, rv, "bus %s: endpoint %s: listen %s", bus->id, name, url);
        nng_close(ep->inbox);
        free(ep);
        return NULL;
    }
    nng_socket_set_int(ep->inbox, NNG_OPT_RECVBUF, INBOX_RECVBUF);
    if ((rv = nng_pair1_open(&ep->tx))) {
        nng_fail(err, rv, "bus %s: endpoint %s: open sender", bus->id, name);
        nng_close(ep->inbox);
        free(ep);
        return NULL;
    }
    nng_socket_set_int(ep->tx, NNG_OPT_SENDBUF, INBOX_SENDBUF);
    /* inproc connects at once: the listener above already exists */
    if ((rv = nng_dial(ep->tx, url, NULL, 0)) ||
        watch_recv(bus, ep->inbox, inbox_cb, ep, &ep->io, err)) {
        if (rv) nng_fail(err, rv, "bus %s: endpoint %s: dial %s", bus->id, name, url);
        ep_close(ep);
        free(ep);
        return NULL;
    }
    unsigned b = bucket(ep->name, strlen(ep->name));
    ep->next = bus->eps[b];
    bus->eps[b] = ep;
    return ep;
}

void sk_bus_detach(struct sk_bus_ep *ep)
{
    if (!ep || ep->dead) return;
    struct sk_bus *bus = ep->bus;
    struct sk_bus_ep **pp = &bus->eps[bucket(ep->name, strlen(ep->name))];
    while (*pp && *pp != ep)
        pp = &(*pp)->next;
    if (*pp) *pp = ep->next;
    ep_close(ep);
    if (ep->calls) {
        /* its handler is running: deliver() frees it when the call returns */
        ep->dead = true;
        return;
    }
    free(ep);
}

const char *sk_bus_ep_name(const struct sk_bus_ep *ep)
{
    return ep->name;
}

/* "@N" with N a pipe id of this bus's listening socket. */
static bool pipe_of(const struct sk_bus *bus, const char *s, size_t n, nng_pipe *pipe)
{
    if (n < 2 || n > 11 || s[0] != '@' || s[1] == '0') return false;
    uint64_t v = 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX) return false;
    pipe->id = (uint32_t)v;
    /* a closed pipe, or one of another socket, has no socket of ours */
    return nng_socket_id(nng_pipe_socket(*pipe)) == nng_socket_id(bus->ext);
}

uint64_t sk_bus_send(struct sk_bus_ep *from, const char *to, uint32_t type, uint32_t version,
                     uint64_t re, const void *body, size_t len, struct sk_error **err)
{
    static const uint8_t empty_map = 0x80;
    if (!from || from->dead) {
        sk_fail(err, SK_ECLOSED, "send from a detached endpoint");
        return 0;
    }
    struct sk_bus *bus = from->bus;
    if (!to) {
        sk_fail(err, SK_EINVAL, "bus %s: send from %s: no destination", bus->id, from->name);
        return 0;
    }
    if (!body && !len) {
        body = &empty_map;
        len = 1;
    }
    if (len > SK_MSG_BODY_MAX) {
        sk_fail(err, SK_ETOOBIG, "bus %s: send from %s to %s: body of %zu bytes is over %u",
                bus->id, from->name, to, len, SK_MSG_BODY_MAX);
        return 0;
    }

    struct skiff_msg m = {
            .type = type,
            .version = version,
            .from = from->name,
            .to = to,
            .id = bus->next_id,
            .re = re,
            .body = body,
            .body_len = len,
    };
    nng_socket sock;
    nng_pipe pipe = NNG_PIPE_INITIALIZER;
    struct sk_bus_ep *dst = NULL;
    const char *slash = strchr(to, '/');
    if (!slash) {
        dst = ep_find(bus, to);
        if (!dst) {
            sk_fail(err, SK_ENOENT, "bus %s: send from %s: no endpoint \"%.*s\"", bus->id,
                    from->name, SK_MSG_NAME_MAX, to);
            return 0;
        }
        sock = dst->tx;
    } else {
        size_t n = (size_t)(slash - to);
        struct peer *p = NULL;
        if (to[0] == '@') {
            if (!pipe_of(bus, to, n, &pipe)) {
                sk_fail(err, SK_ENOENT, "bus %s: send from %s to %.*s: no such connection", bus->id,
                        from->name, ADDR_MAX, to);
                return 0;
            }
            sock = bus->ext;
        } else if ((p = peer_find(bus, to, n))) {
            sock = p->sock;
        } else {
            sk_fail(err, SK_ENOENT, "bus %s: send from %s to %.*s: no such peer", bus->id,
                    from->name, ADDR_MAX, to);
            return 0;
        }
        m.to = slash + 1; /* the peer's bus knows its endpoints by bare name */
    }

    nng_msg *nm;
    size_t cap = len + SK_MSG_ENVELOPE_MAX, used;
    int rv;
    if ((rv = nng_msg_alloc(&nm, cap))) {
        nng_fail(err, rv, "bus %s: send from %s", bus->id, from->name);
        return 0;
    }
    if (sk_msg_encode(&m, nng_msg_body(nm), cap, &used, err)) {
        sk_error_prefix(err, "bus %s: send from %s to %.*s", bus->id, from->name, ADDR_MAX, to);
        nng_msg_free(nm);
        return 0;
    }
    nng_msg_chop(nm, cap - used);
    if (pipe.id) nng_msg_set_pipe(nm, pipe);
    if ((rv = nng_sendmsg(sock, nm, NNG_FLAG_NONBLOCK))) {
        nng_msg_free(nm);
        if (rv == NNG_EAGAIN)
            sk_fail(err, SK_EAGAIN, "bus %s: send from %s to %.*s: queue full", bus->id, from->name,
                    ADDR_MAX, to);
        else
            nng_fail(err, rv, "bus %s: send from %s to %.*s", bus->id, from->name, ADDR_MAX, to);
        return 0;
    }
    if (dst) dst->inflight++;
    return bus->next_id++;
}

uint64_t sk_bus_reply(struct sk_bus_ep *from, const struct skiff_msg *req, uint32_t type,
                      uint32_t version, const void *body, size_t len, struct sk_error **err)
{
    if (!req) {
        sk_fail(err, SK_EINVAL, "reply to no request");
        return 0;
    }
    return sk_bus_send(from, req->from, type, version, req->id, body, len, err);
}

sk_err sk_bus_listen(struct sk_bus *bus, const char *url, struct sk_error **err)
{
    if (!url) return sk_fail(err, SK_EINVAL, "bus %s: listen: no url", bus->id);
    nng_listener l;
    int rv;
    if ((rv = nng_listener_create(&l, bus->ext, url)))
        return nng_fail(err, rv, "bus %s: listen %s", bus->id, url);
    if ((rv = nng_listener_start(l, 0))) {
        nng_listener_close(l);
        return nng_fail(err, rv, "bus %s: listen %s", bus->id, url);
    }
    int port;
    if (!strncmp(url, "tcp", 3) && !nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port))
        bus->port = port;
    return SK_OK;
}

int sk_bus_port(const struct sk_bus *bus)
{
    return bus->port;
}

sk_err sk_bus_dial(struct sk_bus *bus, const char *peer, const char *url, struct sk_error **err)
{
    if (!local_name_ok(peer))
        return sk_fail(err, SK_EINVAL, "bus %s: bad peer name \"%.*s\" (want 1-63 of [a-z0-9.-])",
                       bus->id, SK_MSG_NAME_MAX, peer ? peer : "");
    if (!url) return sk_fail(err, SK_EINVAL, "bus %s: dial %s: no url", bus->id, peer);
    if (peer_find(bus, peer, strlen(peer)))
        return sk_fail(err, SK_EEXIST, "bus %s: peer %s is already dialed", bus->id, peer);
    struct peer *p = sk_xcalloc(1, sizeof(*p));
    p->bus = bus;
    snprintf(p->name, sizeof(p->name), "%s", peer);
    int rv;
    if ((rv = nng_pair1_open(&p->sock))) {
        free(p);
        return nng_fail(err, rv, "bus %s: dial %s", bus->id, peer);
    }
    nng_socket_set_int(p->sock, NNG_OPT_SENDBUF, PEER_SENDBUF);
    nng_socket_set_int(p->sock, NNG_OPT_RECVBUF, EXT_RECVBUF);
    nng_socket_set_size(p->sock, NNG_OPT_RECVMAXSZ, SK_MSG_WIRE_MAX);
    nng_socket_set_ms(p->sock, NNG_OPT_RECONNMINT, 100);
    nng_socket_set_ms(p->sock, NNG_OPT_RECONNMAXT, 5000);
    /* non-blocking: connects, and reconnects, in the background */
    if ((rv = nng_dial(p->sock, url, NULL, NNG_FLAG_NONBLOCK))) {
        nng_close(p->sock);
        free(p);
        return nng_fail(err, rv, "bus %s: dial %s at %s", bus->id, peer, url);
    }
    if (watch_recv(bus, p->sock, peer_cb, p, &p->io, err)) {
        nng_close(p->sock);
        free(p);
        return SK_ESYS;
    }
    p->next = bus->peers;
    bus->peers = p;
    return SK_OK;
}

uint64_t sk_bus_dropped(const struct sk_bus *bus)
{
    return bus->dropped;
}
