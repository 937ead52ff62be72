/* libFuzzer target for plugins/controllers/cronjob: CronJob schedule
 * strings (robfig/cron's grammar) and TZif zone data. Parsing must never
 * crash; a parsed schedule's next start times must strictly increase, and
 * a zone's civil conversions must hold together. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/controllers/cronjob/cron_sched.h"
#include "../../plugins/controllers/cronjob/cron_tz.h"
#include "mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_zone(const struct cron_tz *z)
{
    static const int64_t probes[] = {-2208988800LL, 0, 1700000000, 1804000000, 4102444800LL};
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        int64_t start, end;
        int32_t off = cron_tz_lookup(z, probes[i], &start, &end);
        if (probes[i] < start || probes[i] >= end) abort();
        if (off < -30 * 3600 || off > 30 * 3600) abort();
        struct cron_tm tm;
        cron_tz_civil(z, probes[i], &tm);
        if (tm.mon < 1 || tm.mon > 12 || tm.mday < 1 || tm.mday > 31 || tm.hour > 23 ||
            tm.min > 59 || tm.sec > 59 || tm.wday > 6)
            abort();
        cron_tz_date(z, tm.year, tm.mon, tm.mday, tm.hour, tm.min, tm.sec);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* TZif bytes */
    struct cron_tz *z = cron_tz_from_bytes("fuzz", data, size);
    if (z) {
        check_zone(z);
        cron_tz_free(z);
    }
    /* a schedule: the text up to a NUL */
    char *spec = sk_xstrndup((const char *)data, size);
    if (strlen(spec) <= 256 && !strstr(spec, "TZ=")) {
        struct cron_sched s;
        char *err = NULL;
        const char *zones[] = {"UTC", "America/New_York", "Australia/Lord_Howe"};
        const char *zone = zones[size % 3];
        if (cron_parse(spec, zone, &s, &err)) {
            if (err) abort();
            int64_t t = 1795000000; /* 2026-11-19 */
            for (int i = 0; i < 4; i++) {
                int64_t n = cron_next(&s, t);
                if (n == CRON_NONE) break;
                if (n <= t) abort();
                t = n;
            }
            int64_t mr;
            enum cron_missed m;
            if (cron_most_recent(&s, 1795000000, 1795000000 + 86400 * 3, &mr, &m, &err)) {
                if (mr != CRON_NONE && (mr <= 1795000000 || mr > 1795000000 + 86400 * 3)) abort();
            } else if (!err) {
                abort();
            }
            free(err);
            cron_sched_free(&s);
        } else {
            if (!err) abort();
            free(err);
        }
    }
    free(spec);
    return 0;
}
