/* Line-at-a-time logging to stderr. Each line is written with one write(2)
 * so lines from threads and child processes never interleave. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int cur_level = SK_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

void sk_log_set_level(int level)
{
    cur_level = level;
}

int sk_log_get_level(void)
{
    return cur_level;
}

int sk_log_level_parse(const char *s)
{
    for (int i = 0; i < 5; i++)
        if (!strcasecmp(s, level_names[i])) return i;
    if (!strcasecmp(s, "warning")) return SK_LOG_WARN;
    return -1;
}

const char *sk_log_level_name(int level)
{
    if (level < 0 || level > 4) return "?";
    return level_names[level];
}

void sk_log(int level, const char *who, const char *fmt, ...)
{
    if (level > cur_level) return;
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line),
                     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (long)tv.tv_usec / 1000, sk_log_level_name(level), who ? who : "core");
    if (n < 0) return;
    if ((size_t)n >= sizeof(line)) n = sizeof(line) - 1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    if (m < 0) m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof(line) - 2) len = sizeof(line) - 2;
    /* one event, one line: flatten embedded newlines */
    for (size_t i = (size_t)n; i < len; i++)
        if (line[i] == '\n') line[i] = ' ';
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
