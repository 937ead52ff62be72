/* Responses: objects in the negotiated form, and errors as the Status
 * objects kube-apiserver sends, with its reasons, codes and details, so
 * that clients map them to the same errors (kubectl's "Error from server
 * (NotFound): ...", client-go's IsConflict, ...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "json.h"
#include "log.h"
#include "mem.h"
#include "yaml.h"

static struct sk_val *status_val(bool success, int code, const char *reason, const char *message,
                                 const struct sk_api_details *d)
{
    struct sk_val *v = sk_val_map();
    sk_map_set(v, "kind", sk_val_str("Status"));
    sk_map_set(v, "apiVersion", sk_val_str("v1"));
    sk_map_set(v, "metadata", sk_val_map());
    sk_map_set(v, "status", sk_val_str(success ? "Success" : "Failure"));
    if (message && *message) sk_map_set(v, "message", sk_val_str(message));
    if (reason && *reason) sk_map_set(v, "reason", sk_val_str(reason));
    if (d) {
        struct sk_val *dv = sk_map_set(v, "details", sk_val_map());
        if (d->name && *d->name) sk_map_set(dv, "name", sk_val_str(d->name));
        if (d->group && *d->group) sk_map_set(dv, "group", sk_val_str(d->group));
        if (d->kind && *d->kind) sk_map_set(dv, "kind", sk_val_str(d->kind));
        if (d->uid && *d->uid) sk_map_set(dv, "uid", sk_val_str(d->uid));
        if (d->causes && d->causes->n) {
            struct sk_val *cs = sk_map_set(dv, "causes", sk_val_arr());
            for (size_t i = 0; i < d->causes->n; i++) {
                const struct sk_cause *c = &d->causes->v[i];
                struct sk_val *cv = sk_arr_push(cs, sk_val_map());
                if (c->reason && *c->reason) sk_map_set(cv, "reason", sk_val_str(c->reason));
                if (c->message && *c->message) sk_map_set(cv, "message", sk_val_str(c->message));
                if (c->field && *c->field) sk_map_set(cv, "field", sk_val_str(c->field));
            }
        }
    }
    if (code) sk_map_set(v, "code", sk_val_int(code));
    return v;
}

void sk_api_status_json(struct sk_buf *b, bool success, int code, const char *reason,
                        const char *message, const struct sk_api_details *d)
{
    struct sk_val *v = status_val(success, code, reason, message, d);
    sk_json_write(v, SK_JSON_COMPACT, b);
    sk_val_free(v);
}

void sk_api_write_val(const struct sk_val *obj, int form, bool pretty, struct sk_buf *b)
{
    if (form == SK_API_OUT_YAML) {
        sk_yaml_write(obj, b);
        return;
    }
    sk_json_write(obj, pretty ? SK_JSON_PRETTY : SK_JSON_COMPACT, b);
    sk_buf_putc(b, '\n');
}

static const char *ctype(int form)
{
    return form == SK_API_OUT_YAML ? "application/yaml" : "application/json";
}

void sk_api_respond_val(struct sk_api_rq *r, int code, const struct sk_val *obj)
{
    struct sk_buf b = {0};
    sk_api_write_val(obj, r->out, r->pretty, &b);
    sk_http_respond(r->req, code, ctype(r->out), NULL, b.p, b.len);
    sk_buf_free(&b);
    sk_api_rq_free(r);
}

void sk_api_respond_json(struct sk_api_rq *r, int code, const char *body, size_t len)
{
    sk_http_respond(r->req, code, "application/json", NULL, body, len);
    sk_api_rq_free(r);
}

void sk_api_fail(struct sk_api_rq *r, int code, const char *reason, const char *message,
                 const struct sk_api_details *d)
{
    struct sk_val *v = status_val(false, code, reason, message, d);
    int form = r->out == SK_API_OUT_YAML ? SK_API_OUT_YAML : SK_API_OUT_JSON;
    struct sk_buf b = {0};
    sk_api_write_val(v, form, r->pretty, &b);
    sk_val_free(v);
    if (code >= 500 && code != 503)
        sk_log(SK_LOG_WARN, SK_API_WHO, "%s %s code=%d: %s", r->method, sk_http_req_path(r->req),
               code, message);
    sk_http_respond(r->req, code, ctype(form), NULL, b.p, b.len);
    sk_buf_free(&b);
    sk_api_rq_free(r);
}

void sk_api_fail_badrequest(struct sk_api_rq *r, const char *message)
{
    sk_api_fail(r, 400, "BadRequest", message, NULL);
}

void sk_api_not_found_path(struct sk_api_rq *r)
{
    struct sk_api_details d = {0};
    sk_api_fail(r, 404, "NotFound", "the server could not find the requested resource", &d);
}

void sk_api_method_not_allowed(struct sk_api_rq *r)
{
    sk_api_fail(r, 405, "MethodNotAllowed",
                "the server does not allow this method on the requested resource", NULL);
}

void sk_api_fail_invalid(struct sk_api_rq *r, const char *name, const struct sk_causes *c)
{
    char qk[128];
    sk_api_qualified_kind(r->kind, qk, sizeof(qk));
    char *detail = sk_causes_string(c);
    char *msg = sk_xasprintf("%s \"%s\" is invalid: %s", qk, name ? name : "", detail);
    struct sk_api_details d = {
            .name = name, .group = r->kind->group, .kind = r->kind->kind, .causes = c};
    sk_api_fail(r, 422, "Invalid", msg, &d);
    free(msg);
    free(detail);
}

void sk_api_fail_err(struct sk_api_rq *r, sk_err code, const char *message, const char *name)
{
    const struct sk_kind *k = r->kind;
    struct sk_api_details d = {
            .name = name, .group = k ? k->group : NULL, .kind = k ? k->plural : NULL};
    switch (code) {
    case SK_ENOENT: sk_api_fail(r, 404, "NotFound", message, &d); return;
    case SK_EEXIST: sk_api_fail(r, 409, "AlreadyExists", message, &d); return;
    case SK_ECONFLICT: sk_api_fail(r, 409, "Conflict", message, &d); return;
    case SK_EGONE: sk_api_fail(r, 410, "Expired", message, NULL); return;
    case SK_ETOOBIG: sk_api_fail(r, 413, "RequestEntityTooLarge", message, NULL); return;
    case SK_ECLOSED:
    case SK_EAGAIN: sk_api_fail(r, 503, "ServiceUnavailable", message, NULL); return;
    case SK_EINVAL:
        if (k) {
            /* the store's refusals read "field: what" */
            struct sk_causes c = {0};
            const char *sep = strstr(message, ": ");
            char *field = sep ? sk_xstrndup(message, (size_t)(sep - message)) : NULL;
            const char *reason =
                    strstr(message, "Forbidden") ? "FieldValueForbidden" : "FieldValueInvalid";
            sk_causes_add(&c, field ? field : "", reason, "%s", sep ? sep + 2 : message);
            free(field);
            sk_api_fail_invalid(r, name, &c);
            sk_causes_free(&c);
            return;
        }
        sk_api_fail_badrequest(r, message);
        return;
    default: {
        char *msg = sk_xasprintf("Internal error occurred: %s", message);
        sk_api_fail(r, 500, "InternalError", msg, NULL);
        free(msg);
        return;
    }
    }
}

void sk_api_warn(struct sk_api_rq *r, const char *text)
{
    struct sk_buf b = {0};
    sk_buf_puts(&b, "299 - \"");
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\') sk_buf_putc(&b, '\\');
        if ((unsigned char)*p < 0x20) continue;
        sk_buf_putc(&b, *p);
    }
    sk_buf_putc(&b, '"');
    sk_buf_putc(&b, 0);
    sk_http_req_add_header(r->req, "Warning", b.p);
    sk_buf_free(&b);
}

char *sk_api_http_error(int status, const char *message, const char **content_type, size_t *len,
                        void *arg)
{
    (void)arg;
    const char *reason = "BadRequest";
    char msg[256];
    snprintf(msg, sizeof(msg), "%s", message);
    switch (status) {
    case 408: reason = "Timeout"; break;
    case 413:
        reason = "RequestEntityTooLarge";
        snprintf(msg, sizeof(msg), "Request entity too large: %s", message);
        break;
    case 503: reason = "ServiceUnavailable"; break;
    default: break;
    }
    struct sk_buf b = {0};
    sk_api_status_json(&b, false, status, reason, msg, NULL);
    sk_buf_putc(&b, '\n');
    *content_type = "application/json";
    return sk_buf_take(&b, len);
}
