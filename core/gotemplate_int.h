/* The parse tree shared by gotemplate.c (lexer and parser) and
 * gotemplate_exec.c (evaluation, builtins, Go's fmt). Private to them. */
#ifndef SK_GOTEMPLATE_INT_H
#define SK_GOTEMPLATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "gotemplate.h"

/* Nesting limits (parens, control structures, template calls) that keep
 * the C stack bounded whatever the input. */
#define GT_MAX_DEPTH 100

enum gt_arg_type {
    GA_FIELD,  /* .a.b: names[] from dot */
    GA_VAR,    /* $x.a.b: var then names[] */
    GA_DOT,    /* . */
    GA_NIL,    /* nil */
    GA_BOOL,   /* true / false */
    GA_NUMBER, /* text as written; is_float says how Go types it */
    GA_STRING, /* unquoted value; text as written */
    GA_IDENT,  /* a function's name */
    GA_PIPE,   /* (pipeline), then names[] when chained: (x).a */
};

struct gt_pipe;

struct gt_arg {
    enum gt_arg_type t;
    int pos;
    char *text; /* as written (numbers, strings, idents, var names) */
    char *str;  /* GA_STRING: the unquoted bytes */
    size_t slen;
    bool b;
    bool is_float;
    int64_t i;
    double f;
    char **names; /* field chain */
    size_t nnames;
    struct gt_pipe *pipe; /* GA_PIPE */
};

struct gt_cmd {
    int pos;
    struct gt_arg **args;
    size_t n;
};

struct gt_pipe {
    int pos;
    bool is_assign; /* $x = ... rather than := */
    char *vars[2];
    size_t nvars;
    struct gt_cmd **cmds;
    size_t n;
};

enum gt_node_type {
    GN_TEXT,
    GN_ACTION,
    GN_IF,
    GN_RANGE,
    GN_WITH,
    GN_TEMPLATE,
    GN_BREAK,
    GN_CONTINUE,
};

struct gt_list;

struct gt_node {
    enum gt_node_type t;
    int pos;
    char *text; /* GN_TEXT bytes; GN_TEMPLATE the template's name */
    size_t tlen;
    struct gt_pipe *pipe; /* NULL for a {{template}} without one */
    struct gt_list *list, *elist;
};

struct gt_list {
    struct gt_node **nodes;
    size_t n;
};

struct gt_def {
    char *name;
    struct gt_list *list;
};

struct sk_gotemplate {
    char *src; /* the template text, for error positions */
    size_t len;
    struct gt_list *root;
    struct gt_def *defs;
    size_t ndefs;
};

void sk_gt_list_free(struct gt_list *l);
/* Go's String() of parse nodes, as error contexts show them. */
void sk_gt_pipe_string(const struct gt_pipe *p, struct sk_buf *b);
void sk_gt_arg_string(const struct gt_arg *a, struct sk_buf *b);
void sk_gt_cmd_string(const struct gt_cmd *c, struct sk_buf *b);
/* Whether name is a function the templates know. */
bool sk_gt_is_func(const char *name);

enum gk { G_INVALID, G_NIL, G_BOOL, G_INT, G_FLOAT, G_STR, G_MAP, G_ARR };
enum { IT_INT, IT_INT64, IT_UINT8 };

/* A Go value as the engine sees it. data: it came out of a map or slice
 * of the object, so its static type is interface {}. Strings, maps and
 * arrays are borrowed from the object or from the state's arena. */
struct gv {
    enum gk k;
    unsigned char ity;
    bool data;
    bool b;
    int64_t i;
    double f;
    const char *s;
    size_t n;
    const struct sk_val *v;
};

/* gotemplate_fmt.c */
struct gv sk_gt_from_val(const struct sk_val *v);
const char *sk_gt_type_name(const struct gv *g); /* Go's: "int64", "map[string]interface {}" */
void sk_gt_sprint_v(struct sk_buf *b, const struct gv *g); /* fmt's %v */
void sk_gt_sprintf(struct sk_buf *b, const char *f, size_t fl, const struct gv *args, size_t nargs);
void sk_gt_sprint(struct sk_buf *b, const struct gv *args, size_t n, bool ln); /* Sprint(ln) */
void sk_gt_quote(struct sk_buf *b, const char *p, size_t n);                   /* strconv.Quote */
/* A map's entries sorted by key, as Go prints and ranges over them;
 * caller frees the array. */
const struct sk_kv **sk_gt_sorted_kv(const struct sk_val *m);

#endif
