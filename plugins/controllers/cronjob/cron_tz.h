/* Time zones for CronJob schedules: IANA zones read from the system's
 * TZif files (/usr/share/zoneinfo), including the POSIX TZ rule at a
 * file's end for times past its last transition, and civil-time
 * conversions with the semantics of Go's time package (which
 * robfig/cron, and so kube-controller-manager, relies on). Pure code, any
 * thread; a zone is immutable once loaded. */
#ifndef CRON_TZ_H
#define CRON_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cron_tz;

/* Load zone `name` ("America/New_York", "UTC"); NULL or "" gives the
 * process's local zone ($TZ naming a zone, else /etc/localtime, else
 * UTC). On failure returns NULL and, if err is not NULL, sets *err to a
 * malloc'd message as Go's LoadLocation gives it ("unknown time zone X"). */
struct cron_tz *cron_tz_load(const char *name, char **err);
/* Parse a zone from TZif bytes (for tests and the fuzzer). NULL if bad. */
struct cron_tz *cron_tz_from_bytes(const char *name, const unsigned char *p, size_t n);
struct cron_tz *cron_tz_utc(void);
void cron_tz_free(struct cron_tz *z); /* NULL ok */
const char *cron_tz_name(const struct cron_tz *z);

/* The UTC offset in seconds in effect at unix time t, and the interval
 * [*start, *end) over which it holds (INT64_MIN / INT64_MAX when open). */
int32_t cron_tz_lookup(const struct cron_tz *z, int64_t t, int64_t *start, int64_t *end);

/* Broken-down civil time. wday 0 = Sunday. */
struct cron_tm {
    int64_t year;
    int mon, mday, hour, min, sec; /* mon 1..12 */
    int wday;
};
/* Civil time of unix time t in z. */
void cron_tz_civil(const struct cron_tz *z, int64_t t, struct cron_tm *out);
/* Unix time of a civil time in z, fields normalised as Go's time.Date does
 * (month 13 is January of the next year, day 0 the last of the previous
 * month). In a gap or an overlap the result is what time.Date gives. */
int64_t cron_tz_date(const struct cron_tz *z, int64_t year, int64_t mon, int64_t mday, int64_t hour,
                     int64_t min, int64_t sec);

/* Days since 1970-01-01 of a proleptic Gregorian date (mon 1..12). */
int64_t cron_days_from_civil(int64_t y, int mon, int mday);

#endif
