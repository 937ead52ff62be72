/* IANA time zones from TZif files and the POSIX TZ rule at their end, with
 * Go's lookup and time.Date semantics, so that schedules fire at the same
 * instants as under kube-controller-manager. */
#include "cron_tz.h"

#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONEINFO "/usr/share/zoneinfo/"
#define TZIF_MAX (1 << 20)

struct rdate {
    char kind; /* 'J' Julian 1..365 no leap day, 'N' 0..365, 'M' month.week.day */
    int mon, week, day;
    int32_t time; /* seconds after local midnight, may be negative */
};

struct prule {
    bool ok, has_dst;
    int32_t std_off, dst_off; /* seconds east of UTC */
    struct rdate start, end;
};

struct ztype {
    int32_t off;
    bool dst;
};

struct cron_tz {
    char *name;
    int64_t *tx;
    uint8_t *txtype;
    size_t ntx;
    struct ztype *types;
    size_t ntypes;
    size_t first; /* the zone before the first transition, as Go picks it */
    struct prule rule;
};

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

int64_t cron_days_from_civil(int64_t y, int mon, int mday)
{
    y -= mon <= 2;
    int64_t era = floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t mp = (mon + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + mday - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int mon, int64_t y)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return mon == 2 && is_leap(y) ? 29 : d[mon - 1];
}

/* ---- POSIX TZ strings ("EST5EDT,M3.2.0,M11.1.0") ---- */

static const char *tz_name_part(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');
        return q && q - p >= 4 ? q + 1 : NULL;
    }
    const char *q = p;
    while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
        q++;
    return q - p >= 3 ? q : NULL;
}

/* [+-]hh[:mm[:ss]]; hours up to 167 as the v3 format allows. */
static const char *tz_num_time(const char *p, int32_t *out)
{
    int sign = 1;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? -1 : 1;
    int32_t v[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*p != ':') break;
            p++;
        }
        if (*p < '0' || *p > '9') return NULL;
        int n = 0, digits = 0;
        while (*p >= '0' && *p <= '9' && digits < 3)
            n = n * 10 + (*p++ - '0'), digits++;
        if (i == 0 ? n > 167 : n > 59) return NULL;
        v[i] = n;
    }
    *out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
    return p;
}

static const char *tz_int(const char *p, int lo, int hi, int *out)
{
    if (*p < '0' || *p > '9') return NULL;
    int n = 0;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (*p++ - '0');
        if (n > hi) return NULL;
    }
    if (n < lo) return NULL;
    *out = n;
    return p;
}

static const char *tz_rdate(const char *p, struct rdate *r)
{
    memset(r, 0, sizeof(*r));
    r->time = 7200;
    if (*p == 'J') {
        r->kind = 'J';
        if (!(p = tz_int(p + 1, 1, 365, &r->day))) return NULL;
    } else if (*p == 'M') {
        r->kind = 'M';
        if (!(p = tz_int(p + 1, 1, 12, &r->mon)) || *p++ != '.') return NULL;
        if (!(p = tz_int(p, 1, 5, &r->week)) || *p++ != '.') return NULL;
        if (!(p = tz_int(p, 0, 6, &r->day))) return NULL;
    } else {
        r->kind = 'N';
        if (!(p = tz_int(p, 0, 365, &r->day))) return NULL;
    }
    if (*p == '/') p = tz_num_time(p + 1, &r->time);
    return p;
}

static bool tz_parse_rule(const char *s, struct prule *r)
{
    memset(r, 0, sizeof(*r));
    const char *p = tz_name_part(s);
    int32_t off;
    if (!p || !(p = tz_num_time(p, &off))) return false;
    r->std_off = -off;
    if (!*p) return r->ok = true;
    if (!(p = tz_name_part(p))) return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (*p && *p != ',') {
        if (!(p = tz_num_time(p, &off))) return false;
        r->dst_off = -off;
    }
    if (!*p) { /* no rule: the US rule, as Go assumes */
        r->start = (struct rdate){'M', 3, 2, 0, 7200};
        r->end = (struct rdate){'M', 11, 1, 0, 7200};
        return r->ok = true;
    }
    if (*p++ != ',' || !(p = tz_rdate(p, &r->start))) return false;
    if (*p++ != ',' || !(p = tz_rdate(p, &r->end))) return false;
    return r->ok = *p == 0;
}

/* Seconds from the start of year (UTC midnight Jan 1) to the rule's
 * instant, given the offset in effect before it. */
static int64_t rule_time(int64_t year, const struct rdate *r, int32_t off)
{
    int64_t d = 0;
    switch (r->kind) {
    case 'J': d = r->day - 1 + (is_leap(year) && r->day >= 60); break;
    case 'N': d = r->day; break;
    default: {
        int64_t first = cron_days_from_civil(year, r->mon, 1);
        int dow = (int)(((first + 4) % 7 + 7) % 7);
        int md = r->day - dow;
        if (md < 0) md += 7;
        for (int i = 1; i < r->week; i++) {
            if (md + 7 >= days_in(r->mon, year)) break;
            md += 7;
        }
        d = first - cron_days_from_civil(year, 1, 1) + md;
    }
    }
    return d * 86400 + r->time - off;
}

static int32_t rule_lookup(const struct prule *r, int64_t t, int64_t floor_start, int64_t *start,
                           int64_t *end)
{
    if (!r->has_dst) {
        *start = floor_start;
        *end = INT64_MAX;
        return r->std_off;
    }
    int64_t y;
    int m, d;
    civil_from_days(floordiv(t, 86400), &y, &m, &d);
    struct {
        int64_t at;
        bool dst;
    } ev[6];
    int n = 0;
    for (int64_t yy = y - 1; yy <= y + 1; yy++) {
        int64_t base = cron_days_from_civil(yy, 1, 1) * 86400;
        ev[n].at = base + rule_time(yy, &r->start, r->std_off);
        ev[n++].dst = true;
        ev[n].at = base + rule_time(yy, &r->end, r->dst_off);
        ev[n++].dst = false;
    }
    for (int i = 1; i < n; i++) /* insertion sort of six */
        for (int j = i; j > 0 && ev[j - 1].at > ev[j].at; j--) {
            __typeof__(ev[0]) tmp = ev[j];
            ev[j] = ev[j - 1];
            ev[j - 1] = tmp;
        }
    int k = -1;
    for (int i = 0; i < n; i++)
        if (ev[i].at <= t) k = i;
    if (k < 0) { /* cannot happen with the previous year included */
        *start = floor_start;
        *end = ev[0].at;
        return ev[0].dst ? r->std_off : r->dst_off;
    }
    *start = ev[k].at > floor_start ? ev[k].at : floor_start;
    *end = k + 1 < n ? ev[k + 1].at : INT64_MAX;
    return ev[k].dst ? r->dst_off : r->std_off;
}

int32_t cron_tz_lookup(const struct cron_tz *z, int64_t t, int64_t *start, int64_t *end)
{
    int64_t s_dummy, e_dummy;
    if (!start) start = &s_dummy;
    if (!end) end = &e_dummy;
    if (!z->ntx || t < z->tx[0]) {
        *start = INT64_MIN;
        *end = z->ntx ? z->tx[0] : INT64_MAX;
        if (!z->ntx && z->rule.ok) return rule_lookup(&z->rule, t, INT64_MIN, start, end);
        return z->ntypes ? z->types[z->first].off : 0;
    }
    size_t lo = 0, hi = z->ntx; /* last i with tx[i] <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->tx[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (lo + 1 == z->ntx && z->rule.ok) return rule_lookup(&z->rule, t, z->tx[lo], start, end);
    *start = z->tx[lo];
    *end = lo + 1 < z->ntx ? z->tx[lo + 1] : INT64_MAX;
    return z->types[z->txtype[lo]].off;
}

void cron_tz_civil(const struct cron_tz *z, int64_t t, struct cron_tm *out)
{
    int64_t s = t + cron_tz_lookup(z, t, NULL, NULL);
    int64_t days = floordiv(s, 86400), secs = s - days * 86400;
    civil_from_days(days, &out->year, &out->mon, &out->mday);
    out->hour = (int)(secs / 3600);
    out->min = (int)(secs / 60 % 60);
    out->sec = (int)(secs % 60);
    out->wday = (int)(((days + 4) % 7 + 7) % 7);
}

int64_t cron_tz_date(const struct cron_tz *z, int64_t year, int64_t mon, int64_t mday, int64_t hour,
                     int64_t min, int64_t sec)
{
    int64_t m0 = mon - 1;
    year += floordiv(m0, 12);
    m0 -= floordiv(m0, 12) * 12;
    int64_t ut = (cron_days_from_civil(year, (int)m0 + 1, 1) + mday - 1) * 86400 + hour * 3600 +
                 min * 60 + sec;
    int64_t start, end;
    int32_t off = cron_tz_lookup(z, ut, &start, &end);
    if (off != 0) {
        int64_t utc = ut - off;
        if (utc < start || utc >= end) off = cron_tz_lookup(z, utc, NULL, NULL);
        ut -= off;
    }
    return ut;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct cron_tz *cron_tz_from_bytes(const char *name, const unsigned char *p, size_t n)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0) return NULL;
    int version = p[4] ? p[4] - '0' : 1;
    uint32_t cnt[6];
    for (int i = 0; i < 6; i++)
        cnt[i] = be32(p + 20 + 4 * i);
    /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    size_t tsize = 4;
    const unsigned char *h = p;
    if (version >= 2) {
        uint64_t v1 = (uint64_t)cnt[3] * 5 + (uint64_t)cnt[4] * 6 + cnt[5] + (uint64_t)cnt[2] * 8 +
                      cnt[1] + cnt[0];
        if (v1 > n - 44 || n - 44 - v1 < 44) return NULL;
        h = p + 44 + v1;
        if (memcmp(h, "TZif", 4) != 0) return NULL;
        for (int i = 0; i < 6; i++)
            cnt[i] = be32(h + 20 + 4 * i);
        tsize = 8;
    }
    uint64_t body = (uint64_t)cnt[3] * (tsize + 1) + (uint64_t)cnt[4] * 6 + cnt[5] +
                    (uint64_t)cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
    size_t avail = n - (size_t)(h + 44 - p);
    if (body > avail || cnt[4] == 0 || cnt[4] > 256) return NULL;
    const unsigned char *q = h + 44;
    struct cron_tz *z = sk_xcalloc(1, sizeof(*z));
    z->name = sk_xstrdup(name ? name : "");
    z->ntx = cnt[3];
    z->tx = sk_xcalloc(z->ntx + 1, sizeof(*z->tx));
    z->txtype = sk_xcalloc(z->ntx + 1, 1);
    for (size_t i = 0; i < z->ntx; i++, q += tsize)
        z->tx[i] = tsize == 8 ? be64(q) : (int32_t)be32(q);
    for (size_t i = 0; i < z->ntx; i++)
        z->txtype[i] = *q++;
    z->ntypes = cnt[4];
    z->types = sk_xcalloc(z->ntypes, sizeof(*z->types));
    for (size_t i = 0; i < z->ntypes; i++, q += 6) {
        z->types[i].off = (int32_t)be32(q);
        z->types[i].dst = q[4] != 0;
        if (z->types[i].off < -26 * 3600 || z->types[i].off > 26 * 3600) goto bad;
    }
    for (size_t i = 0; i < z->ntx; i++) {
        if (z->txtype[i] >= z->ntypes) goto bad;
        if (i && z->tx[i] <= z->tx[i - 1]) goto bad;
    }
    /* Go's choice of the zone before the first transition. */
    z->first = 0;
    bool used = false;
    for (size_t i = 0; i < z->ntx; i++)
        used |= z->txtype[i] == 0;
    if (used) {
        for (size_t i = 0; i < z->ntypes; i++)
            if (!z->types[i].dst) {
                z->first = i;
                break;
            }
    }
    q += cnt[5] + (size_t)cnt[2] * (tsize + 4) + cnt[1] + cnt[0];
    if (version >= 2 && q < p + n && *q == '\n') {
        const unsigned char *e = memchr(q + 1, '\n', (size_t)(p + n - q - 1));
        if (e && e - q - 1 < 128) {
            char buf[128];
            memcpy(buf, q + 1, (size_t)(e - q - 1));
            buf[e - q - 1] = 0;
            if (buf[0] && !tz_parse_rule(buf, &z->rule)) memset(&z->rule, 0, sizeof(z->rule));
        }
    }
    return z;
bad:
    cron_tz_free(z);
    return NULL;
}

struct cron_tz *cron_tz_utc(void)
{
    struct cron_tz *z = sk_xcalloc(1, sizeof(*z));
    z->name = sk_xstrdup("UTC");
    z->ntypes = 1;
    z->types = sk_xcalloc(1, sizeof(*z->types));
    return z;
}

static struct cron_tz *load_file(const char *name, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    struct cron_tz *z = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size < TZIF_MAX) {
        unsigned char *buf = sk_xmalloc((size_t)st.st_size);
        ssize_t got = read(fd, buf, (size_t)st.st_size);
        if (got == st.st_size) z = cron_tz_from_bytes(name, buf, (size_t)got);
        free(buf);
    }
    close(fd);
    return z;
}

struct cron_tz *cron_tz_load(const char *name, char **err)
{
    if (err) *err = NULL;
    if (!name || !*name) {
        const char *env = getenv("TZ");
        struct cron_tz *z = NULL;
        if (env && *env == ':') env++;
        if (env && *env && !strstr(env, "..") && *env != '/') {
            char *path = sk_xasprintf(ZONEINFO "%s", env);
            z = load_file("Local", path);
            free(path);
        } else if (env && *env == '/') {
            z = load_file("Local", env);
        } else if (!env) {
            z = load_file("Local", "/etc/localtime");
        }
        if (!z) z = cron_tz_utc();
        return z;
    }
    if (!strcmp(name, "UTC")) return cron_tz_utc();
    if (strstr(name, "..") || name[0] == '/' || name[0] == '\\') {
        if (err) *err = sk_xstrdup("time: invalid location name");
        return NULL;
    }
    char *path = sk_xasprintf(ZONEINFO "%s", name);
    struct cron_tz *z = load_file(name, path);
    free(path);
    if (!z && err) *err = sk_xasprintf("unknown time zone %s", name);
    return z;
}

void cron_tz_free(struct cron_tz *z)
{
    if (!z) return;
    free(z->name);
    free(z->tx);
    free(z->txtype);
    free(z->types);
    free(z);
}

const char *cron_tz_name(const struct cron_tz *z)
{
    return z->name;
}
