/* The runtime's state files (layout in pod.h): written by the agent,
 * read back after a restart, and the shim's exit file. What is read is
 * checked field by field: a damaged file is reported, never trusted. */
#include "pod.h"

#include "json.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void rt_now_rfc3339(char *buf)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *rt_read_file(const char *path, size_t limit, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    /* read to EOF: /proc and /sys files report a size of 0 */
    struct sk_buf b = {0};
    char buf[4096];
    bool ok = true;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) ok = false;
        if (r <= 0) break;
        if (b.len + (size_t)r > limit) {
            ok = false;
            break;
        }
        sk_buf_append(&b, buf, (size_t)r);
    }
    close(fd);
    if (!ok) {
        sk_buf_free(&b);
        return NULL;
    }
    if (!b.p) sk_buf_reserve(&b, 1);
    return sk_buf_take(&b, len);
}

int rt_write_file(const char *path, const void *p, size_t n)
{
    char tmp[PATH_MAX + 8];
    RT_SNPRINTF(tmp, sizeof(tmp), "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    const char *c = p;
    int er = 0;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            er = w < 0 ? errno : EIO;
            break;
        }
        c += w, n -= (size_t)w;
    }
    if (close(fd) && !er) er = errno;
    if (!er && rename(tmp, path)) er = errno;
    if (er) unlink(tmp);
    return er;
}

static bool copy_str(const struct sk_val *m, const char *key, char *out, size_t outlen,
                     bool required, char *msg, size_t msglen)
{
    const struct sk_val *v = sk_map_get(m, key);
    if (!v) {
        if (required) RT_SNPRINTF(msg, msglen, "\"%s\" is missing", key);
        return !required;
    }
    if (!sk_val_is(v, SK_V_STR) || v->u.s.len >= outlen || strlen(v->u.s.p) != v->u.s.len) {
        RT_SNPRINTF(msg, msglen, "\"%s\": want a string shorter than %zu bytes", key, outlen);
        return false;
    }
    memcpy(out, v->u.s.p, v->u.s.len + 1);
    return true;
}

int rt_state_parse(const char *p, size_t n, struct rt_ctr_state *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof(*out));
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_json_parse(p, n, &v, &e);
    if (rc) {
        RT_SNPRINTF(msg, msglen, "%s", sk_error_msg(e, rc));
        sk_error_free(e);
        return -1;
    }
    int ret = -1;
    if (!sk_val_is(v, SK_V_MAP)) {
        RT_SNPRINTF(msg, msglen, "want a JSON object");
        goto out;
    }
    const struct sk_val *a = sk_map_get(v, "attempt");
    if (!sk_val_is(a, SK_V_INT) || a->u.i < 0 || a->u.i > 1000000) {
        RT_SNPRINTF(msg, msglen, "\"attempt\": want an integer 0..1000000");
        goto out;
    }
    out->attempt = (int)a->u.i;
    if (!copy_str(v, "id", out->id, sizeof(out->id), true, msg, msglen) ||
        !copy_str(v, "startedAt", out->started_at, sizeof(out->started_at), false, msg, msglen) ||
        !copy_str(v, "state", out->state, sizeof(out->state), true, msg, msglen) ||
        !copy_str(v, "imageID", out->image_id, sizeof(out->image_id), false, msg, msglen))
        goto out;
    if (strcmp(out->state, "running") && strcmp(out->state, "exited") &&
        strcmp(out->state, "waiting")) {
        RT_SNPRINTF(msg, msglen, "\"state\": want running, exited or waiting");
        goto out;
    }
    if (!out->id[0]) {
        snprintf(msg, msglen, "\"id\": empty");
        goto out;
    }
    for (const char *c = out->id; *c; c++)
        if (!(*c == '-' || *c == '_' || *c == '.' || (*c >= '0' && *c <= '9') ||
              (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))) {
            RT_SNPRINTF(msg, msglen, "\"id\": not a container id");
            goto out;
        }
    const struct sk_val *t = sk_map_get(v, "terminated"), *l = sk_map_get(v, "lastState");
    if ((t && !sk_val_is(t, SK_V_MAP) && !sk_val_is(t, SK_V_NULL)) ||
        (l && !sk_val_is(l, SK_V_MAP) && !sk_val_is(l, SK_V_NULL))) {
        RT_SNPRINTF(msg, msglen, "\"terminated\"/\"lastState\": want objects");
        goto out;
    }
    const struct sk_val *b = sk_map_get(v, "backoff");
    if (b && !sk_val_is(b, SK_V_INT) && !sk_val_is(b, SK_V_FLOAT)) {
        RT_SNPRINTF(msg, msglen, "\"backoff\": want a number");
        goto out;
    }
    out->backoff = sk_val_is(b, SK_V_INT) ? (double)b->u.i : b ? b->u.f : 0;
    if (!(out->backoff >= 0 && out->backoff <= 300)) out->backoff = 300;
    const struct sk_val *d = sk_map_get(v, "done");
    if (d && !sk_val_is(d, SK_V_BOOL)) {
        RT_SNPRINTF(msg, msglen, "\"done\": want a boolean");
        goto out;
    }
    out->done = sk_val_to_bool(d, false);
    if (sk_val_is(t, SK_V_MAP)) out->terminated = sk_val_dup(t);
    if (sk_val_is(l, SK_V_MAP)) out->last = sk_val_dup(l);
    ret = 0;
out:
    sk_val_free(v);
    return ret;
}

void rt_state_free(struct rt_ctr_state *s)
{
    sk_val_free(s->terminated);
    sk_val_free(s->last);
    s->terminated = s->last = NULL;
}

int rt_exit_parse(const char *p, size_t n, int *code, int *sig, char *finished, size_t flen,
                  char *err, size_t errlen)
{
    struct sk_val *v = NULL;
    if (sk_json_parse(p, n, &v, NULL) || !sk_val_is(v, SK_V_MAP)) {
        sk_val_free(v);
        return -1;
    }
    const struct sk_val *c = sk_map_get(v, "exitCode"), *s = sk_map_get(v, "signal");
    const char *f = sk_val_str_at(v, "finishedAt", NULL), *e = sk_val_str_at(v, "error", NULL);
    if (!sk_val_is(c, SK_V_INT) || c->u.i < -1 || c->u.i > 255 ||
        (s && (!sk_val_is(s, SK_V_INT) || s->u.i < 0 || s->u.i > 64))) {
        sk_val_free(v);
        return -1;
    }
    *code = (int)c->u.i;
    *sig = s ? (int)s->u.i : 0;
    RT_SNPRINTF(finished, flen, "%s", f ? f : "");
    RT_SNPRINTF(err, errlen, "%s", e ? e : "");
    sk_val_free(v);
    return 0;
}
