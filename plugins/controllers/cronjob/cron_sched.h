/* CronJob schedules as kube-controller-manager reads them: robfig/cron v3's
 * ParseStandard (five fields, names, ranges, steps, lists, `?`, the
 * @yearly-style descriptors and @every), Next() with its handling of
 * daylight-saving gaps and overlaps, and the controller's rule for the
 * most recent missed start time. Times are unix seconds. Pure code. */
#ifndef CRON_SCHED_H
#define CRON_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "cron_tz.h"

#define CRON_NONE INT64_MIN /* no start time within five years */

struct cron_sched {
    uint64_t minute, hour, dom, month, dow; /* bit n set: value n allowed; bit 63: `*` */
    int64_t every;                          /* > 0: an @every schedule, in seconds */
    struct cron_tz *tz;                     /* owned */
};

/* Parse spec. tz_name: spec.timeZone, or NULL for the local zone (a
 * "TZ=" or "CRON_TZ=" prefix in spec overrides either). Returns true, or
 * false with *err set to robfig/cron's message (malloc'd). */
bool cron_parse(const char *spec, const char *tz_name, struct cron_sched *out, char **err);
void cron_sched_free(struct cron_sched *s);

/* The first start time strictly after t, or CRON_NONE. */
int64_t cron_next(const struct cron_sched *s, int64_t t);

enum cron_missed { CRON_MISSED_NONE, CRON_MISSED_FEW, CRON_MISSED_MANY };

/* kube-controller-manager's mostRecentScheduleTime: the latest start time
 * in (earliest, now], or CRON_NONE; *missed tells whether more than 100
 * were missed (the TooManyMissedTimes event). Returns false with a malloc'd
 * *err for schedules that never fire. */
bool cron_most_recent(const struct cron_sched *s, int64_t earliest, int64_t now,
                      int64_t *most_recent, enum cron_missed *missed, char **err);

#endif
