/* Tests for plugins/controllers/cronjob/cron_sched.c and cron_tz.c: schedule
 * parsing with robfig/cron v3's messages, next start times at month ends
 * and leap days, daylight-saving gaps and overlaps under timeZone, and
 * kube-controller-manager's missed-schedule rule. Expected instants were
 * worked out by hand from robfig/cron's algorithm and the tz database.
 * Then the CronJob controller against the fake host: schedules on the
 * controllers' clock, concurrency policies, history limits, time zones,
 * too many missed start times and bad schedules. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/cronjob/cron_sched.h"
#include "../../plugins/controllers/cronjob/cron_tz.h"
#include "../../plugins/controllers/podutil.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("%s:%d: ", __FILE__, __LINE__);                                            \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define DONE()                                                                                     \
    do {                                                                                           \
        int f_ = failures;                                                                         \
        failures = 0;                                                                              \
        assert_int_equal(f_, 0);                                                                   \
    } while (0)

/* "2026-03-08T06:30:00Z" to unix seconds. */
static int64_t ts(const char *s)
{
    struct tm tm = {0};
    if (!strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) abort();
    return (int64_t)timegm(&tm);
}

static const char *fmt(int64_t t, char buf[32])
{
    if (t == CRON_NONE) return "none";
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

static void test_parse_ok(void **state)
{
    (void)state;
    static const char *const good[] = {
            "* * * * *",       "*/15 * * * *",     "0 0 * JAN-MAR MON-FRI",
            "0 0 ? * ?",       "5,10,,15 * * * *", "0 9-17/2 * * 1-5",
            "@yearly",         "@annually",        "@monthly",
            "@weekly",         "@daily",           "@midnight",
            "@hourly",         "@every 1h30m",     "0 0 1 jan,Jul *",
            "59 23 31 12 sat", "  1   2 3 4 5  ",  "+5 * * * *",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct cron_sched s;
        char *err = NULL;
        bool ok = cron_parse(good[i], "UTC", &s, &err);
        CHECK(ok, "%s: %s", good[i], err ? err : "");
        free(err);
        cron_sched_free(&s);
    }
    struct cron_sched s;
    char *err = NULL;
    assert_true(cron_parse("*/15 9-10 * FEB-MAR SUN,sat", "UTC", &s, &err));
    CHECK(s.minute == ((1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45)), "minute bits");
    CHECK(s.hour == ((1ULL << 9) | (1ULL << 10)), "hour bits");
    CHECK(s.month == ((1ULL << 2) | (1ULL << 3)), "month bits");
    CHECK(s.dow == ((1ULL << 0) | (1ULL << 6)), "dow bits");
    cron_sched_free(&s);
    DONE();
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *spec, *want;
    } cases[] = {
            {"", "empty spec string"},
            {"* * * *", "expected exactly 5 fields, found 4: [* * * *]"},
            {"* * * * * *", "expected exactly 5 fields, found 6: [* * * * * *]"},
            {"60 * * * *", "end of range (60) above maximum (59): 60"},
            {"* 24 * * *", "end of range (24) above maximum (23): 24"},
            {"* * 0 * *", "beginning of range (0) below minimum (1): 0"},
            {"* * 32 * *", "end of range (32) above maximum (31): 32"},
            {"* * * 13 *", "end of range (13) above maximum (12): 13"},
            {"* * * * 7", "end of range (7) above maximum (6): 7"},
            {"5-3 * * * *", "beginning of range (5) beyond end of range (3): 5-3"},
            {"*/0 * * * *", "step of range should be a positive number: */0"},
            {"1-2-3 * * * *", "too many hyphens: 1-2-3"},
            {"*/2/3 * * * *", "too many slashes: */2/3"},
            {"x * * * *",
             "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"},
            {"*/-1 * * * *", "negative number (-1) not allowed: -1"},
            {"-1 * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"},
            {"99999999999999999999 * * * *",
             "failed to parse int from 99999999999999999999: strconv.Atoi: parsing "
             "\"99999999999999999999\": value out of range"},
            {"* * * FOO *",
             "failed to parse int from FOO: strconv.Atoi: parsing \"FOO\": invalid syntax"},
            {"@foo", "unrecognized descriptor: @foo"},
            {"@every x", "failed to parse duration @every x: time: invalid duration \"x\""},
            {"TZ=Mars/Olympus * * * * *",
             "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cron_sched s;
        char *err = NULL;
        bool ok = cron_parse(cases[i].spec, "UTC", &s, &err);
        CHECK(!ok, "%s parsed", cases[i].spec);
        CHECK(err && !strcmp(err, cases[i].want), "%s: got \"%s\", want \"%s\"", cases[i].spec,
              err ? err : "(null)", cases[i].want);
        free(err);
        if (ok) cron_sched_free(&s);
    }
    struct cron_sched s;
    char *err = NULL;
    CHECK(!cron_parse("* * * * *", "Mars/Olympus", &s, &err), "unknown zone accepted");
    CHECK(err && !strcmp(err, "unknown time zone Mars/Olympus"), "zone error %s", err);
    free(err);
    DONE();
}

struct next_case {
    const char *spec, *tz, *from, *want;
};

static void run_next(const struct next_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct cron_sched s;
        char *err = NULL;
        if (!cron_parse(cases[i].spec, cases[i].tz, &s, &err)) {
            CHECK(false, "%s: %s", cases[i].spec, err);
            free(err);
            continue;
        }
        int64_t got = cron_next(&s, ts(cases[i].from));
        int64_t want = strcmp(cases[i].want, "none") ? ts(cases[i].want) : CRON_NONE;
        char b1[32], b2[32];
        CHECK(got == want, "%s (%s) after %s: got %s, want %s", cases[i].spec, cases[i].tz,
              cases[i].from, fmt(got, b1), fmt(want, b2));
        cron_sched_free(&s);
    }
}

static void test_next_utc(void **state)
{
    (void)state;
    static const struct next_case cases[] = {
            {"* * * * *", "UTC", "2026-11-26T01:02:03Z", "2026-11-26T01:03:00Z"},
            {"*/15 * * * *", "UTC", "2026-11-26T01:02:03Z", "2026-11-26T01:15:00Z"},
            {"0 * * * *", "UTC", "2026-11-26T01:00:00Z", "2026-11-26T02:00:00Z"},
            /* the 31st skips 30-day months */
            {"0 0 31 * *", "UTC", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"},
            {"0 0 31 * *", "UTC", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"},
            /* Feb 29 only in leap years */
            {"0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"},
            {"0 12 29 FEB *", "UTC", "2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"},
            /* Feb 30 never: robfig gives up after five years */
            {"0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z", "none"},
            /* last day of February then the 1st of March */
            {"0 0 28-31 2 *", "UTC", "2027-02-28T00:00:00Z", "2028-02-28T00:00:00Z"},
            /* day-of-month OR day-of-week when both are restricted */
            {"0 0 13 * 5", "UTC", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"},
            {"0 0 13 * 5", "UTC", "2026-12-11T00:00:00Z", "2026-12-13T00:00:00Z"},
            /* AND when either is a star */
            {"0 0 * * 5", "UTC", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"},
            {"0 0 13 * *", "UTC", "2026-11-26T00:00:00Z", "2026-12-13T00:00:00Z"},
            /* "*\/2" in day-of-week is not a star: OR again */
            {"0 0 1 * */2", "UTC", "2026-11-26T00:00:00Z", "2026-11-28T00:00:00Z"},
            {"@yearly", "UTC", "2026-11-26T00:00:00Z", "2027-01-01T00:00:00Z"},
            {"@monthly", "UTC", "2026-11-26T00:00:00Z", "2026-12-01T00:00:00Z"},
            {"@weekly", "UTC", "2026-11-26T00:00:00Z", "2026-11-29T00:00:00Z"},
            {"@daily", "UTC", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"},
            {"@hourly", "UTC", "2026-11-26T00:59:59Z", "2026-11-26T01:00:00Z"},
            {"@every 90s", "UTC", "2026-11-26T00:00:00Z", "2026-11-26T00:01:30Z"},
            {"59 23 31 DEC *", "UTC", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"},
            {"0 0 1 1 *", "UTC", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"},
    };
    run_next(cases, sizeof(cases) / sizeof(cases[0]));
    DONE();
}

static void test_next_dst(void **state)
{
    (void)state;
    static const struct next_case cases[] = {
            /* New York springs forward 2026-03-08 02:00 EST -> 03:00 EDT:
             * 02:30 does not exist that day and is skipped, as robfig does. */
            {"30 2 * * *", "America/New_York", "2026-03-07T08:00:00Z", "2026-03-09T06:30:00Z"},
            {"0 3 * * *", "America/New_York", "2026-03-07T09:00:00Z", "2026-03-08T07:00:00Z"},
            {"0 1 * * *", "America/New_York", "2026-03-07T07:00:00Z", "2026-03-08T06:00:00Z"},
            /* ... and falls back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30
             * happens twice and the job runs at both. */
            {"30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z"},
            {"30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"},
            {"30 1 * * *", "America/New_York", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"},
            {"0 0 * * *", "America/New_York", "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z"},
            /* Berlin: 2026-03-29 02:00 CET -> 03:00 CEST, 2026-10-25 03:00 -> 02:00 */
            {"0 2 * * *", "Europe/Berlin", "2026-03-28T02:00:00Z", "2026-03-30T00:00:00Z"},
            {"30 2 * * *", "Europe/Berlin", "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z"},
            {"30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"},
            {"0 9 * * MON", "Europe/Berlin", "2026-11-26T00:00:00Z", "2026-11-30T08:00:00Z"},
            {"0 9 * * MON", "Europe/Berlin", "2026-07-01T00:00:00Z", "2026-07-06T07:00:00Z"},
            /* Sao Paulo 2018-11-04: midnight itself did not exist (00:00 -03
             * -> 01:00 -02), so that day has no 00:00 start */
            {"0 0 * * *", "America/Sao_Paulo", "2018-11-03T15:00:00Z", "2018-11-05T02:00:00Z"},
            {"0 1 * * *", "America/Sao_Paulo", "2018-11-03T15:00:00Z", "2018-11-04T03:00:00Z"},
            /* past the last transition of the TZif data the POSIX rule rules */
            {"0 12 1 7 *", "America/New_York", "2040-01-01T00:00:00Z", "2040-07-01T16:00:00Z"},
            {"0 12 1 1 *", "America/New_York", "2040-01-01T00:00:00Z", "2040-01-01T17:00:00Z"},
            {"0 12 1 7 *", "Asia/Tokyo", "2026-01-01T00:00:00Z", "2026-07-01T03:00:00Z"},
            {"0 0 * * *", "UTC", "2026-03-08T06:30:00Z", "2026-03-09T00:00:00Z"},
            {"TZ=Europe/Berlin 0 0 1 1 *", NULL, "2026-06-01T00:00:00Z", "2026-12-31T23:00:00Z"},
    };
    run_next(cases, sizeof(cases) / sizeof(cases[0]));
    DONE();
}

static void test_tz_lookup(void **state)
{
    (void)state;
    char *err = NULL;
    struct cron_tz *ny = cron_tz_load("America/New_York", &err);
    assert_non_null(ny);
    int64_t start, end;
    CHECK(cron_tz_lookup(ny, ts("2026-01-15T00:00:00Z"), &start, &end) == -5 * 3600, "EST");
    CHECK(end == ts("2026-03-08T07:00:00Z"), "EST ends at the spring transition");
    CHECK(cron_tz_lookup(ny, ts("2026-07-15T00:00:00Z"), NULL, NULL) == -4 * 3600, "EDT");
    CHECK(cron_tz_lookup(ny, ts("2090-07-15T00:00:00Z"), NULL, NULL) == -4 * 3600, "EDT 2090");
    CHECK(cron_tz_lookup(ny, ts("2090-12-15T00:00:00Z"), NULL, NULL) == -5 * 3600, "EST 2090");
    /* time.Date in the gap and overlap */
    /* Go gives 01:30 EST for 02:30 in the gap */
    CHECK(cron_tz_date(ny, 2026, 3, 8, 2, 30, 0) == ts("2026-03-08T06:30:00Z"), "gap");
    CHECK(cron_tz_date(ny, 2026, 11, 1, 1, 30, 0) == ts("2026-11-01T05:30:00Z"), "overlap");
    CHECK(cron_tz_date(ny, 2026, 13, 1, 0, 0, 0) == ts("2027-01-01T05:00:00Z"), "month 13");
    CHECK(cron_tz_date(ny, 2026, 3, 0, 0, 0, 0) == ts("2026-02-28T05:00:00Z"), "day 0");
    struct cron_tm tm;
    cron_tz_civil(ny, ts("2026-11-01T06:30:00Z"), &tm);
    CHECK(tm.hour == 1 && tm.min == 30 && tm.wday == 0 && tm.mday == 1, "civil in overlap");
    cron_tz_free(ny);
    CHECK(!cron_tz_load("../etc/passwd", &err), "dot-dot name accepted");
    free(err);
    CHECK(!cron_tz_load("No/Such_Zone", &err), "missing zone accepted");
    CHECK(err && !strcmp(err, "unknown time zone No/Such_Zone"), "%s", err);
    free(err);
    struct cron_tz *local = cron_tz_load(NULL, &err);
    CHECK(local != NULL, "no local zone");
    cron_tz_free(local);
    DONE();
}

static int64_t recent(const char *spec, const char *earliest, const char *now,
                      enum cron_missed *missed, char **err)
{
    struct cron_sched s;
    if (!cron_parse(spec, "UTC", &s, err)) return -2;
    int64_t mr;
    bool ok = cron_most_recent(&s, ts(earliest), ts(now), &mr, missed, err);
    cron_sched_free(&s);
    return ok ? mr : -3;
}

static void test_missed(void **state)
{
    (void)state;
    enum cron_missed m;
    char *err = NULL;
    char b1[32];
    /* nothing due yet */
    int64_t t = recent("*/5 * * * *", "2026-11-26T10:00:00Z", "2026-11-26T10:04:59Z", &m, &err);
    CHECK(t == CRON_NONE && m == CRON_MISSED_NONE, "none due: %s", fmt(t, b1));
    /* exactly one due */
    t = recent("*/5 * * * *", "2026-11-26T10:00:00Z", "2026-11-26T10:07:00Z", &m, &err);
    CHECK(t == ts("2026-11-26T10:05:00Z") && m == CRON_MISSED_NONE, "one due: %s", fmt(t, b1));
    /* a few missed: the most recent one is started */
    t = recent("*/5 * * * *", "2026-11-26T10:00:00Z", "2026-11-26T10:31:00Z", &m, &err);
    CHECK(t == ts("2026-11-26T10:30:00Z") && m == CRON_MISSED_FEW, "few: %s", fmt(t, b1));
    /* exactly 100 missed is still "few"; 101 is too many */
    t = recent("* * * * *", "2026-11-26T10:00:00Z", "2026-11-26T11:40:30Z", &m, &err);
    CHECK(t == ts("2026-11-26T11:40:00Z") && m == CRON_MISSED_FEW, "100: %s %d", fmt(t, b1), m);
    t = recent("* * * * *", "2026-11-26T10:00:00Z", "2026-11-26T11:41:30Z", &m, &err);
    CHECK(t == ts("2026-11-26T11:41:00Z") && m == CRON_MISSED_MANY, "101: %s %d", fmt(t, b1), m);
    /* years of missed runs stay cheap and exact */
    t = recent("0 * * * *", "2016-11-26T10:00:00Z", "2026-11-26T11:41:30Z", &m, &err);
    CHECK(t == ts("2026-11-26T11:00:00Z") && m == CRON_MISSED_MANY, "decade: %s", fmt(t, b1));
    /* irregular schedules: 30 6-16/4 * * 1-5 */
    t = recent("30 6-16/4 * * 1-5", "2026-11-23T00:00:00Z", "2026-11-26T15:00:00Z", &m, &err);
    CHECK(t == ts("2026-11-26T14:30:00Z"), "irregular: %s", fmt(t, b1));
    /* a schedule that never fires is an error, as upstream */
    t = recent("0 0 30 2 *", "2026-11-26T10:00:00Z", "2026-11-26T11:00:00Z", &m, &err);
    CHECK(t == -3 && err &&
                  !strcmp(err, "time difference between two schedules is less than 1 second"),
          "never: %s", err ? err : "");
    free(err);
    DONE();
}

/* ---- the controller against the fake host ---- */

static struct ctl *cj_start(void)
{
    fh_init();
    struct ctl *c = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    assert_int_equal(ctl_start_module(c, &ctl_mod_cronjob), 0);
    return c;
}

static void put_cj(const char *name, const char *schedule, const char *extra)
{
    fh_put("batch/cronjobs",
           fh_jsonf("{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\",\"metadata\":{\"name\":"
                    "\"%s\",\"namespace\":\"default\"},\"spec\":{\"schedule\":\"%s\",%s"
                    "\"jobTemplate\":{\"metadata\":{\"labels\":{\"team\":\"a\"}},\"spec\":{"
                    "\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":"
                    "\"busybox\"}],\"restartPolicy\":\"OnFailure\"}}}}}}",
                    name, schedule, extra));
}

static const struct sk_val *cj(const char *name)
{
    return fh_get("batch/cronjobs", "default", name);
}

static const struct sk_val *jobn(const char *name)
{
    return fh_get("batch/jobs", "default", name);
}

static void complete_job(const char *name, const char *type)
{
    struct sk_val *j = sk_val_dup(jobn(name));
    assert_non_null(j);
    char ts[32];
    fh_fmt_time(fh_wall(), ts);
    sk_map_del(sk_map_get(j, "metadata"), "resourceVersion");
    sk_map_set(j, "status",
               fh_jsonf("{\"startTime\":\"%s\",\"conditions\":[{\"type\":\"%s\",\"status\":"
                        "\"True\",\"lastTransitionTime\":\"%s\"}]}",
                        ts, type, ts));
    if (!strcmp(type, "Complete"))
        sk_val_set_at(j, sk_val_str(ts), "status", "completionTime", NULL);
    assert_int_equal(fh_update("batch/jobs", j), 0);
    fh_run();
}

static size_t active_len(const char *name)
{
    return sk_arr_len(sk_val_at(cj(name), "status", "active", NULL));
}

/* FH_WALL0 is 2026-01-01T00:00:00Z: minute 29453760 since the epoch. */
static void test_cj_forbid_history(void **state)
{
    (void)state;
    struct ctl *c = cj_start();
    put_cj("hello", "*/1 * * * *",
           "\"concurrencyPolicy\":\"Forbid\",\"successfulJobsHistoryLimit\":1,"
           "\"failedJobsHistoryLimit\":1,");
    fh_run();
    assert_int_equal(fh_count("batch/jobs", NULL), 0);
    fh_advance(59);
    assert_int_equal(fh_count("batch/jobs", NULL), 0);
    fh_advance(2);
    const struct sk_val *j = jobn("hello-29453761");
    assert_non_null(j);
    assert_string_equal(sk_obj_annotation(j, "batch.kubernetes.io/cronjob-scheduled-timestamp"),
                        "2026-01-01T00:01:00Z");
    assert_string_equal(sk_obj_label(j, "team"), "a");
    assert_string_equal(sk_val_str_at(sk_obj_controller_ref(j), "kind", NULL), "CronJob");
    assert_string_equal(sk_val_str_at(j, "spec", "template", "spec", "restartPolicy", NULL),
                        "OnFailure");
    assert_int_equal(active_len("hello"), 1);
    assert_string_equal(sk_val_str_at(cj("hello"), "status", "lastScheduleTime", NULL),
                        "2026-01-01T00:01:00Z");
    const struct sk_val *ev = fh_event("hello", "SuccessfulCreate");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL), "Created job hello-29453761");
    /* Forbid: the next start is skipped while the job runs */
    fh_advance(60);
    assert_int_equal(fh_count("batch/jobs", NULL), 1);
    assert_non_null(fh_event("hello", "JobAlreadyActive"));
    complete_job("hello-29453761", "Complete");
    ev = fh_event("hello", "SawCompletedJob");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL),
                        "Saw completed job: hello-29453761, condition: Complete");
    assert_non_null(sk_val_at(cj("hello"), "status", "lastSuccessfulTime", NULL));
    /* the skipped 00:02 start is still the most recent unmet one (no
     * startingDeadlineSeconds): it runs now, late, as upstream */
    assert_non_null(jobn("hello-29453762"));
    assert_int_equal(active_len("hello"), 1);
    /* when it completes, the first job is beyond successfulJobsHistoryLimit 1 */
    complete_job("hello-29453762", "Complete");
    assert_int_equal(active_len("hello"), 0);
    assert_null(jobn("hello-29453761"));
    assert_non_null(jobn("hello-29453762"));
    ev = fh_event("hello", "SuccessfulDelete");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL), "Deleted job hello-29453761");
    /* and the schedule goes on */
    fh_advance(60);
    assert_non_null(jobn("hello-29453763"));
    fh_ctl_free(c);
    fh_fini();
}

static void test_cj_replace_allow(void **state)
{
    (void)state;
    struct ctl *c = cj_start();
    put_cj("rep", "*/2 * * * *", "\"concurrencyPolicy\":\"Replace\",");
    put_cj("all", "*/2 * * * *", "\"concurrencyPolicy\":\"Allow\",");
    fh_advance(121);
    assert_non_null(jobn("rep-29453762"));
    assert_non_null(jobn("all-29453762"));
    fh_advance(120);
    /* Replace deleted the running job; Allow keeps both */
    assert_null(jobn("rep-29453762"));
    assert_non_null(jobn("rep-29453764"));
    assert_int_equal(active_len("rep"), 1);
    assert_non_null(jobn("all-29453762"));
    assert_non_null(jobn("all-29453764"));
    assert_int_equal(active_len("all"), 2);
    fh_ctl_free(c);
    fh_fini();
}

static void test_cj_time_zone_and_suspend(void **state)
{
    (void)state;
    struct ctl *c = cj_start();
    put_cj("tokyo", "0 9 * * *", "\"timeZone\":\"Asia/Tokyo\",");
    put_cj("paused", "*/1 * * * *", "\"suspend\":true,");
    fh_advance(86400 + 1);
    /* 09:00 in Tokyo is 00:00 UTC: the start of 2026-01-02 */
    const struct sk_val *j = jobn("tokyo-29455200");
    assert_non_null(j);
    assert_string_equal(sk_obj_annotation(j, "batch.kubernetes.io/cronjob-scheduled-timestamp"),
                        "2026-01-02T09:00:00+09:00");
    assert_int_equal(fh_count("batch/jobs", NULL), 1); /* nothing for the suspended one */
    fh_ctl_free(c);
    fh_fini();
}

static void test_cj_missed_and_bad(void **state)
{
    (void)state;
    struct ctl *c = cj_start();
    put_cj("late", "*/1 * * * *", "");
    /* status says the last start was 200 minutes ago */
    struct sk_val *x = sk_val_dup(cj("late"));
    sk_map_del(sk_map_get(x, "metadata"), "resourceVersion");
    sk_map_set(x, "status", fh_json("{\"lastScheduleTime\":\"2025-12-31T20:40:00Z\"}"));
    assert_int_equal(fh_update("batch/cronjobs", x), 0);
    put_cj("bad", "bad", "");
    put_cj("never", "0 0 30 2 *", "");
    fh_run();
    const struct sk_val *ev = fh_event("late", "TooManyMissedTimes");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL),
                        "too many missed start times. Set or decrease "
                        ".spec.startingDeadlineSeconds or check clock skew");
    /* only the most recent missed start runs */
    assert_non_null(jobn("late-29453760"));
    ev = fh_event("bad", "UnparseableSchedule");
    assert_non_null(ev);
    assert_string_equal(
            sk_val_str_at(ev, "message", NULL),
            "unparseable schedule: \"bad\" : expected exactly 5 fields, found 1: [bad]");
    fh_advance(61);
    ev = fh_event("never", "InvalidSchedule");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL),
                        "invalid schedule: 0 0 30 2 * : time difference between two schedules is "
                        "less than 1 second");
    fh_ctl_free(c);
    fh_fini();
}

static void test_cj_starting_deadline(void **state)
{
    (void)state;
    struct ctl *c = cj_start();
    put_cj("dl", "*/5 * * * *", "\"startingDeadlineSeconds\":30,");
    struct sk_val *x = sk_val_dup(cj("dl"));
    sk_map_del(sk_map_get(x, "metadata"), "resourceVersion");
    /* the 23:55 start was missed by more than 30 s */
    sk_map_set(x, "status", fh_json("{\"lastScheduleTime\":\"2025-12-31T23:50:00Z\"}"));
    assert_int_equal(fh_update("batch/cronjobs", x), 0);
    fh_run();
    /* 00:00 is within the deadline (now is 00:00:00) */
    assert_non_null(jobn("dl-29453760"));
    assert_null(jobn("dl-29453755"));
    fh_ctl_free(c);
    fh_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse_ok),
            cmocka_unit_test(test_parse_errors),
            cmocka_unit_test(test_next_utc),
            cmocka_unit_test(test_next_dst),
            cmocka_unit_test(test_tz_lookup),
            cmocka_unit_test(test_missed),
            cmocka_unit_test(test_cj_forbid_history),
            cmocka_unit_test(test_cj_replace_allow),
            cmocka_unit_test(test_cj_time_zone_and_suspend),
            cmocka_unit_test(test_cj_missed_and_bad),
            cmocka_unit_test(test_cj_starting_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
