/* Tests for core/proto.c and the field numbers of core/proto_tags.c:
 * bodies kubectl 1.32 really sent (tests/unit/proto/), bodies built here
 * field by field, the table against the schema, and malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "proto.h"
#include "schema.h"
#include "val.h"

/* ---- a small protobuf writer ---- */

static void pb_varint(struct sk_buf *b, uint64_t v)
{
    while (v >= 0x80) {
        sk_buf_putc(b, (char)(v | 0x80));
        v >>= 7;
    }
    sk_buf_putc(b, (char)v);
}

static void pb_key(struct sk_buf *b, unsigned num, unsigned wt)
{
    pb_varint(b, (uint64_t)num << 3 | wt);
}

static void pb_int(struct sk_buf *b, unsigned num, int64_t v)
{
    pb_key(b, num, 0);
    pb_varint(b, (uint64_t)v);
}

static void pb_bytes(struct sk_buf *b, unsigned num, const void *p, size_t n)
{
    pb_key(b, num, 2);
    pb_varint(b, n);
    sk_buf_append(b, p, n);
}

static void pb_str(struct sk_buf *b, unsigned num, const char *s)
{
    pb_bytes(b, num, s, strlen(s));
}

/* Append inner as field num and free it. */
static void pb_msg(struct sk_buf *b, unsigned num, struct sk_buf *inner)
{
    pb_bytes(b, num, inner->p ? inner->p : "", inner->len);
    sk_buf_free(inner);
}

static void pb_mapent(struct sk_buf *b, unsigned num, const char *k, const char *v)
{
    struct sk_buf e = {0};
    pb_str(&e, 1, k);
    pb_str(&e, 2, v);
    pb_msg(b, num, &e);
}

/* k8s magic + runtime.Unknown around raw (freed). */
static struct sk_buf envelope(const char *av, const char *kind, struct sk_buf *raw)
{
    struct sk_buf b = {0}, tm = {0};
    sk_buf_append(&b, "k8s\0", 4);
    if (av) pb_str(&tm, 1, av);
    if (kind) pb_str(&tm, 2, kind);
    pb_msg(&b, 1, &tm);
    pb_msg(&b, 2, raw);
    pb_str(&b, 3, "");
    pb_str(&b, 4, "");
    return b;
}

static struct sk_buf meta_name(const char *name)
{
    struct sk_buf m = {0};
    pb_str(&m, 1, name);
    pb_str(&m, 2, ""); /* generateName, sent empty as Go does */
    pb_int(&m, 7, 0);  /* generation 0 */
    return m;
}

/* Decode b (freed) and compare the compact JSON. */
static void expect_json(struct sk_buf *b, const struct sk_kind *expected, const char *want)
{
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_proto_decode(b->p, b->len, expected, &v, &e);
    if (rc) fail_msg("decode failed: %s", sk_error_msg(e, rc));
    char *got = sk_json_dump(v, SK_JSON_COMPACT, NULL);
    if (strcmp(got, want)) fail_msg("got  %s\nwant %s", got, want);
    free(got);
    sk_val_free(v);
    sk_buf_free(b);
}

static void expect_error(struct sk_buf *b, const char *substr)
{
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_proto_decode(b->p, b->len, NULL, &v, &e);
    if (!rc) {
        char *got = sk_json_dump(v, SK_JSON_COMPACT, NULL);
        fail_msg("decoded, want an error with \"%s\": %s", substr, got);
    }
    assert_null(v);
    if (substr && !strstr(sk_error_msg(e, rc), substr))
        fail_msg("error \"%s\" lacks \"%s\"", sk_error_msg(e, rc), substr);
    sk_error_free(e);
    sk_buf_free(b);
}

/* ---- bodies kubectl sent ---- */

static char *read_fixture(const char *name, size_t *n)
{
    const char *root = getenv("SKIFF_ROOT");
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/unit/proto/%s", root ? root : ".", name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    char *buf = malloc(1 << 16);
    *n = fread(buf, 1, 1 << 16, f);
    fclose(f);
    return buf;
}

static const struct {
    const char *file, *json;
} captured[] = {
        {"namespace.pb",
         "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\"},\"spec\":{},"
         "\"status\":{}}"},
        {"configmap.pb", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                         "\"cm1\"},\"data\":{\"a\":\"1\",\"b\":\"two\"}}"},
        {"secret.pb", "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s1\"},"
                      "\"data\":{\"pw\":\"cEBzcw==\",\"user\":\"YWRtaW4=\"}}"},
        {"deployment.pb",
         "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
         "\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{"
         "\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
         "\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.27\",\"ports\":[{"
         "\"containerPort\":8080}],\"resources\":{}}]}},\"strategy\":{}},\"status\":{}}"},
        {"job.pb", "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"j1\"},"
                   "\"spec\":{\"template\":{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":"
                   "\"j1\",\"image\":\"busybox\",\"command\":[\"echo\",\"hi\"],\"resources\":{}}],"
                   "\"restartPolicy\":\"Never\"}}},\"status\":{}}"},
        {"cronjob.pb",
         "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"cj1\"},"
         "\"spec\":{\"schedule\":\"*/5 * * * *\",\"jobTemplate\":{\"metadata\":{\"name\":\"cj1\"},"
         "\"spec\":{\"template\":{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"cj1\","
         "\"image\":\"busybox\",\"command\":[\"date\"],\"resources\":{}}],\"restartPolicy\":"
         "\"OnFailure\"}}}}},\"status\":{}}"},
        {"service-clusterip.pb",
         "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"svc1\",\"labels\":{"
         "\"app\":\"svc1\"}},\"spec\":{\"ports\":[{\"name\":\"80-8080\",\"protocol\":\"TCP\","
         "\"port\":80,\"targetPort\":8080}],\"selector\":{\"app\":\"svc1\"},\"type\":"
         "\"ClusterIP\"},\"status\":{\"loadBalancer\":{}}}"},
        {"service-nodeport.pb",
         "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"np1\",\"labels\":{"
         "\"app\":\"np1\"}},\"spec\":{\"ports\":[{\"name\":\"80-http\",\"protocol\":\"TCP\","
         "\"port\":80,\"targetPort\":\"http\"}],\"selector\":{\"app\":\"np1\"},\"type\":"
         "\"NodePort\"},\"status\":{\"loadBalancer\":{}}}"},
        {"serviceaccount.pb",
         "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"sa1\"}}"},
        {"ingress.pb",
         "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"metadata\":{\"name\":"
         "\"ing1\"},\"spec\":{\"ingressClassName\":\"nginx\",\"tls\":[{\"hosts\":[\"foo.com\"],"
         "\"secretName\":\"my-cert\"}],\"rules\":[{\"host\":\"foo.com\",\"http\":{\"paths\":[{"
         "\"path\":\"/bar\",\"pathType\":\"Prefix\",\"backend\":{\"service\":{\"name\":\"svc1\","
         "\"port\":{\"number\":8080}}}}]}}]},\"status\":{\"loadBalancer\":{}}}"},
};

static void test_captured(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(captured) / sizeof(captured[0]); i++) {
        struct sk_buf b = {0};
        char *p = read_fixture(captured[i].file, &b.len);
        b.p = p;
        b.cap = 1 << 16;
        /* what the API does next must accept it as it accepts the JSON */
        struct sk_val *v = NULL;
        assert_int_equal(sk_proto_decode(b.p, b.len, NULL, &v, NULL), SK_OK);
        const struct sk_kind *k = sk_kind_by_api_version(sk_obj_api_version(v), sk_obj_kind(v));
        struct sk_causes causes = {0};
        assert_true(sk_schema_check_types(k, v, &causes));
        char *unk[4];
        assert_int_equal(sk_schema_unknown_fields(k, v, unk, 4), 0);
        sk_val_free(v);
        expect_json(&b, NULL, captured[i].json);
    }
}

/* Every cut of a real body: an error inside the object's bytes, and never
 * a crash anywhere (the sanitizers watch). */
static void test_captured_truncated(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(captured) / sizeof(captured[0]); i++) {
        size_t n;
        char *p = read_fixture(captured[i].file, &n);
        /* magic, then 0x0a <len> typeMeta, then 0x12 <varint len> raw */
        size_t raw_start = 4 + 2 + (uint8_t)p[5];
        assert_int_equal(p[raw_start], 0x12);
        for (size_t cut = 0; cut < n; cut++) {
            char *q = malloc(cut ? cut : 1);
            memcpy(q, p, cut);
            struct sk_val *v = NULL;
            struct sk_error *e = NULL;
            sk_err rc = sk_proto_decode(q, cut, NULL, &v, &e);
            if (cut < 4 || (cut > raw_start && cut < n - 4)) {
                if (!rc) fail_msg("%s cut at %zu decoded", captured[i].file, cut);
            }
            sk_val_free(v);
            sk_error_free(e);
            free(q);
        }
        free(p);
    }
}

static void test_unserved_kind(void **state)
{
    (void)state;
    size_t n;
    char *p = read_fixture("resourcequota.pb", &n);
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    assert_int_equal(sk_proto_decode(p, n, NULL, &v, &e), SK_ENOENT);
    assert_string_equal(e->msg, "no kind \"ResourceQuota\" is registered for version \"v1\"");
    sk_error_free(e);
    free(p);
}

/* ---- bodies built here ---- */

static void test_namespace(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("team-a"), spec = {0}, st = {0}, lab = {0};
    struct sk_buf ts = {0};
    pb_mapent(&m, 11, "env", "prod");
    pb_int(&ts, 1, 1700000000);
    pb_msg(&m, 8, &ts); /* creationTimestamp */
    pb_msg(&raw, 1, &m);
    pb_str(&spec, 1, "kubernetes");
    pb_msg(&raw, 2, &spec);
    pb_str(&st, 1, "Active");
    pb_msg(&raw, 3, &st);
    (void)lab;
    struct sk_buf b = envelope("v1", "Namespace", &raw);
    expect_json(&b, NULL,
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-a\","
                "\"creationTimestamp\":\"2023-11-14T22:13:20Z\",\"labels\":{\"env\":\"prod\"}},"
                "\"spec\":{\"finalizers\":[\"kubernetes\"]},\"status\":{\"phase\":\"Active\"}}");
}

static void test_configmap_binary(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("c"), e = {0};
    pb_msg(&raw, 1, &m);
    pb_mapent(&raw, 2, "k", "v");
    pb_str(&e, 1, "bin");
    pb_bytes(&e, 2, "\x00\xff\x10\x41", 4);
    pb_msg(&raw, 3, &e);
    pb_int(&raw, 4, 0);  /* immutable: a *bool, so false is kept */
    pb_int(&raw, 99, 5); /* unknown field: skipped */
    struct sk_buf b = envelope("v1", "ConfigMap", &raw);
    expect_json(
            &b, NULL,
            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},"
            "\"immutable\":false,\"data\":{\"k\":\"v\"},\"binaryData\":{\"bin\":\"AP8QQQ==\"}}");
}

static void test_secret(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("s"), e = {0};
    pb_msg(&raw, 1, &m);
    pb_str(&e, 1, "token");
    pb_bytes(&e, 2, "ab", 2);
    pb_msg(&raw, 2, &e);
    pb_str(&raw, 3, "Opaque");
    pb_mapent(&raw, 4, "plain", "text");
    pb_int(&raw, 5, 1);
    struct sk_buf b = envelope("v1", "Secret", &raw);
    expect_json(&b, NULL,
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},"
                "\"immutable\":true,\"data\":{\"token\":\"YWI=\"},\"stringData\":{\"plain\":"
                "\"text\"},\"type\":\"Opaque\"}");
}

static struct sk_buf container(void)
{
    struct sk_buf c = {0}, port = {0}, env = {0}, env2 = {0}, src = {0}, sel = {0}, lor = {0};
    struct sk_buf res = {0}, q = {0}, probe = {0}, handler = {0}, get = {0}, is = {0};
    struct sk_buf rprobe = {0}, rhandler = {0}, tcp = {0}, is2 = {0};
    pb_str(&c, 1, "app");
    pb_str(&c, 2, "img:1");
    pb_str(&port, 1, "http");
    pb_int(&port, 2, 0);
    pb_int(&port, 3, 8080);
    pb_str(&port, 4, "TCP");
    pb_msg(&c, 6, &port);
    pb_str(&env, 1, "MODE");
    pb_str(&env, 2, "fast");
    pb_msg(&c, 7, &env);
    pb_str(&env2, 1, "PW");
    pb_str(&lor, 1, "creds"); /* LocalObjectReference, embedded at 1 */
    pb_msg(&sel, 1, &lor);
    pb_str(&sel, 2, "password");
    pb_msg(&src, 4, &sel); /* secretKeyRef */
    pb_msg(&env2, 3, &src);
    pb_msg(&c, 7, &env2);
    pb_str(&q, 1, "500m");
    {
        struct sk_buf ent = {0};
        pb_str(&ent, 1, "cpu");
        pb_msg(&ent, 2, &q);
        pb_msg(&res, 1, &ent); /* limits */
    }
    {
        struct sk_buf ent = {0}, q2 = {0};
        pb_str(&q2, 1, "64Mi");
        pb_str(&ent, 1, "memory");
        pb_msg(&ent, 2, &q2);
        pb_msg(&res, 2, &ent); /* requests */
    }
    pb_msg(&c, 8, &res);
    pb_str(&get, 1, "/healthz");
    pb_int(&is, 1, 1);
    pb_str(&is, 3, "http");
    pb_msg(&get, 2, &is);
    pb_msg(&handler, 2, &get); /* ProbeHandler.httpGet */
    pb_msg(&probe, 1, &handler);
    pb_int(&probe, 2, 5);
    pb_int(&probe, 3, 0); /* timeoutSeconds 0: not a pointer, left out */
    pb_msg(&c, 10, &probe);
    pb_int(&is2, 1, 0);
    pb_int(&is2, 2, 8080);
    pb_msg(&tcp, 1, &is2);
    pb_msg(&rhandler, 3, &tcp); /* tcpSocket */
    pb_msg(&rprobe, 1, &rhandler);
    pb_msg(&c, 11, &rprobe);
    pb_str(&c, 13, "");
    pb_int(&c, 16, 0);
    return c;
}

static void test_deployment(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("web"), spec = {0}, sel = {0}, tmpl = {0};
    struct sk_buf tm = {0}, ps = {0}, c = container(), strat = {0}, ru = {0}, mu = {0}, ms = {0};
    struct sk_buf sc = {0}, packed = {0};
    pb_int(&m, 10, -30); /* deletionGracePeriodSeconds: negative int64 */
    pb_msg(&raw, 1, &m);
    pb_int(&spec, 1, 0); /* replicas is a pointer: 0 stays */
    pb_mapent(&sel, 1, "app", "web");
    pb_msg(&spec, 2, &sel);
    pb_mapent(&tm, 11, "app", "web");
    pb_msg(&tmpl, 1, &tm);
    pb_msg(&ps, 2, &c);
    pb_int(&sc, 2, 1000); /* runAsUser */
    pb_varint(&packed, 5);
    pb_varint(&packed, 6);
    pb_msg(&sc, 4, &packed); /* supplementalGroups, packed... */
    pb_int(&sc, 4, 7);       /* ...and one more unpacked */
    pb_msg(&ps, 14, &sc);
    pb_msg(&tmpl, 2, &ps);
    pb_msg(&spec, 3, &tmpl);
    pb_str(&strat, 1, "RollingUpdate");
    pb_int(&mu, 1, 0);
    pb_int(&mu, 2, 0);
    pb_msg(&ru, 1, &mu); /* maxUnavailable: a pointer, so 0 stays */
    pb_int(&ms, 1, 1);
    pb_str(&ms, 3, "25%");
    pb_msg(&ru, 2, &ms);
    pb_msg(&strat, 2, &ru);
    pb_msg(&spec, 4, &strat);
    pb_int(&spec, 6, -1); /* revisionHistoryLimit: 10-byte negative int32 */
    pb_msg(&raw, 2, &spec);
    struct sk_buf b = envelope("apps/v1", "Deployment", &raw);
    expect_json(
            &b, NULL,
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
            "\"deletionGracePeriodSeconds\":-30},\"spec\":{\"replicas\":0,\"selector\":{"
            "\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":"
            "\"web\"}},\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"img:1\",\"ports\":[{"
            "\"name\":\"http\",\"containerPort\":8080,\"protocol\":\"TCP\"}],\"env\":[{\"name\":"
            "\"MODE\",\"value\":\"fast\"},{\"name\":\"PW\",\"valueFrom\":{\"secretKeyRef\":{"
            "\"name\":\"creds\",\"key\":\"password\"}}}],\"resources\":{\"limits\":{\"cpu\":"
            "\"500m\"},\"requests\":{\"memory\":\"64Mi\"}},\"livenessProbe\":{\"httpGet\":{"
            "\"path\":\"/healthz\",\"port\":\"http\"},\"initialDelaySeconds\":5},"
            "\"readinessProbe\":{\"tcpSocket\":{\"port\":8080}}}],\"securityContext\":{"
            "\"runAsUser\":1000,\"supplementalGroups\":[5,6,7]}}},\"strategy\":{\"type\":"
            "\"RollingUpdate\",\"rollingUpdate\":{"
            "\"maxUnavailable\":0,\"maxSurge\":\"25%\"}},\"revisionHistoryLimit\":-1}}");
}

static void test_service(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("db"), spec = {0}, port = {0}, tp = {0};
    pb_msg(&raw, 1, &m);
    pb_str(&port, 2, "TCP");
    pb_int(&port, 3, 5432);
    pb_int(&tp, 1, 1);
    pb_int(&tp, 2, 0);
    pb_str(&tp, 3, "pg");
    pb_msg(&port, 4, &tp);
    pb_int(&port, 5, 0); /* nodePort 0: left out */
    pb_msg(&spec, 1, &port);
    pb_mapent(&spec, 2, "app", "db");
    pb_str(&spec, 4, "ClusterIP");
    pb_str(&spec, 19, "IPv4"); /* ipFamilies */
    pb_msg(&raw, 2, &spec);
    struct sk_buf b = envelope("v1", "Service", &raw);
    expect_json(&b, NULL,
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"db\"},"
                "\"spec\":{\"ports\":[{\"protocol\":\"TCP\",\"port\":5432,\"targetPort\":\"pg\"}],"
                "\"selector\":{\"app\":\"db\"},\"type\":\"ClusterIP\",\"ipFamilies\":[\"IPv4\"]}}");
}

static void test_job_cronjob(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("j"), spec = {0}, pfp = {0}, rule = {0}, oec = {0};
    struct sk_buf codes = {0};
    pb_msg(&raw, 1, &m);
    pb_int(&spec, 1, 2);
    pb_int(&spec, 2, 4);
    pb_int(&spec, 7, 0); /* backoffLimit: pointer, 0 stays */
    pb_str(&rule, 1, "FailJob");
    pb_str(&oec, 2, "In");
    pb_varint(&codes, 42);
    pb_varint(&codes, (uint64_t)(int64_t)-2); /* negative int32, 10 bytes */
    pb_msg(&oec, 3, &codes);
    pb_msg(&rule, 2, &oec);
    pb_msg(&pfp, 1, &rule);
    pb_msg(&spec, 11, &pfp);
    pb_str(&spec, 9, "Indexed");
    pb_int(&spec, 10, 1);
    pb_msg(&raw, 2, &spec);
    struct sk_buf b = envelope("batch/v1", "Job", &raw);
    expect_json(
            &b, NULL,
            "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"j\"},"
            "\"spec\":{\"parallelism\":2,\"completions\":4,\"podFailurePolicy\":{\"rules\":[{"
            "\"action\":\"FailJob\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[42,-2]}}]},"
            "\"backoffLimit\":0,\"completionMode\":\"Indexed\",\"suspend\":true}}");

    struct sk_buf craw = {0}, cm = meta_name("cj"), cspec = {0}, jt = {0}, jm = {0}, js = {0};
    pb_msg(&craw, 1, &cm);
    pb_str(&cspec, 1, "0 * * * *");
    pb_str(&cspec, 3, "Forbid");
    pb_mapent(&jm, 11, "tier", "batch");
    pb_msg(&jt, 1, &jm);
    pb_int(&js, 8, 100); /* ttlSecondsAfterFinished */
    pb_msg(&jt, 2, &js);
    pb_msg(&cspec, 5, &jt);
    pb_int(&cspec, 6, 3);
    pb_str(&cspec, 8, "Etc/UTC");
    pb_msg(&craw, 2, &cspec);
    b = envelope("batch/v1", "CronJob", &craw);
    expect_json(&b, NULL,
                "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":\"cj\"},"
                "\"spec\":{\"schedule\":\"0 * * * *\",\"timeZone\":\"Etc/UTC\","
                "\"concurrencyPolicy\":\"Forbid\",\"jobTemplate\":{\"metadata\":{\"labels\":{"
                "\"tier\":\"batch\"}},\"spec\":{\"ttlSecondsAfterFinished\":100}},"
                "\"successfulJobsHistoryLimit\":3}}");
}

/* Volume sources sit in an embedded VolumeSource, and a configMap's name
 * in its embedded LocalObjectReference. */
static void test_pod_volumes(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("p"), spec = {0}, vol = {0}, vs = {0}, cm = {0};
    struct sk_buf lor = {0}, ed = {0}, q = {0}, vol2 = {0}, vs2 = {0}, c = {0};
    pb_msg(&raw, 1, &m);
    pb_str(&vol, 1, "cfg");
    pb_str(&lor, 1, "settings");
    pb_msg(&cm, 1, &lor);
    pb_int(&cm, 3, 0420);
    pb_msg(&vs, 19, &cm);
    pb_msg(&vol, 2, &vs);
    pb_msg(&spec, 1, &vol);
    pb_str(&vol2, 1, "scratch");
    pb_str(&q, 1, "1Gi");
    pb_msg(&ed, 2, &q);
    pb_msg(&vs2, 2, &ed);
    pb_msg(&vol2, 2, &vs2);
    pb_msg(&spec, 1, &vol2);
    pb_str(&c, 1, "a");
    pb_msg(&spec, 2, &c);
    pb_msg(&raw, 2, &spec);
    struct sk_buf b = envelope("v1", "Pod", &raw);
    expect_json(
            &b, NULL,
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{"
            "\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"settings\","
            "\"defaultMode\":272}},{\"name\":\"scratch\",\"emptyDir\":{\"sizeLimit\":\"1Gi\"}}],"
            "\"containers\":[{\"name\":\"a\"}]}}");
}

static void test_lease_microtime(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("l"), spec = {0}, rt = {0}, at = {0};
    pb_msg(&raw, 1, &m);
    pb_str(&spec, 1, "node-a");
    pb_int(&spec, 2, 40);
    pb_int(&at, 1, 0);
    pb_msg(&spec, 3, &at);
    pb_int(&rt, 1, 1700000000);
    pb_int(&rt, 2, 123456789);
    pb_msg(&spec, 4, &rt);
    pb_int(&spec, 5, 0);
    pb_msg(&raw, 2, &spec);
    struct sk_buf b = envelope("coordination.k8s.io/v1", "Lease", &raw);
    expect_json(&b, NULL,
                "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{"
                "\"name\":\"l\"},\"spec\":{\"holderIdentity\":\"node-a\","
                "\"leaseDurationSeconds\":40,\"acquireTime\":\"1970-01-01T00:00:00.000000Z\","
                "\"renewTime\":\"2023-11-14T22:13:20.123456Z\",\"leaseTransitions\":0}}");
}

static void test_raw_json(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("rev"), mf = {0}, fv = {0}, data = {0};
    const char *trie = "{\"f:data\":{}}";
    pb_str(&mf, 1, "kubectl");
    pb_str(&mf, 2, "Update");
    pb_str(&mf, 6, "FieldsV1");
    pb_str(&fv, 1, trie);
    pb_msg(&mf, 7, &fv);
    pb_msg(&m, 17, &mf);
    pb_msg(&raw, 1, &m);
    pb_str(&data, 1, "{\"spec\":{\"x\":[1,2]}}");
    pb_msg(&raw, 2, &data);
    pb_int(&raw, 3, 7);
    struct sk_buf b = envelope("apps/v1", "ControllerRevision", &raw);
    expect_json(&b, NULL,
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"ControllerRevision\",\"metadata\":{"
                "\"name\":\"rev\",\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":"
                "\"Update\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{}}}]},\"data\":{"
                "\"spec\":{\"x\":[1,2]}},\"revision\":7}");
}

/* The envelope may leave the kind out; the kind of the path fills it. */
static void test_expected_kind(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m = meta_name("n"), b = {0};
    pb_msg(&raw, 1, &m);
    sk_buf_append(&b, "k8s\0", 4);
    pb_msg(&b, 2, &raw);
    expect_json(&b, sk_kind_by_api_version("v1", "Namespace"),
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}");
}

/* A message field sent twice is one message: the second adds to the first
 * and its scalars win. */
static void test_merge(void **state)
{
    (void)state;
    struct sk_buf raw = {0}, m1 = {0}, m2 = {0};
    pb_str(&m1, 1, "a");
    pb_mapent(&m1, 11, "x", "1");
    pb_mapent(&m2, 11, "y", "2");
    pb_mapent(&m2, 11, "x", "3");
    pb_str(&m2, 3, "ns");
    pb_msg(&raw, 1, &m1);
    pb_msg(&raw, 1, &m2);
    struct sk_buf b = envelope("v1", "ConfigMap", &raw);
    expect_json(&b, NULL,
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\","
                "\"namespace\":\"ns\",\"labels\":{\"x\":\"3\",\"y\":\"2\"}}}");
}

/* ---- malformed input ---- */

static void test_malformed(void **state)
{
    (void)state;
    struct sk_buf b = {0}, raw = {0}, m = {0};

    sk_buf_append(&b, "k8s\1\x0a\x00", 6);
    expect_error(&b, "magic");
    sk_buf_append(&b, "k8", 2);
    expect_error(&b, "magic");

    /* metadata as a varint */
    pb_int(&raw, 1, 5);
    b = envelope("v1", "Namespace", &raw);
    expect_error(&b, "metadata: wrong wire type 0");

    /* replicas as bytes */
    m = meta_name("x");
    pb_msg(&raw, 1, &m);
    {
        struct sk_buf spec = {0};
        pb_str(&spec, 1, "3");
        pb_msg(&raw, 2, &spec);
    }
    b = envelope("apps/v1", "Deployment", &raw);
    expect_error(&b, "spec.replicas: wrong wire type 2");

    /* a name sent as a varint */
    pb_int(&m, 1, 1);
    pb_msg(&raw, 1, &m);
    b = envelope("v1", "ConfigMap", &raw);
    expect_error(&b, "metadata.name: wrong wire type 0");

    /* a length beyond the end, and a huge one */
    sk_buf_append(&b, "k8s\0\x12\x05\x0a\x10\x0a\x01", 10);
    expect_error(&b, "truncated");
    sk_buf_append(&b, "k8s\0\x0a\x04\x0a\x02v1\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 20);
    expect_error(&b, "truncated");
    /* an eleven-byte varint */
    sk_buf_append(&b, "k8s\0\x28\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 16);
    expect_error(&b, "truncated");
    /* a group, and field number 0 */
    pb_key(&raw, 5, 3);
    b = envelope("v1", "Namespace", &raw);
    expect_error(&b, "wrong wire type 3");
    pb_key(&raw, 0, 0);
    pb_varint(&raw, 1);
    b = envelope("v1", "Namespace", &raw);
    expect_error(&b, "invalid field number");

    /* IntOrString of an unknown type, a time past year 9999 */
    {
        struct sk_buf spec = {0}, port = {0}, tp = {0};
        pb_int(&tp, 1, 2);
        pb_msg(&port, 4, &tp);
        pb_msg(&spec, 1, &port);
        pb_msg(&raw, 2, &spec);
        b = envelope("v1", "Service", &raw);
        expect_error(&b, "spec.ports[0].targetPort: impossible IntOrString.Type");
    }
    {
        struct sk_buf ts = {0};
        pb_int(&ts, 1, 253402300800LL);
        pb_msg(&m, 8, &ts);
        pb_msg(&raw, 1, &m);
        b = envelope("v1", "Namespace", &raw);
        expect_error(&b, "metadata.creationTimestamp: time out of range");
    }
    /* a map key with a NUL byte */
    {
        struct sk_buf e = {0};
        pb_bytes(&e, 1, "a\0b", 3);
        pb_str(&e, 2, "v");
        pb_msg(&raw, 2, &e);
        b = envelope("v1", "ConfigMap", &raw);
        expect_error(&b, "data: map key holds a NUL byte");
    }
    /* embedded JSON that is not JSON, or too deep */
    pb_str(&raw, 1, "{");
    {
        struct sk_buf d = {0};
        pb_msg(&d, 2, &raw);
        b = envelope("apps/v1", "ControllerRevision", &d);
        expect_error(&b, "data: embedded JSON");
    }
    {
        char deep[300];
        for (int i = 0; i < 130; i++) {
            deep[i] = '[';
            deep[130 + i] = ']';
        }
        struct sk_buf d = {0}, r = {0};
        pb_bytes(&r, 1, deep, 260);
        pb_msg(&d, 2, &r);
        b = envelope("apps/v1", "ControllerRevision", &d);
        expect_error(&b, NULL);
    }
    /* a deprecated volume source skiff has no numbers for */
    {
        struct sk_buf spec = {0}, vol = {0}, vs = {0}, g = {0};
        pb_str(&g, 1, "disk");
        pb_msg(&vs, 3, &g);
        pb_msg(&vol, 2, &vs);
        pb_msg(&spec, 1, &vol);
        pb_msg(&raw, 2, &spec);
        b = envelope("v1", "Pod", &raw);
        expect_error(&b,
                     "spec.volumes[0].gcePersistentDisk: this field cannot be sent as protobuf");
    }
    /* another encoding in the envelope */
    sk_buf_append(&b, "k8s\0\x1a\x04gzip", 10);
    expect_error(&b, "content encoding");
}

/* ---- the table against the schema ---- */

static int table_failures;

static void check_message(const char *ref, const struct sk_field *fields, bool top,
                          const char **seen, size_t *nseen)
{
    for (size_t i = 0; i < *nseen; i++)
        if (!strcmp(seen[i], ref)) return;
    if (*nseen < 1024) seen[(*nseen)++] = ref;
    const struct sk_proto_msg *pm = sk_proto_msg_find(ref);
    if (!pm) {
        print_error("no protobuf table for %s\n", ref);
        table_failures++;
        return;
    }
    /* every schema field has a number */
    for (const struct sk_field *f = fields; f->name; f++) {
        if (top && (!strcmp(f->name, "apiVersion") || !strcmp(f->name, "kind"))) continue;
        size_t hits = 0;
        for (size_t i = 0; i < pm->n; i++)
            if (!strcmp(pm->tags[i].name, f->name)) hits++;
        if (hits != 1) {
            print_error("%s.%s: %zu protobuf entries\n", ref, f->name, hits);
            table_failures++;
        }
        if (f->fields && f->ref) check_message(f->ref, f->fields, false, seen, nseen);
        if (f->type == SK_F_ANY && !(hits == 1)) table_failures++;
    }
    /* every entry names a schema field; numbers are unique, and a number
     * that holds an embedded struct holds nothing else */
    for (size_t i = 0; i < pm->n; i++) {
        const struct sk_proto_tag *t = &pm->tags[i];
        bool found = false;
        for (const struct sk_field *f = fields; f->name && !found; f++)
            found = !strcmp(f->name, t->name);
        if (!found || t->num == 0) {
            print_error("%s: entry %s matches no schema field\n", ref, t->name);
            table_failures++;
        }
        for (size_t j = 0; j < pm->n; j++) {
            if (j != i && pm->tags[j].in == t->in && pm->tags[j].num == t->num) {
                print_error("%s: %s and %s share number %u\n", ref, t->name, pm->tags[j].name,
                            t->num);
                table_failures++;
            }
            if (t->in && pm->tags[j].in == 0 && pm->tags[j].num == t->in) {
                print_error("%s: %s is both a field and an embedded struct\n", ref,
                            pm->tags[j].name);
                table_failures++;
            }
        }
    }
}

static void test_table_matches_schema(void **state)
{
    (void)state;
    static const char *seen[1024];
    size_t nseen = 0;
    for (size_t i = 1; i < sk_proto_nmsgs; i++)
        if (strcmp(sk_proto_msgs[i - 1].ref, sk_proto_msgs[i].ref) >= 0) {
            print_error("table not sorted at %s\n", sk_proto_msgs[i].ref);
            table_failures++;
        }
    for (size_t i = 0; sk_kinds[i]; i++)
        check_message(sk_kinds[i]->ref, sk_kinds[i]->fields, true, seen, &nseen);
    /* and no table is left over */
    for (size_t i = 0; i < sk_proto_nmsgs; i++) {
        bool used = false;
        for (size_t j = 0; j < nseen && !used; j++)
            used = !strcmp(seen[j], sk_proto_msgs[i].ref);
        if (!used) {
            print_error("table %s is for no schema message\n", sk_proto_msgs[i].ref);
            table_failures++;
        }
    }
    assert_int_equal(table_failures, 0);
    /* spot checks of numbers that differ from the usual metadata/spec/status */
    const struct sk_proto_msg *cm = sk_proto_msg_find("io.k8s.api.core.v1.ConfigMap");
    const struct sk_proto_msg *sec = sk_proto_msg_find("io.k8s.api.core.v1.Secret");
    assert_non_null(cm);
    assert_non_null(sec);
    assert_int_equal(cm->n, 4);
    assert_int_equal(sec->n, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_captured),         cmocka_unit_test(test_captured_truncated),
            cmocka_unit_test(test_unserved_kind),    cmocka_unit_test(test_namespace),
            cmocka_unit_test(test_configmap_binary), cmocka_unit_test(test_secret),
            cmocka_unit_test(test_deployment),       cmocka_unit_test(test_service),
            cmocka_unit_test(test_job_cronjob),      cmocka_unit_test(test_pod_volumes),
            cmocka_unit_test(test_lease_microtime),  cmocka_unit_test(test_raw_json),
            cmocka_unit_test(test_expected_kind),    cmocka_unit_test(test_merge),
            cmocka_unit_test(test_malformed),        cmocka_unit_test(test_table_matches_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
