/* PATCH: JSON patch, JSON merge patch, strategic merge patch and
 * server-side apply (managed.c: field ownership, pruning, conflicts), on
 * the object or its status and scale subresources. A patch is applied to
 * the version it read and submitted with that version as precondition;
 * when someone else wrote in between it is applied again to the new
 * version (api_write.c retries). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_int.h"
#include "json.h"
#include "managed.h"
#include "mem.h"
#include "patch.h"
#include "yaml.h"

static const char *const patch_types[] = {
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
        NULL,
};

static const char *patch_type(const char *h)
{
    if (!h) return NULL;
    while (*h == ' ')
        h++;
    size_t n = strcspn(h, "; ");
    for (size_t i = 0; patch_types[i]; i++)
        if (strlen(patch_types[i]) == n && !strncasecmp(h, patch_types[i], n))
            return patch_types[i];
    return NULL;
}

static bool is_apply(const struct sk_api_rq *r)
{
    return r->patch_type == patch_types[3];
}

static bool decode_patch(struct sk_api_rq *r)
{
    size_t len;
    const char *body = sk_http_req_body(r->req, &len);
    struct sk_error *e = NULL;
    struct sk_json_dups dups = {0};
    sk_err rc;
    if (len == 0)
        rc = sk_fail(&e, SK_EINVAL, "unexpected end of JSON input");
    else if (is_apply(r))
        rc = sk_yaml_parse_one(body, len, NULL, &r->body, &e);
    else
        rc = sk_json_parse_dups(body, len, &r->body, &dups, &e);
    if (!rc) {
        bool json_patch = r->patch_type == patch_types[0];
        if (json_patch && !sk_val_is(r->body, SK_V_ARR))
            rc = sk_fail(&e, SK_EINVAL,
                         "json: cannot unmarshal %s into Go value of type "
                         "jsonpatch.Patch",
                         sk_vtype_name(r->body ? r->body->type : SK_V_NULL));
        else if (!json_patch && !sk_val_is(r->body, SK_V_MAP))
            rc = sk_fail(&e, SK_EINVAL,
                         "json: cannot unmarshal %s into Go value of type "
                         "map[string]interface {}",
                         sk_vtype_name(r->body ? r->body->type : SK_V_NULL));
    }
    if (rc) {
        char *msg = sk_xasprintf("error decoding patch: %s", sk_error_msg(e, rc));
        sk_api_fail_badrequest(r, msg);
        free(msg);
        sk_error_free(e);
        sk_json_dups_free(&dups);
        return false;
    }
    /* merge patches are read strictly, JSON patches are not (as upstream);
     * the patched object's unknown fields are checked later */
    bool ok = r->patch_type == patch_types[0] || sk_api_body_dups(r, &dups, r->body, false);
    sk_json_dups_free(&dups);
    return ok;
}

/* Apply r->body to *doc by the patch type; responds and returns false on
 * failure. */
static bool apply_patch(struct sk_api_rq *r, struct sk_val **doc)
{
    struct sk_error *e = NULL;
    sk_err rc;
    struct sk_patch_schema ps = sk_patch_schema_for_kind(r->kind);
    bool scale = r->sub && !strcmp(r->sub, "scale");
    if (r->patch_type == patch_types[0])
        rc = sk_json_patch(doc, r->body, &e);
    else if (r->patch_type == patch_types[1])
        rc = sk_merge_patch(doc, r->body, &e);
    else
        rc = sk_strategic_merge(doc, r->body, scale ? NULL : &ps, &e);
    if (!rc) return true;
    const char *msg = sk_error_msg(e, rc);
    if (rc == SK_ETOOBIG) {
        sk_api_fail(r, 413, "RequestEntityTooLarge", msg, NULL);
    } else if (rc == SK_EINVAL && r->patch_type == patch_types[0]) {
        struct sk_causes c = {0};
        sk_causes_add(&c, "", "FieldValueInvalid", "%s", msg);
        struct sk_api_details d = {
                .name = r->name, .group = r->kind->group, .kind = r->kind->kind, .causes = &c};
        sk_api_fail(r, 422, "Invalid", SK_JSON_PATCH_REJECTED, &d);
        sk_causes_free(&c);
    } else {
        sk_api_fail_badrequest(r, msg);
    }
    sk_error_free(e);
    return false;
}

static bool apply_options_ok(struct sk_api_rq *r)
{
    const char *fm = sk_http_req_query_param(r->req, "fieldManager");
    if (fm && *fm) return true;
    struct sk_causes c = {0};
    sk_causes_add(&c, "fieldManager", "FieldValueRequired",
                  "Required value: is required for apply patch");
    struct sk_api_details d = {.group = "meta.k8s.io", .kind = "PatchOptions", .causes = &c};
    sk_api_fail(r, 422, "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is "
                "required for apply patch",
                &d);
    sk_causes_free(&c);
    return false;
}

/* "apps/v1, Kind=Deployment", "/v1, Kind=Pod" */
static char *gvk_text(const struct sk_kind *k)
{
    return sk_xasprintf("%s/%s, Kind=%s", k->group, k->version, k->kind);
}

static void fail_conflicts(struct sk_api_rq *r, const struct sk_mconflicts *mc)
{
    struct sk_causes c = {0};
    for (size_t i = 0; i < mc->n; i++)
        sk_causes_add(&c, mc->v[i].path, "FieldManagerConflict", "conflict with %s",
                      mc->v[i].manager);
    char *msg = sk_mconflicts_message(mc);
    struct sk_api_details d = {.causes = &c};
    sk_api_fail(r, 409, "Conflict", msg, &d);
    free(msg);
    sk_causes_free(&c);
}

/* Server-side apply of r->body onto live (NULL: it does not exist yet).
 * Returns the new object, or NULL after responding. */
static struct sk_val *server_side_apply(struct sk_api_rq *r, const struct sk_val *live)
{
    if (sk_val_at(r->body, "metadata", "managedFields", NULL)) {
        sk_api_fail_badrequest(r, "metadata.managedFields must be nil");
        return NULL;
    }
    const char *fp = sk_http_req_query_param(r->req, "force");
    bool force = fp && !strcmp(fp, "true");
    struct sk_mop op;
    char now[32];
    char *manager;
    sk_api_managed_op(r, &op, now, &manager);
    struct sk_mschema sc = {.kind = r->kind};
    struct sk_mconflicts mc = {0};
    struct sk_val *out = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_managed_apply(&sc, live, r->body, &op, force, &out, &mc, &e);
    free(manager);
    if (rc == SK_ECONFLICT) {
        fail_conflicts(r, &mc);
    } else if (rc) {
        char *gvk = gvk_text(r->kind);
        char *msg = sk_xasprintf("failed to create typed patch object (%s/%s; %s): %s",
                                 r->ns ? r->ns : "", r->name, gvk, sk_error_msg(e, rc));
        /* kube-apiserver passes this error through unconverted: a 500
         * without a reason */
        sk_api_fail(r, 500, "", msg, NULL);
        free(msg);
        free(gvk);
    }
    sk_mconflicts_free(&mc);
    sk_error_free(e);
    if (!rc) r->managed_done = true;
    return out;
}

void sk_api_patch(struct sk_api_rq *r)
{
    r->managed_done = false;
    bool scale = r->sub && !strcmp(r->sub, "scale");
    if (!r->body) {
        r->patch_type = patch_type(sk_http_req_header(r->req, "Content-Type"));
        if (!r->patch_type) {
            sk_api_fail(r, 415, "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types "
                        "include: application/json-patch+json, application/merge-patch+json, "
                        "application/apply-patch+yaml, application/strategic-merge-patch+json",
                        NULL);
            return;
        }
        if (is_apply(r) && !apply_options_ok(r)) return;
        if (!decode_patch(r)) return;
    }
    struct sk_store_obj *o = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, r->res, r->ns, r->name, &o, &e);
    if (rc == SK_ENOENT && is_apply(r) && !r->sub) {
        /* apply creates what does not exist yet */
        sk_error_free(e);
        const char *bn = sk_val_str_at(r->body, "metadata", "name", NULL);
        if (bn && strcmp(bn, r->name) != 0) {
            char *msg = sk_xasprintf("the name of the object (%s) does not match the name on "
                                     "the URL (%s)",
                                     bn, r->name);
            sk_api_fail_badrequest(r, msg);
            free(msg);
            return;
        }
        r->obj = server_side_apply(r, NULL);
        if (!r->obj) return;
        sk_val_set_at(r->obj, sk_val_str(r->name), "metadata", "name", NULL);
        sk_api_create_prepared(r);
        return;
    }
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
        sk_error_free(e);
        return;
    }
    const struct sk_val *old = sk_store_obj_val(o);
    uint64_t rev = o->rev;
    const char *cur_rv = sk_val_str_at(old, "metadata", "resourceVersion", NULL);
    struct sk_val *doc;
    if (scale) {
        doc = sk_api_scale_of(r->kind, old);
    } else {
        doc = sk_val_dup(old);
        sk_api_set_type(r->kind, doc);
    }
    if (is_apply(r) && !scale) {
        struct sk_val *applied = server_side_apply(r, doc);
        sk_val_free(doc);
        if (!applied) {
            sk_store_obj_unref(o);
            return;
        }
        doc = applied;
    } else if (!apply_patch(r, &doc)) {
        sk_val_free(doc);
        sk_store_obj_unref(o);
        return;
    }
    if (!sk_val_is(doc, SK_V_MAP)) {
        sk_val_free(doc);
        sk_store_obj_unref(o);
        sk_api_fail_badrequest(r, "the patched object is not an object");
        return;
    }
    /* A resourceVersion the patch set is the client's precondition; the
     * one read here is ours, and a conflict on it means "try again". */
    const char *new_rv = sk_val_str_at(doc, "metadata", "resourceVersion", NULL);
    if (new_rv && cur_rv && !strcmp(new_rv, cur_rv)) {
        struct sk_val *m = sk_map_get(doc, "metadata");
        sk_map_del(m, "resourceVersion");
    }
    if (scale) {
        sk_api_update_scale(r, doc, old, rev);
        sk_val_free(doc);
        sk_store_obj_unref(o);
        return;
    }
    r->obj = doc;
    const char *bn = sk_val_str_at(doc, "metadata", "name", NULL);
    if (!bn || strcmp(bn, r->name) != 0) {
        sk_store_obj_unref(o);
        char *msg = sk_xasprintf("the name of the object (%s) does not match the name on the URL "
                                 "(%s)",
                                 bn ? bn : "", r->name);
        sk_api_fail_badrequest(r, msg);
        free(msg);
        return;
    }
    const char *bns = sk_val_str_at(doc, "metadata", "namespace", NULL);
    if (r->kind->namespaced && (!bns || strcmp(bns, r->ns) != 0)) {
        sk_store_obj_unref(o);
        sk_api_fail_badrequest(r, "the namespace of the provided object does not match the "
                                  "namespace sent on the request");
        return;
    }
    /* warnings and strictness concern what the client sent; the stored
     * part is known good, so check the result only once */
    if (r->retries == 0 && !sk_api_check_body(r, doc)) {
        sk_store_obj_unref(o);
        return;
    }
    sk_api_update_prepared(r, old, rev);
    sk_store_obj_unref(o);
}
