/* robfig/cron v3's standard parser and SpecSchedule.Next, and the
 * CronJob controller's missed-schedule arithmetic. The field and error
 * rules mirror that library exactly, since the API server validates with
 * it and users see its messages in events. */
#include "cron_sched.h"

#include "mem.h"
#include "val.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAR_BIT   (1ULL << 63)
#define YEAR_LIMIT 5

struct bounds {
    unsigned min, max;
    const char *const *names;
    unsigned base;
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};
static const struct bounds b_minute = {0, 59, NULL, 0}, b_hour = {0, 23, NULL, 0},
                           b_dom = {1, 31, NULL, 0}, b_month = {1, 12, month_names, 1},
                           b_dow = {0, 6, dow_names, 0};

/* strconv.Atoi then the negative check. */
static char *must_parse_int(const char *expr, uint64_t *out)
{
    const char *p = expr;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    bool syntax = !*p, range = false;
    uint64_t v = 0;
    for (; *p && !syntax; p++) {
        if (!isdigit((unsigned char)*p)) {
            syntax = true;
            break;
        }
        if (v > ((uint64_t)INT64_MAX - 9) / 10 + 1)
            range = true;
        else
            v = v * 10 + (uint64_t)(*p - '0');
    }
    if (!syntax && (v > (uint64_t)INT64_MAX + neg)) range = true;
    if (syntax)
        return sk_xasprintf(
                "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax", expr,
                expr);
    if (range)
        return sk_xasprintf(
                "failed to parse int from %s: strconv.Atoi: parsing \"%s\": value out of range",
                expr, expr);
    if (neg && v)
        return sk_xasprintf("negative number (-%llu) not allowed: %s", (unsigned long long)v, expr);
    *out = v;
    return NULL;
}

static char *parse_int_or_name(const char *expr, const struct bounds *b, uint64_t *out)
{
    for (size_t i = 0; b->names && b->names[i]; i++)
        if (!strcasecmp(expr, b->names[i])) {
            *out = i + b->base;
            return NULL;
        }
    return must_parse_int(expr, out);
}

/* Split s at c into at most max parts (the rest counted in *n). */
static size_t split(char *s, char c, char **parts, size_t max)
{
    size_t n = 0;
    for (char *p = s;; n++) {
        if (n < max) parts[n] = p;
        char *q = strchr(p, c);
        if (!q) return n + 1;
        *q = 0;
        p = q + 1;
    }
}

static char *get_range(const char *expr, const struct bounds *b, uint64_t *bits)
{
    char *copy = sk_xstrdup(expr), *err = NULL;
    char *rs[2], *lh[2];
    size_t nrs = split(copy, '/', rs, 2);
    size_t nlh = split(rs[0], '-', lh, 2);
    uint64_t start, end, step = 1, extra = 0;
    if (!strcmp(lh[0], "*") || !strcmp(lh[0], "?")) {
        start = b->min;
        end = b->max;
        extra = STAR_BIT;
    } else {
        if ((err = parse_int_or_name(lh[0], b, &start))) goto out;
        if (nlh == 1) {
            end = start;
        } else if (nlh == 2) {
            if ((err = parse_int_or_name(lh[1], b, &end))) goto out;
        } else {
            err = sk_xasprintf("too many hyphens: %s", expr);
            goto out;
        }
    }
    if (nrs == 2) {
        if ((err = must_parse_int(rs[1], &step))) goto out;
        if (nlh == 1) end = b->max;
        if (step > 1) extra = 0;
    } else if (nrs > 2) {
        err = sk_xasprintf("too many slashes: %s", expr);
        goto out;
    }
    if (start < b->min)
        err = sk_xasprintf("beginning of range (%llu) below minimum (%u): %s",
                           (unsigned long long)start, b->min, expr);
    else if (end > b->max)
        err = sk_xasprintf("end of range (%llu) above maximum (%u): %s", (unsigned long long)end,
                           b->max, expr);
    else if (start > end)
        err = sk_xasprintf("beginning of range (%llu) beyond end of range (%llu): %s",
                           (unsigned long long)start, (unsigned long long)end, expr);
    else if (step == 0)
        err = sk_xasprintf("step of range should be a positive number: %s", expr);
    else {
        uint64_t v = extra;
        for (uint64_t i = start; i <= end; i += step)
            v |= 1ULL << i;
        *bits = v;
    }
out:
    free(copy);
    return err;
}

static char *get_field(const char *field, const struct bounds *b, uint64_t *bits)
{
    *bits = 0;
    char *copy = sk_xstrdup(field), *save = NULL, *err = NULL;
    for (char *r = strtok_r(copy, ",", &save); r; r = strtok_r(NULL, ",", &save)) {
        uint64_t v = 0;
        if ((err = get_range(r, b, &v))) break;
        *bits |= v;
    }
    free(copy);
    return err;
}

/* Go's time.ParseDuration, whole seconds kept (robfig rounds @every down
 * to the second, with a minimum of one). */
static char *parse_duration(const char *s, int64_t *secs)
{
    const char *orig = s;
    double total = 0;
    bool neg = false;
    if (*s == '-' || *s == '+') neg = *s++ == '-';
    if (!strcmp(s, "0")) {
        *secs = 0;
        return NULL;
    }
    if (!*s) return sk_xasprintf("time: invalid duration \"%s\"", orig);
    while (*s) {
        if (!(isdigit((unsigned char)*s) || *s == '.'))
            return sk_xasprintf("time: invalid duration \"%s\"", orig);
        char *e;
        double v = strtod(s, &e);
        if (e == s) return sk_xasprintf("time: invalid duration \"%s\"", orig);
        s = e;
        static const struct {
            const char *u;
            double mul;
        } units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"\xce\xbcs", 1e-6},
                     {"ms", 1e-3}, {"s", 1},     {"m", 60},           {"h", 3600}};
        size_t best = 0, blen = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            size_t l = strlen(units[i].u);
            if (l > blen && !strncmp(s, units[i].u, l)) best = i, blen = l;
        }
        if (!blen) {
            if (!*s) return sk_xasprintf("time: missing unit in duration \"%s\"", orig);
            size_t ul = strcspn(s, "0123456789.");
            return sk_xasprintf("time: unknown unit \"%.*s\" in duration \"%s\"", (int)ul, s, orig);
        }
        total += v * units[best].mul;
        s += blen;
    }
    if (total > 9223372036.854775807) return sk_xasprintf("time: invalid duration \"%s\"", orig);
    *secs = (int64_t)(neg ? -total : total);
    return NULL;
}

static bool parse_descriptor(const char *d, struct cron_sched *o, char **err)
{
    static const struct {
        const char *name;
        const char *fields; /* minute hour dom month dow */
    } ds[] = {{"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
              {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
              {"@hourly", "0 * * * *"}};
    for (size_t i = 0; i < sizeof(ds) / sizeof(ds[0]); i++) {
        if (strcmp(d, ds[i].name)) continue;
        const char *f = ds[i].fields;
        o->minute = 1;
        o->hour = f[2] == '*' ? (((1ULL << 24) - 1) | STAR_BIT) : 1;
        o->dom = f[4] == '*' ? ((((1ULL << 32) - 1) & ~1ULL) | STAR_BIT) : 2;
        o->month = f[6] == '*' ? ((((1ULL << 13) - 1) & ~1ULL) | STAR_BIT) : 2;
        o->dow = f[8] == '*' ? (((1ULL << 7) - 1) | STAR_BIT) : 1;
        return true;
    }
    if (!strncmp(d, "@every ", 7)) {
        int64_t secs = 0;
        char *e = parse_duration(d + 7, &secs);
        if (e) {
            *err = sk_xasprintf("failed to parse duration %s: %s", d, e);
            free(e);
            return false;
        }
        o->every = secs < 1 ? 1 : secs;
        return true;
    }
    *err = sk_xasprintf("unrecognized descriptor: %s", d);
    return false;
}

bool cron_parse(const char *spec, const char *tz_name, struct cron_sched *out, char **err)
{
    memset(out, 0, sizeof(*out));
    *err = NULL;
    if (!*spec) {
        *err = sk_xstrdup("empty spec string");
        return false;
    }
    char *tzbuf = NULL;
    if (!strncmp(spec, "TZ=", 3) || !strncmp(spec, "CRON_TZ=", 8)) {
        const char *eq = strchr(spec, '='), *sp = strchr(spec, ' ');
        tzbuf = sp ? sk_xstrndup(eq + 1, (size_t)(sp - eq - 1)) : sk_xstrdup(eq + 1);
        char *e = NULL;
        out->tz = sp ? cron_tz_load(tzbuf, &e) : NULL;
        if (!out->tz) {
            *err = sk_xasprintf("provided bad location %s: %s", tzbuf, e ? e : "unknown time zone");
            free(e);
            free(tzbuf);
            return false;
        }
        free(tzbuf);
        spec = sp;
        while (*spec == ' ' || *spec == '\t' || *spec == '\n' || *spec == '\r' || *spec == '\v' ||
               *spec == '\f')
            spec++;
    } else {
        char *e = NULL;
        out->tz = cron_tz_load(tz_name, &e);
        if (!out->tz) {
            *err = e;
            return false;
        }
    }
    if (*spec == '@') {
        /* TrimSpace happened only after a TZ= prefix, as in robfig. */
        if (!parse_descriptor(spec, out, err)) goto fail;
        return true;
    }
    char *copy = sk_xstrdup(spec), *save = NULL, *fields[5];
    size_t n = 0;
    struct sk_buf list = {0};
    sk_buf_putc(&list, '[');
    for (char *f = strtok_r(copy, " \t\n\r\v\f", &save); f;
         f = strtok_r(NULL, " \t\n\r\v\f", &save)) {
        if (n < 5) fields[n] = f;
        if (n) sk_buf_putc(&list, ' ');
        sk_buf_puts(&list, f);
        n++;
    }
    sk_buf_putc(&list, ']');
    sk_buf_putc(&list, 0);
    if (n != 5) {
        *err = sk_xasprintf("expected exactly 5 fields, found %zu: %s", n, list.p);
        sk_buf_free(&list);
        free(copy);
        goto fail;
    }
    sk_buf_free(&list);
    const struct bounds *bs[5] = {&b_minute, &b_hour, &b_dom, &b_month, &b_dow};
    uint64_t *dst[5] = {&out->minute, &out->hour, &out->dom, &out->month, &out->dow};
    for (size_t i = 0; i < 5 && !*err; i++)
        *err = get_field(fields[i], bs[i], dst[i]);
    free(copy);
    if (*err) goto fail;
    return true;
fail:
    cron_tz_free(out->tz);
    memset(out, 0, sizeof(*out));
    return false;
}

void cron_sched_free(struct cron_sched *s)
{
    if (!s) return;
    cron_tz_free(s->tz);
    s->tz = NULL;
}

static bool day_matches(const struct cron_sched *s, const struct cron_tm *tm)
{
    bool dom = (1ULL << tm->mday) & s->dom, dow = (1ULL << tm->wday) & s->dow;
    if ((s->dom & STAR_BIT) || (s->dow & STAR_BIT)) return dom && dow;
    return dom || dow;
}

int64_t cron_next(const struct cron_sched *s, int64_t t)
{
    if (s->every > 0) return t + s->every;
    const struct cron_tz *z = s->tz;
    struct cron_tm tm;
    t += 1;
    bool added = false;
    cron_tz_civil(z, t, &tm);
    int64_t year_limit = tm.year + YEAR_LIMIT;
wrap:
    cron_tz_civil(z, t, &tm);
    if (tm.year > year_limit) return CRON_NONE;
    while (!((1ULL << tm.mon) & s->month)) {
        if (!added) {
            added = true;
            t = cron_tz_date(z, tm.year, tm.mon, 1, 0, 0, 0);
            cron_tz_civil(z, t, &tm);
        }
        t = cron_tz_date(z, tm.year, tm.mon + 1, tm.mday, tm.hour, tm.min, tm.sec);
        cron_tz_civil(z, t, &tm);
        if (tm.mon == 1) goto wrap;
    }
    while (!day_matches(s, &tm)) {
        if (!added) {
            added = true;
            t = cron_tz_date(z, tm.year, tm.mon, tm.mday, 0, 0, 0);
            cron_tz_civil(z, t, &tm);
        }
        t = cron_tz_date(z, tm.year, tm.mon, tm.mday + 1, tm.hour, tm.min, tm.sec);
        cron_tz_civil(z, t, &tm);
        /* Midnight may have moved by DST: back to midnight. */
        if (tm.hour != 0) {
            t += tm.hour > 12 ? (int64_t)(24 - tm.hour) * 3600 : -(int64_t)tm.hour * 3600;
            cron_tz_civil(z, t, &tm);
        }
        if (tm.mday == 1) goto wrap;
    }
    while (!((1ULL << tm.hour) & s->hour)) {
        if (!added) {
            added = true;
            t = cron_tz_date(z, tm.year, tm.mon, tm.mday, tm.hour, 0, 0);
        }
        t += 3600;
        cron_tz_civil(z, t, &tm);
        if (tm.hour == 0) goto wrap;
    }
    while (!((1ULL << tm.min) & s->minute)) {
        if (!added) {
            added = true;
            t -= ((t % 60) + 60) % 60;
        }
        t += 60;
        cron_tz_civil(z, t, &tm);
        if (tm.min == 0) goto wrap;
    }
    while (tm.sec != 0) {
        added = true;
        t += 1;
        cron_tz_civil(z, t, &tm);
        if (tm.sec == 0) goto wrap;
    }
    return t;
}

bool cron_most_recent(const struct cron_sched *s, int64_t earliest, int64_t now,
                      int64_t *most_recent, enum cron_missed *missed, char **err)
{
    *most_recent = CRON_NONE;
    *missed = CRON_MISSED_NONE;
    *err = NULL;
    int64_t t1 = cron_next(s, earliest);
    int64_t t2 = t1 == CRON_NONE ? CRON_NONE : cron_next(s, t1);
    if (t1 != CRON_NONE && now < t1) return true;
    if (t1 != CRON_NONE && (t2 == CRON_NONE ? false : now < t2)) {
        *most_recent = t1;
        return true;
    }
    int64_t between = (t1 == CRON_NONE || t2 == CRON_NONE) ? 0 : t2 - t1;
    if (between < 1) {
        *err = sk_xstrdup("time difference between two schedules is less than 1 second");
        return false;
    }
    int64_t elapsed = now - t1;
    int64_t n = elapsed / between + 1;
    int64_t mr = CRON_NONE;
    int64_t from = t1 + (n - 2) * between;
    for (int64_t t = cron_next(s, from); t != CRON_NONE && t <= now; t = cron_next(s, t))
        mr = t;
    if (n > 100)
        *missed = CRON_MISSED_MANY;
    else if (n > 0)
        *missed = CRON_MISSED_FEW;
    *most_recent = mr;
    return true;
}
