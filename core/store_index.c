/* The key index: resource \0 namespace \0 name -> newest revision, kept in
 * memory and rebuilt from the records at open. Keeping it off the disk is
 * what keeps writes cheap: an update to a random key would otherwise
 * rewrite a 4 KiB index page for a 40-byte entry. A skip list gives
 * ordered scans (lists are key ranges) and cheap inserts. Not thread-safe:
 * the store guards it (store_priv.h). */
#include "store_priv.h"
#include "mem.h"

#include <string.h>

#define MAX_LEVEL 20

struct sk_ix_node {
    uint64_t rev;
    bool tomb;
    bool removed; /* in a transaction's overlay: the key goes away */
    uint16_t klen;
    uint8_t level;
    char *key; /* stored right after next[] */
    struct sk_ix_node *next[];
};

struct sk_ix {
    struct sk_ix_node *head;
    size_t n, live;
    int level;
    uint64_t seed;
};

struct sk_ix *sk_ix_new(void)
{
    struct sk_ix *ix = sk_xcalloc(1, sizeof(*ix));
    ix->head = sk_xcalloc(1, sizeof(*ix->head) + MAX_LEVEL * sizeof(struct sk_ix_node *));
    ix->head->level = MAX_LEVEL;
    ix->level = 1;
    ix->seed = 0x9e3779b97f4a7c15ull;
    return ix;
}

void sk_ix_free(struct sk_ix *ix)
{
    if (!ix) return;
    struct sk_ix_node *n = ix->head->next[0];
    while (n) {
        struct sk_ix_node *next = n->next[0];
        free(n);
        n = next;
    }
    free(ix->head);
    free(ix);
}

static int cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

/* p=1/4 per level: 1.33 pointers per node on average */
static int random_level(struct sk_ix *ix)
{
    ix->seed ^= ix->seed << 13;
    ix->seed ^= ix->seed >> 7;
    ix->seed ^= ix->seed << 17;
    uint64_t r = ix->seed;
    int l = 1;
    while (l < MAX_LEVEL && (r & 3) == 0) {
        l++;
        r >>= 2;
    }
    return l;
}

/* Fill upd[] with the last node before key on each level. */
static struct sk_ix_node *find(const struct sk_ix *ix, const char *key, size_t klen,
                               struct sk_ix_node **upd)
{
    struct sk_ix_node *x = ix->head;
    for (int i = ix->level - 1; i >= 0; i--) {
        while (x->next[i] && cmp(x->next[i]->key, x->next[i]->klen, key, klen) < 0)
            x = x->next[i];
        if (upd) upd[i] = x;
    }
    return x->next[0];
}

const struct sk_ix_node *sk_ix_find(const struct sk_ix *ix, const char *key, size_t klen)
{
    struct sk_ix_node *n = find(ix, key, klen, NULL);
    return n && n->klen == klen && !memcmp(n->key, key, klen) ? n : NULL;
}

static void put(struct sk_ix *ix, const char *key, size_t klen, uint64_t rev, bool tomb,
                bool removed)
{
    struct sk_ix_node *upd[MAX_LEVEL];
    struct sk_ix_node *n = find(ix, key, klen, upd);
    if (n && n->klen == klen && !memcmp(n->key, key, klen)) {
        if (!n->tomb && !n->removed) ix->live--;
        n->rev = rev;
        n->tomb = tomb;
        n->removed = removed;
        if (!tomb && !removed) ix->live++;
        return;
    }
    int l = random_level(ix);
    if (l > ix->level) {
        for (int i = ix->level; i < l; i++)
            upd[i] = ix->head;
        ix->level = l;
    }
    n = sk_xcalloc(1, sizeof(*n) + (size_t)l * sizeof(n->next[0]) + klen);
    n->key = (char *)&n->next[l];
    memcpy(n->key, key, klen);
    n->klen = (uint16_t)klen;
    n->level = (uint8_t)l;
    n->rev = rev;
    n->tomb = tomb;
    n->removed = removed;
    for (int i = 0; i < l; i++) {
        n->next[i] = upd[i]->next[i];
        upd[i]->next[i] = n;
    }
    ix->n++;
    if (!tomb && !removed) ix->live++;
}

void sk_ix_put(struct sk_ix *ix, const char *key, size_t klen, uint64_t rev, bool tomb)
{
    put(ix, key, klen, rev, tomb, false);
}

/* Overlays record removals as entries so that they shadow the index. */
void sk_ix_put_removed(struct sk_ix *ix, const char *key, size_t klen)
{
    put(ix, key, klen, 0, false, true);
}

void sk_ix_del(struct sk_ix *ix, const char *key, size_t klen)
{
    struct sk_ix_node *upd[MAX_LEVEL];
    struct sk_ix_node *n = find(ix, key, klen, upd);
    if (!n || n->klen != klen || memcmp(n->key, key, klen)) return;
    for (int i = 0; i < n->level; i++)
        if (upd[i]->next[i] == n) upd[i]->next[i] = n->next[i];
    while (ix->level > 1 && !ix->head->next[ix->level - 1])
        ix->level--;
    ix->n--;
    if (!n->tomb && !n->removed) ix->live--;
    free(n);
}

const struct sk_ix_node *sk_ix_seek(const struct sk_ix *ix, const char *key, size_t klen)
{
    return find(ix, key, klen, NULL);
}

const struct sk_ix_node *sk_ix_first(const struct sk_ix *ix)
{
    return ix->head->next[0];
}

const struct sk_ix_node *sk_ix_next(const struct sk_ix_node *n)
{
    return n->next[0];
}

void sk_ix_entry(const struct sk_ix_node *n, const char **key, size_t *klen, uint64_t *rev,
                 bool *tomb, bool *removed)
{
    *key = n->key;
    *klen = n->klen;
    *rev = n->rev;
    *tomb = n->tomb;
    if (removed) *removed = n->removed;
}

size_t sk_ix_len(const struct sk_ix *ix)
{
    return ix->n;
}

size_t sk_ix_live(const struct sk_ix *ix)
{
    return ix->live;
}

/* Apply a transaction's overlay. */
void sk_ix_merge(struct sk_ix *ix, const struct sk_ix *ov)
{
    for (const struct sk_ix_node *n = ov->head->next[0]; n; n = n->next[0]) {
        if (n->removed)
            sk_ix_del(ix, n->key, n->klen);
        else
            sk_ix_put(ix, n->key, n->klen, n->rev, n->tomb);
    }
}
