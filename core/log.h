/* Logging: one line per event to stderr, with level, time and the name of
 * the component (core part or plugin) on each line. Any thread. */
#ifndef SK_LOG_H
#define SK_LOG_H

enum sk_log_level {
    SK_LOG_ERROR = 0,
    SK_LOG_WARN = 1,
    SK_LOG_INFO = 2,
    SK_LOG_DEBUG = 3,
    SK_LOG_TRACE = 4,
};

void sk_log(int level, const char *who, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void sk_log_set_level(int level);
int sk_log_get_level(void);
/* "error", "warn", "info", "debug", "trace" -> level; -1 if unknown. */
int sk_log_level_parse(const char *s);
const char *sk_log_level_name(int level);

#define SK_ERROR(who, ...) sk_log(SK_LOG_ERROR, who, __VA_ARGS__)
#define SK_WARN(who, ...)  sk_log(SK_LOG_WARN, who, __VA_ARGS__)
#define SK_INFO(who, ...)  sk_log(SK_LOG_INFO, who, __VA_ARGS__)
#define SK_DEBUG(who, ...)                                                                         \
    do {                                                                                           \
        if (sk_log_get_level() >= SK_LOG_DEBUG) sk_log(SK_LOG_DEBUG, who, __VA_ARGS__);            \
    } while (0)

#endif
