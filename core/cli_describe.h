/* Private to cli_describe*.c: kubectl's describe prefix writer and the
 * helpers the describers share. */
#ifndef SK_CLI_DESCRIBE_H
#define SK_CLI_DESCRIBE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cli_int.h"

struct dw {
    struct sk_buf seg; /* text since the last flush (tabs and newlines) */
    struct sk_buf out; /* formatted */
    int64_t now;
};

#define dwrite              sk_dsc_write
#define str                 sk_dsc_str
#define has                 sk_dsc_has
#define num                 sk_dsc_num
#define scalar              sk_dsc_scalar
#define parse_time          sk_dsc_parse_time
#define rfc1123z            sk_dsc_rfc1123z
#define since               sk_dsc_since
#define labels_multi        sk_dsc_labels_multi
#define annotations_multi   sk_dsc_annotations_multi
#define selector_text       sk_dsc_selector_text
#define map_labels_text     sk_dsc_map_labels_text
#define controlled_by       sk_dsc_controlled_by
#define pod_template        sk_dsc_pod_template
#define conditions3         sk_dsc_conditions3
#define header              sk_dsc_header
#define describe_deployment sk_dsc_describe_deployment
#define describe_replicaset sk_dsc_describe_replicaset
#define describe_job        sk_dsc_describe_job
#define describe_service    sk_dsc_describe_service
#define describe_configmap  sk_dsc_describe_configmap
#define describe_node       sk_dsc_describe_node
#define describe_generic    sk_dsc_describe_generic

/* Text with tabs and newlines at 2 spaces per level, formatted on flush. */
void dwrite(struct dw *w, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Values at a dotted path: "" / false / 0 when missing. */
const char *str(const struct sk_val *o, const char *path);
bool has(const struct sk_val *o, const char *path);
long long num(const struct sk_val *o, const char *path);
char *scalar(const struct sk_val *v); /* Go's %v; caller frees */
bool parse_time(const char *s, time_t *out);
char *rfc1123z(const char *ts);            /* caller frees */
char *since(struct dw *w, const char *ts); /* human age; caller frees */
void labels_multi(struct dw *w, const char *indent, const char *title, const char *inner,
                  const struct sk_val *m);
void annotations_multi(struct dw *w, const char *title, const struct sk_val *m);
char *selector_text(const struct sk_val *sel, const char *empty); /* caller frees */
char *map_labels_text(const struct sk_val *m);                    /* caller frees */
void controlled_by(struct dw *w, const struct sk_val *obj);
void pod_template(struct dw *w, const struct sk_val *tpl);
void conditions3(struct dw *w, const struct sk_val *obj);
void header(struct dw *w, const struct sk_val *o, bool ns);

/* The describers of cli_describe_kinds.c. */
void describe_deployment(struct sk_cli *c, struct dw *w, const struct sk_val *o);
void describe_replicaset(struct sk_cli *c, struct dw *w, const struct sk_val *o);
void describe_job(struct sk_cli *c, struct dw *w, const struct sk_val *o);
void describe_service(struct sk_cli *c, struct dw *w, const struct sk_val *o);
void describe_configmap(struct sk_cli *c, struct dw *w, const struct sk_val *o);
void describe_node(struct sk_cli *c, struct dw *w, const struct sk_val *o);
void describe_generic(struct sk_cli *c, struct dw *w, const struct sk_val *o);

#endif
