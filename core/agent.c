/* The agent's lifetime: configuration, data dir lock, loop, workers, bus,
 * plugins; signals for stop (TERM, INT) and reload (HUP). */
#include "agent.h"
#include "api.h"
#include "bus.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "node_http.h"
#include "plugin.h"
#include "store.h"
#include "tls.h"
#include "version.h"
#include "work.h"

#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct agent {
    struct sk_config *cfg;
    struct sk_config_flags flags;
    struct sk_loop *loop;
    struct sk_work_pool *pool;
    struct sk_bus *bus;
    struct sk_bus_ep *core_ep;
    struct sk_node_http *nh;
    struct sk_plugins *plugins;
    struct sk_store *store;
    struct sk_tls *tls;
    struct sk_api *api;
    struct sk_sig *sig_term, *sig_int, *sig_hup, *sig_usr2;
    struct sk_timer *trim_timer;
    struct sk_timer *tls_timer; /* the daily look at the serving certificate */
    bool tls_checking;          /* a check runs on a worker */
    uint64_t trim_rev;          /* the store revision at the last tick */
    bool trim_pending;          /* the store moved since the last trim */
    int lock_fd;
    double started;
    bool stopping;
};

static void usage(FILE *f)
{
    fprintf(f, "Run the skiff node agent: the API, the store and every plugin.\n"
               "\n"
               "Usage:\n"
               "  skiff agent [flags]\n"
               "\n"
               "Flags:\n"
               "      --config PATH        configuration file (default $SKIFF_CONFIG, then\n"
               "                           /etc/skiff/skiff.yaml if it exists)\n"
               "      --data-dir DIR       where the agent keeps its state (default\n"
               "                           /var/lib/skiff)\n"
               "      --node-name NAME     this node's name (default: the host name)\n"
               "      --api-listen ADDR:PORT  address of the Kubernetes API (default\n"
               "                           127.0.0.1:6443)\n"
               "      --plugin-dir DIR     directory of .so plugins to load (default\n"
               "                           /usr/lib/skiff/plugins)\n"
               "      --log-level LEVEL    error, warn, info, debug or trace (default info)\n"
               "  -h, --help               show this help\n"
               "\n"
               "Flags override the configuration file; see docs/configuration.md.\n"
               "SIGTERM or SIGINT stops the agent; SIGHUP re-reads the configuration\n"
               "and checks the serving certificate (also done daily).\n");
}

/* mkdir -p with mode for each created component */
static int mkdir_p(const char *path, mode_t mode)
{
    char *p = sk_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, mode) && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, mode);
    free(p);
    return (rc && errno != EEXIST) ? -1 : 0;
}

static int lock_data_dir(const char *dir)
{
    char *path = sk_xasprintf("%s/agent.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        sk_log(SK_LOG_ERROR, "agent", "cannot open %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
        if (n > 0) pid[n] = 0;
        pid[strcspn(pid, "\n")] = 0;
        sk_log(SK_LOG_ERROR, "agent", "data dir %s is in use by another agent (pid %s)", dir,
               pid[0] ? pid : "?");
        close(fd);
        free(path);
        return -1;
    }
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (ftruncate(fd, 0) || pwrite(fd, buf, (size_t)n, 0) != n)
        sk_log(SK_LOG_WARN, "agent", "cannot write pid to %s: %s", path, strerror(errno));
    free(path);
    return fd;
}

static void pack_str(msgpack_packer *pk, const char *str)
{
    size_t n = strlen(str);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, str, n);
}

/* The "core" endpoint answers PING, so a peer can tell the agent itself is
 * alive even with every plugin disabled. */
static void core_msg(void *arg, const struct skiff_msg *m)
{
    struct agent *a = arg;
    if (m->type != SKIFF_MSG_PING) return;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 3);
    pack_str(&pk, "node");
    pack_str(&pk, a->cfg->node_name);
    pack_str(&pk, "endpoint");
    pack_str(&pk, "core");
    pack_str(&pk, "uptime");
    msgpack_pack_double(&pk, sk_loop_now(a->loop) - a->started);
    struct sk_error *err = NULL;
    if (!sk_bus_send(a->core_ep, m->from, SKIFF_MSG_PONG, 1, m->id, sb.data, sb.size, &err))
        sk_log(SK_LOG_WARN, "agent", "pong to %s failed: %s", m->from,
               sk_error_msg(err, SK_EPROTO));
    sk_error_free(err);
    msgpack_sbuffer_destroy(&sb);
}

static void on_stop_signal(int signum, void *arg)
{
    struct agent *a = arg;
    if (a->stopping) {
        sk_log(SK_LOG_WARN, "agent", "second signal=%d while stopping: exiting now", signum);
        _exit(1);
    }
    a->stopping = true;
    sk_log(SK_LOG_INFO, "agent", "stopping signal=%s", signum == SIGTERM ? "TERM" : "INT");
    /* a stuck plugin or job must not keep the agent alive past the deadline */
    alarm((unsigned)(a->cfg->shutdown_timeout + 1.5));
    sk_plugins_stop(a->plugins);
    sk_loop_stop(a->loop);
}

static void tls_check(struct agent *a);

static void on_hup(int signum, void *arg)
{
    (void)signum;
    struct agent *a = arg;
    struct sk_config *nc = NULL;
    struct sk_error *err = NULL;
    if (sk_config_load(&a->flags, &nc, &err)) {
        sk_log(SK_LOG_ERROR, "agent", "reload refused, keeping the running configuration: %s",
               sk_error_msg(err, SK_EINVAL));
        sk_error_free(err);
        return;
    }
    if (nc->log_level != a->cfg->log_level) {
        sk_log_set_level(nc->log_level);
        sk_log(SK_LOG_INFO, "agent", "reloaded log-level=%s", sk_log_level_name(nc->log_level));
    }
    /* the rest is bound into running parts; say which changes wait */
    if (strcmp(nc->data_dir, a->cfg->data_dir))
        sk_log(SK_LOG_WARN, "agent", "data-dir changed: takes effect at restart");
    if (strcmp(nc->api_listen, a->cfg->api_listen))
        sk_log(SK_LOG_WARN, "agent", "api.listen changed: takes effect at restart");
    if (strcmp(nc->node_name, a->cfg->node_name))
        sk_log(SK_LOG_WARN, "agent", "node-name changed: takes effect at restart");
    if (nc->workers != a->cfg->workers)
        sk_log(SK_LOG_WARN, "agent", "workers changed: takes effect at restart");
    a->cfg->log_level = nc->log_level;
    a->cfg->shutdown_timeout = nc->shutdown_timeout;
    sk_config_free(nc);
    /* a good moment to look at the serving certificate too (addresses
     * changed, files replaced by hand) */
    tls_check(a);
    sk_log(SK_LOG_INFO, "agent", "configuration reloaded from %s",
           a->cfg->path ? a->cfg->path : "defaults");
}

/* Free heap pages go back to the system once a burst of writes is over:
 * the store's revision moved, then stood still for a tick. */
static void on_trim_tick(void *arg)
{
    struct agent *a = arg;
    uint64_t rev = sk_store_rev(a->store);
    if (rev != a->trim_rev) {
        a->trim_rev = rev;
        a->trim_pending = true;
    } else if (a->trim_pending) {
        a->trim_pending = false;
        sk_mem_trim();
    }
}

/* SIGUSR2: log where the agent's memory is, after a trim. */
static void on_usr2(int signum, void *arg)
{
    (void)signum;
    (void)arg;
    char line[512];
    sk_mem_trim();
    sk_mem_report(line, sizeof(line));
    sk_log(SK_LOG_INFO, "agent", "memory %s", line);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "skiff: agent did not stop within shutdown-timeout, exiting\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
    (void)w;
    _exit(1);
}

static int parse_flags(int argc, char **argv, struct sk_config_flags *f)
{
    static const struct option opts[] = {
            {"config", required_argument, NULL, 'c'},
            {"data-dir", required_argument, NULL, 'd'},
            {"node-name", required_argument, NULL, 'n'},
            {"api-listen", required_argument, NULL, 'a'},
            {"plugin-dir", required_argument, NULL, 'p'},
            {"log-level", required_argument, NULL, 'l'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, ":h", opts, NULL);
        if (c == -1) break;
        switch (c) {
        case 'c': f->config_path = optarg; break;
        case 'd': f->data_dir = optarg; break;
        case 'n': f->node_name = optarg; break;
        case 'a': f->api_listen = optarg; break;
        case 'p': f->plugin_dir = optarg; break;
        case 'l': f->log_level = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "error: flag needs an argument: %s\n", argv[optind - 1]);
            fprintf(stderr, "See 'skiff agent --help' for usage.\n");
            return 1;
        default:
            fprintf(stderr, "error: unknown flag: %s\n", argv[optind - 1]);
            fprintf(stderr, "See 'skiff agent --help' for usage.\n");
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "error: unexpected argument \"%s\"\n", argv[optind]);
        fprintf(stderr, "See 'skiff agent --help' for usage.\n");
        return 1;
    }
    return -1;
}

/* The addresses the serving certificate must cover: this machine's and
 * the API's listen address. NULL-terminated, malloc'd strings. */
static char **tls_addresses(const char *api_listen)
{
    char **addrs = sk_tls_local_addresses(NULL);
    size_t n = 0;
    while (addrs && addrs[n])
        n++;
    char **all = sk_xcalloc(n + 2, sizeof(*all));
    for (size_t i = 0; i < n; i++)
        all[i] = addrs[i];
    free(addrs); /* the strings moved to all */
    char host[256];
    int port = 0;
    /* the listen address itself must be in the certificate too */
    if (sk_parse_hostport(api_listen, host, sizeof(host), &port) == SK_OK)
        all[n] = sk_xstrdup(host);
    return all;
}

/* The cluster PKI (made at first start) and the HTTPS API on it. Key
 * generation blocks briefly; this runs before the loop does. */
static sk_err start_api(struct agent *a, struct sk_error **err)
{
    char **all = tls_addresses(a->cfg->api_listen);
    sk_err rc = sk_tls_ensure(a->cfg->data_dir, a->cfg->node_name, (const char *const *)all,
                              &a->tls, err);
    sk_tls_strv_free(all);
    if (rc) return rc;
    struct sk_tls_server *srv = sk_tls_server_new(a->tls, err);
    if (!srv) return SK_ECORRUPT;
    struct sk_api_opts o = {
            .loop = a->loop,
            .pool = a->pool,
            .store = a->store,
            .node_name = a->cfg->node_name,
            .data_dir = a->cfg->data_dir,
            .listen = a->cfg->api_listen,
            .tls = srv,
            .token = a->tls->token,
            .bus = a->bus,
            .max_proxy_body = (size_t)a->cfg->api_max_proxy_body,
    };
    a->api = sk_api_new(&o, err);
    sk_tls_server_unref(srv); /* the API holds its own reference */
    if (!a->api) return SK_EINVAL;
    sk_api_ensure_namespaces(a->store);
    sk_log(SK_LOG_INFO, "agent", "api listening addr=%s port=%d", a->cfg->api_listen,
           sk_api_port(a->api));
    return SK_OK;
}

/* ---- the serving certificate, checked daily ---- */

#define TLS_CHECK_SECS 86400.0

struct tls_check {
    struct agent *a;
    char *data_dir, *node_name, *api_listen; /* copies: the worker reads them */
    struct sk_tls *tls;                      /* the result, or NULL with err */
    struct sk_tls_server *srv;               /* when a new certificate was issued */
    struct sk_error *err;
};

/* On a worker: sk_tls_ensure issues a new serving certificate when the
 * old one expires within 30 days or no longer covers the machine's
 * addresses (DHCP, a new interface); the new one is loaded here too, off
 * the loop. With nothing to do this costs a few file reads and two
 * signature checks. */
static void tls_check_work(void *arg)
{
    struct tls_check *c = arg;
    char **all = tls_addresses(c->api_listen);
    if (!sk_tls_ensure(c->data_dir, c->node_name, (const char *const *)all, &c->tls, &c->err) &&
        c->tls->server_issued) {
        c->srv = sk_tls_server_new(c->tls, &c->err);
        if (!c->srv) {
            sk_tls_free(c->tls);
            c->tls = NULL;
        }
    }
    sk_tls_strv_free(all);
}

static void tls_check_done(void *arg)
{
    struct tls_check *c = arg;
    struct agent *a = c->a;
    a->tls_checking = false;
    if (!c->tls) {
        sk_log(SK_LOG_WARN, "agent", "serving certificate check failed, next try in a day: %s",
               sk_error_msg(c->err, SK_EINVAL));
    } else if (c->srv && a->api) {
        /* new connections get the new certificate; open ones keep theirs */
        sk_api_set_tls(a->api, c->srv);
        sk_tls_free(a->tls);
        a->tls = c->tls;
        c->tls = NULL;
        char until[32];
        struct tm tm;
        gmtime_r(&a->tls->server_not_after, &tm);
        strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
        sk_log(SK_LOG_INFO, "agent", "serving certificate renewed not-after=%s", until);
    } else if (sk_tls_needs_renewal(c->tls, time(NULL))) {
        sk_log(SK_LOG_WARN, "agent", "serving certificate expires within 30 days, not renewed");
    }
    sk_tls_server_unref(c->srv);
    sk_tls_free(c->tls);
    sk_error_free(c->err);
    free(c->data_dir);
    free(c->node_name);
    free(c->api_listen);
    free(c);
}

static void tls_check(struct agent *a)
{
    if (a->tls_checking || a->stopping || !a->api) return;
    struct tls_check *c = sk_xcalloc(1, sizeof(*c));
    c->a = a;
    c->data_dir = sk_xstrdup(a->cfg->data_dir);
    c->node_name = sk_xstrdup(a->cfg->node_name);
    c->api_listen = sk_xstrdup(a->cfg->api_listen);
    if (sk_work_submit(a->pool, tls_check_work, tls_check_done, c)) {
        free(c->data_dir);
        free(c->node_name);
        free(c->api_listen);
        free(c);
        return;
    }
    a->tls_checking = true;
}

static void on_tls_tick(void *arg)
{
    tls_check(arg);
}

int sk_agent_main(int argc, char **argv)
{
    struct agent a = {.lock_fd = -1};
    int rc = parse_flags(argc, argv, &a.flags);
    if (rc >= 0) return rc;

    struct sk_error *err = NULL;
    if (sk_config_load(&a.flags, &a.cfg, &err)) {
        fprintf(stderr, "error: %s\n", sk_error_msg(err, SK_EINVAL));
        sk_error_free(err);
        return 1;
    }
    sk_log_set_level(a.cfg->log_level);
    sk_mem_tune();
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);

    if (mkdir_p(a.cfg->data_dir, 0700)) {
        sk_log(SK_LOG_ERROR, "agent", "cannot create data dir %s: %s", a.cfg->data_dir,
               strerror(errno));
        sk_config_free(a.cfg);
        return 1;
    }
    a.lock_fd = lock_data_dir(a.cfg->data_dir);
    if (a.lock_fd < 0) {
        sk_config_free(a.cfg);
        return 1;
    }
    sk_log(SK_LOG_INFO, "agent", "starting skiff=%s node=%s data-dir=%s pid=%d", sk_version(),
           a.cfg->node_name, a.cfg->data_dir, (int)getpid());

    a.loop = sk_loop_new();
    a.started = sk_loop_now(a.loop);
    a.pool = sk_work_pool_new(a.loop, a.cfg->workers);
    struct sk_store_opts so = {.data_dir = a.cfg->data_dir, .loop = a.loop, .pool = a.pool};
    if (sk_store_open(&so, &a.store, &err)) goto fail;
    sk_log(SK_LOG_INFO, "agent", "store open path=%s rev=%llu", sk_store_path(a.store),
           (unsigned long long)sk_store_rev(a.store));
    /* the bus first: the API reaches nodes' HTTP through it */
    a.bus = sk_bus_new(a.loop, a.cfg->node_name, &err);
    if (!a.bus) goto fail;
    a.core_ep = sk_bus_attach(a.bus, "core", core_msg, &a, &err);
    if (!a.core_ep) goto fail;
    a.nh = sk_node_http_new(a.loop, a.bus, (size_t)a.cfg->api_max_proxy_body, &err);
    if (!a.nh) goto fail;
    if (a.cfg->bus_listen && *a.cfg->bus_listen) {
        if (sk_bus_listen(a.bus, a.cfg->bus_listen, &err)) goto fail;
        sk_log(SK_LOG_INFO, "agent", "bus listening url=%s", a.cfg->bus_listen);
    }
    if (start_api(&a, &err)) goto fail;

    struct sk_plugin_env env = {
            .loop = a.loop,
            .bus = a.bus,
            .pool = a.pool,
            .cfg = a.cfg,
            .store = a.store,
            .nh = a.nh,
            .node_name = a.cfg->node_name,
            .data_dir = a.cfg->data_dir,
    };
    a.plugins = sk_plugins_new(&env);
    if (sk_plugins_load(a.plugins, sk_builtin_plugins, a.cfg->plugin_dir, &err)) goto fail;
    /* one node is always its own leader; the cluster issue moves this to
     * Raft's leadership callbacks */
    sk_plugins_start(a.plugins, true);

    a.sig_term = sk_sig_add(a.loop, SIGTERM, on_stop_signal, &a);
    a.sig_int = sk_sig_add(a.loop, SIGINT, on_stop_signal, &a);
    a.sig_hup = sk_sig_add(a.loop, SIGHUP, on_hup, &a);
    a.sig_usr2 = sk_sig_add(a.loop, SIGUSR2, on_usr2, &a);
    a.trim_rev = sk_store_rev(a.store);
    a.trim_pending = true;
    a.trim_timer = sk_timer_add(a.loop, 1.0, 1.0, on_trim_tick, &a);
    a.tls_timer = sk_timer_add(a.loop, TLS_CHECK_SECS, TLS_CHECK_SECS, on_tls_tick, &a);
    sk_log(SK_LOG_INFO, "agent", "ready plugins=%zu", sk_plugins_count(a.plugins));

    sk_loop_run(a.loop);
    rc = 0;
    goto out;

fail:
    sk_log(SK_LOG_ERROR, "agent", "%s", sk_error_msg(err, SK_EINVAL));
    sk_error_free(err);
    rc = 1;
out:
    /* no new requests; open watches end */
    sk_api_free(a.api);
    a.api = NULL; /* a certificate check still running finds no API */
    sk_plugins_stop(a.plugins);
    /* jobs finish and their done callbacks run while the store and the
     * plugins still exist */
    sk_work_pool_free(a.pool);
    /* queued writes finish and are acknowledged before the store closes */
    sk_store_close(a.store);
    sk_plugins_free(a.plugins);
    /* streams the plugins left behind end; the API is gone already */
    sk_node_http_free(a.nh);
    sk_sig_del(a.sig_term);
    sk_sig_del(a.sig_int);
    sk_sig_del(a.sig_hup);
    sk_sig_del(a.sig_usr2);
    sk_timer_cancel(a.trim_timer);
    sk_timer_cancel(a.tls_timer);
    if (a.core_ep) sk_bus_detach(a.core_ep);
    sk_bus_free(a.bus);
    sk_loop_free(a.loop);
    if (a.lock_fd >= 0) close(a.lock_fd);
    sk_log(SK_LOG_INFO, "agent", "stopped exit=%d", rc);
    sk_tls_free(a.tls);
    sk_config_free(a.cfg);
    return rc;
}
