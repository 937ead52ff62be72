/* The object model's value trees: construction, maps that keep key order,
 * field paths, Kubernetes metadata helpers, and the msgpack codec that the
 * store and the bus use. */
#include "val.h"
#include "mem.h"

#include <errno.h>
#include <math.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Misuse by a caller (a map operation on an array, ...) is a bug in skiff,
 * not bad input, so it stops the process where it happened. */
__attribute__((noreturn)) static void misuse(const char *fn, const char *what)
{
    fprintf(stderr, "skiff: %s: %s\n", fn, what);
    abort();
}

static struct sk_val *new_val(enum sk_vtype t)
{
    struct sk_val *v = sk_xcalloc(1, sizeof(*v));
    v->type = t;
    return v;
}

/* ---- memory: shared map keys, strings inside their node ----
 *
 * Trees are most of what caches hold, and in a Kubernetes object most
 * allocations are small keys and strings. The keys below are shared
 * read-only copies (a map entry points into key_blob instead of owning
 * a malloc'd copy); a string value's bytes follow its node in one
 * allocation. Together that halves the allocations of a decoded pod. */
/* clang-format off */
static const char key_blob[] =
    "apiVersion\0" "kind\0" "metadata\0" "name\0" "namespace\0" "uid\0" "resourceVersion\0"
    "generation\0" "creationTimestamp\0" "deletionTimestamp\0" "deletionGracePeriodSeconds\0"
    "labels\0" "annotations\0" "ownerReferences\0" "finalizers\0" "managedFields\0" "manager\0"
    "operation\0" "time\0" "fieldsType\0" "fieldsV1\0" "subresource\0" "controller\0"
    "blockOwnerDeletion\0" "generateName\0" "selfLink\0" "spec\0" "status\0" "containers\0"
    "initContainers\0" "image\0" "imagePullPolicy\0" "command\0" "args\0" "env\0" "value\0"
    "valueFrom\0" "resources\0" "limits\0" "requests\0" "cpu\0" "memory\0" "pods\0"
    "ephemeral-storage\0" "ports\0" "containerPort\0" "protocol\0" "hostPort\0"
    "terminationMessagePath\0" "terminationMessagePolicy\0" "volumeMounts\0" "mountPath\0"
    "readOnly\0" "restartPolicy\0" "terminationGracePeriodSeconds\0" "dnsPolicy\0"
    "schedulerName\0" "securityContext\0" "nodeName\0" "serviceAccountName\0" "serviceAccount\0"
    "enableServiceLinks\0" "preemptionPolicy\0" "priority\0" "tolerations\0" "key\0"
    "operator\0" "effect\0" "tolerationSeconds\0" "nodeSelector\0" "affinity\0" "hostNetwork\0"
    "volumes\0" "workingDir\0" "livenessProbe\0" "readinessProbe\0" "startupProbe\0" "exec\0"
    "httpGet\0" "tcpSocket\0" "path\0" "port\0" "scheme\0" "initialDelaySeconds\0"
    "periodSeconds\0" "timeoutSeconds\0" "successThreshold\0" "failureThreshold\0" "lifecycle\0"
    "phase\0" "conditions\0" "type\0" "lastProbeTime\0" "lastTransitionTime\0"
    "lastHeartbeatTime\0" "reason\0" "message\0" "hostIP\0" "hostIPs\0" "podIP\0" "podIPs\0"
    "ip\0" "startTime\0" "containerStatuses\0" "initContainerStatuses\0" "state\0" "lastState\0"
    "running\0" "waiting\0" "terminated\0" "startedAt\0" "finishedAt\0" "exitCode\0"
    "containerID\0" "ready\0" "restartCount\0" "started\0" "imageID\0" "qosClass\0"
    "involvedObject\0" "fieldPath\0" "source\0" "component\0" "host\0" "firstTimestamp\0"
    "lastTimestamp\0" "count\0" "eventTime\0" "reportingComponent\0" "reportingInstance\0"
    "action\0" "related\0" "series\0" "replicas\0" "selector\0" "matchLabels\0"
    "matchExpressions\0" "values\0" "template\0" "strategy\0" "rollingUpdate\0" "maxSurge\0"
    "maxUnavailable\0" "revisionHistoryLimit\0" "progressDeadlineSeconds\0" "minReadySeconds\0"
    "observedGeneration\0" "readyReplicas\0" "availableReplicas\0" "updatedReplicas\0"
    "fullyLabeledReplicas\0" "unavailableReplicas\0" "collisionCount\0" "addresses\0"
    "address\0" "capacity\0" "allocatable\0" "nodeInfo\0" "machineID\0" "systemUUID\0"
    "bootID\0" "kernelVersion\0" "osImage\0" "containerRuntimeVersion\0" "kubeletVersion\0"
    "kubeProxyVersion\0" "operatingSystem\0" "architecture\0" "daemonEndpoints\0"
    "kubeletEndpoint\0" "Port\0" "images\0" "names\0" "sizeBytes\0" "taints\0" "unschedulable\0"
    "podCIDR\0" "data\0" "stringData\0" "binaryData\0" "immutable\0" "f:metadata\0" "f:spec\0"
    "f:status\0" "f:labels\0" "f:annotations\0" "f:ownerReferences\0" "f:containers\0"
    "f:image\0" "f:imagePullPolicy\0" "f:name\0" "f:command\0" "f:args\0" "f:resources\0"
    "f:terminationMessagePath\0" "f:terminationMessagePolicy\0" "f:dnsPolicy\0"
    "f:enableServiceLinks\0" "f:restartPolicy\0" "f:schedulerName\0" "f:securityContext\0"
    "f:terminationGracePeriodSeconds\0" "f:nodeName\0" "f:conditions\0" "f:containerStatuses\0"
    "f:phase\0" "f:hostIP\0" "f:hostIPs\0" "f:podIP\0" "f:podIPs\0" "f:startTime\0"
    "f:qosClass\0" "f:type\0" "f:lastProbeTime\0" "f:lastTransitionTime\0" "f:message\0"
    "f:reason\0" "f:ready\0" "f:restartCount\0" "f:started\0" "f:state\0" "f:lastState\0"
    "f:imageID\0" "f:containerID\0" "f:replicas\0" "f:selector\0" "f:template\0"
    "f:generateName\0" "f:uid\0" "f:controller\0" "f:blockOwnerDeletion\0" "f:apiVersion\0"
    "f:kind\0" "f:env\0" "f:ports\0" "f:value\0" "f:volumeMounts\0" "f:finalizers\0"
    "f:observedGeneration\0" "f:readyReplicas\0" "f:availableReplicas\0"
    "f:fullyLabeledReplicas\0" "f:running\0" "f:startedAt\0" "f:waiting\0" "f:terminated\0"
    "f:exitCode\0" "f:finishedAt\0" "f:app\0" "f:pod-template-hash\0" "f:b\0" ".\0";
/* clang-format on */

#define KEY_SLOTS 1024               /* a power of two, well over the number of keys */
static uint16_t key_slot[KEY_SLOTS]; /* offset in key_blob + 1; 0 = empty */
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static uint32_t ckey_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static void key_init(void)
{
    for (size_t off = 0; off + 1 < sizeof(key_blob); off += strlen(key_blob + off) + 1) {
        size_t n = strlen(key_blob + off);
        uint32_t i = ckey_hash(key_blob + off, n) & (KEY_SLOTS - 1);
        while (key_slot[i])
            i = (i + 1) & (KEY_SLOTS - 1);
        key_slot[i] = (uint16_t)(off + 1);
    }
}

static bool key_shared(const char *k)
{
    return k >= key_blob && k < key_blob + sizeof(key_blob);
}

/* A map entry's copy of key: the shared one when there is one. */
static char *key_dup(const char *k, size_t n)
{
    pthread_once(&key_once, key_init);
    for (uint32_t i = ckey_hash(k, n) & (KEY_SLOTS - 1); key_slot[i];
         i = (i + 1) & (KEY_SLOTS - 1)) {
        const char *c = key_blob + key_slot[i] - 1;
        if (strlen(c) == n && !memcmp(c, k, n)) return (char *)c;
    }
    return sk_xstrndup(k, n);
}

void sk_val_key_free(char *key)
{
    if (!key_shared(key)) free(key);
}

/* A string node with room for n bytes and a NUL after it. */
static struct sk_val *new_str(size_t n)
{
    struct sk_val *v = sk_xmalloc(sizeof(*v) + n + 1);
    memset(v, 0, sizeof(*v));
    v->type = SK_V_STR;
    v->u.s.p = (char *)(v + 1);
    v->u.s.p[n] = 0;
    v->u.s.len = n;
    return v;
}

struct sk_val *sk_val_null(void)
{
    return new_val(SK_V_NULL);
}

struct sk_val *sk_val_bool(bool b)
{
    struct sk_val *v = new_val(SK_V_BOOL);
    v->u.b = b;
    return v;
}

struct sk_val *sk_val_int(int64_t i)
{
    struct sk_val *v = new_val(SK_V_INT);
    v->u.i = i;
    return v;
}

struct sk_val *sk_val_float(double f)
{
    struct sk_val *v = new_val(SK_V_FLOAT);
    v->u.f = f;
    return v;
}

/* A NULL C string is a JSON null rather than a crash. */
struct sk_val *sk_val_str(const char *s)
{
    if (!s) return sk_val_null();
    return sk_val_strn(s, strlen(s));
}

struct sk_val *sk_val_strn(const char *s, size_t n)
{
    struct sk_val *v = new_str(n);
    if (n) memcpy(v->u.s.p, s, n);
    return v;
}

struct sk_val *sk_val_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    struct sk_val *v = new_str((size_t)n);
    va_start(ap, fmt);
    vsnprintf(v->u.s.p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return v;
}

struct sk_val *sk_val_arr(void)
{
    return new_val(SK_V_ARR);
}

struct sk_val *sk_val_map(void)
{
    return new_val(SK_V_MAP);
}

void sk_val_free(struct sk_val *v)
{
    if (!v) return;
    switch (v->type) {
    case SK_V_STR:
        if (v->u.s.p != (char *)(v + 1)) free(v->u.s.p);
        break;
    case SK_V_ARR:
        for (size_t i = 0; i < v->u.a.n; i++)
            sk_val_free(v->u.a.items[i]);
        free(v->u.a.items);
        break;
    case SK_V_MAP:
        for (size_t i = 0; i < v->u.m.n; i++) {
            sk_val_key_free(v->u.m.kv[i].key);
            sk_val_free(v->u.m.kv[i].val);
        }
        free(v->u.m.kv);
        break;
    default: break;
    }
    free(v);
}

struct sk_val *sk_val_dup(const struct sk_val *v)
{
    if (!v) return NULL;
    struct sk_val *d;
    switch (v->type) {
    case SK_V_STR: return sk_val_strn(v->u.s.p, v->u.s.len);
    case SK_V_ARR:
        d = new_val(SK_V_ARR);
        if (v->u.a.n) {
            d->u.a.items = sk_xmalloc(v->u.a.n * sizeof(*d->u.a.items));
            d->u.a.cap = v->u.a.n;
            for (size_t i = 0; i < v->u.a.n; i++)
                d->u.a.items[i] = sk_val_dup(v->u.a.items[i]);
            d->u.a.n = v->u.a.n;
        }
        return d;
    case SK_V_MAP:
        d = new_val(SK_V_MAP);
        if (v->u.m.n) {
            d->u.m.kv = sk_xmalloc(v->u.m.n * sizeof(*d->u.m.kv));
            d->u.m.cap = v->u.m.n;
            for (size_t i = 0; i < v->u.m.n; i++) {
                const struct sk_kv *s = &v->u.m.kv[i];
                d->u.m.kv[i].key = key_shared(s->key) ? s->key : key_dup(s->key, s->klen);
                d->u.m.kv[i].klen = s->klen;
                d->u.m.kv[i].val = sk_val_dup(s->val);
            }
            d->u.m.n = v->u.m.n;
        }
        return d;
    default:
        d = new_val(v->type);
        d->u = v->u;
        return d;
    }
}

static bool key_eq(const struct sk_kv *kv, const char *k, size_t klen)
{
    return kv->klen == klen && memcmp(kv->key, k, klen) == 0;
}

static long map_find(const struct sk_val *m, const char *k, size_t klen)
{
    for (size_t i = 0; i < m->u.m.n; i++)
        if (key_eq(&m->u.m.kv[i], k, klen)) return (long)i;
    return -1;
}

bool sk_val_equal(const struct sk_val *a, const struct sk_val *b)
{
    if (a == b) return true;
    if (!a || !b || a->type != b->type) return false;
    switch (a->type) {
    case SK_V_NULL: return true;
    case SK_V_BOOL: return a->u.b == b->u.b;
    case SK_V_INT: return a->u.i == b->u.i;
    case SK_V_FLOAT: return a->u.f == b->u.f || (isnan(a->u.f) && isnan(b->u.f));
    case SK_V_STR: return a->u.s.len == b->u.s.len && !memcmp(a->u.s.p, b->u.s.p, a->u.s.len);
    case SK_V_ARR:
        if (a->u.a.n != b->u.a.n) return false;
        for (size_t i = 0; i < a->u.a.n; i++)
            if (!sk_val_equal(a->u.a.items[i], b->u.a.items[i])) return false;
        return true;
    case SK_V_MAP:
        if (a->u.m.n != b->u.m.n) return false;
        for (size_t i = 0; i < a->u.m.n; i++) {
            const struct sk_kv *kv = &a->u.m.kv[i];
            /* Maps usually share their order, which keeps this linear. */
            const struct sk_val *bv;
            if (key_eq(&b->u.m.kv[i], kv->key, kv->klen)) {
                bv = b->u.m.kv[i].val;
            } else {
                long j = map_find(b, kv->key, kv->klen);
                if (j < 0) return false;
                bv = b->u.m.kv[j].val;
            }
            if (!sk_val_equal(kv->val, bv)) return false;
        }
        return true;
    }
    return false;
}

/* ---- maps ---- */

struct sk_val *sk_map_getn(const struct sk_val *m, const char *key, size_t klen)
{
    if (!m || m->type != SK_V_MAP || !key) return NULL;
    long i = map_find(m, key, klen);
    return i < 0 ? NULL : m->u.m.kv[i].val;
}

struct sk_val *sk_map_get(const struct sk_val *m, const char *key)
{
    if (!key) return NULL;
    return sk_map_getn(m, key, strlen(key));
}

struct sk_val *sk_map_push(struct sk_val *m, const char *key, size_t klen, struct sk_val *v)
{
    if (!m || m->type != SK_V_MAP) misuse(__func__, "not a map");
    if (m->u.m.n == m->u.m.cap) {
        m->u.m.cap = m->u.m.cap ? m->u.m.cap * 2 : 4;
        m->u.m.kv = sk_xrealloc(m->u.m.kv, m->u.m.cap * sizeof(*m->u.m.kv));
    }
    struct sk_kv *kv = &m->u.m.kv[m->u.m.n++];
    kv->key = key_dup(key, klen);
    kv->klen = klen;
    kv->val = v;
    return v;
}

struct sk_val *sk_map_setn(struct sk_val *m, const char *key, size_t klen, struct sk_val *v)
{
    if (!m || m->type != SK_V_MAP) misuse(__func__, "not a map");
    long i = map_find(m, key, klen);
    if (i >= 0) {
        if (m->u.m.kv[i].val != v) sk_val_free(m->u.m.kv[i].val);
        m->u.m.kv[i].val = v;
        return v;
    }
    return sk_map_push(m, key, klen, v);
}

struct sk_val *sk_map_set(struct sk_val *m, const char *key, struct sk_val *v)
{
    return sk_map_setn(m, key, strlen(key), v);
}

struct sk_val *sk_map_take(struct sk_val *m, const char *key)
{
    if (!m || m->type != SK_V_MAP || !key) return NULL;
    long i = map_find(m, key, strlen(key));
    if (i < 0) return NULL;
    struct sk_val *v = m->u.m.kv[i].val;
    sk_val_key_free(m->u.m.kv[i].key);
    memmove(&m->u.m.kv[i], &m->u.m.kv[i + 1], (m->u.m.n - (size_t)i - 1) * sizeof(struct sk_kv));
    m->u.m.n--;
    return v;
}

bool sk_map_del(struct sk_val *m, const char *key)
{
    if (!m || m->type != SK_V_MAP || !key) return false;
    long i = map_find(m, key, strlen(key));
    if (i < 0) return false;
    sk_val_free(sk_map_take(m, key));
    return true;
}

size_t sk_map_len(const struct sk_val *m)
{
    return m && m->type == SK_V_MAP ? m->u.m.n : 0;
}

/* ---- key index for decoders ---- */

static pthread_once_t seed_once = PTHREAD_ONCE_INIT;
static uint64_t hash_seed;

/* A per-process random seed keeps crafted keys from all landing in one
 * chain (hash flooding from manifests or API bodies). */
static void seed_init(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
        s = (uint64_t)(uintptr_t)&hash_seed ^ 0x9e3779b97f4a7c15ull;
    hash_seed = s | 1;
}

static uint64_t key_hash(const char *k, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull ^ hash_seed;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/* Below this many keys a scan beats hashing. */
#define MAPIDX_LINEAR 8

static void mapidx_put(struct sk_mapidx *ix, const struct sk_val *m, size_t i)
{
    const struct sk_kv *kv = &m->u.m.kv[i];
    size_t mask = ix->cap - 1, s = (size_t)key_hash(kv->key, kv->klen) & mask;
    while (ix->slots[s])
        s = (s + 1) & mask;
    ix->slots[s] = (uint32_t)(i + 1);
}

static void mapidx_rebuild(struct sk_mapidx *ix, const struct sk_val *m)
{
    pthread_once(&seed_once, seed_init);
    size_t cap = 16;
    while (cap < m->u.m.n * 2 + 2)
        cap *= 2;
    free(ix->slots);
    ix->slots = sk_xcalloc(cap, sizeof(*ix->slots));
    ix->cap = cap;
    for (size_t i = 0; i < m->u.m.n; i++)
        mapidx_put(ix, m, i);
}

long sk_mapidx_find(struct sk_mapidx *ix, const struct sk_val *m, const char *key, size_t klen)
{
    if (!ix->cap && m->u.m.n < MAPIDX_LINEAR) return map_find(m, key, klen);
    if (!ix->cap) mapidx_rebuild(ix, m);
    size_t mask = ix->cap - 1, s = (size_t)key_hash(key, klen) & mask;
    for (; ix->slots[s]; s = (s + 1) & mask) {
        size_t i = ix->slots[s] - 1;
        if (key_eq(&m->u.m.kv[i], key, klen)) return (long)i;
    }
    return -1;
}

void sk_mapidx_added(struct sk_mapidx *ix, const struct sk_val *m)
{
    if (!ix->cap) return;
    if (m->u.m.n * 2 > ix->cap)
        mapidx_rebuild(ix, m);
    else
        mapidx_put(ix, m, m->u.m.n - 1);
}

void sk_mapidx_free(struct sk_mapidx *ix)
{
    free(ix->slots);
    ix->slots = NULL;
    ix->cap = 0;
}

/* ---- arrays ---- */

struct sk_val *sk_arr_push(struct sk_val *a, struct sk_val *v)
{
    sk_arr_insert(a, a ? a->u.a.n : 0, v);
    return v;
}

struct sk_val *sk_arr_get(const struct sk_val *a, size_t i)
{
    if (!a || a->type != SK_V_ARR || i >= a->u.a.n) return NULL;
    return a->u.a.items[i];
}

void sk_arr_insert(struct sk_val *a, size_t i, struct sk_val *v)
{
    if (!a || a->type != SK_V_ARR) misuse(__func__, "not an array");
    if (i > a->u.a.n) i = a->u.a.n;
    if (a->u.a.n == a->u.a.cap) {
        a->u.a.cap = a->u.a.cap ? a->u.a.cap * 2 : 4;
        a->u.a.items = sk_xrealloc(a->u.a.items, a->u.a.cap * sizeof(*a->u.a.items));
    }
    memmove(&a->u.a.items[i + 1], &a->u.a.items[i], (a->u.a.n - i) * sizeof(*a->u.a.items));
    a->u.a.items[i] = v;
    a->u.a.n++;
}

struct sk_val *sk_arr_take(struct sk_val *a, size_t i)
{
    if (!a || a->type != SK_V_ARR || i >= a->u.a.n) return NULL;
    struct sk_val *v = a->u.a.items[i];
    memmove(&a->u.a.items[i], &a->u.a.items[i + 1], (a->u.a.n - i - 1) * sizeof(*a->u.a.items));
    a->u.a.n--;
    return v;
}

void sk_arr_remove(struct sk_val *a, size_t i)
{
    sk_val_free(sk_arr_take(a, i));
}

size_t sk_arr_len(const struct sk_val *a)
{
    return a && a->type == SK_V_ARR ? a->u.a.n : 0;
}

/* ---- typed reads ---- */

const char *sk_val_cstr(const struct sk_val *v)
{
    return v && v->type == SK_V_STR ? v->u.s.p : NULL;
}

int64_t sk_val_to_int(const struct sk_val *v, int64_t fallback)
{
    return v && v->type == SK_V_INT ? v->u.i : fallback;
}

bool sk_val_to_bool(const struct sk_val *v, bool fallback)
{
    return v && v->type == SK_V_BOOL ? v->u.b : fallback;
}

bool sk_val_is(const struct sk_val *v, enum sk_vtype t)
{
    return v && v->type == t;
}

const char *sk_vtype_name(enum sk_vtype t)
{
    switch (t) {
    case SK_V_NULL: return "null";
    case SK_V_BOOL: return "boolean";
    case SK_V_INT: return "integer";
    case SK_V_FLOAT: return "number";
    case SK_V_STR: return "string";
    case SK_V_ARR: return "array";
    case SK_V_MAP: return "object";
    }
    return "unknown";
}

/* ---- paths ---- */

static struct sk_val *val_at_va(const struct sk_val *root, va_list ap)
{
    const struct sk_val *v = root;
    const char *k;
    while (v && (k = va_arg(ap, const char *)))
        v = sk_map_get(v, k);
    return (struct sk_val *)v;
}

struct sk_val *sk_val_at(const struct sk_val *root, ...)
{
    va_list ap;
    va_start(ap, root);
    struct sk_val *v = val_at_va(root, ap);
    va_end(ap);
    return v;
}

const char *sk_val_str_at(const struct sk_val *root, ...)
{
    va_list ap;
    va_start(ap, root);
    struct sk_val *v = val_at_va(root, ap);
    va_end(ap);
    return sk_val_cstr(v);
}

/* With no keys there is nowhere to put v: it is freed and NULL returned. */
struct sk_val *sk_val_set_at(struct sk_val *root, struct sk_val *v, ...)
{
    if (!root || root->type != SK_V_MAP) misuse(__func__, "root is not a map");
    va_list ap;
    va_start(ap, v);
    const char *k = va_arg(ap, const char *);
    if (!k) {
        va_end(ap);
        sk_val_free(v);
        return NULL;
    }
    struct sk_val *m = root;
    for (;;) {
        const char *next = va_arg(ap, const char *);
        if (!next) break;
        struct sk_val *c = sk_map_get(m, k);
        if (!c || c->type != SK_V_MAP) c = sk_map_set(m, k, sk_val_map());
        m = c;
        k = next;
    }
    va_end(ap);
    return sk_map_set(m, k, v);
}

static struct sk_val *path_index(const struct sk_val *v, const char *p, size_t n)
{
    if (!v || v->type != SK_V_ARR || n == 0 || n > 18) return NULL;
    size_t i = 0;
    for (size_t j = 0; j < n; j++) {
        if (p[j] < '0' || p[j] > '9') return NULL;
        i = i * 10 + (size_t)(p[j] - '0');
    }
    return sk_arr_get(v, i);
}

struct sk_val *sk_val_path(const struct sk_val *root, const char *path)
{
    const struct sk_val *v = root;
    const char *p = path;
    if (!v || !p) return NULL;
    if (*p == '.') p++;
    bool need_name = *p != '[' && *p != 0;
    while (v && *p) {
        if (*p == '[') {
            p++;
            if (*p == '\'' || *p == '"') {
                char q = *p++;
                const char *e = strchr(p, q);
                if (!e || e[1] != ']') return NULL;
                v = sk_map_getn(v, p, (size_t)(e - p));
                p = e + 2;
            } else {
                const char *e = strchr(p, ']');
                if (!e) return NULL;
                v = path_index(v, p, (size_t)(e - p));
                p = e + 1;
            }
            if (*p == '.') {
                p++;
                need_name = true;
                if (!*p) return NULL;
            } else if (*p && *p != '[') {
                return NULL;
            }
            continue;
        }
        if (!need_name) return NULL;
        size_t n = strcspn(p, ".[");
        if (n == 0) return NULL;
        v = sk_map_getn(v, p, n);
        p += n;
        need_name = false;
        if (*p == '.') {
            p++;
            need_name = true;
            if (!*p) return NULL;
        }
    }
    return (struct sk_val *)v;
}

/* ---- Kubernetes object helpers ---- */

const char *sk_obj_name(const struct sk_val *obj)
{
    return sk_val_str_at(obj, "metadata", "name", NULL);
}

const char *sk_obj_namespace(const struct sk_val *obj)
{
    return sk_val_str_at(obj, "metadata", "namespace", NULL);
}

const char *sk_obj_kind(const struct sk_val *obj)
{
    return sk_val_cstr(sk_map_get(obj, "kind"));
}

const char *sk_obj_api_version(const struct sk_val *obj)
{
    return sk_val_cstr(sk_map_get(obj, "apiVersion"));
}

static struct sk_val *meta_map(const struct sk_val *obj, const char *which)
{
    struct sk_val *m = sk_val_at(obj, "metadata", which, NULL);
    return m && m->type == SK_V_MAP ? m : NULL;
}

struct sk_val *sk_obj_labels(const struct sk_val *obj)
{
    return meta_map(obj, "labels");
}

struct sk_val *sk_obj_annotations(const struct sk_val *obj)
{
    return meta_map(obj, "annotations");
}

const char *sk_obj_label(const struct sk_val *obj, const char *key)
{
    return sk_val_cstr(sk_map_get(sk_obj_labels(obj), key));
}

const char *sk_obj_annotation(const struct sk_val *obj, const char *key)
{
    return sk_val_cstr(sk_map_get(sk_obj_annotations(obj), key));
}

static void set_meta_entry(struct sk_val *obj, const char *which, const char *key,
                           const char *value)
{
    if (!obj || obj->type != SK_V_MAP || !key) return;
    if (!value) {
        sk_map_del(meta_map(obj, which), key);
        return;
    }
    struct sk_val *md = sk_map_get(obj, "metadata");
    if (!md || md->type != SK_V_MAP) md = sk_map_set(obj, "metadata", sk_val_map());
    struct sk_val *m = sk_map_get(md, which);
    if (!m || m->type != SK_V_MAP) m = sk_map_set(md, which, sk_val_map());
    sk_map_set(m, key, sk_val_str(value));
}

void sk_obj_set_label(struct sk_val *obj, const char *key, const char *value)
{
    set_meta_entry(obj, "labels", key, value);
}

void sk_obj_set_annotation(struct sk_val *obj, const char *key, const char *value)
{
    set_meta_entry(obj, "annotations", key, value);
}

struct sk_val *sk_obj_controller_ref(const struct sk_val *obj)
{
    struct sk_val *refs = sk_val_at(obj, "metadata", "ownerReferences", NULL);
    for (size_t i = 0; i < sk_arr_len(refs); i++) {
        struct sk_val *r = sk_arr_get(refs, i);
        if (sk_val_to_bool(sk_map_get(r, "controller"), false)) return r;
    }
    return NULL;
}

/* ---- growable buffers ---- */

void sk_buf_reserve(struct sk_buf *b, size_t n)
{
    if (b->cap - b->len >= n) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {
        if (cap > SIZE_MAX / 2) misuse(__func__, "buffer too large");
        cap *= 2;
    }
    b->p = sk_xrealloc(b->p, cap);
    b->cap = cap;
}

void sk_buf_append(struct sk_buf *b, const void *p, size_t n)
{
    if (!n) return;
    sk_buf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void sk_buf_puts(struct sk_buf *b, const char *s)
{
    sk_buf_append(b, s, strlen(s));
}

void sk_buf_put_utf8(struct sk_buf *b, int64_t cp)
{
    if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sk_buf_append(b, u, n);
}

void sk_buf_printf(struct sk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    sk_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *sk_buf_take(struct sk_buf *b, size_t *len)
{
    sk_buf_putc(b, 0);
    char *p = b->p;
    if (len) *len = b->len - 1;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void sk_buf_free(struct sk_buf *b)
{
    if (!b) return;
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- number text ---- */

size_t sk_fmt_int64(int64_t i, char *buf)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t o = 0;
    if (i < 0) buf[o++] = '-';
    while (n)
        buf[o++] = tmp[--n];
    buf[o] = 0;
    return o;
}

size_t sk_fmt_double(double d, char *buf)
{
    /* Any decimal of 15 significant digits survives a round trip through a
     * double, so the first of 15, 16, 17 digits that reads back is the
     * shortest form. */
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, 32, "%.*g", prec, d);
        if (prec == 17 || strtod(buf, NULL) == d) break;
    }
    if (n < 0 || n > 28) n = 0;
    if (!strpbrk(buf, ".eEnN")) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = 0;
    }
    return (size_t)n;
}

size_t sk_utf8_len(const unsigned char *p, size_t n)
{
    if (!n) return 0;
    unsigned c = p[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    return len;
}

/* ---- msgpack ---- */

static int mp_write(void *data, const char *p, size_t n)
{
    sk_buf_append(data, p, n);
    return 0;
}

static void mp_pack(msgpack_packer *pk, const struct sk_val *v)
{
    switch (v->type) {
    case SK_V_NULL: msgpack_pack_nil(pk); break;
    case SK_V_BOOL: v->u.b ? msgpack_pack_true(pk) : msgpack_pack_false(pk); break;
    case SK_V_INT: msgpack_pack_int64(pk, v->u.i); break;
    case SK_V_FLOAT: msgpack_pack_double(pk, v->u.f); break;
    case SK_V_STR:
        if (v->u.s.len > UINT32_MAX) misuse(__func__, "string too long for msgpack");
        msgpack_pack_str(pk, v->u.s.len);
        msgpack_pack_str_body(pk, v->u.s.p, v->u.s.len);
        break;
    case SK_V_ARR:
        if (v->u.a.n > UINT32_MAX) misuse(__func__, "array too long for msgpack");
        msgpack_pack_array(pk, v->u.a.n);
        for (size_t i = 0; i < v->u.a.n; i++)
            mp_pack(pk, v->u.a.items[i]);
        break;
    case SK_V_MAP:
        if (v->u.m.n > UINT32_MAX) misuse(__func__, "map too large for msgpack");
        msgpack_pack_map(pk, v->u.m.n);
        for (size_t i = 0; i < v->u.m.n; i++) {
            const struct sk_kv *kv = &v->u.m.kv[i];
            if (kv->klen > UINT32_MAX) misuse(__func__, "key too long for msgpack");
            msgpack_pack_str(pk, kv->klen);
            msgpack_pack_str_body(pk, kv->key, kv->klen);
            mp_pack(pk, kv->val);
        }
        break;
    }
}

void sk_val_to_msgpack(const struct sk_val *v, struct sk_buf *out)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, mp_write);
    if (!v) {
        msgpack_pack_nil(&pk);
        return;
    }
    mp_pack(&pk, v);
}

/* The decoder reads the bytes itself instead of using msgpack-c's
 * unpacker: that one gives up beyond 32 levels of nesting (its fixed
 * MSGPACK_EMBED_STACK_SIZE, less than our 128) and allocates whatever
 * count a container header claims before reading a single element, so a
 * 5-byte message can ask for 64 GiB. Here every count is checked against
 * the bytes that remain, and the tree is built directly. */
struct mpdec {
    const unsigned char *start, *p, *end;
    struct sk_error **err;
};

static sk_err mp_fail(struct mpdec *d, const char *what)
{
    return sk_fail(d->err, SK_EPROTO, "msgpack: %s at offset %zu", what, (size_t)(d->p - d->start));
}

static bool mp_need(struct mpdec *d, size_t n)
{
    return (size_t)(d->end - d->p) >= n;
}

static uint64_t mp_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Reads the length that follows a type byte (n bytes, big-endian). */
static bool mp_len(struct mpdec *d, int n, size_t *len)
{
    if (!mp_need(d, (size_t)n)) return false;
    *len = (size_t)mp_be(d->p, n);
    d->p += n;
    return true;
}

static sk_err mp_value(struct mpdec *d, int depth, struct sk_val **out);

static sk_err mp_str_head(struct mpdec *d, unsigned c, size_t *len, bool *is_str)
{
    *is_str = true;
    if (c >= 0xa0 && c <= 0xbf)
        *len = c & 0x1f;
    else if (c == 0xd9 || c == 0xda || c == 0xdb) {
        if (!mp_len(d, c == 0xd9 ? 1 : c == 0xda ? 2 : 4, len))
            return mp_fail(d, "truncated string length");
    } else {
        *is_str = false;
        return SK_OK;
    }
    if (!mp_need(d, *len)) return mp_fail(d, "truncated string");
    return SK_OK;
}

static sk_err mp_map(struct mpdec *d, int depth, size_t n, struct sk_val **out)
{
    if (n > (size_t)(d->end - d->p) / 2) return mp_fail(d, "map longer than the message");
    struct sk_val *m = sk_val_map();
    struct sk_mapidx ix = {0};
    sk_err rc = SK_OK;
    if (n) {
        m->u.m.kv = sk_xmalloc(n * sizeof(*m->u.m.kv));
        m->u.m.cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        if (!mp_need(d, 1)) {
            rc = mp_fail(d, "truncated map");
            break;
        }
        unsigned c = *d->p++;
        size_t klen;
        bool is_str;
        if ((rc = mp_str_head(d, c, &klen, &is_str))) break;
        if (!is_str) {
            d->p--;
            rc = mp_fail(d, "map key is not a string");
            break;
        }
        const char *k = (const char *)d->p;
        if (sk_mapidx_find(&ix, m, k, klen) >= 0) {
            rc = sk_fail(d->err, SK_EPROTO, "msgpack: duplicate map key \"%.*s\" at offset %zu",
                         (int)(klen > 64 ? 64 : klen), k, (size_t)(d->p - d->start));
            break;
        }
        d->p += klen;
        struct sk_val *v;
        if ((rc = mp_value(d, depth, &v))) break;
        sk_map_push(m, k, klen, v);
        sk_mapidx_added(&ix, m);
    }
    sk_mapidx_free(&ix);
    if (rc) {
        sk_val_free(m);
        return rc;
    }
    *out = m;
    return SK_OK;
}

static sk_err mp_arr(struct mpdec *d, int depth, size_t n, struct sk_val **out)
{
    if (n > (size_t)(d->end - d->p)) return mp_fail(d, "array longer than the message");
    struct sk_val *a = sk_val_arr();
    if (n) {
        a->u.a.items = sk_xmalloc(n * sizeof(*a->u.a.items));
        a->u.a.cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        sk_err rc = mp_value(d, depth, &a->u.a.items[i]);
        if (rc) {
            sk_val_free(a);
            return rc;
        }
        a->u.a.n++;
    }
    *out = a;
    return SK_OK;
}

static sk_err mp_value(struct mpdec *d, int depth, struct sk_val **out)
{
    if (!mp_need(d, 1)) return mp_fail(d, "truncated");
    unsigned c = *d->p++;
    size_t n;
    bool is_str;

    if (c <= 0x7f) {
        *out = sk_val_int((int64_t)c);
        return SK_OK;
    }
    if (c >= 0xe0) {
        *out = sk_val_int((int64_t)(int8_t)c);
        return SK_OK;
    }
    sk_err rc = mp_str_head(d, c, &n, &is_str);
    if (rc) return rc;
    if (is_str) {
        *out = sk_val_strn((const char *)d->p, n);
        d->p += n;
        return SK_OK;
    }
    bool is_map = (c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf;
    bool is_arr = (c >= 0x90 && c <= 0x9f) || c == 0xdc || c == 0xdd;
    if (is_map || is_arr) {
        if (depth >= SK_VAL_MAX_DEPTH) {
            d->p--;
            return sk_fail(d->err, SK_EPROTO, "msgpack: nesting deeper than %d at offset %zu",
                           SK_VAL_MAX_DEPTH, (size_t)(d->p - d->start));
        }
        if (c <= 0x9f)
            n = c & 0x0f;
        else if (!mp_len(d, (c == 0xdc || c == 0xde) ? 2 : 4, &n))
            return mp_fail(d, "truncated container length");
        return is_map ? mp_map(d, depth + 1, n, out) : mp_arr(d, depth + 1, n, out);
    }

    int w;
    switch (c) {
    case 0xc0: *out = sk_val_null(); return SK_OK;
    case 0xc2: *out = sk_val_bool(false); return SK_OK;
    case 0xc3: *out = sk_val_bool(true); return SK_OK;
    case 0xca:
    case 0xcb: {
        w = c == 0xca ? 4 : 8;
        if (!mp_need(d, (size_t)w)) return mp_fail(d, "truncated float");
        uint64_t bits = mp_be(d->p, w);
        d->p += w;
        double f;
        if (w == 4) {
            uint32_t b32 = (uint32_t)bits;
            float f32;
            memcpy(&f32, &b32, 4);
            f = f32;
        } else {
            memcpy(&f, &bits, 8);
        }
        *out = sk_val_float(f);
        return SK_OK;
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf: {
        w = 1 << (c - 0xcc);
        if (!mp_need(d, (size_t)w)) return mp_fail(d, "truncated integer");
        uint64_t u = mp_be(d->p, w);
        if (u > (uint64_t)INT64_MAX) return mp_fail(d, "integer beyond int64");
        d->p += w;
        *out = sk_val_int((int64_t)u);
        return SK_OK;
    }
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3: {
        w = 1 << (c - 0xd0);
        if (!mp_need(d, (size_t)w)) return mp_fail(d, "truncated integer");
        uint64_t u = mp_be(d->p, w);
        d->p += w;
        int64_t i;
        if (w == 1)
            i = (int8_t)u;
        else if (w == 2)
            i = (int16_t)u;
        else if (w == 4)
            i = (int32_t)u;
        else
            i = (int64_t)u;
        *out = sk_val_int(i);
        return SK_OK;
    }
    }
    d->p--;
    if (c == 0xc1) return mp_fail(d, "reserved type byte 0xc1");
    return sk_fail(d->err, SK_EPROTO, "msgpack: unsupported %s type 0x%02x at offset %zu",
                   (c >= 0xc4 && c <= 0xc6) ? "bin" : "ext", c, (size_t)(d->p - d->start));
}

sk_err sk_val_from_msgpack(const void *p, size_t n, struct sk_val **out, struct sk_error **err)
{
    *out = NULL;
    struct mpdec d = {.start = p, .p = p, .end = (const unsigned char *)p + n, .err = err};
    if (!p || n == 0) return sk_fail(err, SK_EPROTO, "msgpack: empty message");
    struct sk_val *v;
    sk_err rc = mp_value(&d, 0, &v);
    if (rc) return rc;
    if (d.p != d.end) {
        sk_val_free(v);
        return sk_fail(err, SK_EPROTO, "msgpack: %zu trailing bytes after the value at offset %zu",
                       (size_t)(d.end - d.p), (size_t)(d.p - d.start));
    }
    *out = v;
    return SK_OK;
}
