/* ping: the agent's liveness responder. Answers PING with PONG (node name,
 * endpoint, uptime) and ECHO with the same body, so that health checks,
 * tests and the bus benchmark can reach every agent through the bus
 * exactly as any plugin is reached. */
#include "skiff_plugin.h"

#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

struct ping {
    struct skiff_ctx *ctx;
    const struct skiff_host *host;
    double started;
    uint64_t answered;
};

static int ping_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                     void **self)
{
    (void)options;
    struct ping *p = calloc(1, sizeof(*p));
    if (!p) return -1;
    p->ctx = ctx;
    p->host = host;
    *self = p;
    return 0;
}

static int ping_start(void *self)
{
    struct ping *p = self;
    p->started = p->host->now(p->ctx);
    return 0;
}

static void ping_stop(void *self)
{
    (void)self;
}

static void ping_fini(void *self)
{
    free(self);
}

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

static void ping_msg(void *self, const struct skiff_msg *m)
{
    struct ping *p = self;
    switch (m->type) {
    case SKIFF_MSG_PING: {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_map(&pk, 3);
        pack_str(&pk, "node");
        pack_str(&pk, p->host->node_name(p->ctx));
        pack_str(&pk, "endpoint");
        pack_str(&pk, "ping");
        pack_str(&pk, "uptime");
        msgpack_pack_double(&pk, p->host->now(p->ctx) - p->started);
        p->host->reply(p->ctx, m, SKIFF_MSG_PONG, 1, sb.data, sb.size);
        msgpack_sbuffer_destroy(&sb);
        p->answered++;
        break;
    }
    case SKIFF_MSG_ECHO:
        p->host->reply(p->ctx, m, SKIFF_MSG_ECHO_REPLY, m->version, m->body, m->body_len);
        p->answered++;
        break;
    case SKIFF_MSG_LEADER_CHANGED: break;
    default:
        p->host->log(p->ctx, SKIFF_LOG_DEBUG, "ignored message type=%u from=%s", m->type, m->from);
    }
}

SKIFF_PLUGIN(ping) = {
        SKIFF_PLUGIN_HEADER,
        .name = "ping",
        .role = SKIFF_ROLE_NODE,
        .description = "answers PING and ECHO on the bus (health checks, tests, benchmarks)",
        .init = ping_init,
        .start = ping_start,
        .stop = ping_stop,
        .fini = ping_fini,
        .on_msg = ping_msg,
};
