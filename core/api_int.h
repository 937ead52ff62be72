/* Private to the API's files (api*.c): the server state, the per-request
 * context the router fills in, and the helpers they share. */
#ifndef SK_API_INT_H
#define SK_API_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "http.h"
#include "schema.h"
#include "selector.h"
#include "store.h"
#include "val.h"

#define SK_API_WHO "api"

/* fieldValidation */
enum { SK_API_FV_IGNORE = 0, SK_API_FV_WARN, SK_API_FV_STRICT };
/* How a response body is written. Tables are meta.k8s.io/v1 Tables for
 * reads (table.h); watch events use the _NOHEAD form after the first. */
enum { SK_API_OUT_JSON = 0, SK_API_OUT_YAML, SK_API_OUT_TABLE, SK_API_OUT_TABLE_NOHEAD };
#define SK_API_CT_TABLE "application/json;as=Table;v=v1;g=meta.k8s.io"

struct sk_api_watch;
struct sk_discovery;
struct sk_nh_client;
struct sk_openapi;

/* Encoded watch events, shared by every watcher that gets the same event:
 * the store hands the same object to each of them in turn, so a small
 * ring keyed by (object, type, form) turns N encodings into one. */
#define SK_API_ENC_RING 64
struct sk_api_enc {
    struct sk_store_obj *obj; /* referenced while cached */
    int type;
    int form;
    char *bytes;
    size_t len;
};

/* Encoded JSON of stored objects by revision (a revision names exactly one
 * object version, so the bytes never go stale): LIST and GET of objects
 * that did not change copy bytes instead of converting msgpack again.
 * Direct-mapped; workers share it under the lock. */
#define SK_API_JCACHE_SLOTS 16384
struct sk_api_jslot {
    uint64_t rev;
    char *bytes;
    size_t len;
};
struct sk_api_jcache {
    pthread_mutex_t mu;
    struct sk_api_jslot *slots;
    size_t bytes, max_bytes;
};

struct sk_api {
    struct sk_loop *loop;
    struct sk_work_pool *pool;
    struct sk_store *store;
    struct sk_http_server *srv;
    struct sk_discovery *disc;
    struct sk_openapi *oapi;
    char *token;
    size_t token_len;
    char *node_name;
    int refs; /* the owner's plus one per request in flight */
    bool closing;
    struct sk_api_watch *watches; /* open watch streams */
    struct sk_timer *bookmark_timer;
    double bookmark_interval;
    struct sk_api_enc enc[SK_API_ENC_RING];
    unsigned enc_next;
    struct sk_api_stats st;
    struct sk_api_jcache jc;
    struct sk_buf scratch; /* loop thread: GET responses */
    /* node HTTP requester ("core.api"); NULL without a bus */
    struct sk_nh_client *nh;
    size_t max_proxy_body;
};

/* One request, from routing to its response. */
struct sk_api_rq {
    struct sk_api *api;
    struct sk_http_req *req;
    const char *method;
    const struct sk_kind *kind;          /* resource requests */
    char res[SK_STORE_MAX_RESOURCE + 1]; /* store resource: "pods", "apps/deployments" */
    char *ns, *name, *sub;               /* NULL when absent (owned) */
    int out;                             /* SK_API_OUT_* */
    int include;                         /* tables: enum sk_table_include */
    bool pretty;
    bool dry_run;
    int fv;    /* SK_API_FV_* */
    bool gone; /* the client went away */
    int retries;
    /* state of a write in flight */
    struct sk_val *body;    /* the decoded body (patch: the patch) */
    struct sk_val *obj;     /* the object to write */
    struct sk_val *scale;   /* scale subresource writes: the Scale to return */
    const char *patch_type; /* PATCH content type */
    bool rv_given;          /* the client set a resourceVersion precondition */
    bool create_on_update;  /* apply: no object yet */
    bool managed_done;      /* apply set managedFields; no Update entry to add */
    int generate_tries;
    /* list/watch options */
    struct sk_labelsel *lsel;
    struct sk_fieldsel *fsel;
};

/* ---- api.c ---- */
void sk_api_ref(struct sk_api *api);
void sk_api_unref(struct sk_api *api);
/* End of a request's life: frees rq (its response was sent or aborted). */
void sk_api_rq_free(struct sk_api_rq *r);
/* The request carries the admin bearer token (or auth is off). */
bool sk_api_authorized(const struct sk_api *api, const struct sk_http_req *req);
/* "Deployment.apps", "Pod" */
void sk_api_qualified_kind(const struct sk_kind *k, char *buf, size_t cap);

/* ---- api_status.c: responses ---- */
struct sk_api_details {
    const char *name;
    const char *group;
    const char *kind;
    const char *uid;
    const struct sk_causes *causes;
};
/* Append a Status object (one JSON line without newline) to b. */
void sk_api_status_json(struct sk_buf *b, bool success, int code, const char *reason,
                        const char *message, const struct sk_api_details *d);
/* Respond with a failure Status and free r. d may be NULL (no details);
 * an empty details object is sent when d points at an all-NULL struct. */
void sk_api_fail(struct sk_api_rq *r, int code, const char *reason, const char *message,
                 const struct sk_api_details *d);
/* Map a store or pipeline error to its Status and respond; name is the
 * object's name for the details. */
void sk_api_fail_err(struct sk_api_rq *r, sk_err code, const char *message, const char *name);
/* 422 Invalid with causes. */
void sk_api_fail_invalid(struct sk_api_rq *r, const char *name, const struct sk_causes *c);
void sk_api_fail_badrequest(struct sk_api_rq *r, const char *message);
void sk_api_not_found_path(struct sk_api_rq *r);
void sk_api_method_not_allowed(struct sk_api_rq *r);
/* Respond with obj in the request's output form and free r. */
void sk_api_respond_val(struct sk_api_rq *r, int code, const struct sk_val *obj);
/* Respond with ready bytes (JSON) and free r. */
void sk_api_respond_json(struct sk_api_rq *r, int code, const char *body, size_t len);
/* Write obj in form (SK_API_OUT_JSON or _YAML) to b, with a newline. */
void sk_api_write_val(const struct sk_val *obj, int form, bool pretty, struct sk_buf *b);
/* The body for errors the HTTP layer answers itself. */
char *sk_api_http_error(int status, const char *message, const char **content_type, size_t *len,
                        void *arg);
/* Add a `Warning: 299 - "text"` header. */
void sk_api_warn(struct sk_api_rq *r, const char *text);

/* ---- api_crud.c ---- */
void sk_api_get(struct sk_api_rq *r);
void sk_api_list(struct sk_api_rq *r);
void sk_api_create(struct sk_api_rq *r);
void sk_api_update(struct sk_api_rq *r);
/* PUT namespaces/{name}/finalize: only spec.finalizers changes. */
void sk_api_namespace_finalize(struct sk_api_rq *r);
void sk_api_delete(struct sk_api_rq *r);
void sk_api_delete_collection(struct sk_api_rq *r);
/* Parse labelSelector/fieldSelector into r; responds 400 and returns false
 * on a bad one. */
bool sk_api_parse_selectors(struct sk_api_rq *r);
bool sk_api_match(const struct sk_val *obj, void *arg);

/* ---- api_json.c: repeated keys in a JSON body ---- */
struct sk_json_dups;
/* Per fieldValidation: Ignore accepts, Warn adds `duplicate field "<path>"`
 * warnings, Strict answers 400 with the strict decoding error (with obj's
 * unknown fields too when with_unknown). A repeated key that is also an
 * unknown field is named once, as unknown. Responds and returns false on
 * refusal. Loop thread. */
bool sk_api_body_dups(struct sk_api_rq *r, const struct sk_json_dups *d, const struct sk_val *obj,
                      bool with_unknown);

/* ---- api_write.c: the admission pipeline ---- */
/* Decode the request body by its Content-Type into *out (a map). Responds
 * (415 or 400) and returns false on failure. */
bool sk_api_decode_body(struct sk_api_rq *r, struct sk_val **out);
/* Type check, unknown fields (warn or refuse per fieldValidation),
 * apiVersion/kind. Responds and returns false on failure. */
bool sk_api_check_body(struct sk_api_rq *r, struct sk_val *obj);
/* Defaulting, preparation and validation of r->obj against old (NULL on
 * create); responds 422 and returns false on failure. */
bool sk_api_admit(struct sk_api_rq *r, const struct sk_val *old);
/* Submit r->obj as an update of old (stored at rev); the response (the new
 * object, or for a scale write the Scale) is sent when it is on disk. */
void sk_api_submit_update(struct sk_api_rq *r, const struct sk_val *old, uint64_t rev);
/* Create r->obj (decoded, not yet checked): the create path after the
 * body is read. */
void sk_api_create_prepared(struct sk_api_rq *r);
/* Start (or restart after a conflict) a create of r->obj. */
void sk_api_submit_create(struct sk_api_rq *r);
/* Check and submit r->obj, a full new object, as an update of old (read
 * at rev; 0 = no precondition beyond the object's own resourceVersion). */
void sk_api_update_prepared(struct sk_api_rq *r, const struct sk_val *old, uint64_t rev);
/* The same for a Scale written to the scale subresource. */
void sk_api_update_scale(struct sk_api_rq *r, const struct sk_val *scale, const struct sk_val *old,
                         uint64_t rev);
/* The Scale object of a stored object with a scale subresource. */
struct sk_val *sk_api_scale_of(const struct sk_kind *k, const struct sk_val *obj);

/* The request's field manager: fieldManager, else from the User-Agent
 * (managed.h). Caller frees. */
char *sk_api_field_manager(struct sk_api_rq *r);
/* Fill op for a write of r (manager, apiVersion, subresource, time);
 * *manager is the string op points at, for the caller to free. */
struct sk_mop;
void sk_api_managed_op(struct sk_api_rq *r, struct sk_mop *op, char now[32], char **manager);

/* ---- api_patch.c ---- */
void sk_api_patch(struct sk_api_rq *r);

/* ---- api_watch.c ---- */
void sk_api_watch(struct sk_api_rq *r);
/* End every watch stream (sk_api_free). */
void sk_api_watch_close_all(struct sk_api *api);
void sk_api_enc_clear(struct sk_api *api);

/* ---- api_node.c: node HTTP over the bus ---- */
/* nodes/{name}/proxy[/path]: answers and returns true when r's path is
 * one (after authentication), else false. */
bool sk_api_node_proxy(struct sk_api_rq *r);
/* GET pods/{name}/log (r->ns, r->name set). */
void sk_api_pod_log(struct sk_api_rq *r);
/* Where node `name`'s HTTP is served (SK_NH_ENDPOINT or a peer's), or NULL
 * after answering r (404 unknown node, 503 unreachable). */
const char *sk_api_node_endpoint(struct sk_api_rq *r, const char *name);
/* kube-apiserver's container choice for log, exec and attach: requested
 * (NULL or "": the only container) checked against the pod's containers.
 * Returns the name (borrowed from pod or requested), or NULL with
 * kube-apiserver's 400 message in msg. */
const char *sk_api_pod_container(const struct sk_val *pod, const char *pod_name,
                                 const char *requested, char *msg, size_t cap);

/* ---- api_exec.c: pods/exec and pods/attach over WebSocket ---- */
/* GET or POST pods/{name}/exec or attach (r->sub says which). */
void sk_api_pod_stream(struct sk_api_rq *r);
/* The HTTP server's body limit hook: api.max-proxy-body for an
 * authenticated nodes/proxy request. */
size_t sk_api_body_limit(const struct sk_http_req *req, void *arg);

/* ---- api_json.c ---- */
/* Append stored msgpack object bytes as JSON, straight from msgpack:
 * the same bytes sk_json_write would give for the decoded tree; with
 * api_version set, the top-level map gets apiVersion and kind first.
 * Returns false on malformed input (out is left as it was). */
bool sk_api_msgpack_to_json(const char *p, size_t n, const char *api_version, const char *kind,
                            struct sk_buf *out);
/* A stored object as the API shows it (apiVersion and kind of k first),
 * in form, with a trailing newline. */
/* A Table of n objects of r's kind, as compact JSON with a newline;
 * list_rev/cont add list metadata (0/NULL: none); nohead drops the column
 * definitions. Any thread. */
void sk_api_write_table(const struct sk_kind *k, int include, const struct sk_val *const *objs,
                        size_t n, uint64_t list_rev, const char *cont, bool nohead,
                        struct sk_buf *b);
/* Append o as compact JSON (apiVersion and kind of k first, no newline),
 * from the cache when it is there. False when o does not decode. Any
 * thread. */
bool sk_api_obj_json(struct sk_api *api, const struct sk_kind *k, struct sk_store_obj *o,
                     struct sk_buf *b);
/* Pin the cached JSON of the object version written at rev: NULL when it
 * is not cached, else bytes (*len of them) that stay valid until unpinned
 * with sk_api_jcache_unpin (NULL entries are skipped). Any thread. */
const char *sk_api_jcache_pin(struct sk_api *api, uint64_t rev, size_t *len);
void sk_api_jcache_unpin(struct sk_api *api, const char *const *bytes, size_t n);
void sk_api_jcache_init(struct sk_api_jcache *c);
void sk_api_jcache_free(struct sk_api_jcache *c);
/* Put apiVersion and kind of k at the front of obj (a map). */
void sk_api_set_type(const struct sk_kind *k, struct sk_val *obj);
void sk_api_write_obj(const struct sk_kind *k, struct sk_store_obj *o, int form, bool pretty,
                      struct sk_buf *b);

#endif
