/* The write path shared by create, update, patch and the subresources:
 * body decoding by content type, the decoder's type and unknown-field
 * checks, defaulting and validation in kube-apiserver's order, the
 * namespace checks, and the store commands with their completions. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "api_int.h"
#include "json.h"
#include "log.h"
#include "managed.h"
#include "mem.h"
#include "proto.h"
#include "yaml.h"

#define MAX_UNKNOWN       64
#define GENERATE_ATTEMPTS 7

/* The media type of a Content-Type header, without parameters. */
static void media_type(const char *h, char *out, size_t cap)
{
    size_t n = 0;
    while (*h == ' ')
        h++;
    while (h[n] && h[n] != ';' && h[n] != ' ' && n + 1 < cap) {
        out[n] = h[n];
        n++;
    }
    out[n] = 0;
}

bool sk_api_decode_body(struct sk_api_rq *r, struct sk_val **out)
{
    *out = NULL;
    const char *h = sk_http_req_header(r->req, "Content-Type");
    char mt[128] = "application/json";
    if (h && *h) media_type(h, mt, sizeof(mt));
    bool yaml = !strcasecmp(mt, "application/yaml");
    if (!strcasecmp(mt, SK_PROTO_MEDIA_TYPE)) {
        /* kubectl's typed clients (create namespace, create configmap, ...)
         * send protobuf and never fall back to JSON */
        size_t plen;
        const char *pbody = sk_http_req_body(r->req, &plen);
        struct sk_error *pe = NULL;
        struct sk_val *pv = NULL;
        sk_err prc = sk_proto_decode(pbody, plen, r->kind, &pv, &pe);
        if (prc) {
            sk_api_fail_badrequest(r, sk_error_msg(pe, prc));
            sk_error_free(pe);
            return false;
        }
        *out = pv;
        return true;
    }
    if (!yaml && strcasecmp(mt, "application/json") != 0) {
        char msg[400];
        snprintf(msg, sizeof(msg),
                 "the body of the request was in an unknown format - accepted media types "
                 "include: application/json, application/yaml, "
                 "application/vnd.kubernetes.protobuf");
        sk_api_fail(r, 415, "UnsupportedMediaType", msg, NULL);
        return false;
    }
    size_t len;
    const char *body = sk_http_req_body(r->req, &len);
    struct sk_error *e = NULL;
    struct sk_val *v = NULL;
    struct sk_json_dups dups = {0};
    sk_err rc;
    if (len == 0)
        rc = sk_fail(&e, SK_EINVAL, "unexpected end of JSON input");
    else if (yaml)
        rc = sk_yaml_parse_one(body, len, NULL, &v, &e);
    else
        rc = sk_json_parse_dups(body, len, &v, &dups, &e);
    if (!rc && !sk_val_is(v, SK_V_MAP)) {
        rc = sk_fail(&e, SK_EINVAL, "json: cannot unmarshal %s into Go value of type %s",
                     v ? sk_vtype_name(v->type) : "null", r->kind ? r->kind->kind : "struct");
    }
    if (rc) {
        char *msg = sk_xasprintf("couldn't get version/kind; json parse error: %s",
                                 sk_error_msg(e, rc));
        sk_api_fail_badrequest(r, msg);
        free(msg);
        sk_error_free(e);
        sk_val_free(v);
        sk_json_dups_free(&dups);
        return false;
    }
    /* a DELETE body is DeleteOptions, not an object of r->kind */
    bool is_obj = strcmp(sk_http_req_method(r->req), "DELETE") != 0;
    bool dups_ok = sk_api_body_dups(r, &dups, is_obj ? v : NULL, is_obj);
    sk_json_dups_free(&dups);
    if (!dups_ok) {
        sk_val_free(v);
        return false;
    }
    *out = v;
    return true;
}

bool sk_api_check_body(struct sk_api_rq *r, struct sk_val *obj)
{
    const struct sk_kind *k = r->kind;
    const char *av = sk_val_cstr(sk_map_get(obj, "apiVersion"));
    const char *kind = sk_val_cstr(sk_map_get(obj, "kind"));
    const char *want = sk_kind_api_version(k);
    if (av && *av && strcmp(av, want) != 0) {
        char *msg = sk_xasprintf("the API version in the data (%s) does not match the expected "
                                 "API version (%s)",
                                 av, want);
        sk_api_fail_badrequest(r, msg);
        free(msg);
        return false;
    }
    if (kind && *kind && strcmp(kind, k->kind) != 0) {
        char *msg = sk_xasprintf("the kind in the data (%s) does not match the expected kind (%s)",
                                 kind, k->kind);
        sk_api_fail_badrequest(r, msg);
        free(msg);
        return false;
    }
    sk_api_set_type(k, obj);
    struct sk_causes c = {0};
    if (!sk_schema_check_types(k, obj, &c)) {
        char *msg = sk_schema_decode_message(k, c.n ? c.v[0].message : "invalid value");
        sk_api_fail_badrequest(r, msg);
        free(msg);
        sk_causes_free(&c);
        return false;
    }
    sk_causes_free(&c);
    if (r->fv == SK_API_FV_IGNORE) return true;
    char *unk[MAX_UNKNOWN];
    size_t n = sk_schema_unknown_fields(k, obj, unk, MAX_UNKNOWN);
    size_t have = n < MAX_UNKNOWN ? n : MAX_UNKNOWN;
    bool ok = true;
    if (n && r->fv == SK_API_FV_STRICT) {
        struct sk_buf b = {0};
        sk_buf_puts(&b, "strict decoding error: ");
        for (size_t i = 0; i < have; i++)
            sk_buf_printf(&b, "%sunknown field \"%s\"", i ? ", " : "", unk[i]);
        sk_buf_putc(&b, 0);
        char *msg = sk_schema_decode_message(k, b.p);
        sk_api_fail_badrequest(r, msg);
        free(msg);
        sk_buf_free(&b);
        ok = false;
    } else {
        for (size_t i = 0; i < have; i++) {
            char *w = sk_xasprintf("unknown field \"%s\"", unk[i]);
            sk_api_warn(r, w);
            free(w);
        }
    }
    for (size_t i = 0; i < have; i++)
        free(unk[i]);
    return ok;
}

static void now_rfc3339(char out[32]);

char *sk_api_field_manager(struct sk_api_rq *r)
{
    return sk_managed_manager_name(sk_http_req_query_param(r->req, "fieldManager"),
                                   sk_http_req_header(r->req, "User-Agent"));
}

void sk_api_managed_op(struct sk_api_rq *r, struct sk_mop *op, char now[32], char **manager)
{
    now_rfc3339(now);
    *manager = sk_api_field_manager(r);
    op->manager = *manager;
    op->api_version = sk_kind_api_version(r->kind);
    op->subresource = r->sub ? r->sub : "";
    op->now = now;
}

/* Record the write in managedFields as an Update by the request's field
 * manager; apply has done its own bookkeeping. Defaults count as written
 * by the request, as kube-apiserver defaults on decoding. */
static void track_update(struct sk_api_rq *r, const struct sk_val *old)
{
    if (r->managed_done) return;
    struct sk_mop op;
    char now[32];
    char *manager;
    sk_api_managed_op(r, &op, now, &manager);
    struct sk_mschema sc = {.kind = r->kind};
    sk_managed_update(&sc, old, r->obj, &op);
    free(manager);
}

bool sk_api_admit(struct sk_api_rq *r, const struct sk_val *old)
{
    const struct sk_kind *k = r->kind;
    struct sk_causes c = {0};
    bool ok;
    if (r->sub && !strcmp(r->sub, "status")) {
        track_update(r, old);
        ok = sk_kind_validate_status(k, r->obj, old, &c);
    } else {
        sk_kind_default(k, r->obj);
        track_update(r, old);
        if (old)
            sk_kind_prepare_update(k, r->obj, old);
        else
            sk_kind_prepare_create(k, r->obj);
        ok = sk_kind_validate(k, r->obj, old, &c);
    }
    if (!ok) {
        sk_api_fail_invalid(r, sk_obj_name(r->obj), &c);
        sk_causes_free(&c);
        return false;
    }
    sk_causes_free(&c);
    return true;
}

/* ---- helpers ---- */

static struct sk_val *meta(struct sk_val *obj)
{
    struct sk_val *m = sk_map_get(obj, "metadata");
    if (!sk_val_is(m, SK_V_MAP)) m = sk_map_set(obj, "metadata", sk_val_map());
    return m;
}

/* The URL decides the namespace; a different one in the body is an error,
 * a missing one is filled in. */
static bool fix_namespace(struct sk_api_rq *r, struct sk_val *obj)
{
    struct sk_val *m = meta(obj);
    const char *bns = sk_val_cstr(sk_map_get(m, "namespace"));
    if (!r->kind->namespaced) {
        sk_map_del(m, "namespace");
        return true;
    }
    if (bns && *bns && strcmp(bns, r->ns) != 0) {
        sk_api_fail_badrequest(r, "the namespace of the provided object does not match the "
                                  "namespace sent on the request");
        return false;
    }
    sk_map_set(m, "namespace", sk_val_str(r->ns));
    return true;
}

/* NamespaceLifecycle: new objects only go into namespaces that exist and
 * are not being deleted. */
static bool namespace_open(struct sk_api_rq *r, const char *name)
{
    if (!r->kind->namespaced) return true;
    struct sk_store_obj *o = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, "namespaces", NULL, r->ns, &o, &e);
    if (rc == SK_ENOENT) {
        char msg[300];
        snprintf(msg, sizeof(msg), "namespaces \"%s\" not found", r->ns);
        struct sk_api_details d = {.name = r->ns, .kind = "namespaces"};
        sk_api_fail(r, 404, "NotFound", msg, &d);
        sk_error_free(e);
        return false;
    }
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), name);
        sk_error_free(e);
        return false;
    }
    const struct sk_val *nv = sk_store_obj_val(o);
    bool terminating = sk_val_at(nv, "metadata", "deletionTimestamp", NULL) != NULL;
    sk_store_obj_unref(o);
    if (terminating) {
        char *msg = sk_xasprintf("%s \"%s\" is forbidden: unable to create new content in "
                                 "namespace %s because it is being terminated",
                                 r->kind->plural, name ? name : "", r->ns);
        struct sk_api_details d = {.name = name, .group = r->kind->group, .kind = r->kind->plural};
        sk_api_fail(r, 403, "Forbidden", msg, &d);
        free(msg);
        return false;
    }
    return true;
}

static void random_suffix(char out[6])
{
    /* the alphabet of Kubernetes' name generator (no vowels, no 0/1/3) */
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
    unsigned char rnd[5];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        for (int i = 0; i < 5; i++)
            rnd[i] = (unsigned char)rand();
    }
    for (int i = 0; i < 5; i++)
        out[i] = alpha[rnd[i] % (sizeof(alpha) - 1)];
    out[5] = 0;
}

static void now_rfc3339(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* metadata.name from generateName (at most 58 characters of it, as
 * Kubernetes keeps names within 63). */
static void generate_name(struct sk_val *obj)
{
    struct sk_val *m = meta(obj);
    const char *gn = sk_val_cstr(sk_map_get(m, "generateName"));
    char sfx[6];
    random_suffix(sfx);
    sk_map_set(m, "name", sk_val_strf("%.58s%s", gn, sfx));
}

/* ---- create ---- */

static void write_obj_response(struct sk_api_rq *r, int code, struct sk_store_obj *o)
{
    struct sk_buf b = {0};
    sk_api_write_obj(r->kind, o, r->out, r->pretty, &b);
    sk_http_respond(r->req, code,
                    r->out == SK_API_OUT_YAML ? "application/yaml" : "application/json", NULL, b.p,
                    b.len);
    sk_buf_free(&b);
    sk_api_rq_free(r);
}

static void create_done(const struct sk_store_result *res, void *arg)
{
    struct sk_api_rq *r = arg;
    if (res->code == SK_EEXIST && r->generate_tries > 0 && r->generate_tries < GENERATE_ATTEMPTS &&
        !r->gone) {
        /* a generated name that is taken is tried again with a new suffix */
        r->generate_tries++;
        generate_name(r->obj);
        sk_api_submit_create(r);
        return;
    }
    if (res->code) {
        sk_api_fail_err(r, res->code, sk_error_msg(res->err, res->code), sk_obj_name(r->obj));
        return;
    }
    write_obj_response(r, 201, res->obj);
}

void sk_api_submit_create(struct sk_api_rq *r)
{
    struct sk_store_cmd c = {
            .op = SK_STORE_CREATE,
            .resource = r->res,
            .ns = r->kind->namespaced ? r->ns : NULL,
            .name = sk_obj_name(r->obj),
            .obj = r->obj,
            .new_uid = sk_val_str_at(r->obj, "metadata", "uid", NULL),
    };
    struct sk_error *e = NULL;
    sk_err rc = sk_store_submit(r->api->store, &c, create_done, r, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), sk_obj_name(r->obj));
        sk_error_free(e);
    }
}

void sk_api_create(struct sk_api_rq *r)
{
    if (r->kind->namespaced && !r->ns) return sk_api_method_not_allowed(r);
    if (!sk_api_decode_body(r, &r->obj)) return;
    sk_api_create_prepared(r);
}

void sk_api_create_prepared(struct sk_api_rq *r)
{
    struct sk_val *obj = r->obj;
    if (!sk_api_check_body(r, obj)) return;
    if (!fix_namespace(r, obj)) return;
    struct sk_val *m = meta(obj);
    const char *rv = sk_val_cstr(sk_map_get(m, "resourceVersion"));
    if (rv && *rv) {
        sk_api_fail_badrequest(r, "resourceVersion should not be set on objects to be created");
        return;
    }
    const char *name = sk_val_cstr(sk_map_get(m, "name"));
    const char *gn = sk_val_cstr(sk_map_get(m, "generateName"));
    if ((!name || !*name) && gn && *gn) {
        generate_name(obj);
        r->generate_tries = 1;
    }
    /* system fields are the server's to set */
    static const char *const sys[] = {"uid",
                                      "creationTimestamp",
                                      "selfLink",
                                      "generation",
                                      "deletionTimestamp",
                                      "resourceVersion",
                                      "deletionGracePeriodSeconds",
                                      NULL};
    for (size_t i = 0; sys[i]; i++)
        sk_map_del(m, sys[i]);
    /* the uid is decided before admission, as kube-apiserver fills it
     * before validating: a Job's generated selector names it */
    char uid[37];
    sk_store_new_uid(uid);
    sk_map_set(m, "uid", sk_val_str(uid));
    /* a new object starts without status, as the registries' strategies
     * reset it (nodes keep what their agent reports) */
    if (r->kind->has_status && strcmp(r->kind->kind, "Node") != 0) sk_map_del(obj, "status");
    if (!sk_api_admit(r, NULL)) return;
    if (!namespace_open(r, sk_obj_name(obj))) return;
    if (r->dry_run) {
        char ts[32];
        now_rfc3339(ts);
        m = meta(obj);
        sk_map_set(m, "creationTimestamp", sk_val_str(ts));
        sk_map_set(m, "generation", sk_val_int(1));
        sk_api_respond_val(r, 201, obj);
        return;
    }
    sk_api_submit_create(r);
}

/* ---- update ---- */

static void copy_key(struct sk_val *dst, const struct sk_val *src, const char *k)
{
    const struct sk_val *v = sk_map_get(src, k);
    if (v)
        sk_map_set(dst, k, sk_val_dup(v));
    else
        sk_map_del(dst, k);
}

struct sk_val *sk_api_scale_of(const struct sk_kind *k, const struct sk_val *obj)
{
    struct sk_val *s = sk_val_map();
    sk_map_set(s, "kind", sk_val_str("Scale"));
    sk_map_set(s, "apiVersion", sk_val_str("autoscaling/v1"));
    struct sk_val *m = sk_map_set(s, "metadata", sk_val_map());
    const struct sk_val *om = sk_map_get(obj, "metadata");
    static const char *const keys[] = {
            "name", "namespace", "uid", "resourceVersion", "creationTimestamp", NULL};
    for (size_t i = 0; keys[i]; i++)
        if (sk_map_get(om, keys[i])) copy_key(m, om, keys[i]);
    struct sk_val *spec = sk_map_set(s, "spec", sk_val_map());
    const struct sk_val *rep = sk_val_at(obj, "spec", "replicas", NULL);
    if (rep) sk_map_set(spec, "replicas", sk_val_int(sk_val_to_int(rep, 0)));
    struct sk_val *st = sk_map_set(s, "status", sk_val_map());
    sk_map_set(st, "replicas",
               sk_val_int(sk_val_to_int(sk_val_at(obj, "status", "replicas", NULL), 0)));
    const struct sk_val *sel = sk_val_at(obj, "spec", "selector", NULL);
    struct sk_labelsel *ls = NULL;
    if (!strcmp(k->kind, "ReplicationController"))
        ls = sk_labelsel_from_set(sel);
    else if (sel)
        sk_labelsel_from_val(sel, &ls, NULL);
    if (ls) {
        char *txt = sk_labelsel_string(ls);
        if (*txt) sk_map_set(st, "selector", sk_val_str(txt));
        free(txt);
        sk_labelsel_free(ls);
    }
    return s;
}

static void update_done(const struct sk_store_result *res, void *arg)
{
    struct sk_api_rq *r = arg;
    if (res->code == SK_ECONFLICT && r->patch_type && !r->rv_given && r->retries < 5 && !r->gone) {
        /* a patch read a version someone else changed meanwhile: apply it
         * again to the new one, as kube-apiserver's GuaranteedUpdate does */
        r->retries++;
        sk_val_free(r->obj);
        r->obj = NULL;
        sk_val_free(r->scale);
        r->scale = NULL;
        sk_api_patch(r);
        return;
    }
    if (res->code) {
        sk_api_fail_err(r, res->code, sk_error_msg(res->err, res->code), r->name);
        return;
    }
    if (r->sub && !strcmp(r->sub, "scale")) {
        struct sk_val *s = sk_api_scale_of(r->kind, sk_store_obj_val(res->obj));
        sk_api_respond_val(r, 200, s);
        sk_val_free(s);
        return;
    }
    write_obj_response(r, 200, res->obj);
}

void sk_api_submit_update(struct sk_api_rq *r, const struct sk_val *old, uint64_t rev)
{
    (void)old;
    bool status = r->sub && !strcmp(r->sub, "status");
    if (r->dry_run) {
        if (r->sub && !strcmp(r->sub, "scale")) {
            struct sk_val *s = sk_api_scale_of(r->kind, r->obj);
            sk_api_respond_val(r, 200, s);
            sk_val_free(s);
            return;
        }
        sk_api_respond_val(r, 200, r->obj);
        return;
    }
    if (!r->rv_given) sk_map_del(meta(r->obj), "resourceVersion");
    struct sk_store_cmd c = {
            .op = status ? SK_STORE_UPDATE_STATUS : SK_STORE_UPDATE,
            .resource = r->res,
            .ns = r->kind->namespaced ? r->ns : NULL,
            .name = r->name,
            .obj = r->obj,
            .rv = r->rv_given ? 0 : rev,
            .flags = r->kind->has_status ? SK_STORE_F_STATUS : 0,
    };
    struct sk_error *e = NULL;
    sk_err rc = sk_store_submit(r->api->store, &c, update_done, r, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
        sk_error_free(e);
    }
}

/* Carry what the client may not change from the stored object, so that
 * validation sees the object as it will be stored. */
static void carry_system_fields(struct sk_api_rq *r, const struct sk_val *old)
{
    struct sk_val *m = meta(r->obj);
    const struct sk_val *om = sk_map_get(old, "metadata");
    const char *uid = sk_val_cstr(sk_map_get(m, "uid"));
    if (!uid || !*uid) copy_key(m, om, "uid");
    copy_key(m, om, "creationTimestamp");
    copy_key(m, om, "generation");
    copy_key(m, om, "deletionTimestamp");
    copy_key(m, om, "deletionGracePeriodSeconds");
    const char *rv = sk_val_cstr(sk_map_get(m, "resourceVersion"));
    r->rv_given = rv && *rv;
    if (!r->rv_given) copy_key(m, om, "resourceVersion");
    if (r->kind->has_status) copy_key(r->obj, old, "status");
}

/* Check and submit r->obj (a full object) as the new state of old. */
void sk_api_update_prepared(struct sk_api_rq *r, const struct sk_val *old, uint64_t rev)
{
    bool status = r->sub && !strcmp(r->sub, "status");
    if (status) {
        /* a status write takes the body's status and nothing else */
        struct sk_val *n = sk_val_dup(old);
        copy_key(n, r->obj, "status");
        if (r->managed_done) {
            /* apply to the status: its entries come with the object */
            struct sk_val *mf = sk_val_at(r->obj, "metadata", "managedFields", NULL);
            if (mf)
                sk_map_set(meta(n), "managedFields", sk_val_dup(mf));
            else
                sk_map_del(meta(n), "managedFields");
        }
        const char *rv = sk_val_str_at(r->obj, "metadata", "resourceVersion", NULL);
        r->rv_given = rv && *rv;
        if (r->rv_given) sk_map_set(meta(n), "resourceVersion", sk_val_str(rv));
        sk_val_free(r->obj);
        r->obj = n;
    } else {
        carry_system_fields(r, old);
    }
    if (!sk_api_admit(r, old)) return;
    sk_api_submit_update(r, old, rev);
}

static bool check_name(struct sk_api_rq *r, struct sk_val *obj)
{
    const char *bn = sk_val_str_at(obj, "metadata", "name", NULL);
    if (!bn || strcmp(bn, r->name) != 0) {
        char *msg = sk_xasprintf("the name of the object (%s) does not match the name on the URL "
                                 "(%s)",
                                 bn ? bn : "", r->name);
        sk_api_fail_badrequest(r, msg);
        free(msg);
        return false;
    }
    return true;
}

/* PUT .../scale: the Scale's spec.replicas onto the object. */
static bool scale_into(struct sk_api_rq *r, const struct sk_val *scale, const struct sk_val *old)
{
    const struct sk_val *rep = sk_val_at(scale, "spec", "replicas", NULL);
    int64_t n = rep ? sk_val_to_int(rep, -1) : 0;
    if (rep && rep->type != SK_V_INT) n = -1;
    if (n < 0 || n > INT32_MAX) {
        struct sk_causes c = {0};
        sk_causes_add(&c, "spec.replicas", "FieldValueInvalid",
                      "Invalid value: %" PRId64 ": must be greater than or equal to 0", n);
        const char *nm = r->name;
        char *msg = sk_xasprintf("Scale.autoscaling \"%s\" is invalid: spec.replicas: Invalid "
                                 "value: %" PRId64 ": must be greater than or equal to 0",
                                 nm, n);
        struct sk_api_details d = {
                .name = nm, .group = "autoscaling", .kind = "Scale", .causes = &c};
        sk_api_fail(r, 422, "Invalid", msg, &d);
        free(msg);
        sk_causes_free(&c);
        return false;
    }
    r->obj = sk_val_dup(old);
    sk_val_set_at(r->obj, sk_val_int(n), "spec", "replicas", NULL);
    const char *rv = sk_val_str_at(scale, "metadata", "resourceVersion", NULL);
    r->rv_given = rv && *rv;
    if (r->rv_given) sk_map_set(meta(r->obj), "resourceVersion", sk_val_str(rv));
    return true;
}

void sk_api_update_scale(struct sk_api_rq *r, const struct sk_val *scale, const struct sk_val *old,
                         uint64_t rev)
{
    if (!scale_into(r, scale, old)) return;
    struct sk_val *m = meta(r->obj);
    if (!r->rv_given) copy_key(m, sk_map_get(old, "metadata"), "resourceVersion");
    if (!sk_api_admit(r, old)) return;
    sk_api_submit_update(r, old, rev);
}

void sk_api_update(struct sk_api_rq *r)
{
    if (!sk_api_decode_body(r, &r->body)) return;
    bool scale = r->sub && !strcmp(r->sub, "scale");
    if (!scale && !sk_api_check_body(r, r->body)) return;
    if (!check_name(r, r->body)) return;
    if (!scale && !fix_namespace(r, r->body)) return;
    struct sk_store_obj *o = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, r->res, r->ns, r->name, &o, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
        sk_error_free(e);
        return;
    }
    const struct sk_val *old = sk_store_obj_val(o);
    if (scale) {
        sk_api_update_scale(r, r->body, old, 0);
    } else {
        r->obj = r->body;
        r->body = NULL;
        sk_api_update_prepared(r, old, 0);
    }
    sk_store_obj_unref(o);
}

/* The namespaces/finalize subresource: the body's spec.finalizers replace
 * the stored ones and nothing else changes; a namespace being deleted
 * whose list becomes empty goes (core/store_apply.c). */
void sk_api_namespace_finalize(struct sk_api_rq *r)
{
    if (!sk_api_decode_body(r, &r->body)) return;
    if (!check_name(r, r->body)) return;
    struct sk_store_obj *o = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, r->res, NULL, r->name, &o, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
        sk_error_free(e);
        return;
    }
    const struct sk_val *old = sk_store_obj_val(o);
    r->obj = sk_val_dup(old);
    const struct sk_val *fin = sk_val_at(r->body, "spec", "finalizers", NULL);
    sk_val_set_at(r->obj, fin ? sk_val_dup(fin) : sk_val_arr(), "spec", "finalizers", NULL);
    const char *rv = sk_val_str_at(r->body, "metadata", "resourceVersion", NULL);
    r->rv_given = rv && *rv;
    if (r->rv_given) sk_map_set(meta(r->obj), "resourceVersion", sk_val_str(rv));
    sk_api_submit_update(r, old, r->rv_given ? 0 : o->rev);
    sk_store_obj_unref(o);
}
