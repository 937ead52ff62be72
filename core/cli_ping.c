/* `skiff ping`: reach an agent's endpoint over its bus listener and print
 * the reply. A diagnostic that exercises the same path a peer node uses. */
#include "cli_ping.h"
#include "bus.h"
#include "loop.h"
#include "mem.h"
#include "val.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct ping_state {
    struct sk_loop *loop;
    uint64_t id;
    double sent;
    int rc;
};

static void print_pong(const struct skiff_msg *m, double rtt)
{
    struct sk_val *v = NULL;
    const char *node = "?", *ep = "?";
    double uptime = -1;
    /* the reply comes from another process: decode it with the checked decoder */
    if (sk_val_from_msgpack(m->body, m->body_len, &v, NULL) == SK_OK) {
        if (sk_val_cstr(sk_map_get(v, "node"))) node = sk_val_cstr(sk_map_get(v, "node"));
        if (sk_val_cstr(sk_map_get(v, "endpoint"))) ep = sk_val_cstr(sk_map_get(v, "endpoint"));
        struct sk_val *u = sk_map_get(v, "uptime");
        if (sk_val_is(u, SK_V_FLOAT)) uptime = u->u.f;
    }
    printf("pong from endpoint=%s node=%s uptime=%.1fs time=%.3fms\n", ep, node, uptime, rtt * 1e3);
    sk_val_free(v);
}

static void on_reply(void *arg, const struct skiff_msg *m)
{
    struct ping_state *st = arg;
    if (m->re != st->id) return;
    double rtt = sk_loop_now(st->loop) - st->sent;
    if (m->type == SKIFF_MSG_PONG) {
        print_pong(m, rtt);
        st->rc = 0;
    } else {
        fprintf(stderr, "error: unexpected reply type %u from %s\n", m->type, m->from);
        st->rc = 1;
    }
    sk_loop_stop(st->loop);
}

static void on_timeout(void *arg)
{
    struct ping_state *st = arg;
    fprintf(stderr, "error: no reply within the timeout\n");
    st->rc = 1;
    sk_loop_stop(st->loop);
}

static void usage(FILE *f)
{
    fprintf(f, "Send PING to an endpoint of a running agent over its bus listener (the\n"
               "agent's bus.listen setting) and print the reply.\n"
               "\n"
               "Usage:\n"
               "  skiff ping --bus URL [ENDPOINT]\n"
               "\n"
               "ENDPOINT is a plugin name or \"core\" (default \"core\").\n"
               "\n"
               "Flags:\n"
               "      --bus URL        tcp://ADDR:PORT or ipc:///path of the agent's bus\n"
               "      --timeout SECS   how long to wait for the reply (default 5)\n"
               "  -h, --help           show this help\n");
}

int sk_cli_ping(int argc, char **argv)
{
    static const struct option opts[] = {
            {"bus", required_argument, NULL, 'b'},
            {"timeout", required_argument, NULL, 't'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    const char *url = NULL;
    double timeout = 5;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': url = optarg; break;
        case 't': {
            char *end;
            timeout = strtod(optarg, &end);
            if (*end || timeout <= 0) {
                fprintf(stderr, "error: invalid --timeout \"%s\": want seconds > 0\n", optarg);
                return 1;
            }
            break;
        }
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "error: unknown flag: %s\nSee 'skiff ping --help' for usage.\n",
                    argv[optind - 1]);
            return 1;
        }
    }
    const char *endpoint = optind < argc ? argv[optind] : "core";
    if (!url) {
        fprintf(stderr, "error: --bus URL is required\nSee 'skiff ping --help' for usage.\n");
        return 1;
    }
    struct ping_state st = {.rc = 1};
    st.loop = sk_loop_new();
    struct sk_error *err = NULL;
    char id[64], to[160];
    snprintf(id, sizeof(id), "cli-%d", (int)getpid());
    snprintf(to, sizeof(to), "agent/%s", endpoint);
    struct sk_bus *bus = sk_bus_new(st.loop, id, &err);
    struct sk_bus_ep *ep = bus ? sk_bus_attach(bus, "cli", on_reply, &st, &err) : NULL;
    if (!ep || sk_bus_dial(bus, "agent", url, &err)) goto fail;
    st.sent = sk_loop_now(st.loop);
    st.id = sk_bus_send(ep, to, SKIFF_MSG_PING, 1, 0, NULL, 0, &err);
    if (!st.id) goto fail;
    struct sk_timer *t = sk_timer_add(st.loop, timeout, 0, on_timeout, &st);
    sk_loop_run(st.loop);
    if (st.rc == 0) sk_timer_cancel(t);
    goto out;
fail:
    fprintf(stderr, "error: %s\n", sk_error_msg(err, SK_EINVAL));
    st.rc = 1;
out:
    sk_error_free(err);
    sk_bus_free(bus);
    sk_loop_free(st.loop);
    return st.rc;
}
