/* The CRI container log format: the record writer's pieces (timestamps,
 * headers, the line splitter) used by the shim, and the record parser used
 * by the node side of pods/log. */
#include "crilog.h"

#include <stdio.h>
#include <string.h>

size_t rt_cri_time(const struct timespec *ts, char *buf)
{
    struct tm tm;
    time_t t = ts->tv_sec;
    gmtime_r(&t, &tm);
    char tmp[96];
    unsigned long ns = (unsigned long)ts->tv_nsec % 1000000000ul;
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%09luZ", (tm.tm_year + 1900) % 10000,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
    memcpy(buf, tmp, 30);
    buf[30] = 0;
    return 30;
}

size_t rt_cri_time_go(int64_t sec, long nsec, char *buf)
{
    struct timespec ts = {.tv_sec = (time_t)sec, .tv_nsec = nsec};
    rt_cri_time(&ts, buf);
    /* "....123456789Z": drop trailing zeros of the fraction, and the dot
     * when nothing is left */
    size_t end = 28; /* the last fraction digit */
    while (end > 19 && buf[end] == '0')
        end--;
    if (end == 19) end = 18; /* only the dot remains */
    buf[end + 1] = 'Z';
    buf[end + 2] = 0;
    return end + 2;
}

size_t rt_cri_header(char *hdr, const struct timespec *ts, const char *stream, bool partial)
{
    size_t n = rt_cri_time(ts, hdr);
    int m = snprintf(hdr + n, RT_CRI_HDR_MAX - n, " %s %c ", stream, partial ? 'P' : 'F');
    return n + (size_t)(m > 0 ? m : 0);
}

static int num(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int rt_rfc3339_parse(const char *s, size_t n, int64_t *sec, long *nsec)
{
    int y, mo, d, h, mi, se;
    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':' || num(s, 4, &y) || num(s + 5, 2, &mo) || num(s + 8, 2, &d) ||
        num(s + 11, 2, &h) || num(s + 14, 2, &mi) || num(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return -1;
    size_t i = 19;
    long frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        size_t digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (digits < 9) frac = frac * 10 + (s[i] - '0');
            digits++;
            i++;
        }
        if (!digits) return -1;
        for (; digits < 9; digits++)
            frac *= 10;
    }
    int64_t off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh, om;
        if (num(s + i + 1, 2, &oh) || num(s + i + 4, 2, &om) || oh > 23 || om > 59) return -1;
        off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return -1;
    }
    if (i != n) return -1;
    *sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *nsec = frac;
    return 0;
}

int rt_cri_parse(const char *line, size_t n, struct rt_cri_rec *out)
{
    const char *sp = memchr(line, ' ', n);
    if (!sp || rt_rfc3339_parse(line, (size_t)(sp - line), &out->sec, &out->nsec)) return -1;
    const char *p = sp + 1, *end = line + n;
    if (end - p >= 6 && !memcmp(p, "stdout", 6))
        out->is_stderr = false;
    else if (end - p >= 6 && !memcmp(p, "stderr", 6))
        out->is_stderr = true;
    else
        return -1;
    p += 6;
    if (p == end) { /* "TS stdout": an empty message without a tag */
        out->partial = false;
        out->msg = p;
        out->msg_len = 0;
        return 0;
    }
    if (*p != ' ') return -1;
    p++;
    out->partial = false;
    /* a tag is one field of letters separated by ':' ("F", "P", "P:x") */
    const char *tag_end = memchr(p, ' ', (size_t)(end - p));
    const char *te = tag_end ? tag_end : end;
    if (te - p >= 1 && (p[0] == 'F' || p[0] == 'P') && (te - p == 1 || p[1] == ':')) {
        out->partial = p[0] == 'P';
        p = tag_end ? tag_end + 1 : end;
    }
    out->msg = p;
    out->msg_len = (size_t)(end - p);
    return 0;
}

int rt_cri_rotated(char *out, size_t cap, const char *file, int i)
{
    int n = snprintf(out, cap, "%s.%d", file, i);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

void rt_cri_split(struct rt_cri_splitter *sp, const char *p, size_t n, rt_cri_emit_fn emit,
                  void *arg)
{
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        if (!sp->len && nl && take <= RT_CRI_MAX_MSG) {
            /* a whole line in the input: no copy */
            emit(arg, p, take, false);
            p += take + 1;
            n -= take + 1;
            continue;
        }
        size_t room = RT_CRI_MAX_MSG - sp->len;
        if (take > room) {
            /* the line goes past the record size: send a full buffer as P */
            memcpy(sp->buf + sp->len, p, room);
            emit(arg, sp->buf, RT_CRI_MAX_MSG, true);
            sp->len = 0;
            p += room;
            n -= room;
            continue;
        }
        memcpy(sp->buf + sp->len, p, take);
        sp->len += take;
        p += take;
        n -= take;
        if (nl) {
            emit(arg, sp->buf, sp->len, false);
            sp->len = 0;
            p++;
            n--;
        } else if (sp->len == RT_CRI_MAX_MSG) {
            emit(arg, sp->buf, sp->len, true);
            sp->len = 0;
        }
    }
}

void rt_cri_split_end(struct rt_cri_splitter *sp, rt_cri_emit_fn emit, void *arg)
{
    if (sp->len) emit(arg, sp->buf, sp->len, true);
    sp->len = 0;
}
