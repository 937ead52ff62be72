/* The plugin loader: built-in and dlopen()ed plugins behave the same on the
 * bus; wrong ABI, missing symbol and failing init are refused with a clear
 * message; leader-only plugins follow leadership; stop runs in reverse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "config.h"
#include "loop.h"
#include "plugin.h"
#include "store.h"
#include "val.h"
#include "work.h"

extern const struct skiff_plugin skiff_plugin_ping;

static struct sk_loop *L;
static struct sk_bus *bus;
static struct sk_work_pool *pool;
static struct sk_plugins *ps;
static struct sk_bus_ep *client;
static char root[1024], build[1024];

/* what the client endpoint received */
static uint32_t got_type;
static uint64_t got_re;
static char got_body[4096];
static size_t got_len;
static int got_n;

static void on_client(void *arg, const struct skiff_msg *m)
{
    (void)arg;
    got_type = m->type;
    got_re = m->re;
    got_len = m->body_len < sizeof(got_body) ? m->body_len : sizeof(got_body);
    memcpy(got_body, m->body, got_len);
    got_n++;
    sk_loop_stop(L);
}

static void deadline(void *arg)
{
    (void)arg;
    fail_msg("no reply within the deadline");
}

static void paths(void)
{
    const char *r = getenv("SKIFF_ROOT");
    snprintf(root, sizeof(root), "%s", r ? r : ".");
    const char *b = getenv("SKIFF_BUILD");
    snprintf(build, sizeof(build), "%s", b ? b : "build");
    if (build[0] != '/') {
        char tmp[1024];
        memcpy(tmp, build, sizeof(tmp));
        if (snprintf(build, sizeof(build), "%s/%s", root, tmp) >= (int)sizeof(build))
            fail_msg("path too long");
    }
}

static int setup(void **state)
{
    (void)state;
    static int n;
    char id[32];
    snprintf(id, sizeof(id), "t%d", ++n);
    L = sk_loop_new();
    pool = sk_work_pool_new(L, 1);
    bus = sk_bus_new(L, id, NULL);
    assert_non_null(bus);
    client = sk_bus_attach(bus, "client", on_client, NULL, NULL);
    assert_non_null(client);
    struct sk_plugin_env env = {
            .loop = L, .bus = bus, .pool = pool, .node_name = "n1", .data_dir = "/nonexistent"};
    ps = sk_plugins_new(&env);
    got_n = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_plugins_free(ps);
    sk_work_pool_free(pool);
    sk_bus_free(bus);
    sk_loop_free(L);
    return 0;
}

/* send to "ping" and wait for one reply */
static void roundtrip(uint32_t type, const void *body, size_t len)
{
    got_n = 0;
    uint64_t id = sk_bus_send(client, "ping", type, 1, 0, body, len, NULL);
    assert_true(id > 0);
    struct sk_timer *t = sk_timer_add(L, 5, 0, deadline, NULL);
    sk_loop_run(L);
    sk_timer_cancel(t);
    assert_int_equal(got_n, 1);
    assert_int_equal(got_re, id);
}

/* The same conversation with ping, whichever way it was loaded. */
static void converse(void)
{
    /* PING -> PONG {"node": "n1", "endpoint": "ping", "uptime": float} */
    roundtrip(SKIFF_MSG_PING, NULL, 0);
    assert_int_equal(got_type, SKIFF_MSG_PONG);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(msgpack_unpack_next(&u, got_body, got_len, NULL), MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(u.data.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(u.data.via.map.size, 3);
    msgpack_object_kv *kv = u.data.via.map.ptr;
    assert_memory_equal(kv[0].key.via.str.ptr, "node", 4);
    assert_int_equal(kv[0].val.via.str.size, 2);
    assert_memory_equal(kv[0].val.via.str.ptr, "n1", 2);
    assert_int_equal(kv[2].val.type, MSGPACK_OBJECT_FLOAT64);
    msgpack_unpacked_destroy(&u);

    /* ECHO -> ECHO_REPLY with the body unchanged, byte for byte */
    const unsigned char body[] = {0x82, 0xa1, 'k', 0xa3, 'v',  'a',
                                  'l',  0xa1, 'n', 0xcd, 0x12, 0x34};
    roundtrip(SKIFF_MSG_ECHO, body, sizeof(body));
    assert_int_equal(got_type, SKIFF_MSG_ECHO_REPLY);
    assert_int_equal(got_len, sizeof(body));
    assert_memory_equal(got_body, body, sizeof(body));
}

static void test_builtin_plugin_answers_on_bus(void **state)
{
    (void)state;
    assert_int_equal(sk_plugins_add(ps, &skiff_plugin_ping, "built-in", NULL), SK_OK);
    sk_plugins_start(ps, true);
    assert_true(sk_plugins_running(ps, "ping"));
    converse();
}

static void test_so_plugin_behaves_like_builtin(void **state)
{
    (void)state;
    char path[2048];
    snprintf(path, sizeof(path), "%s/bin/plugins/ping.so", root);
    struct sk_error *err = NULL;
    assert_int_equal(sk_plugins_add_so(ps, path, &err), SK_OK);
    assert_null(err);
    assert_string_equal(sk_plugins_source(ps, "ping"), path);
    sk_plugins_start(ps, true);
    converse();
}

static void expect_refused(const char *so, sk_err code, const char *needle)
{
    char path[2048];
    snprintf(path, sizeof(path), "%s/test-plugins/%s", build, so);
    struct sk_error *err = NULL;
    assert_int_equal(sk_plugins_add_so(ps, path, &err), code);
    assert_non_null(err);
    assert_non_null(strstr(err->msg, path));
    if (!strstr(err->msg, needle)) fail_msg("message \"%s\" lacks \"%s\"", err->msg, needle);
    sk_error_free(err);
    assert_int_equal(sk_plugins_count(ps), 0);
}

static void test_wrong_abi_refused(void **state)
{
    (void)state;
    expect_refused("badabi.so", SK_EABI, "built for ABI 99.0, this agent speaks 1.");
}

static void test_missing_symbol_refused(void **state)
{
    (void)state;
    expect_refused("nosym.so", SK_EINVAL, "no skiff_plugin_entry symbol");
}

static void test_failing_init_refused(void **state)
{
    (void)state;
    expect_refused("failinit.so", SK_EINVAL, "init failed");
}

static void test_not_a_library_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/skiff-test-plugin-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not elf", 7), 7);
    close(fd);
    struct sk_error *err = NULL;
    assert_int_not_equal(sk_plugins_add_so(ps, path, &err), SK_OK);
    assert_non_null(strstr(err->msg, "dlopen failed"));
    sk_error_free(err);
    unlink(path);
}

/* A fake plugin recording its lifecycle, for role and order checks. */
static char events[512];

struct fake {
    const char *name;
    int leader_msgs;
};

static int fake_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *o,
                     void **self)
{
    (void)ctx;
    (void)host;
    (void)o;
    static struct fake fakes[4];
    static int nf;
    *self = &fakes[nf++ % 4];
    return 0;
}
static int fake_start_a(void *self)
{
    ((struct fake *)self)->name = "a";
    strcat(events, "start:a ");
    return 0;
}
static int fake_start_b(void *self)
{
    ((struct fake *)self)->name = "b";
    strcat(events, "start:b ");
    return 0;
}
static int fake_start_l(void *self)
{
    ((struct fake *)self)->name = "l";
    strcat(events, "start:l ");
    return 0;
}
static void fake_stop(void *self)
{
    strcat(events, "stop:");
    strcat(events, ((struct fake *)self)->name);
    strcat(events, " ");
}
static void fake_msg(void *self, const struct skiff_msg *m)
{
    if (m->type == SKIFF_MSG_LEADER_CHANGED) ((struct fake *)self)->leader_msgs++;
}

static const struct skiff_plugin fake_a = {
        SKIFF_PLUGIN_HEADER,   .name = "fake-a",  .role = SKIFF_ROLE_NODE, .init = fake_init,
        .start = fake_start_a, .stop = fake_stop, .on_msg = fake_msg};
static const struct skiff_plugin fake_b = {
        SKIFF_PLUGIN_HEADER,   .name = "fake-b",  .role = SKIFF_ROLE_NODE, .init = fake_init,
        .start = fake_start_b, .stop = fake_stop, .on_msg = fake_msg};
static const struct skiff_plugin fake_l = {
        SKIFF_PLUGIN_HEADER,   .name = "fake-leader", .role = SKIFF_ROLE_LEADER, .init = fake_init,
        .start = fake_start_l, .stop = fake_stop,     .on_msg = fake_msg};

static void test_leader_plugins_follow_leadership_and_stop_in_reverse(void **state)
{
    (void)state;
    events[0] = 0;
    assert_int_equal(sk_plugins_add(ps, &fake_a, "built-in", NULL), SK_OK);
    assert_int_equal(sk_plugins_add(ps, &fake_l, "built-in", NULL), SK_OK);
    assert_int_equal(sk_plugins_add(ps, &fake_b, "built-in", NULL), SK_OK);
    sk_plugins_start(ps, false);
    assert_string_equal(events, "start:a start:b ");
    assert_false(sk_plugins_running(ps, "fake-leader"));
    sk_plugins_set_leader(ps, true);
    assert_true(sk_plugins_running(ps, "fake-leader"));
    sk_plugins_set_leader(ps, false);
    assert_false(sk_plugins_running(ps, "fake-leader"));
    sk_plugins_set_leader(ps, true);
    events[0] = 0;
    sk_plugins_stop(ps);
    /* reverse order of start: the leader plugin started last */
    assert_string_equal(events, "stop:l stop:b stop:a ");
    sk_plugins_stop(ps); /* idempotent */
    assert_string_equal(events, "stop:l stop:b stop:a ");
}

static void test_bad_descriptors_refused(void **state)
{
    (void)state;
    struct skiff_plugin d = fake_a;
    struct sk_error *err = NULL;
    d.name = "Bad_Name";
    assert_int_equal(sk_plugins_add(ps, &d, "x", &err), SK_EINVAL);
    assert_non_null(strstr(err->msg, "bad name"));
    sk_error_free(err);
    err = NULL;
    d = fake_a;
    d.abi_minor = SKIFF_ABI_MINOR + 1;
    assert_int_equal(sk_plugins_add(ps, &d, "x", &err), SK_EABI);
    assert_non_null(strstr(err->msg, "newer than this agent's"));
    sk_error_free(err);
    err = NULL;
    d = fake_a;
    d.struct_size = 16;
    assert_int_equal(sk_plugins_add(ps, &d, "x", &err), SK_EABI);
    sk_error_free(err);
    err = NULL;
    assert_int_equal(sk_plugins_add(ps, &fake_a, "built-in", NULL), SK_OK);
    assert_int_equal(sk_plugins_add(ps, &fake_a, "again", &err), SK_EEXIST);
    assert_non_null(strstr(err->msg, "already loaded"));
    sk_error_free(err);
}

/* sk_plugins_load: a .so replaces the built-in of the same name, refused
 * ones are skipped, disabled ones skipped, unknown sections are errors. */
static void test_load_dir_and_config(void **state)
{
    (void)state;
    char dir[] = "/tmp/skiff-plugdir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cp %s/bin/plugins/ping.so %s/test-plugins/badabi.so %s/", root,
             build, dir);
    assert_int_equal(system(cmd), 0);
    static const struct skiff_plugin *const builtins[] = {&skiff_plugin_ping, &fake_a, NULL};
    assert_int_equal(sk_plugins_load(ps, builtins, dir, NULL), SK_OK);
    assert_int_equal(sk_plugins_count(ps), 2);
    assert_non_null(strstr(sk_plugins_source(ps, "ping"), "/ping.so"));
    assert_string_equal(sk_plugins_source(ps, "fake-a"), "built-in");
    sk_plugins_start(ps, true);
    converse();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_config_disables_and_rejects_unknown_section(void **state)
{
    (void)state;
    const char *text = "plugins:\n  fake-a:\n    enabled: false\n  nosuch:\n    enabled: true\n";
    struct sk_config *cfg = NULL;
    assert_int_equal(sk_config_parse("t.yaml", text, strlen(text), &cfg, NULL), SK_OK);
    sk_plugins_free(ps);
    struct sk_plugin_env env = {.loop = L,
                                .bus = bus,
                                .pool = pool,
                                .cfg = cfg,
                                .node_name = "n1",
                                .data_dir = "/nonexistent"};
    ps = sk_plugins_new(&env);
    static const struct skiff_plugin *const builtins[] = {&skiff_plugin_ping, &fake_a, NULL};
    struct sk_error *err = NULL;
    assert_int_equal(sk_plugins_load(ps, builtins, NULL, &err), SK_EINVAL);
    assert_non_null(err);
    assert_non_null(strstr(err->msg, "line 4: plugins.nosuch: no such plugin"));
    sk_error_free(err);
    assert_false(sk_plugins_source(ps, "fake-a") != NULL);
    assert_non_null(sk_plugins_source(ps, "ping"));
    sk_plugins_free(ps);
    ps = sk_plugins_new(&env);
    sk_config_free(cfg);
    /* ps now points at a freed cfg: give it a fresh env before teardown */
    sk_plugins_free(ps);
    struct sk_plugin_env env2 = {.loop = L, .bus = bus, .pool = pool, .node_name = "n1"};
    ps = sk_plugins_new(&env2);
}

/* ABI 1.1: a plugin follows a resource through an informer and writes
 * through propose, seeing its own writes come back as events. */
struct storeplug {
    struct skiff_ctx *ctx;
    const struct skiff_host *host;
    struct skiff_informer *inf;
    char log[512];
    int writes_done;
    int last_code;
};
static struct storeplug sp;

static const char *name_of(const void *obj, size_t len, char *buf, size_t n)
{
    struct sk_val *v = NULL;
    buf[0] = 0;
    if (sk_val_from_msgpack(obj, len, &v, NULL) == SK_OK) {
        const char *nm = sk_obj_name(v);
        const char *d = sk_val_str_at(v, "data", "k", NULL);
        snprintf(buf, n, "%s=%s", nm ? nm : "?", d ? d : "-");
    }
    sk_val_free(v);
    return buf;
}
static void sp_add(void *arg, const void *obj, size_t len)
{
    char b[64];
    (void)arg;
    strcat(sp.log, "add:");
    strcat(sp.log, name_of(obj, len, b, sizeof(b)));
    strcat(sp.log, " ");
}
static void sp_update(void *arg, const void *o, size_t ol, const void *obj, size_t len)
{
    char b[64];
    (void)arg;
    (void)o;
    (void)ol;
    strcat(sp.log, "update:");
    strcat(sp.log, name_of(obj, len, b, sizeof(b)));
    strcat(sp.log, " ");
}
static void sp_del(void *arg, const void *obj, size_t len)
{
    char b[64];
    (void)arg;
    strcat(sp.log, "del:");
    strcat(sp.log, name_of(obj, len, b, sizeof(b)));
    strcat(sp.log, " ");
}
static void sp_synced(void *arg)
{
    (void)arg;
    strcat(sp.log, "synced ");
}
static const struct skiff_informer_ops sp_ops = {sp_add, sp_update, sp_del, sp_synced};

static void sp_written(void *arg, int code, const char *msg, const void *obj, size_t len)
{
    (void)arg;
    (void)msg;
    (void)obj;
    (void)len;
    sp.last_code = code;
    sp.writes_done++;
    sk_loop_stop(L);
}

static int sp_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *o, void **self)
{
    (void)o;
    memset(&sp, 0, sizeof(sp));
    sp.ctx = ctx;
    sp.host = host;
    *self = &sp;
    return 0;
}
static int sp_start(void *self)
{
    struct storeplug *p = self;
    if (p->host->struct_size < offsetof(struct skiff_host, propose) + sizeof(void *)) return -1;
    p->inf = p->host->subscribe(p->ctx, "configmaps", "default", &sp_ops, p);
    return p->inf ? 0 : -1;
}
static const struct skiff_plugin storeplug = {SKIFF_PLUGIN_HEADER, .name = "storeplug",
                                              .role = SKIFF_ROLE_NODE, .init = sp_init,
                                              .start = sp_start};

static void nothing(void *arg)
{
    (void)arg;
}

static void run_until_write(void)
{
    struct sk_timer *t = sk_timer_add(L, 10, 0, deadline, NULL);
    sk_loop_run(L);
    sk_timer_cancel(t);
    /* events reach the loop before the writer's ack, so the informer has
     * seen the change already; one more turn delivers anything queued */
    sk_loop_run_once(L, false);
}

static void propose_cm(int op, const char *data)
{
    struct sk_val *cm = sk_val_map();
    sk_map_set(cm, "apiVersion", sk_val_str("v1"));
    sk_map_set(cm, "kind", sk_val_str("ConfigMap"));
    sk_val_set_at(cm, sk_val_str("cm1"), "metadata", "name", NULL);
    sk_val_set_at(cm, sk_val_str("default"), "metadata", "namespace", NULL);
    sk_val_set_at(cm, sk_val_str(data), "data", "k", NULL);
    struct sk_buf b = {0};
    sk_val_to_msgpack(cm, &b);
    assert_int_equal(sp.host->propose(sp.ctx, op, "configmaps", "default", "cm1",
                                      op == SKIFF_WRITE_DELETE ? NULL : b.p, b.len, sp_written,
                                      NULL),
                     SKIFF_OK);
    sk_buf_free(&b);
    sk_val_free(cm);
    run_until_write();
}

static void test_store_informer_and_propose(void **state)
{
    (void)state;
    char dir[] = "/tmp/skiff-plugstore-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct sk_store_opts so = {.data_dir = dir, .loop = L, .pool = pool};
    struct sk_store *store = NULL;
    assert_int_equal(sk_store_open(&so, &store, NULL), SK_OK);
    sk_plugins_free(ps);
    struct sk_plugin_env env = {.loop = L,
                                .bus = bus,
                                .pool = pool,
                                .store = store,
                                .node_name = "n1",
                                .data_dir = dir};
    ps = sk_plugins_new(&env);
    assert_int_equal(sk_plugins_add(ps, &storeplug, "built-in", NULL), SK_OK);
    sk_plugins_start(ps, true);
    assert_true(sk_plugins_running(ps, "storeplug"));
    /* the first list runs on the worker pool; wait for it with a deadline */
    struct sk_timer *tick = sk_timer_add(L, 0.005, 0.005, nothing, NULL);
    for (int i = 0; i < 400 && !strstr(sp.log, "synced"); i++)
        sk_loop_run_once(L, true);
    sk_timer_cancel(tick);
    assert_string_equal(sp.log, "synced ");

    propose_cm(SKIFF_WRITE_CREATE, "one");
    assert_int_equal(sp.last_code, SKIFF_OK);
    propose_cm(SKIFF_WRITE_CREATE, "again");
    assert_int_equal(sp.last_code, SKIFF_ECONFLICT); /* AlreadyExists */
    propose_cm(SKIFF_WRITE_UPDATE, "two");
    assert_int_equal(sp.last_code, SKIFF_OK);

    void *obj = NULL;
    size_t len = 0;
    char b[64];
    assert_int_equal(sp.host->get(sp.ctx, "configmaps", "default", "cm1", &obj, &len), SKIFF_OK);
    assert_string_equal(name_of(obj, len, b, sizeof(b)), "cm1=two");
    free(obj);
    assert_int_equal(sp.host->get(sp.ctx, "configmaps", "default", "nope", &obj, &len),
                     SKIFF_ENOTFOUND);

    propose_cm(SKIFF_WRITE_DELETE, "");
    assert_int_equal(sp.last_code, SKIFF_OK);
    assert_string_equal(sp.log, "synced add:cm1=one update:cm1=two del:cm1=two ");

    /* bytes that are not an object are refused, never stored */
    assert_int_equal(sp.host->propose(sp.ctx, SKIFF_WRITE_CREATE, "configmaps", "default", "x",
                                      "\xc1", 1, sp_written, NULL),
                     SKIFF_EINVAL);

    sk_plugins_stop(ps); /* informers end with the plugin */
    sk_plugins_free(ps);
    struct sk_plugin_env env2 = {.loop = L, .bus = bus, .pool = pool, .node_name = "n1"};
    ps = sk_plugins_new(&env2);
    sk_store_close(store);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    paths();
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_builtin_plugin_answers_on_bus, setup, teardown),
            cmocka_unit_test_setup_teardown(test_so_plugin_behaves_like_builtin, setup, teardown),
            cmocka_unit_test_setup_teardown(test_wrong_abi_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_missing_symbol_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_failing_init_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_not_a_library_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(
                    test_leader_plugins_follow_leadership_and_stop_in_reverse, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bad_descriptors_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_load_dir_and_config, setup, teardown),
            cmocka_unit_test_setup_teardown(test_config_disables_and_rejects_unknown_section, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_store_informer_and_propose, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
