/* libFuzzer target for the CRI log format (plugins/runtime/crilog.c): the
 * record parser the node side of pods/log runs over files a container
 * filled, and the splitter the shim runs over a container's output.
 * Parsing must never crash and a parsed message lies within its line; a
 * record the writer makes parses back to the same message; the splitter's
 * records, rejoined, give back the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/runtime/crilog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct join {
    char *buf;
    size_t len;
};

static void rejoin(void *arg, const char *msg, size_t len, bool partial)
{
    struct join *j = arg;
    if (len > RT_CRI_MAX_MSG) abort();
    memcpy(j->buf + j->len, msg, len);
    j->len += len;
    if (!partial) j->buf[j->len++] = '\n';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    /* each line as a record */
    for (size_t off = 0; off <= size;) {
        const char *nl = memchr(p + off, '\n', size - off);
        size_t n = nl ? (size_t)(nl - (p + off)) : size - off;
        struct rt_cri_rec r;
        if (!rt_cri_parse(p + off, n, &r)) {
            if (r.msg < p + off || r.msg + r.msg_len > p + off + n) abort();
            if (r.nsec < 0 || r.nsec > 999999999) abort();
            /* written again, it reads back the same */
            char *line = malloc(RT_CRI_HDR_MAX + r.msg_len);
            struct timespec ts = {.tv_sec = 1795654923, .tv_nsec = r.nsec};
            size_t hl = rt_cri_header(line, &ts, r.is_stderr ? "stderr" : "stdout", r.partial);
            memcpy(line + hl, r.msg, r.msg_len);
            struct rt_cri_rec r2;
            if (!memchr(r.msg, '\n', r.msg_len)) {
                if (rt_cri_parse(line, hl + r.msg_len, &r2)) abort();
                if (r2.msg_len != r.msg_len || memcmp(r2.msg, r.msg, r.msg_len) ||
                    r2.partial != r.partial || r2.is_stderr != r.is_stderr || r2.nsec != r.nsec)
                    abort();
            }
            free(line);
        }
        off += n + 1;
    }
    /* the splitter loses nothing: records rejoined are the input (a tail
     * without newline comes out as a partial record) */
    static struct rt_cri_splitter sp;
    struct join j = {.buf = malloc(size + 1)};
    sp.len = 0;
    size_t half = size / 2;
    rt_cri_split(&sp, p, half, rejoin, &j);
    rt_cri_split(&sp, p + half, size - half, rejoin, &j);
    rt_cri_split_end(&sp, rejoin, &j);
    if (j.len != size || memcmp(j.buf, p, size)) abort();
    free(j.buf);
    return 0;
}
