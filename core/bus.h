/* The message bus: core parts and plugins (endpoints) exchange envelopes
 * (msg.h) over nng sockets: inproc:// inside the process, tcp:// or ipc://
 * to other processes and nodes, with one envelope and one routing path for
 * all of them. Everything here runs on the loop thread, and no nng thread
 * ever touches bus state: each receiving socket's NNG_OPT_RECVFD is watched
 * on the loop and drained without blocking.
 *
 * Addresses, as `to` for sk_bus_send and as `from` in a handler's message:
 *   "name"       an endpoint attached to this bus: 1..63 bytes of [a-z0-9.-]
 *   "peer/name"  endpoint "name" on the bus reached by sk_bus_dial(bus,
 *                "peer", url)
 *   "@N/name"    endpoint "name" on a remote bus that connected to one of
 *                this bus's listeners; N is the nng pipe id of that
 *                connection, so it changes when the peer reconnects
 * A handler sees a remote sender in one of the last two forms, so replying
 * to m->from always goes back over the connection the request came on. On
 * the wire "from" and "to" are plain endpoint names: the receiving bus adds
 * the prefix, so a peer cannot pose as a local endpoint.
 *
 * URLs: endpoint "name" of the bus with id B reads its inbox (an nng pair1
 * socket) at inproc://skiff/B/name; the bus itself also listens at
 * inproc://skiff/B, so two buses in one process can be linked with
 * sk_bus_dial and no network.
 *
 * Delivery: in order per sender and destination. Local delivery is reliable
 * once sk_bus_send has returned an id, until the destination detaches.
 * Remote delivery is best effort: a message is lost when the connection
 * drops, and a reply to an "@N/..." sender is dropped when that
 * connection's send queue (two messages deep in nng's pair1 polyamorous
 * mode) is full. Requests that need an answer carry their own timeout.
 *
 * Remote peers are not authenticated yet: listen only on loopback or on a
 * network that only cluster nodes reach. */
#ifndef SK_BUS_H
#define SK_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "skiff_plugin.h"

struct sk_loop;
struct sk_bus;
struct sk_bus_ep;

/* A message for an endpoint, on the loop thread. m and everything it points
 * to are borrowed: the bus frees them when the call returns. The handler may
 * send, attach, detach (its own endpoint too), but must not free the bus or
 * run the loop. */
typedef void (*sk_bus_fn)(void *arg, const struct skiff_msg *m);

/* A bus on loop. bus_id (1..63 bytes of [A-Za-z0-9._-], the node name for
 * the agent) keeps its inproc:// URLs apart from other buses in the same
 * process; a second bus with the same id fails with SK_EEXIST. Returns the
 * bus (caller frees with sk_bus_free) or NULL with *err. Loop thread. */
struct sk_bus *sk_bus_new(struct sk_loop *loop, const char *bus_id, struct sk_error **err);

/* Close every socket and free every endpoint still attached (their pointers
 * die with the bus) and every message still queued. NULL ok. Loop thread,
 * never from a handler; may wait briefly for nng to close its pipes. */
void sk_bus_free(struct sk_bus *bus);

/* Attach endpoint name ([a-z0-9.-], 1..63 bytes, unique on this bus):
 * messages to it are passed to fn(arg, m). Returns the endpoint, owned by
 * the bus until sk_bus_detach, or NULL with *err (SK_EINVAL bad name,
 * SK_EEXIST taken). Loop thread. */
struct sk_bus_ep *sk_bus_attach(struct sk_bus *bus, const char *name, sk_bus_fn fn, void *arg,
                                struct sk_error **err);

/* Detach and free an endpoint; messages still queued for it are dropped
 * and later sends to its name fail. NULL ok. Loop thread, also from a
 * handler (its own endpoint included). */
void sk_bus_detach(struct sk_bus_ep *ep);

/* The endpoint's name (valid until detach). */
const char *sk_bus_ep_name(const struct sk_bus_ep *ep);

/* Send one message from endpoint `from` to address `to` (see the top of
 * this file). body is one msgpack map of body_len bytes, copied; NULL with
 * len 0 sends the empty map. re is the id of the request this answers, or
 * 0. Returns the new message id (> 0, unique on this bus) or 0 with *err:
 * SK_ENOENT no such endpoint, peer or connection; SK_EINVAL bad body or
 * name; SK_ETOOBIG body over SK_MSG_BODY_MAX; SK_EAGAIN the destination's
 * queue is full (the loop never blocks on a send: retry after the loop
 * runs). Loop thread. */
uint64_t sk_bus_send(struct sk_bus_ep *from, const char *to, uint32_t type, uint32_t version,
                     uint64_t re, const void *body, size_t len, struct sk_error **err);

/* sk_bus_send to req->from with re = req->id. */
uint64_t sk_bus_reply(struct sk_bus_ep *from, const struct skiff_msg *req, uint32_t type,
                      uint32_t version, const void *body, size_t len, struct sk_error **err);

/* Also accept connections from other buses at url (tcp://ADDR:PORT, with
 * port 0 for any free port, or ipc:///path). May be called several times.
 * Incoming messages are routed by their "to" to a local endpoint and appear
 * from "@N/name". Binding is immediate; does not block otherwise. Loop
 * thread. */
sk_err sk_bus_listen(struct sk_bus *bus, const char *url, struct sk_error **err);

/* The TCP port the most recent tcp:// sk_bus_listen bound (to learn the
 * port chosen for port 0), or -1. */
int sk_bus_port(const struct sk_bus *bus);

/* Connect to the bus listening at url and call it "peer" ([a-z0-9.-], 1..63
 * bytes, unique on this bus): local endpoints then send to "peer/name" and
 * see its endpoints' messages from "peer/name". Connecting happens in the
 * background and is retried while the peer is unreachable; messages sent
 * meanwhile wait in a queue (SK_EAGAIN once it is full). Does not block.
 * Loop thread. */
sk_err sk_bus_dial(struct sk_bus *bus, const char *peer, const char *url, struct sk_error **err);

/* Messages dropped on receipt so far (malformed, unknown destination). */
uint64_t sk_bus_dropped(const struct sk_bus *bus);

#endif
