/* The Table framework: column definitions, rows with the object or its
 * metadata, list metadata, human durations, and the helpers the per-kind
 * printers in table_kinds.c share. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "quantity.h"
#include "selector.h"
#include "table.h"

/* ---- durations ---- */

size_t sk_human_duration(int64_t seconds, char *buf)
{
    /* a clock a second off still reads as "now" */
    if (seconds < -1) return (size_t)snprintf(buf, 32, "<invalid>");
    if (seconds < 0) return (size_t)snprintf(buf, 32, "0s");
    if (seconds < 60 * 2) return (size_t)snprintf(buf, 32, "%" PRId64 "s", seconds);
    int64_t minutes = seconds / 60;
    if (minutes < 10) {
        int64_t s = seconds % 60;
        if (!s) return (size_t)snprintf(buf, 32, "%" PRId64 "m", minutes);
        return (size_t)snprintf(buf, 32, "%" PRId64 "m%" PRId64 "s", minutes, s);
    }
    if (minutes < 60 * 3) return (size_t)snprintf(buf, 32, "%" PRId64 "m", minutes);
    int64_t hours = seconds / 3600;
    if (hours < 8) {
        int64_t m = minutes % 60;
        if (!m) return (size_t)snprintf(buf, 32, "%" PRId64 "h", hours);
        return (size_t)snprintf(buf, 32, "%" PRId64 "h%" PRId64 "m", hours, m);
    }
    if (hours < 48) return (size_t)snprintf(buf, 32, "%" PRId64 "h", hours);
    if (hours < 24 * 8) {
        int64_t h = hours % 24;
        if (!h) return (size_t)snprintf(buf, 32, "%" PRId64 "d", hours / 24);
        return (size_t)snprintf(buf, 32, "%" PRId64 "d%" PRId64 "h", hours / 24, h);
    }
    if (hours < 24 * 365 * 2) return (size_t)snprintf(buf, 32, "%" PRId64 "d", hours / 24);
    if (hours < 24 * 365 * 8) {
        int64_t dy = (hours / 24) % 365;
        if (!dy) return (size_t)snprintf(buf, 32, "%" PRId64 "y", hours / 24 / 365);
        return (size_t)snprintf(buf, 32, "%" PRId64 "y%" PRId64 "d", hours / 24 / 365, dy);
    }
    return (size_t)snprintf(buf, 32, "%" PRId64 "y", hours / 24 / 365);
}

/* ---- helpers for printers ---- */

const struct sk_val *sk_tbl_get(const struct sk_val *m, const char *path)
{
    const struct sk_val *v = m;
    const char *p = path;
    while (v && *p) {
        size_t n = strcspn(p, ".");
        if (v->type != SK_V_MAP) return NULL;
        v = sk_map_getn(v, p, n);
        p += n;
        if (*p == '.') p++;
    }
    return v && v->type != SK_V_NULL ? v : NULL;
}

const char *sk_tbl_str(const struct sk_val *m, const char *path)
{
    const char *s = sk_val_cstr(sk_tbl_get(m, path));
    return s ? s : "";
}

int64_t sk_tbl_int(const struct sk_val *m, const char *path, int64_t fallback)
{
    return sk_val_to_int(sk_tbl_get(m, path), fallback);
}

struct sk_val *sk_tbl_since(const char *ts, int64_t now)
{
    struct sk_time t;
    if (!ts || !*ts || sk_time_parse(ts, &t, NULL) != SK_OK || sk_time_is_zero(t))
        return sk_val_str("<unknown>");
    char buf[32];
    sk_human_duration(now - t.sec, buf);
    return sk_val_str(buf);
}

struct sk_val *sk_tbl_age(const struct sk_val *obj, int64_t now)
{
    return sk_tbl_since(sk_tbl_str(obj, "metadata.creationTimestamp"), now);
}

struct sk_val *sk_tbl_labels(const struct sk_val *map)
{
    if (!map || map->type != SK_V_MAP || !sk_map_len(map)) return sk_val_str("<none>");
    struct sk_labelsel *sel = sk_labelsel_from_set(map);
    char *s = sk_labelsel_string(sel);
    sk_labelsel_free(sel);
    struct sk_val *v = sk_val_str(*s ? s : "<none>");
    free(s);
    return v;
}

struct sk_val *sk_tbl_selector(const struct sk_val *sel)
{
    if (!sel || sel->type != SK_V_MAP ||
        (!sk_map_len(sk_tbl_get(sel, "matchLabels")) &&
         !sk_arr_len(sk_tbl_get(sel, "matchExpressions"))))
        return sk_val_str("<none>");
    struct sk_labelsel *ls = NULL;
    if (sk_labelsel_from_val(sel, &ls, NULL) != SK_OK) return sk_val_str("<error>");
    char *s = sk_labelsel_string(ls);
    sk_labelsel_free(ls);
    struct sk_val *v = sk_val_str(s);
    free(s);
    return v;
}

void sk_tbl_containers(const struct sk_val *podspec, struct sk_val *cells)
{
    struct sk_buf names = {0}, images = {0};
    const struct sk_val *cs = sk_tbl_get(podspec, "containers");
    for (size_t i = 0; i < sk_arr_len(cs); i++) {
        const struct sk_val *c = sk_arr_get(cs, i);
        if (i) {
            sk_buf_putc(&names, ',');
            sk_buf_putc(&images, ',');
        }
        sk_buf_puts(&names, sk_tbl_str(c, "name"));
        sk_buf_puts(&images, sk_tbl_str(c, "image"));
    }
    sk_buf_putc(&names, '\0');
    sk_buf_putc(&images, '\0');
    sk_arr_push(cells, sk_val_str(names.p));
    sk_arr_push(cells, sk_val_str(images.p));
    sk_buf_free(&names);
    sk_buf_free(&images);
}

/* ---- the default printer: NAME and AGE ---- */

static const struct sk_tbl_col default_cols[] = {
        {"Name", "string", "name", "Name of the object, unique in its namespace.", 0},
        {"Created At", "date", "", "When the object was created.", 0},
        {0},
};

static void default_row(const struct sk_val *obj, int64_t now, struct sk_val *cells,
                        struct sk_val *row)
{
    (void)now, (void)row;
    sk_arr_push(cells, sk_val_str(sk_tbl_str(obj, "metadata.name")));
    /* kube-apiserver's fallback printer for kinds without columns prints
     * the creation time itself in a "date" column (kubectl shows it as
     * CREATED AT) */
    const char *ts = sk_tbl_str(obj, "metadata.creationTimestamp");
    sk_arr_push(cells, *ts ? sk_val_str(ts) : sk_val_null());
}

static const struct sk_tbl_printer default_printer = {"", "", default_cols, default_row};

static const struct sk_tbl_printer *find_printer(const struct sk_kind *k)
{
    for (const struct sk_tbl_printer *p = sk_tbl_kind_printers; p->kind; p++)
        if (!strcmp(p->group, k->group) && !strcmp(p->kind, k->kind)) return p;
    return &default_printer;
}

/* ---- tables ---- */

int sk_table_include_parse(const char *s)
{
    if (!s || !*s || !strcmp(s, "Metadata")) return SK_TABLE_INCLUDE_METADATA;
    if (!strcmp(s, "None")) return SK_TABLE_INCLUDE_NONE;
    if (!strcmp(s, "Object")) return SK_TABLE_INCLUDE_OBJECT;
    return -1;
}

static struct sk_val *row_object(const struct sk_kind *k, const struct sk_val *obj,
                                 enum sk_table_include inc)
{
    if (inc == SK_TABLE_INCLUDE_OBJECT) {
        struct sk_val *o = sk_val_dup(obj);
        /* stored objects carry kind and apiVersion, but make sure */
        if (o->type == SK_V_MAP && !sk_map_get(o, "kind")) {
            sk_map_set(o, "kind", sk_val_str(k->kind));
            sk_map_set(o, "apiVersion", sk_val_str(sk_kind_api_version(k)));
        }
        return o;
    }
    if (inc == SK_TABLE_INCLUDE_METADATA) {
        struct sk_val *m = sk_val_map();
        sk_map_set(m, "kind", sk_val_str("PartialObjectMetadata"));
        sk_map_set(m, "apiVersion", sk_val_str("meta.k8s.io/v1"));
        const struct sk_val *md = sk_map_get(obj, "metadata");
        sk_map_set(m, "metadata", md && md->type == SK_V_MAP ? sk_val_dup(md) : sk_val_map());
        return m;
    }
    return sk_val_null();
}

sk_err sk_table_build(const struct sk_kind *k, struct sk_val *const *objs, size_t n,
                      enum sk_table_include include_object, int64_t now_unix, struct sk_val **out)
{
    *out = NULL;
    if (!k || (!objs && n)) return SK_EINVAL;
    const struct sk_tbl_printer *p = find_printer(k);
    struct sk_val *t = sk_val_map();
    sk_map_set(t, "kind", sk_val_str("Table"));
    sk_map_set(t, "apiVersion", sk_val_str("meta.k8s.io/v1"));
    sk_map_set(t, "metadata", sk_val_map());
    struct sk_val *cols = sk_map_set(t, "columnDefinitions", sk_val_arr());
    for (const struct sk_tbl_col *c = p->cols; c->name; c++) {
        struct sk_val *cd = sk_arr_push(cols, sk_val_map());
        sk_map_set(cd, "name", sk_val_str(c->name));
        sk_map_set(cd, "type", sk_val_str(c->type));
        sk_map_set(cd, "format", sk_val_str(c->format ? c->format : ""));
        sk_map_set(cd, "description", sk_val_str(c->description));
        sk_map_set(cd, "priority", sk_val_int(c->priority));
    }
    struct sk_val *rows = sk_map_set(t, "rows", sk_val_arr());
    for (size_t i = 0; i < n; i++) {
        const struct sk_val *obj = objs[i];
        if (!obj || obj->type != SK_V_MAP) continue;
        struct sk_val *row = sk_arr_push(rows, sk_val_map());
        struct sk_val *cells = sk_map_set(row, "cells", sk_val_arr());
        p->row(obj, now_unix, cells, row);
        sk_map_set(row, "object", row_object(k, obj, include_object));
    }
    *out = t;
    return SK_OK;
}

void sk_table_set_list_meta(struct sk_val *table, const char *resource_version,
                            const char *continue_token, int64_t remaining_item_count)
{
    struct sk_val *md = sk_map_set(table, "metadata", sk_val_map());
    if (resource_version && *resource_version)
        sk_map_set(md, "resourceVersion", sk_val_str(resource_version));
    if (continue_token && *continue_token) sk_map_set(md, "continue", sk_val_str(continue_token));
    if (remaining_item_count >= 0)
        sk_map_set(md, "remainingItemCount", sk_val_int(remaining_item_count));
}

void sk_table_drop_headers(struct sk_val *table)
{
    sk_map_set(table, "columnDefinitions", sk_val_null());
}
