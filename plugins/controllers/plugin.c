/* The controllers plugin: one leader-only plugin that hosts every
 * controller module (scheduler, garbage collector, namespace, workload
 * controllers) over shared informer caches. This file is the instance,
 * its options and the module list. */
#include "ctl_priv.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct opts {
    double clock_rate;
    char *clock_start;
    char *disabled;
};

static const struct skiff_option opts_table[] = {
        {"clock-rate", SKIFF_OPT_DOUBLE, "1", offsetof(struct opts, clock_rate),
         "how fast the controllers' clock runs against real time (tests: 60 makes a minute "
         "pass each second)"},
        {"clock-start", SKIFF_OPT_STR, NULL, offsetof(struct opts, clock_start),
         "RFC 3339 instant the controllers' clock starts at (default: now)"},
        {"disabled", SKIFF_OPT_STR, NULL, offsetof(struct opts, disabled),
         "comma-separated controller modules not to run, e.g. \"scheduler,cronjob\""},
        {NULL, 0, NULL, 0, NULL},
};

/* The modules, in start order. Each is listed once its folder exists. */
static const struct ctl_module *const modules[] = {
        &ctl_mod_scheduler,  &ctl_mod_gc,         &ctl_mod_namespace,
        &ctl_mod_replicaset, &ctl_mod_deployment, &ctl_mod_daemonset,
        &ctl_mod_job,        &ctl_mod_cronjob,    &ctl_mod_statefulset,
};

const struct skiff_host *ctl_host(struct ctl *c)
{
    return c->host;
}

struct skiff_ctx *ctl_ctx(struct ctl *c)
{
    return c->ctx;
}

void ctl_log(struct ctl *c, int level, const char *who, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    c->host->log(c->ctx, level, "%s: %s", who, buf);
}

struct ctl *ctl_new(struct skiff_ctx *ctx, const struct skiff_host *host, double rate, double start)
{
    struct ctl *c = sk_xcalloc(1, sizeof(*c));
    c->ctx = ctx;
    c->host = host;
    c->rate = rate > 0 ? rate : 1;
    c->wall_start = start;
    return c;
}

static bool is_disabled(const struct ctl *c, const char *name)
{
    if (!c->disabled) return false;
    size_t n = strlen(name);
    for (const char *p = c->disabled; *p;) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if ((size_t)(e - p) == n && !strncmp(p, name, n)) return true;
        p = e;
    }
    return false;
}

static void begin(struct ctl *c)
{
    if (c->running) return;
    c->mono0 = c->host->now(c->ctx);
    if (c->wall_start > 0) {
        c->wall0 = c->wall_start;
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        c->wall0 = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    }
    c->running = true;
}

int ctl_start_module(struct ctl *c, const struct ctl_module *m)
{
    begin(c);
    void *self = NULL;
    int rc = m->start(c, &self);
    if (rc) {
        ctl_log(c, SKIFF_LOG_ERROR, m->name, "cannot start: code %d", rc);
        return rc;
    }
    c->mods = sk_xrealloc(c->mods, (c->nmods + 1) * sizeof(*c->mods));
    c->selves = sk_xrealloc(c->selves, (c->nmods + 1) * sizeof(*c->selves));
    c->mods[c->nmods] = m;
    c->selves[c->nmods] = self;
    c->nmods++;
    return 0;
}

void *ctl_module_self(struct ctl *c, const char *name)
{
    for (size_t i = 0; i < c->nmods; i++)
        if (!strcmp(c->mods[i]->name, name)) return c->selves[i];
    return NULL;
}

int ctl_start(struct ctl *c)
{
    begin(c);
    for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
        if (is_disabled(c, modules[i]->name)) {
            ctl_log(c, SKIFF_LOG_INFO, modules[i]->name, "disabled by configuration");
            continue;
        }
        int rc = ctl_start_module(c, modules[i]);
        if (rc) {
            ctl_stop(c);
            return rc;
        }
    }
    ctl_queues_kick(c);
    return 0;
}

void ctl_stop(struct ctl *c)
{
    if (!c->running) return;
    for (size_t i = c->nmods; i-- > 0;)
        c->mods[i]->stop(c->selves[i]);
    free(c->mods);
    free(c->selves);
    c->mods = NULL;
    c->selves = NULL;
    c->nmods = 0;
    c->running = false;
    while (c->queues)
        ctl_queue_free(c->queues); /* a module that forgot one */
    ctl_caches_free(c);
    ctl_writes_drop(c);
    ctl_events_free(c);
}

void ctl_free(struct ctl *c)
{
    if (!c) return;
    ctl_stop(c);
    free(c->disabled);
    free(c);
}

/* ---- the plugin descriptor ---- */

static int plugin_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                       void **self)
{
    const struct opts *o = options;
    if (!(o->clock_rate > 0) || o->clock_rate > 1e6) {
        host->log(ctx, SKIFF_LOG_ERROR,
                  "plugins.controllers.clock-rate: Invalid value: %g: must be above 0 and at "
                  "most 1000000",
                  o->clock_rate);
        return -1;
    }
    double start = 0;
    if (o->clock_start && *o->clock_start) {
        start = ctl_time_parse(o->clock_start);
        if (start < 0) {
            host->log(ctx, SKIFF_LOG_ERROR,
                      "plugins.controllers.clock-start: Invalid value: \"%s\": want RFC 3339 "
                      "such as 2026-03-29T00:59:00Z",
                      o->clock_start);
            return -1;
        }
    }
    /* a misspelt module must not leave a controller running unnoticed */
    for (const char *p = o->disabled ? o->disabled : ""; *p;) {
        while (*p == ',' || *p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ',' && *e != ' ')
            e++;
        if (e == p) break;
        bool known = false;
        for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++)
            if (strlen(modules[i]->name) == (size_t)(e - p) &&
                !strncmp(modules[i]->name, p, (size_t)(e - p)))
                known = true;
        if (!known) {
            host->log(ctx, SKIFF_LOG_ERROR,
                      "plugins.controllers.disabled: Unsupported value: \"%.*s\": not a "
                      "controller module",
                      (int)(e - p), p);
            return -1;
        }
        p = e;
    }
    struct ctl *c = ctl_new(ctx, host, o->clock_rate, start);
    if (o->disabled && *o->disabled) c->disabled = sk_xstrdup(o->disabled);
    *self = c;
    return 0;
}

static int plugin_start(void *self)
{
    return ctl_start(self);
}

static void plugin_stop(void *self)
{
    ctl_stop(self);
}

static void plugin_fini(void *self)
{
    ctl_free(self);
}

SKIFF_PLUGIN(controllers) = {
        SKIFF_PLUGIN_HEADER,
        .name = "controllers",
        .role = SKIFF_ROLE_LEADER,
        .description = "scheduler, garbage collector, namespace and workload controllers",
        .options = opts_table,
        .options_size = sizeof(struct opts),
        .init = plugin_init,
        .start = plugin_start,
        .stop = plugin_stop,
        .fini = plugin_fini,
};
