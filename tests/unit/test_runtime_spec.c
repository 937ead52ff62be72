/* Tests for the pod runtime's pure parts (plugins/runtime/spec.c,
 * spec_oci.c, state.c): ENTRYPOINT/CMD with command/args, $(VAR)
 * expansion, the environment with its kubelet errors, users from the
 * image, the QoS class, config.json, and the state files read back after
 * an agent restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "val.h"

#include "../../plugins/runtime/pod.h"
#include "../../plugins/runtime/spec.h"

static struct sk_val *J(const char *s)
{
    struct sk_val *v = NULL;
    if (sk_json_parse(s, strlen(s), &v, NULL)) fail_msg("bad JSON in the test: %s", s);
    return v;
}

static char *dump(const struct sk_val *v)
{
    return sk_json_dump(v, SK_JSON_COMPACT, NULL);
}

static void assert_json(const struct sk_val *v, const char *want)
{
    char *got = dump(v);
    assert_string_equal(got, want);
    free(got);
}

static void test_expand(void **state)
{
    (void)state;
    struct sk_val *vars = J("{\"A\":\"x\",\"B\":\"$(A)\",\"E\":\"\"}");
    static const struct {
        const char *in, *out;
    } cases[] = {
            {"plain", "plain"},
            {"$(A)", "x"},
            {"a$(A)b$(A)", "axbx"},
            {"$(B)", "$(A)"}, /* values are not expanded again */
            {"$(MISSING)", "$(MISSING)"},
            {"$$(A)", "$(A)"},
            {"$$$(A)", "$x"},
            {"$$", "$"},
            {"$", "$"},
            {"a$", "a$"},
            {"$x", "$x"},
            {"$(A", "$(A"},
            {"$()", "$()"},
            {"$(E)-", "-"},
            {"", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *o = rt_expand(cases[i].in, vars);
        if (strcmp(o, cases[i].out))
            fail_msg("expand \"%s\": got \"%s\", want \"%s\"", cases[i].in, o, cases[i].out);
        free(o);
    }
    sk_val_free(vars);
}

static void test_args(void **state)
{
    (void)state;
    struct sk_val *img = J("{\"Entrypoint\":[\"/ep\",\"-x\"],\"Cmd\":[\"c1\",\"c2\"]}");
    struct sk_val *vars = J("{\"V\":\"val\"}");
    static const struct {
        const char *ctr, *want;
    } cases[] = {
            {"{}", "[\"/ep\",\"-x\",\"c1\",\"c2\"]"},
            {"{\"args\":[\"a\",\"$(V)\"]}", "[\"/ep\",\"-x\",\"a\",\"val\"]"},
            {"{\"command\":[\"/bin/sh\"]}", "[\"/bin/sh\"]"},
            {"{\"command\":[\"sh\",\"$(V)\"],\"args\":[\"$$(V)\"]}", "[\"sh\",\"val\",\"$(V)\"]"},
            {"{\"command\":[],\"args\":[]}", "[\"/ep\",\"-x\",\"c1\",\"c2\"]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_val *c = J(cases[i].ctr);
        struct sk_val *a = rt_spec_args(c, img, vars);
        assert_json(a, cases[i].want);
        sk_val_free(a);
        sk_val_free(c);
    }
    /* no ENTRYPOINT: CMD alone; nothing at all: empty */
    struct sk_val *img2 = J("{\"Cmd\":[\"sh\"]}");
    struct sk_val *c = J("{}");
    struct sk_val *a = rt_spec_args(c, img2, vars);
    assert_json(a, "[\"sh\"]");
    sk_val_free(a);
    a = rt_spec_args(c, NULL, vars);
    assert_json(a, "[]");
    sk_val_free(a);
    sk_val_free(c);
    sk_val_free(img2);
    sk_val_free(img);
    sk_val_free(vars);
}

/* A fake store for env lookups. */
static struct sk_val *fake_lookup(void *arg, const char *resource, const char *ns, const char *name)
{
    (void)arg;
    if (!strcmp(ns, "prod") && !strcmp(resource, "configmaps") && !strcmp(name, "cm"))
        return J("{\"data\":{\"K1\":\"v1\",\"K2\":\"v2\",\"bad=name\":\"x\"}}");
    if (!strcmp(ns, "prod") && !strcmp(resource, "secrets") && !strcmp(name, "sec"))
        return J("{\"data\":{\"pw\":\"aHVudGVyMg==\"}}");
    return NULL;
}

static const char *POD = "{\"metadata\":{\"name\":\"web\",\"namespace\":\"prod\",\"uid\":\"u-1\","
                         "\"labels\":{\"app\":\"x\"}},\"spec\":{\"nodeName\":\"n1\"}}";

static void test_env(void **state)
{
    (void)state;
    struct sk_val *pod = J(POD);
    struct rt_env_node node = {
            .host_ip = "10.0.0.5", .pod_ip = "", .cpu_milli = 4000, .memory_bytes = 1 << 30};
    struct sk_val *ctr = J(
            "{\"name\":\"c\",\"envFrom\":[{\"configMapRef\":{\"name\":\"cm\"},\"prefix\":\"P_\"}],"
            "\"env\":[{\"name\":\"A\",\"value\":\"a\"},{\"name\":\"B\",\"value\":\"$(A)-$(P_K1)-$("
            "C)"
            "\"},{\"name\":\"C\",\"value\":\"c\"},"
            "{\"name\":\"N\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}},"
            "{\"name\":\"L\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.labels['app']\"}"
            "}},"
            "{\"name\":\"H\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"status.hostIP\"}}},"
            "{\"name\":\"S\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"sec\",\"key\":\"pw\"}}},"
            "{\"name\":\"K\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"cm\",\"key\":\"K2\"}}},"
            "{\"name\":\"M\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.memory\","
            "\"divisor\":\"1Mi\"}}},"
            "{\"name\":\"CPU\",\"valueFrom\":{\"resourceFieldRef\":{\"resource\":\"limits.cpu\"}}},"
            "{\"name\":\"O\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"none\",\"key\":\"k\","
            "\"optional\":true}}},"
            "{\"name\":\"A\",\"value\":\"again\"}],"
            "\"resources\":{\"limits\":{\"memory\":\"64Mi\"}}}");
    struct sk_val *env = NULL;
    char msg[256] = "";
    assert_int_equal(rt_spec_env(pod, ctr, &node, fake_lookup, NULL, &env, msg, sizeof(msg)), 0);
    assert_json(env, "{\"P_K1\":\"v1\",\"P_K2\":\"v2\",\"A\":\"again\",\"B\":\"a-v1-$(C)\","
                     "\"C\":\"c\",\"N\":\"web\",\"L\":\"x\",\"H\":\"10.0.0.5\",\"S\":\"hunter2\","
                     "\"K\":\"v2\",\"M\":\"64\",\"CPU\":\"4\"}");
    /* the final list: image env, PATH kept, HOSTNAME, container env */
    struct sk_val *img = J("{\"Env\":[\"PATH=/img/bin\",\"A=image\",\"Z=z\"]}");
    struct sk_val *list = rt_spec_env_list(img, env, "web");
    char *s = dump(list);
    assert_non_null(strstr(s, "\"PATH=/img/bin\""));
    assert_non_null(strstr(s, "\"A=again\""));
    assert_non_null(strstr(s, "\"Z=z\""));
    assert_non_null(strstr(s, "\"HOSTNAME=web\""));
    assert_null(strstr(s, "A=image"));
    free(s);
    sk_val_free(list);
    sk_val_free(img);
    sk_val_free(env);
    sk_val_free(ctr);

    static const struct {
        const char *ctr, *msg;
    } bad[] = {
            {"{\"env\":[{\"name\":\"X\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"cm\","
             "\"key\":\"nope\"}}}]}",
             "couldn't find key nope in ConfigMap prod/cm"},
            {"{\"env\":[{\"name\":\"X\",\"valueFrom\":{\"configMapKeyRef\":{\"name\":\"zz\","
             "\"key\":\"k\"}}}]}",
             "configmap \"zz\" not found"},
            {"{\"env\":[{\"name\":\"X\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"sec\","
             "\"key\":\"k\"}}}]}",
             "couldn't find key k in Secret prod/sec"},
            {"{\"envFrom\":[{\"secretRef\":{\"name\":\"nosec\"}}]}", "secret \"nosec\" not found"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sk_val *c = J(bad[i].ctr);
        env = NULL;
        assert_int_equal(rt_spec_env(pod, c, &node, fake_lookup, NULL, &env, msg, sizeof(msg)), -1);
        assert_null(env);
        assert_string_equal(msg, bad[i].msg);
        sk_val_free(c);
    }
    sk_val_free(pod);
}

static void test_user(void **state)
{
    (void)state;
    struct sk_val *pod = J(POD);
    struct sk_val *ctr = J("{\"name\":\"c\"}");
    const char *passwd = "root:x:0:0:root:/root:/bin/sh\nweb:x:1000:1001::/:/bin/sh\n";
    const char *group = "root:x:0:\nwww:x:1001:\nextra:x:2000:web,other\n";
    struct rt_user u;
    char msg[256];
    assert_int_equal(rt_spec_user(pod, ctr, "", passwd, group, &u, msg, sizeof(msg)), 0);
    assert_int_equal(u.uid, 0);
    assert_int_equal(u.gid, 0);
    assert_int_equal(rt_spec_user(pod, ctr, "web", passwd, group, &u, msg, sizeof(msg)), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1001);
    assert_int_equal(u.nextra, 1);
    assert_int_equal(u.extra[0], 2000);
    assert_int_equal(rt_spec_user(pod, ctr, "1000:www", passwd, group, &u, msg, sizeof(msg)), 0);
    assert_int_equal(u.uid, 1000);
    assert_int_equal(u.gid, 1001);
    assert_int_equal(rt_spec_user(pod, ctr, "42:7", NULL, NULL, &u, msg, sizeof(msg)), 0);
    assert_int_equal(u.uid, 42);
    assert_int_equal(u.gid, 7);
    assert_int_equal(rt_spec_user(pod, ctr, "nobody", passwd, group, &u, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "unable to find user nobody: no matching entries in passwd file");
    sk_val_free(ctr);
    /* securityContext wins; runAsNonRoot refuses root */
    ctr = J("{\"name\":\"c\",\"securityContext\":{\"runAsUser\":5,\"runAsGroup\":6}}");
    assert_int_equal(rt_spec_user(pod, ctr, "web", passwd, group, &u, msg, sizeof(msg)), 0);
    assert_int_equal(u.uid, 5);
    assert_int_equal(u.gid, 6);
    sk_val_free(ctr);
    ctr = J("{\"name\":\"c\",\"securityContext\":{\"runAsNonRoot\":true}}");
    assert_int_equal(rt_spec_user(pod, ctr, "", passwd, group, &u, msg, sizeof(msg)), -1);
    assert_string_equal(msg, "container has runAsNonRoot and image will run as root (pod: "
                             "\"web_prod(u-1)\", container: c)");
    sk_val_free(ctr);
    sk_val_free(pod);
}

static void test_qos(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *want;
    } cases[] = {
            {"{\"containers\":[{\"name\":\"a\"}]}", "BestEffort"},
            {"{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\","
             "\"memory\":\"1Gi\"}}}]}",
             "Guaranteed"},
            {"{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\","
             "\"memory\":\"1Gi\"},\"requests\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}}}]}",
             "Burstable"},
            {"{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\","
             "\"memory\":\"1Gi\"}}},{\"name\":\"b\"}]}",
             "Burstable"},
            {"{\"containers\":[{\"name\":\"a\",\"resources\":{\"requests\":{\"memory\":\"1Mi\"}}}]"
             "}",
             "Burstable"},
            {"{\"initContainers\":[{\"name\":\"i\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}],"
             "\"containers\":[{\"name\":\"a\"}]}",
             "Burstable"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_val *pod = sk_val_map();
        sk_map_set(pod, "spec", J(cases[i].spec));
        assert_string_equal(rt_spec_qos(pod), cases[i].want);
        sk_val_free(pod);
    }
}

static void test_config(void **state)
{
    (void)state;
    struct sk_val *pod = J(POD);
    struct sk_val *ctr = J("{\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":\"500m\","
                           "\"memory\":\"64Mi\"},\"requests\":{\"cpu\":\"250m\"}},"
                           "\"securityContext\":{\"readOnlyRootFilesystem\":true,"
                           "\"capabilities\":{\"add\":[\"NET_ADMIN\"],\"drop\":[\"KILL\"]}}}");
    struct sk_val *args = J("[\"sleep\",\"1\"]"), *env = J("[\"A=b\"]");
    struct rt_spec_in in = {.pod = pod,
                            .ctr = ctr,
                            .args = args,
                            .envlist = env,
                            .cwd = "/work",
                            .hostname = "web",
                            .rootfs = "/r/rootfs",
                            .netns = "/ns/net",
                            .ipcns = "/ns/ipc",
                            .utsns = "/ns/uts",
                            .hosts = "/p/hosts",
                            .resolv = "/p/resolv.conf",
                            .cgroups_path = "/skiff-n1/podu-1/id",
                            .nofile = 20000,
                            .pids_limit = 100};
    in.user.uid = 1000;
    in.user.gid = 1001;
    struct sk_val *c = rt_spec_config(&in);
    assert_json(sk_val_at(c, "process", "args", NULL), "[\"sleep\",\"1\"]");
    assert_json(sk_val_at(c, "process", "user", NULL), "{\"uid\":1000,\"gid\":1001}");
    assert_string_equal(sk_val_str_at(c, "process", "cwd", NULL), "/work");
    assert_json(sk_val_at(c, "process", "capabilities", "bounding", NULL),
                "[\"CAP_AUDIT_WRITE\",\"CAP_NET_BIND_SERVICE\",\"CAP_NET_ADMIN\"]");
    assert_json(sk_val_at(c, "process", "rlimits", NULL),
                "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":20000,\"soft\":20000}]");
    assert_true(sk_val_to_bool(sk_val_at(c, "process", "noNewPrivileges", NULL), false));
    assert_true(sk_val_to_bool(sk_val_at(c, "root", "readonly", NULL), false));
    assert_string_equal(sk_val_str_at(c, "hostname", NULL), "web");
    assert_json(sk_val_at(c, "linux", "resources", "cpu", NULL),
                "{\"shares\":256,\"quota\":50000,\"period\":100000}");
    assert_json(sk_val_at(c, "linux", "resources", "memory", NULL), "{\"limit\":67108864}");
    assert_json(sk_val_at(c, "linux", "resources", "pids", NULL), "{\"limit\":100}");
    assert_string_equal(sk_val_str_at(c, "linux", "cgroupsPath", NULL), "/skiff-n1/podu-1/id");
    assert_json(sk_val_at(c, "linux", "namespaces", NULL),
                "[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/ns/net\"},"
                "{\"type\":\"ipc\",\"path\":\"/ns/ipc\"},{\"type\":\"uts\",\"path\":\"/ns/uts\"},"
                "{\"type\":\"mount\"}]");
    assert_int_equal(sk_arr_len(sk_val_at(c, "linux", "maskedPaths", NULL)), 10);
    assert_int_equal(sk_arr_len(sk_val_at(c, "linux", "readonlyPaths", NULL)), 5);
    char *s = dump(sk_map_get(c, "mounts"));
    assert_non_null(strstr(s, "{\"destination\":\"/etc/hosts\",\"type\":\"bind\","
                              "\"source\":\"/p/hosts\",\"options\":[\"rbind\",\"rprivate\"]}"));
    assert_non_null(strstr(s, "\"destination\":\"/sys\",\"type\":\"sysfs\""));
    free(s);
    sk_val_free(c);
    sk_val_free(ctr);
    /* privileged on the host's network: every capability, no masks, no
     * hostname (no UTS namespace of its own), devices allowed */
    ctr = J("{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}");
    in.ctr = ctr;
    in.netns = in.utsns = NULL;
    c = rt_spec_config(&in);
    assert_int_equal(sk_arr_len(sk_val_at(c, "process", "capabilities", "bounding", NULL)), 41);
    assert_null(sk_val_at(c, "linux", "maskedPaths", NULL));
    assert_null(sk_map_get(c, "hostname"));
    assert_false(sk_val_to_bool(sk_val_at(c, "process", "noNewPrivileges", NULL), true));
    assert_json(sk_val_at(c, "linux", "resources", "cpu", NULL), "{\"shares\":2}");
    assert_json(sk_val_at(c, "linux", "resources", "devices", NULL),
                "[{\"allow\":true,\"access\":\"rwm\"}]");
    sk_val_free(c);
    sk_val_free(ctr);
    sk_val_free(args);
    sk_val_free(env);
    sk_val_free(pod);
}

static void test_state_files(void **state)
{
    (void)state;
    struct rt_ctr_state s;
    char msg[256];
    const char *good = "{\"attempt\":2,\"id\":\"u-1-c-2\",\"startedAt\":\"2026-01-01T00:00:00Z\","
                       "\"state\":\"running\",\"lastState\":{\"exitCode\":1},\"backoff\":20.0,"
                       "\"done\":false,\"imageID\":\"x@sha256:1\"}";
    assert_int_equal(rt_state_parse(good, strlen(good), &s, msg, sizeof(msg)), 0);
    assert_int_equal(s.attempt, 2);
    assert_string_equal(s.id, "u-1-c-2");
    assert_string_equal(s.state, "running");
    assert_non_null(s.last);
    assert_null(s.terminated);
    assert_true(s.backoff == 20.0);
    rt_state_free(&s);
    static const char *const bad[] = {
            "",
            "[]",
            "{\"id\":\"x\",\"state\":\"running\"}",
            "{\"attempt\":-1,\"id\":\"x\",\"state\":\"running\"}",
            "{\"attempt\":1,\"id\":\"../x\",\"state\":\"running\"}",
            "{\"attempt\":1,\"id\":\"x\",\"state\":\"paused\"}",
            "{\"attempt\":1,\"id\":\"x\",\"state\":\"exited\",\"terminated\":3}",
            "{\"attempt\":1,\"id\":\"x\",\"state\":\"exited\",\"done\":\"yes\"}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        msg[0] = 0;
        assert_int_equal(rt_state_parse(bad[i], strlen(bad[i]), &s, msg, sizeof(msg)), -1);
        assert_true(msg[0] != 0);
        rt_state_free(&s);
    }
    int code, sig;
    char fin[64], err[128];
    const char *ex = "{\"exitCode\":137,\"signal\":9,\"finishedAt\":\"2026-01-01T00:00:01Z\"}";
    assert_int_equal(rt_exit_parse(ex, strlen(ex), &code, &sig, fin, sizeof(fin), err, sizeof(err)),
                     0);
    assert_int_equal(code, 137);
    assert_int_equal(sig, 9);
    assert_string_equal(fin, "2026-01-01T00:00:01Z");
    assert_string_equal(err, "");
    const char *bx = "{\"exitCode\":\"1\"}";
    assert_int_equal(rt_exit_parse(bx, strlen(bx), &code, &sig, fin, sizeof(fin), err, sizeof(err)),
                     -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_expand),      cmocka_unit_test(test_args),
            cmocka_unit_test(test_env),         cmocka_unit_test(test_user),
            cmocka_unit_test(test_qos),         cmocka_unit_test(test_config),
            cmocka_unit_test(test_state_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
