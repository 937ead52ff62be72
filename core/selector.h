/* Label and field selectors as Kubernetes parses, validates, prints and
 * matches them: the string form of labels.Parse and fields.ParseSelector,
 * the LabelSelector object form, label key/value validation with
 * apimachinery's messages, and the field labels each kind lets clients
 * select on. Selectors are immutable once built and may be shared between
 * threads for matching; building and freeing belong to one thread. */
#ifndef SK_SELECTOR_H
#define SK_SELECTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "val.h"

/* ---- label selectors ---- */

enum sk_selop {
    SK_SELOP_IN,        /* key in (a,b) */
    SK_SELOP_NOTIN,     /* key notin (a,b) */
    SK_SELOP_EQ,        /* key=a */
    SK_SELOP_DEQ,       /* key==a */
    SK_SELOP_NEQ,       /* key!=a */
    SK_SELOP_EXISTS,    /* key */
    SK_SELOP_NOTEXISTS, /* !key */
    SK_SELOP_GT,        /* key>1 */
    SK_SELOP_LT,        /* key<1 */
};

struct sk_labelreq {
    char *key;
    enum sk_selop op;
    char **values; /* as given (the string parser sorts and dedups them) */
    size_t nvalues;
};

/* Requirements are ANDed and kept sorted by key (stable). An empty selector
 * matches everything; `nothing` marks the selector of a nil LabelSelector,
 * which matches nothing and prints as "". */
struct sk_labelsel {
    bool nothing;
    struct sk_labelreq *reqs;
    size_t n;
};

/* labels.Parse: `app=web,tier!=db,env in (a,b),env notin (c),!canary,x>1`.
 * Errors carry Kubernetes' texts, e.g. `unable to parse requirement:
 * values[0][app]: Invalid value: "-x": a valid label must be ...` or
 * `found ',', expected: !, identifier, or 'end of string'`. On success *out
 * is a new selector the caller frees with sk_labelsel_free. The n form
 * treats a NUL byte as Go's lexer does (it ends a token or the input). */
sk_err sk_labelsel_parse(const char *s, struct sk_labelsel **out, struct sk_error **err);
sk_err sk_labelsel_parsen(const char *s, size_t n, struct sk_labelsel **out, struct sk_error **err);

/* metav1.LabelSelectorAsSelector on a LabelSelector object
 * ({matchLabels: {...}, matchExpressions: [{key, operator, values}]}).
 * NULL or null gives the nothing selector; an empty one matches
 * everything. Errors are those of labels.NewRequirement, or `"Foo" is not a
 * valid label selector operator`. *out as for sk_labelsel_parse. */
sk_err sk_labelsel_from_val(const struct sk_val *ls, struct sk_labelsel **out,
                            struct sk_error **err);
/* labels.SelectorFromSet: key=value for each entry of a string map (no
 * validation). NULL or empty matches everything. Never fails; the caller
 * frees the result. */
struct sk_labelsel *sk_labelsel_from_set(const struct sk_val *set);
struct sk_labelsel *sk_labelsel_everything(void);
struct sk_labelsel *sk_labelsel_nothing(void);
void sk_labelsel_free(struct sk_labelsel *sel); /* NULL ok */

/* labels is a map of string to string (NULL means no labels). Non-string
 * values count as absent. */
bool sk_labelsel_matches(const struct sk_labelsel *sel, const struct sk_val *labels);
/* True when the selector restricts nothing (not for the nothing selector). */
bool sk_labelsel_empty(const struct sk_labelsel *sel);
/* Canonical text (Selector.String()): requirements by key, values sorted,
 * "a in (x,y)", "!b", "c>1". Caller frees. */
char *sk_labelsel_string(const struct sk_labelsel *sel);
/* RequiresExactMatch: the single value key must have, borrowed, or NULL. */
const char *sk_labelsel_exact(const struct sk_labelsel *sel, const char *key);

/* A validation failure in the shape of a Kubernetes StatusCause: field
 * ("spec.selector.matchLabels"), reason ("FieldValueInvalid") and message
 * ("Invalid value: \"-x\": name part must ..."). */
typedef void sk_cause_fn(void *ctx, const char *field, const char *reason, const char *message);

/* ValidateLabelSelector of apimachinery's meta/v1 validation for the object
 * at path (e.g. "spec.selector"); reports each failure through fn and
 * returns how many there were. NULL or null is valid. */
size_t sk_labelsel_validate(const struct sk_val *ls, const char *path, sk_cause_fn *fn, void *ctx);
/* ValidateLabels for a metadata.labels map at path. */
size_t sk_labels_validate(const struct sk_val *labels, const char *path, sk_cause_fn *fn,
                          void *ctx);

/* IsQualifiedName (label keys) and IsValidLabelValue: fill msgs with static
 * Kubernetes messages and return how many (0 when valid). */
size_t sk_label_key_errors(const char *key, const char *msgs[4]);
size_t sk_label_value_errors(const char *value, const char *msgs[2]);

/* ---- field selectors ---- */

struct sk_fieldterm {
    char *field;
    char *value; /* unescaped */
    bool neq;    /* != rather than = or == */
};

struct sk_fieldsel {
    struct sk_fieldterm *terms;
    size_t n;
};

/* fields.ParseSelector: `metadata.name=x,status.phase!=Running`, with `\,`,
 * `\=` and `\\` escapes in values. Terms are kept in order of their printed
 * form (Go orders them by the text as written, which differs only when
 * "==" was used; ordering by the printed form keeps print/parse stable).
 * Errors: `invalid selector: 'a'; can't understand 'a'`, `invalid field
 * selector: invalid escape sequence: \x`, `invalid field selector:
 * unescaped character in value: 61`. *out is freed with sk_fieldsel_free. */
sk_err sk_fieldsel_parse(const char *s, struct sk_fieldsel **out, struct sk_error **err);
void sk_fieldsel_free(struct sk_fieldsel *sel); /* NULL ok */
/* "a=b,c!=d", values escaped. Caller frees. */
char *sk_fieldsel_string(const struct sk_fieldsel *sel);
bool sk_fieldsel_empty(const struct sk_fieldsel *sel);
/* The value field must equal, borrowed, or NULL. */
const char *sk_fieldsel_exact(const struct sk_fieldsel *sel, const char *field);

/* Reject a field label not in supported (NULL-terminated):
 * `field label not supported: spec.foo`. */
sk_err sk_fieldsel_check(const struct sk_fieldsel *sel, const char *const *supported,
                         struct sk_error **err);
/* What the API server does with a field selector for a kind (its field
 * label conversion): reject unsupported labels with that kind's message and
 * rewrite aliases in place (Pod "spec.host" becomes "spec.nodeName";
 * events.k8s.io "regarding.name" becomes "involvedObject.name"). Kinds
 * without their own rules accept metadata.name and metadata.namespace:
 * `"spec.foo" is not a known field selector: only "metadata.name",
 * "metadata.namespace"`. group is "" for the core group. */
sk_err sk_fieldsel_convert(struct sk_fieldsel *sel, const char *group, const char *kind,
                           struct sk_error **err);
/* The labels a kind accepts, NULL-terminated (static). */
const char *const *sk_fieldsel_labels(const char *group, const char *kind);

/* The value of a (converted) field label in obj, as Kubernetes' selectable
 * field set has it: strings as is, booleans "true"/"false", counts in
 * decimal, "" for anything absent or unknown. The kind comes from obj's
 * kind. Borrowed from obj or written into tmp (32 bytes). */
const char *sk_fieldsel_value(const struct sk_val *obj, const char *label, char *tmp);
bool sk_fieldsel_matches(const struct sk_fieldsel *sel, const struct sk_val *obj);

#endif
