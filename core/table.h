/* Server-side printing: the meta.k8s.io/v1 Table kube-apiserver returns
 * when a client's Accept asks for `as=Table` (what kubectl get does), with
 * the columns and cell texts of Kubernetes' own printers for each kind,
 * the pod STATUS and RESTARTS logic kubectl users know, and human ages.
 * Pure functions: the current time is a parameter. Any thread. */
#ifndef SK_TABLE_H
#define SK_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "schema.h"
#include "val.h"

/* What each row's "object" holds (the includeObject query parameter). */
enum sk_table_include {
    SK_TABLE_INCLUDE_NONE = 0, /* "object": null */
    SK_TABLE_INCLUDE_METADATA, /* PartialObjectMetadata (the default) */
    SK_TABLE_INCLUDE_OBJECT,   /* the whole object */
};

/* includeObject's value: NULL or "" is Metadata; "None", "Metadata",
 * "Object" as spelled; anything else -1 (the API answers 400 BadRequest). */
int sk_table_include_parse(const char *s);

/* Build a Table of the n objects (all of kind k; a single GET is n = 1)
 * into *out (caller owns): kind Table, apiVersion meta.k8s.io/v1,
 * metadata {} (see sk_table_set_list_meta), columnDefinitions (name, type,
 * format, description, priority; priority 1 columns are the ones
 * `kubectl get -o wide` adds) and one row per object with cells of every
 * column, wide ones included, as kube-apiserver always sends them. Ages
 * are measured against now_unix (seconds). Objects are only read; bad or
 * missing fields print as Kubernetes prints zero values. Returns SK_EINVAL
 * only when k is NULL or objs is NULL with n > 0. */
sk_err sk_table_build(const struct sk_kind *k, struct sk_val *const *objs, size_t n,
                      enum sk_table_include include_object, int64_t now_unix, struct sk_val **out);

/* Copy a list's metadata into the table: resourceVersion and continue
 * (NULL or "" leave them out) and remainingItemCount (< 0 leaves it out). */
void sk_table_set_list_meta(struct sk_val *table, const char *resource_version,
                            const char *continue_token, int64_t remaining_item_count);

/* Watch events after the first carry no column definitions
 * (TableOptions.NoHeaders): this sets "columnDefinitions" to null. */
void sk_table_drop_headers(struct sk_val *table);

/* apimachinery's duration.HumanDuration of seconds: "0s", "45s", "119s",
 * "3m4s", "15m", "5h3m", "26h", "2d3h", "30d", "2y14d", "9y"; below -1s
 * "<invalid>". buf holds 32 bytes; returns the length. */
size_t sk_human_duration(int64_t seconds, char *buf);

/* ---- internal to core/table*.c ---- */

struct sk_tbl_col {
    const char *name, *type, *format, *description;
    int priority;
};

/* A printer: column definitions (NULL-name ended) and a row filler that
 * appends every cell to the cells array and may add row conditions. */
typedef void sk_tbl_row_fn(const struct sk_val *obj, int64_t now, struct sk_val *cells,
                           struct sk_val *row);
struct sk_tbl_printer {
    const char *group, *kind;
    const struct sk_tbl_col *cols;
    sk_tbl_row_fn *row;
};
/* The printers of table_kinds.c, ended by a NULL kind. */
extern const struct sk_tbl_printer sk_tbl_kind_printers[];

/* Helpers shared by the printers. Strings returned are borrowed or "". */
const char *sk_tbl_str(const struct sk_val *m, const char *path); /* dotted map path */
int64_t sk_tbl_int(const struct sk_val *m, const char *path, int64_t fallback);
const struct sk_val *sk_tbl_get(const struct sk_val *m, const char *path);
/* Age of an RFC 3339 time string against now: HumanDuration or "<unknown>"
 * when ts is missing or unparseable. */
struct sk_val *sk_tbl_since(const char *ts, int64_t now);
struct sk_val *sk_tbl_age(const struct sk_val *obj, int64_t now);
/* labels.FormatLabels: "k=v,..." sorted by key, "<none>" when empty. */
struct sk_val *sk_tbl_labels(const struct sk_val *map);
/* metav1.FormatLabelSelector: "<none>" when empty, "<error>" when bad. */
struct sk_val *sk_tbl_selector(const struct sk_val *sel);
/* Containers' names and images, comma-joined, of a PodSpec. */
void sk_tbl_containers(const struct sk_val *podspec, struct sk_val *cells);

#endif
