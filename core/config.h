/* The agent's configuration: skiff.yaml (libyaml) plus command-line flags.
 * Every key is documented in docs/configuration.md. Unknown keys, wrong
 * types and bad values are errors naming the file, line and key. */
#ifndef SK_CONFIG_H
#define SK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "skiff_plugin.h"

/* One plugin's section, `plugins.<name>:`, kept raw until the plugin's
 * option table is known (plugins load after the file is read). */
struct sk_config_plugin;

struct sk_config {
    char *path;              /* file read, or NULL when none */
    char *node_name;         /* node-name; default: the host name */
    char *data_dir;          /* data-dir; default /var/lib/skiff */
    char *plugin_dir;        /* plugin-dir; default /usr/lib/skiff/plugins */
    int log_level;           /* log-level: error|warn|info|debug|trace; default info */
    int workers;             /* workers: worker threads, 1..64; default 2 */
    char *api_listen;        /* api.listen: ADDR:PORT; default 127.0.0.1:6443 */
    char *bus_listen;        /* bus.listen: "" or tcp://ADDR:PORT or ipc:///path */
    double shutdown_timeout; /* shutdown-timeout: duration; default 2s */
    /* api.max-proxy-body: nodes/proxy request bodies; default 64Mi */
    uint64_t api_max_proxy_body;

    struct sk_config_plugin *plugins; /* linked list of plugins.* sections */
};

/* Command-line overrides; NULL/negative fields leave the file's value. */
struct sk_config_flags {
    const char *config_path;
    const char *data_dir;
    const char *node_name;
    const char *api_listen;
    const char *plugin_dir;
    const char *log_level; /* validated like the file's key */
};

/* Read defaults, then the file (flags->config_path, or when NULL the first
 * of $SKIFF_CONFIG and /etc/skiff/skiff.yaml that exists; a missing default
 * file is not an error, a missing named file is), then the flags. On error
 * returns non-zero with *err like
 *   "/etc/skiff/skiff.yaml: line 7, column 3: api.listen: invalid address
 *    \"x\": want ADDR:PORT". Blocks on file I/O; loop thread at start-up or
 * any thread in tools. */
sk_err sk_config_load(const struct sk_config_flags *flags, struct sk_config **out,
                      struct sk_error **err);
/* Parse from memory (name is used in messages). Tests and fuzzers. */
sk_err sk_config_parse(const char *name, const char *text, size_t len, struct sk_config **out,
                       struct sk_error **err);
void sk_config_free(struct sk_config *cfg);

/* Is plugin `name` enabled? (plugins.<name>.enabled, default true) */
bool sk_config_plugin_enabled(const struct sk_config *cfg, const char *name);

/* Build a plugin's options struct from its option table: allocate
 * options_size bytes, apply each default, then each key of
 * plugins.<name> (except `enabled`). Unknown keys and bad values are errors
 * naming the file, line and key (plugins.<name>.<key>). On success *out
 * is freed with sk_config_options_free(table, *out). */
sk_err sk_config_plugin_options(const struct sk_config *cfg, const char *name,
                                const struct skiff_option *table, size_t options_size, void **out,
                                struct sk_error **err);
void sk_config_options_free(const struct skiff_option *table, void *opts);

/* Names of plugins.* sections in the file, for the loader to report
 * sections that name no known plugin (an error: a typo must not pass
 * silently). Returns the count and fills names (borrowed) up to max.
 * With names != NULL the count is at most max, so it can bound a loop over
 * names; with names == NULL it is the total number of sections. */
size_t sk_config_plugin_sections(const struct sk_config *cfg, const char **names, size_t max);
/* File position of a plugin section, for messages ("file: line N");
 * 0 when there is no such section. */
int sk_config_plugin_line(const struct sk_config *cfg, const char *name);

/* Parse helpers shared with plugin option parsing and flags. */
sk_err sk_parse_duration(const char *s, double *seconds); /* "500ms" "10s" "5m" "1h" "1h30m" */
sk_err sk_parse_size(const char *s, uint64_t *bytes);     /* "512" "64Ki" "10Mi" "1G" */
sk_err sk_parse_hostport(const char *s, char *host, size_t hostlen, int *port);

#endif
