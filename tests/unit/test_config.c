/* The configuration loader: every kind of mistake in skiff.yaml is refused
 * with the file, line, column and dotted key; defaults, flags, plugin option
 * tables and the shipped conf/skiff.yaml behave as docs/configuration.md
 * says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "val.h"

static struct sk_config *parse_ok(const char *yaml)
{
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_config_parse("t.yaml", yaml, strlen(yaml), &cfg, &err);
    if (rc) fail_msg("unexpected error for:\n%s\n-> %s", yaml, sk_error_msg(err, rc));
    assert_null(err);
    assert_non_null(cfg);
    return cfg;
}

/* The whole message must match: the line, column and key are the point. */
static void expect_err(const char *yaml, const char *want)
{
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_config_parse("t.yaml", yaml, strlen(yaml), &cfg, &err);
    if (!rc) fail_msg("no error for:\n%s", yaml);
    assert_null(cfg);
    assert_non_null(err);
    if (strcmp(err->msg, want)) fail_msg("for:\n%s\n got: %s\nwant: %s", yaml, err->msg, want);
    sk_error_free(err);
}

/* A mapping or list under plugins.<name>.<key> is kept until the plugin's
 * option table is known: a scalar option refuses it then, naming the
 * same place. */
static void expect_option_err(const char *yaml, const char *want)
{
    struct scalar_opts {
        char *opt, *targets;
    };
    static const struct skiff_option table[] = {
            {"opt", SKIFF_OPT_STR, NULL, offsetof(struct scalar_opts, opt), NULL},
            {"targets", SKIFF_OPT_STR, NULL, offsetof(struct scalar_opts, targets), NULL},
            {NULL, 0, NULL, 0, NULL},
    };
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_config_parse("t.yaml", yaml, strlen(yaml), &cfg, &err);
    if (rc) fail_msg("unexpected: %s", sk_error_msg(err, rc));
    void *o = NULL;
    rc = sk_config_plugin_options(cfg, "ping", table, sizeof(struct scalar_opts), &o, &err);
    if (!rc) fail_msg("no error for:\n%s", yaml);
    assert_null(o);
    if (strcmp(err->msg, want)) fail_msg("for:\n%s\n got: %s\nwant: %s", yaml, err->msg, want);
    sk_error_free(err);
    sk_config_free(cfg);
}

/* For libyaml's own wording, which is not ours to pin down entirely. */
static void expect_err_prefix(const char *yaml, const char *want)
{
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_config_parse("t.yaml", yaml, strlen(yaml), &cfg, &err);
    if (!rc) fail_msg("no error for:\n%s", yaml);
    assert_null(cfg);
    if (strncmp(err->msg, want, strlen(want)))
        fail_msg("for:\n%s\n got: %s\nwant prefix: %s", yaml, err->msg, want);
    sk_error_free(err);
}

static void host_name(char *buf, size_t n)
{
    assert_int_equal(gethostname(buf, n - 1), 0);
    buf[n - 1] = 0;
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
}

static void assert_defaults(const struct sk_config *cfg)
{
    char host[256];
    host_name(host, sizeof(host));
    assert_string_equal(cfg->node_name, host);
    assert_string_equal(cfg->data_dir, "/var/lib/skiff");
    assert_string_equal(cfg->plugin_dir, "/usr/lib/skiff/plugins");
    assert_int_equal(cfg->log_level, SK_LOG_INFO);
    assert_int_equal(cfg->workers, 2);
    assert_string_equal(cfg->api_listen, "127.0.0.1:6443");
    assert_string_equal(cfg->bus_listen, "");
    assert_true(cfg->shutdown_timeout == 2.0);
    assert_null(cfg->plugins);
}

/* ---- defaults and good files ---- */

static void test_empty_is_defaults(void **state)
{
    (void)state;
    static const char *const empties[] = {
            "", "\n\n", "# only a comment\n", "---\n", "---\n...\n", "~\n", "null\n",
    };
    for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        struct sk_config *cfg = parse_ok(empties[i]);
        assert_defaults(cfg);
        assert_null(cfg->path);
        sk_config_free(cfg);
    }
    struct sk_config *cfg = NULL;
    assert_int_equal(sk_config_parse(NULL, NULL, 0, &cfg, NULL), 0);
    assert_defaults(cfg);
    sk_config_free(cfg);
}

static void test_every_key(void **state)
{
    (void)state;
    struct sk_config *cfg = parse_ok("node-name: edge-1.shop\n"
                                     "data-dir: /srv/skiff\n"
                                     "plugin-dir: /opt/skiff/plugins\n"
                                     "log-level: debug\n"
                                     "workers: 8\n"
                                     "shutdown-timeout: 1m30s\n"
                                     "api:\n"
                                     "  listen: \"[::1]:7443\"\n"
                                     "bus: {listen: 'tcp://10.0.0.1:7000'}\n"
                                     "plugins:\n"
                                     "  ping: {enabled: false}\n"
                                     "  dns:\n");
    assert_string_equal(cfg->node_name, "edge-1.shop");
    assert_string_equal(cfg->data_dir, "/srv/skiff");
    assert_string_equal(cfg->plugin_dir, "/opt/skiff/plugins");
    assert_int_equal(cfg->log_level, SK_LOG_DEBUG);
    assert_int_equal(cfg->workers, 8);
    assert_true(cfg->shutdown_timeout == 90.0);
    assert_string_equal(cfg->api_listen, "[::1]:7443");
    assert_string_equal(cfg->bus_listen, "tcp://10.0.0.1:7000");
    assert_false(sk_config_plugin_enabled(cfg, "ping"));
    assert_true(sk_config_plugin_enabled(cfg, "dns"));
    assert_true(sk_config_plugin_enabled(cfg, "absent"));
    sk_config_free(cfg);
}

static void test_null_values_keep_defaults(void **state)
{
    (void)state;
    struct sk_config *cfg = parse_ok("node-name:\n"
                                     "data-dir: ~\n"
                                     "plugin-dir: null\n"
                                     "log-level:\n"
                                     "workers:\n"
                                     "shutdown-timeout:\n"
                                     "api:\n"
                                     "bus:\n"
                                     "  listen:\n"
                                     "plugins:\n");
    assert_defaults(cfg);
    sk_config_free(cfg);
    /* a quoted "" is a value, not null */
    cfg = parse_ok("bus: {listen: \"\"}\n");
    assert_string_equal(cfg->bus_listen, "");
    sk_config_free(cfg);
    expect_err("data-dir: \"\"\n", "t.yaml: line 1, column 11: data-dir: must not be empty");
    cfg = parse_ok("node-name: 'null'\n");
    assert_string_equal(cfg->node_name, "null");
    sk_config_free(cfg);
}

/* ---- errors: where and what ---- */

static void test_unknown_keys(void **state)
{
    (void)state;
    expect_err("workers: 2\nnodename: x\n",
               "t.yaml: line 2, column 1: unknown key \"nodename\" (did you mean \"node-name\"?)");
    expect_err(
            "api:\n  lisen: 1.2.3.4:6443\n",
            "t.yaml: line 2, column 3: unknown key \"api.lisen\" (did you mean \"api.listen\"?)");
    expect_err("bus:\n  listen: ''\n  url: tcp://a:1\n",
               "t.yaml: line 3, column 3: unknown key \"bus.url\"");
    expect_err("colour: blue\n", "t.yaml: line 1, column 1: unknown key \"colour\"");
    /* odd keys are quoted so the message stays on one line */
    expect_err("\"a\\nb\": 1\n", "t.yaml: line 1, column 1: unknown key \"a\\nb\"");
    expect_err("? [a, b]\n: 1\n",
               "t.yaml: line 1, column 3: keys must be plain strings, not a list");
    expect_err("<<: {workers: 3}\n", "t.yaml: line 1, column 1: unknown key \"<<\"");
}

static void test_wrong_types(void **state)
{
    (void)state;
    expect_err("workers: abc\n", "t.yaml: line 1, column 10: workers: expected an integer, got "
                                 "\"abc\"");
    expect_err("workers: [1, 2]\n",
               "t.yaml: line 1, column 10: workers: expected an integer, got a list");
    expect_err("data-dir:\n  path: /x\n",
               "t.yaml: line 2, column 3: data-dir: expected a path, got a mapping");
    expect_err("node-name:\n  - a\n",
               "t.yaml: line 2, column 3: node-name: expected a string, got a list");
    expect_err("api: 6443\n", "t.yaml: line 1, column 6: api: expected a mapping, got \"6443\"");
    expect_err("bus: [a]\n", "t.yaml: line 1, column 6: bus: expected a mapping, got a list");
    expect_err(
            "api:\n  listen: [a]\n",
            "t.yaml: line 2, column 11: api.listen: expected an address (ADDR:PORT), got a list");
    expect_err("shutdown-timeout: {a: 1}\n",
               "t.yaml: line 1, column 19: shutdown-timeout: expected a duration, got a mapping");
    expect_err("log-level: &l info\nnode-name: *l\n",
               "t.yaml: line 2, column 12: node-name: expected a string, got an alias (anchors "
               "and aliases are not supported)");
    expect_err("plugins: [ping]\n", "t.yaml: line 1, column 10: plugins: expected a mapping of "
                                    "plugin sections, got a list");
    /* deep nesting is skipped, not built, and still a type error */
    expect_option_err("plugins:\n  ping:\n    opt: {a: {b: {c: [[[1]]]}}}\n",
                      "t.yaml: line 3, column 10: plugins.ping.opt: expected a single value, got a "
                      "mapping");
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_err("node-name: Edge_1\n", "t.yaml: line 1, column 12: node-name: invalid node name "
                                      "\"Edge_1\": use only lowercase letters, digits, '-' and "
                                      "'.'");
    expect_err("node-name: -edge\n",
               "t.yaml: line 1, column 12: node-name: invalid node name \"-edge\": each "
               "dot-separated part must start and end with a letter or digit and be at most 63 "
               "characters");
    expect_err("plugin-dir: ''\n", "t.yaml: line 1, column 13: plugin-dir: must not be empty");
    expect_err("log-level: verbose\n", "t.yaml: line 1, column 12: log-level: expected one of "
                                       "error|warn|info|debug|trace, got \"verbose\"");
    expect_err("log-level: INFO\n", "t.yaml: line 1, column 12: log-level: expected one of "
                                    "error|warn|info|debug|trace, got \"INFO\"");
    expect_err("\n\nworkers: 0\n",
               "t.yaml: line 3, column 10: workers: must be between 1 and 64, got \"0\"");
    expect_err("workers: 65\n",
               "t.yaml: line 1, column 10: workers: must be between 1 and 64, got \"65\"");
    expect_err("workers: 99999999999999999999\n",
               "t.yaml: line 1, column 10: workers: expected an integer, got "
               "\"99999999999999999999\"");
    expect_err("workers: 2.5\n",
               "t.yaml: line 1, column 10: workers: expected an integer, got \"2.5\"");
    expect_err("shutdown-timeout: 10\n",
               "t.yaml: line 1, column 19: shutdown-timeout: invalid duration \"10\": missing unit "
               "(e.g. 500ms, 10s, 5m, 1h30m)");
    expect_err("shutdown-timeout: 10 s\n",
               "t.yaml: line 1, column 19: shutdown-timeout: invalid duration \"10 s\": unknown "
               "unit (use ns, us, ms, s, m or h)");
    expect_err("shutdown-timeout: -1s\n", "t.yaml: line 1, column 19: shutdown-timeout: invalid "
                                          "duration \"-1s\": negative durations are not allowed");
    expect_err("api: {listen: x}\n", "t.yaml: line 1, column 15: api.listen: invalid address "
                                     "\"x\": want ADDR:PORT");
    expect_err("api:\n  listen: 127.0.0.1:0\n", "t.yaml: line 2, column 11: api.listen: invalid "
                                                "address \"127.0.0.1:0\": port must be 1..65535");
    expect_err("api:\n  listen: 127.0.0.1:65536\n",
               "t.yaml: line 2, column 11: api.listen: invalid address \"127.0.0.1:65536\": port "
               "must be 1..65535");
    expect_err("api:\n  listen: ::1:6443\n",
               "t.yaml: line 2, column 11: api.listen: invalid address \"::1:6443\": want "
               "ADDR:PORT (write IPv6 addresses in brackets: [::1]:6443)");
    expect_err("api:\n  listen: 300.1.1.1:6443\n",
               "t.yaml: line 2, column 11: api.listen: invalid address \"300.1.1.1:6443\": invalid "
               "IPv4 address");
    expect_err(
            "api:\n  listen: '[fe80::zz]:6443'\n",
            "t.yaml: line 2, column 11: api.listen: invalid address \"[fe80::zz]:6443\": invalid "
            "IPv6 address");
    expect_err("api:\n  listen: ':6443'\n",
               "t.yaml: line 2, column 11: api.listen: invalid address \":6443\": missing address "
               "(use 0.0.0.0 for every interface)");
    expect_err("bus:\n  listen: udp://1.2.3.4:5\n",
               "t.yaml: line 2, column 11: bus.listen: invalid address \"udp://1.2.3.4:5\": want "
               "\"\" (off), tcp://ADDR:PORT or ipc:///path");
    expect_err("bus:\n  listen: tcp://host\n", "t.yaml: line 2, column 11: bus.listen: invalid "
                                               "address \"tcp://host\": want ADDR:PORT");
    expect_err(
            "bus:\n  listen: ipc://run/bus.sock\n",
            "t.yaml: line 2, column 11: bus.listen: invalid address \"ipc://run/bus.sock\": want "
            "ipc:///absolute/path");

    struct sk_config *cfg = parse_ok("api: {listen: 'localhost:1'}\n"
                                     "bus: {listen: 'ipc:///run/skiff/bus.sock'}\n");
    assert_string_equal(cfg->api_listen, "localhost:1");
    assert_string_equal(cfg->bus_listen, "ipc:///run/skiff/bus.sock");
    sk_config_free(cfg);
}

static void test_duplicates(void **state)
{
    (void)state;
    expect_err("workers: 2\nlog-level: info\nworkers: 3\n",
               "t.yaml: line 3, column 1: duplicate key \"workers\" (first at line 1)");
    expect_err("api:\n  listen: a:1\n  listen: b:2\n",
               "t.yaml: line 3, column 3: duplicate key \"api.listen\" (first at line 2)");
    expect_err("plugins:\n  ping: {}\n  dns: {}\n  ping: {}\n",
               "t.yaml: line 4, column 3: duplicate key \"plugins.ping\" (first at line 2)");
    expect_err("plugins:\n  ping:\n    every: 1s\n    every: 2s\n",
               "t.yaml: line 4, column 5: duplicate key \"plugins.ping.every\" (first at line 3)");
    expect_err("plugins:\n  ping: {enabled: true, enabled: false}\n",
               "t.yaml: line 2, column 25: duplicate key \"plugins.ping.enabled\" (first at line "
               "2)");
    /* the first duplicate in file order is the one reported */
    expect_err("b: 1\na: 1\nb: 2\na: 2\n", "t.yaml: line 1, column 1: unknown key \"b\"");
    expect_err("workers: 1\ndata-dir: /a\ndata-dir: /b\nworkers: 2\n",
               "t.yaml: line 3, column 1: duplicate key \"data-dir\" (first at line 2)");
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_err("workers: 2\napi: listen: x\n",
               "t.yaml: line 2, column 12: syntax error: mapping values are not allowed in this "
               "context");
    expect_err_prefix("api: {listen: x\n", "t.yaml: line 2, column 1: syntax error: ");
    expect_err_prefix("workers: 2\n\tlog-level: info\n",
                      "t.yaml: line 2, column 1: syntax error: ");
    expect_err_prefix("key: \"unterminated\n", "t.yaml: line 2, column 1: syntax error: ");
    expect_err("workers: 2\nnode-name: a\xff\n",
               "t.yaml: line 2, column 13: invalid input: invalid leading UTF-8 octet");
    /* libyaml's event parser does not resolve aliases; we refuse them all */
    expect_err("workers: *nope\n", "t.yaml: line 1, column 10: workers: expected an integer, got "
                                   "an alias (anchors and aliases are not supported)");
    expect_err("workers: 2\n---\nworkers: 3\n",
               "t.yaml: line 2, column 1: a second YAML document: the config file holds exactly "
               "one");
    expect_err("node-name: \"a\\0b\"\n", "t.yaml: line 1, column 12: NUL character in a value");
}

static void test_top_level_not_a_map(void **state)
{
    (void)state;
    expect_err("- workers: 2\n",
               "t.yaml: line 1, column 1: the top level must be a mapping of keys (like `data-dir: "
               "/var/lib/skiff`), got a list");
    expect_err("# hi\nworkers\n",
               "t.yaml: line 2, column 1: the top level must be a mapping of keys (like `data-dir: "
               "/var/lib/skiff`), got \"workers\"");
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* libyaml gets slow on deep flow nesting, so depth is capped */
    char y[256] = "workers: ";
    for (int i = 0; i < 40; i++)
        strcat(y, "[");
    expect_err(y, "t.yaml: line 1, column 42: nesting deeper than 32 levels");
    strcpy(y, "plugins:\n  p:\n    k: ");
    for (int i = 0; i < 40; i++)
        strcat(y, "{a: ");
    expect_err(y, "t.yaml: line 3, column 136: nesting deeper than 32 levels");
}

static void test_too_big(void **state)
{
    (void)state;
    size_t n = (1u << 20) + 1;
    char *big = malloc(n + 1);
    memset(big, '#', n);
    big[n] = 0;
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    assert_int_equal(sk_config_parse("big.yaml", big, n, &cfg, &err), SK_ETOOBIG);
    assert_null(cfg);
    assert_string_equal(err->msg, "big.yaml: file is larger than 1 MiB (1048577 bytes)");
    sk_error_free(err);
    err = NULL;
    /* exactly 1 MiB of comment is fine */
    assert_int_equal(sk_config_parse("big.yaml", big, n - 1, &cfg, &err), SK_OK);
    sk_config_free(cfg);

    char path[] = "/tmp/skiff-cfg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, big, n), (ssize_t)n);
    close(fd);
    struct sk_config_flags f = {.config_path = path};
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_ETOOBIG);
    assert_non_null(strstr(err->msg, "file is larger than 1 MiB"));
    sk_error_free(err);
    unlink(path);
    free(big);
}

/* ---- plugins ---- */

static void test_plugin_sections(void **state)
{
    (void)state;
    expect_err("plugins:\n  ping: yes\n",
               "t.yaml: line 2, column 9: plugins.ping: a plugin section must be a mapping, got "
               "\"yes\"");
    expect_err("plugins:\n  ping: false\n",
               "t.yaml: line 2, column 9: plugins.ping: a plugin section must be a mapping, got "
               "\"false\" (to switch a plugin on or off write `name: {enabled: false}`)");
    expect_err("plugins:\n  ping: [a]\n",
               "t.yaml: line 2, column 9: plugins.ping: a plugin section must be a mapping, got a "
               "list");
    expect_err("plugins:\n  ping:\n    enabled: yes\n",
               "t.yaml: line 3, column 14: plugins.ping.enabled: expected true or false "
               "(yes/no/on/off "
               "are not accepted), got \"yes\"");
    expect_err(
            "plugins:\n  ping:\n    enabled: [true]\n",
            "t.yaml: line 3, column 14: plugins.ping.enabled: expected true or false, got a list");
    expect_option_err(
            "plugins:\n  ping:\n    targets:\n      - a\n",
            "t.yaml: line 4, column 7: plugins.ping.targets: expected a single value, got a list");

    struct sk_config *cfg = parse_ok("plugins:\n"
                                     "  ping:\n"
                                     "    enabled: false\n"
                                     "  dns:\n"
                                     "    enabled:\n"
                                     "  net: {}\n");
    assert_false(sk_config_plugin_enabled(cfg, "ping"));
    assert_true(sk_config_plugin_enabled(cfg, "dns"));
    assert_true(sk_config_plugin_enabled(cfg, "net"));
    const char *names[8];
    assert_int_equal(sk_config_plugin_sections(cfg, names, 8), 3);
    assert_string_equal(names[0], "ping");
    assert_string_equal(names[1], "dns");
    assert_string_equal(names[2], "net");
    /* a short array bounds the count, so callers can loop over it */
    assert_int_equal(sk_config_plugin_sections(cfg, names, 2), 2);
    assert_int_equal(sk_config_plugin_sections(cfg, NULL, 0), 3);
    assert_int_equal(sk_config_plugin_line(cfg, "ping"), 2);
    assert_int_equal(sk_config_plugin_line(cfg, "net"), 6);
    assert_int_equal(sk_config_plugin_line(cfg, "nope"), 0);
    sk_config_free(cfg);
    assert_true(sk_config_plugin_enabled(NULL, "ping"));
    assert_int_equal(sk_config_plugin_sections(NULL, names, 8), 0);
}

struct popts {
    char *name;
    int64_t count;
    bool verbose;
    double ratio;
    double interval;
    uint64_t buffer;
    char *label;
};

static const struct skiff_option ptable[] = {
        {"name", SKIFF_OPT_STR, "def", offsetof(struct popts, name), "a string"},
        {"count", SKIFF_OPT_INT, "3", offsetof(struct popts, count), "an int"},
        {"verbose", SKIFF_OPT_BOOL, "false", offsetof(struct popts, verbose), "a bool"},
        {"ratio", SKIFF_OPT_DOUBLE, "0.5", offsetof(struct popts, ratio), "a double"},
        {"interval", SKIFF_OPT_DURATION, "10s", offsetof(struct popts, interval), "a duration"},
        {"buffer", SKIFF_OPT_SIZE, "64Ki", offsetof(struct popts, buffer), "a size"},
        {"label", SKIFF_OPT_STR, NULL, offsetof(struct popts, label), "no default"},
        {NULL, 0, NULL, 0, NULL},
};

static struct popts *opts_ok(const char *yaml)
{
    struct sk_config *cfg = yaml ? parse_ok(yaml) : NULL;
    void *o = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_config_plugin_options(cfg, "ping", ptable, sizeof(struct popts), &o, &err);
    if (rc) fail_msg("unexpected: %s", sk_error_msg(err, rc));
    sk_config_free(cfg);
    return o;
}

static void opts_err(const char *yaml, const char *want)
{
    struct sk_config *cfg = parse_ok(yaml);
    void *o = (void *)1;
    struct sk_error *err = NULL;
    sk_err rc = sk_config_plugin_options(cfg, "ping", ptable, sizeof(struct popts), &o, &err);
    if (!rc) fail_msg("no error for:\n%s", yaml);
    assert_null(o);
    if (strcmp(err->msg, want)) fail_msg("for:\n%s\n got: %s\nwant: %s", yaml, err->msg, want);
    sk_error_free(err);
    sk_config_free(cfg);
}

static void assert_popts_defaults(const struct popts *p)
{
    assert_string_equal(p->name, "def");
    assert_int_equal(p->count, 3);
    assert_false(p->verbose);
    assert_true(p->ratio == 0.5);
    assert_true(p->interval == 10.0);
    assert_int_equal(p->buffer, 65536);
    assert_string_equal(p->label, "");
}

static void test_plugin_options_defaults(void **state)
{
    (void)state;
    struct popts *p = opts_ok(NULL);
    assert_popts_defaults(p);
    sk_config_options_free(ptable, p);
    p = opts_ok("plugins: {other: {x: 1}}\n");
    assert_popts_defaults(p);
    sk_config_options_free(ptable, p);
    /* null values and enabled: false leave defaults; enabled is not an option */
    p = opts_ok("plugins:\n  ping:\n    enabled: false\n    name:\n    count: ~\n");
    assert_popts_defaults(p);
    sk_config_options_free(ptable, p);
    sk_config_options_free(ptable, NULL);
}

static void test_plugin_options_good(void **state)
{
    (void)state;
    struct popts *p = opts_ok("plugins:\n"
                              "  ping:\n"
                              "    name: \"hello world\"\n"
                              "    count: -9223372036854775808\n"
                              "    verbose: true\n"
                              "    ratio: -1.25e2\n"
                              "    interval: 1h30m\n"
                              "    buffer: 1.5Gi\n"
                              "    label: 42\n");
    assert_string_equal(p->name, "hello world");
    assert_true(p->count == INT64_MIN);
    assert_true(p->verbose);
    assert_true(p->ratio == -125.0);
    assert_true(p->interval == 5400.0);
    assert_int_equal(p->buffer, 1610612736ull);
    assert_string_equal(p->label, "42");
    sk_config_options_free(ptable, p);
}

static void test_plugin_options_bad(void **state)
{
    (void)state;
    opts_err("plugins:\n  ping:\n    cuont: 3\n",
             "t.yaml: line 3, column 5: unknown key \"plugins.ping.cuont\" (did you mean "
             "\"plugins.ping.count\"?)");
    opts_err("plugins:\n  ping:\n    colour: red\n",
             "t.yaml: line 3, column 5: unknown key \"plugins.ping.colour\"");
    opts_err("plugins:\n  ping:\n    count: ten\n",
             "t.yaml: line 3, column 12: plugins.ping.count: expected an integer, got \"ten\"");
    opts_err("plugins:\n  ping:\n    count: 9223372036854775808\n",
             "t.yaml: line 3, column 12: plugins.ping.count: integer out of range, got "
             "\"9223372036854775808\"");
    opts_err("plugins:\n  ping: {verbose: on}\n",
             "t.yaml: line 2, column 19: plugins.ping.verbose: expected true or false "
             "(yes/no/on/off are not accepted), got \"on\"");
    opts_err("plugins:\n  ping:\n    ratio: nan\n",
             "t.yaml: line 3, column 12: plugins.ping.ratio: expected a number, got \"nan\"");
    opts_err("plugins:\n  ping:\n    ratio: 1e999\n",
             "t.yaml: line 3, column 12: plugins.ping.ratio: number out of range, got \"1e999\"");
    opts_err("plugins:\n  ping:\n    interval: 500\n",
             "t.yaml: line 3, column 15: plugins.ping.interval: invalid duration \"500\": missing "
             "unit (e.g. 500ms, 10s, 5m, 1h30m)");
    opts_err("plugins:\n  ping:\n    interval: 5d\n",
             "t.yaml: line 3, column 15: plugins.ping.interval: invalid duration \"5d\": unknown "
             "unit (use ns, us, ms, s, m or h)");
    opts_err("plugins:\n  ping:\n    buffer: 10MB\n",
             "t.yaml: line 3, column 13: plugins.ping.buffer: invalid size \"10MB\": unknown unit "
             "(use k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei)");
    opts_err("plugins:\n  ping:\n    buffer: 0.5\n",
             "t.yaml: line 3, column 13: plugins.ping.buffer: invalid size \"0.5\": not a whole "
             "number of bytes");
}

/* ---- SKIFF_OPT_TREE (ABI 1.2) ---- */

struct topts {
    struct skiff_opt_tree tree, none, empty;
    char *name;
};

static const struct skiff_option ttable[] = {
        {"tree", SKIFF_OPT_TREE, "", offsetof(struct topts, tree), "a path or a mapping"},
        {"none", SKIFF_OPT_TREE, NULL, offsetof(struct topts, none), "no default"},
        {"empty", SKIFF_OPT_TREE, "", offsetof(struct topts, empty), "empty default"},
        {"name", SKIFF_OPT_STR, "def", offsetof(struct topts, name), "a string"},
        {NULL, 0, NULL, 0, NULL},
};

static struct topts *topts_run(const char *yaml, struct sk_error **err)
{
    struct sk_config *cfg = yaml ? parse_ok(yaml) : NULL;
    void *o = NULL;
    sk_err rc = sk_config_plugin_options(cfg, "ping", ttable, sizeof(struct topts), &o, err);
    sk_config_free(cfg);
    if (rc) assert_null(o);
    return o;
}

static struct sk_val *tree_val(const struct skiff_opt_tree *t)
{
    struct sk_val *v = NULL;
    assert_non_null(t->msgpack);
    assert_int_equal(sk_val_from_msgpack(t->msgpack, t->len, &v, NULL), SK_OK);
    return v;
}

static void test_plugin_options_tree(void **state)
{
    (void)state;
    /* defaults: a string, or nil without one */
    struct topts *p = topts_run(NULL, NULL);
    assert_non_null(p);
    struct sk_val *v = tree_val(&p->tree);
    assert_string_equal(sk_val_cstr(v), "");
    sk_val_free(v);
    v = tree_val(&p->none);
    assert_int_equal(v->type, SK_V_NULL);
    sk_val_free(v);
    assert_string_equal(p->tree.origin, "default");
    sk_config_options_free(ttable, p);

    /* a block mapping, typed as Kubernetes YAML; the next key still reads;
     * UTF-8 before and inside the span keeps the offsets right */
    p = topts_run("# café ü\n"
                  "plugins:\n"
                  "  ping:\n"
                  "    tree:\n"
                  "      mirrors:\n"
                  "        docker.io: {endpoint: [\"http://ü:5000\"]}\n"
                  "      configs:\n"
                  "        x: {tls: {insecure_skip_verify: true}, num: 3, q: \"3\"}\n"
                  "    name: after\n",
                  NULL);
    assert_non_null(p);
    assert_string_equal(p->name, "after");
    assert_string_equal(p->tree.origin, "t.yaml: line 5, column 7");
    v = tree_val(&p->tree);
    assert_int_equal(v->type, SK_V_MAP);
    assert_string_equal(
            sk_val_cstr(sk_arr_get(sk_val_at(v, "mirrors", "docker.io", "endpoint", NULL), 0)),
            "http://ü:5000");
    assert_int_equal(sk_val_at(v, "configs", "x", "tls", "insecure_skip_verify", NULL)->type,
                     SK_V_BOOL);
    assert_int_equal(sk_val_at(v, "configs", "x", "num", NULL)->type, SK_V_INT);
    assert_int_equal(sk_val_at(v, "configs", "x", "q", NULL)->type, SK_V_STR);
    sk_val_free(v);
    sk_config_options_free(ttable, p);

    /* flow style, a list, a scalar (a string), null (the default) */
    p = topts_run("plugins: {ping: {tree: {a: [1, {b: c}]}, none: [x, y], empty: 42}}\n", NULL);
    assert_non_null(p);
    v = tree_val(&p->tree);
    assert_string_equal(sk_val_cstr(sk_val_at(sk_arr_get(sk_map_get(v, "a"), 1), "b", NULL)), "c");
    sk_val_free(v);
    v = tree_val(&p->none);
    assert_int_equal(sk_arr_len(v), 2);
    sk_val_free(v);
    v = tree_val(&p->empty);
    assert_string_equal(sk_val_cstr(v), "42");
    sk_val_free(v);
    assert_string_equal(p->empty.origin, "t.yaml: line 1, column 63");
    sk_config_options_free(ttable, p);
    p = topts_run("plugins:\n  ping:\n    tree: /etc/skiff/registries.yaml\n    none:\n", NULL);
    v = tree_val(&p->tree);
    assert_string_equal(sk_val_cstr(v), "/etc/skiff/registries.yaml");
    sk_val_free(v);
    v = tree_val(&p->none);
    assert_int_equal(v->type, SK_V_NULL);
    sk_val_free(v);
    sk_config_options_free(ttable, p);

    /* errors inside the tree name the file's line and the option */
    struct sk_error *err = NULL;
    assert_null(topts_run("plugins:\n  ping:\n    tree:\n      a: 1\n      a: 2\n", &err));
    assert_non_null(err);
    if (!strstr(err->msg, "t.yaml: line 5") || !strstr(err->msg, "(in plugins.ping.tree)"))
        fail_msg("got: %s", err->msg);
    sk_error_free(err);
    err = NULL;
    assert_null(topts_run("plugins:\n  ping:\n    name: &a x\n    tree: {c: *a}\n", &err));
    assert_non_null(err);
    if (!strstr(err->msg, "t.yaml: line 4") || !strstr(err->msg, "plugins.ping.tree"))
        fail_msg("got: %s", err->msg);
    sk_error_free(err);
    /* a scalar option still refuses a mapping */
    err = NULL;
    assert_null(topts_run("plugins:\n  ping:\n    name: {a: 1}\n", &err));
    assert_string_equal(err->msg,
                        "t.yaml: line 3, column 11: plugins.ping.name: expected a single value, "
                        "got a mapping");
    sk_error_free(err);
}

static void test_plugin_table_bugs(void **state)
{
    (void)state;
    struct small {
        int64_t a;
    };
    const struct skiff_option past_end[] = {
            {"a", SKIFF_OPT_INT, NULL, 4, NULL},
            {NULL, 0, NULL, 0, NULL},
    };
    void *o = NULL;
    struct sk_error *err = NULL;
    assert_int_equal(sk_config_plugin_options(NULL, "p", past_end, sizeof(struct small), &o, &err),
                     SK_EINVAL);
    assert_string_equal(err->msg, "plugin p: option a: offset 4 is outside options_size 8");
    sk_error_free(err);
    err = NULL;
    const struct skiff_option bad_def[] = {
            {"a", SKIFF_OPT_INT, "lots", 0, NULL},
            {NULL, 0, NULL, 0, NULL},
    };
    assert_int_equal(sk_config_plugin_options(NULL, "p", bad_def, sizeof(struct small), &o, &err),
                     SK_EINVAL);
    assert_string_equal(err->msg, "plugins.p.a: the plugin's default is invalid: expected an "
                                  "integer, got \"lots\"");
    sk_error_free(err);
    /* a plugin with no options accepts an empty section only */
    struct sk_config *cfg = parse_ok("plugins: {p: {enabled: true}}\n");
    assert_int_equal(sk_config_plugin_options(cfg, "p", NULL, 0, &o, NULL), SK_OK);
    sk_config_options_free(NULL, o);
    sk_config_free(cfg);
}

/* ---- files, flags and the shipped config ---- */

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/skiff-cfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static void test_flags_override_file(void **state)
{
    (void)state;
    char *path = write_tmp("data-dir: /from/file\n"
                           "node-name: file-node\n"
                           "log-level: warn\n"
                           "plugin-dir: /file/plugins\n"
                           "workers: 4\n"
                           "api: {listen: '0.0.0.0:6443'}\n");
    struct sk_config_flags f = {.config_path = path};
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_OK);
    assert_string_equal(cfg->path, path);
    assert_string_equal(cfg->data_dir, "/from/file");
    assert_string_equal(cfg->node_name, "file-node");
    assert_int_equal(cfg->log_level, SK_LOG_WARN);
    sk_config_free(cfg);

    f = (struct sk_config_flags){
            .config_path = path,
            .data_dir = "/from/flag",
            .node_name = "flag-node",
            .api_listen = "[::]:7443",
            .plugin_dir = "/flag/plugins",
            .log_level = "trace",
    };
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_OK);
    assert_string_equal(cfg->data_dir, "/from/flag");
    assert_string_equal(cfg->node_name, "flag-node");
    assert_string_equal(cfg->api_listen, "[::]:7443");
    assert_string_equal(cfg->plugin_dir, "/flag/plugins");
    assert_int_equal(cfg->log_level, SK_LOG_TRACE);
    assert_int_equal(cfg->workers, 4); /* no flag: the file's value stays */
    sk_config_free(cfg);

    f.log_level = "loud";
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_EINVAL);
    assert_null(cfg);
    assert_string_equal(err->msg, "--log-level: expected one of error|warn|info|debug|trace, got "
                                  "\"loud\"");
    sk_error_free(err);
    err = NULL;
    f.log_level = NULL;
    f.api_listen = "6443";
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_EINVAL);
    assert_string_equal(err->msg, "--api-listen: invalid address \"6443\": want ADDR:PORT");
    sk_error_free(err);
    err = NULL;

    /* errors in a loaded file name the file */
    unlink(path);
    free(path);
    path = write_tmp("\nworkers: many\n");
    f = (struct sk_config_flags){.config_path = path};
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_EINVAL);
    char want[256];
    snprintf(want, sizeof(want),
             "%s: line 2, column 10: workers: expected an integer, got "
             "\"many\"",
             path);
    assert_string_equal(err->msg, want);
    sk_error_free(err);
    err = NULL;
    unlink(path);
    free(path);

    /* a named file must exist */
    f = (struct sk_config_flags){.config_path = "/nonexistent/skiff.yaml"};
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_ESYS);
    assert_string_equal(err->msg, "--config /nonexistent/skiff.yaml: No such file or directory");
    sk_error_free(err);
}

static void test_search_order(void **state)
{
    (void)state;
    char *path = write_tmp("workers: 7\n");
    char *old = getenv("SKIFF_CONFIG") ? strdup(getenv("SKIFF_CONFIG")) : NULL;
    setenv("SKIFF_CONFIG", path, 1);
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    assert_int_equal(sk_config_load(NULL, &cfg, &err), SK_OK);
    assert_string_equal(cfg->path, path);
    assert_int_equal(cfg->workers, 7);
    sk_config_free(cfg);

    /* --config wins over $SKIFF_CONFIG */
    char *other = write_tmp("workers: 9\n");
    struct sk_config_flags f = {.config_path = other};
    assert_int_equal(sk_config_load(&f, &cfg, &err), SK_OK);
    assert_int_equal(cfg->workers, 9);
    sk_config_free(cfg);

    /* a missing $SKIFF_CONFIG falls through to /etc/skiff/skiff.yaml */
    unlink(path);
    if (access("/etc/skiff/skiff.yaml", F_OK) != 0) {
        assert_int_equal(sk_config_load(NULL, &cfg, &err), SK_OK);
        assert_null(cfg->path);
        assert_defaults(cfg);
        sk_config_free(cfg);
    }
    if (old)
        setenv("SKIFF_CONFIG", old, 1);
    else
        unsetenv("SKIFF_CONFIG");
    unlink(other);
    free(other);
    free(path);
    free(old);
}

static void test_shipped_config(void **state)
{
    (void)state;
    const char *root = getenv("SKIFF_ROOT");
    char path[4096];
    snprintf(path, sizeof(path), "%s/conf/skiff.yaml", root && *root ? root : ".");
    struct sk_config_flags f = {.config_path = path};
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_config_load(&f, &cfg, &err);
    if (rc) fail_msg("%s", sk_error_msg(err, rc));
    /* it documents the defaults, so loading it changes nothing */
    free(cfg->path);
    cfg->path = NULL;
    assert_defaults(cfg);
    sk_config_free(cfg);
}

/* ---- parse helpers ---- */

static void test_duration(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        double v;
    } good[] = {
            {"500ms", 0.5},   {"10s", 10},   {"5m", 300},       {"1h", 3600},
            {"1h30m", 5400},  {"1.5s", 1.5}, {"0s", 0},         {"250us", 250e-6},
            {"1m0.5s", 60.5}, {".5s", 0.5},  {"100ns", 100e-9},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        double v = -1;
        if (sk_parse_duration(good[i].s, &v)) fail_msg("refused %s", good[i].s);
        if (fabs(v - good[i].v) > 1e-12 * (1 + good[i].v))
            fail_msg("%s -> %g, want %g", good[i].s, v, good[i].v);
    }
    static const char *const bad[] = {
            "",
            "10",
            "0",
            "s",
            "1x",
            "-1s",
            "1.2.3s",
            ".s",
            "1h 30m",
            "1e3s",
            "inf",
            "1s2",
            "99999999999999999999h",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double v = 0;
        if (sk_parse_duration(bad[i], &v) != SK_EINVAL) fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_size(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        uint64_t v;
    } good[] = {
            {"512", 512},
            {"64Ki", 65536},
            {"10Mi", 10485760},
            {"1Gi", 1073741824},
            {"1G", 1000000000},
            {"1M", 1000000},
            {"1k", 1000},
            {"0", 0},
            {"1.5Ki", 1536},
            {"15Ei", 15ull << 60},
            {"18446744073709551615", UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        uint64_t v = 1;
        if (sk_parse_size(good[i].s, &v)) fail_msg("refused %s", good[i].s);
        if (v != good[i].v) fail_msg("%s -> %llu", good[i].s, (unsigned long long)v);
    }
    static const char *const bad[] = {
            "",     "-1",   "1K",   "1KB", "Mi", "1.5", "16Ei", "18446744073709551616",
            "1.Mi", "1 Mi", "0x10",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t v = 0;
        if (sk_parse_size(bad[i], &v) != SK_EINVAL) fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_hostport(void **state)
{
    (void)state;
    static const struct {
        const char *s, *host;
        int port;
    } good[] = {
            {"127.0.0.1:6443", "127.0.0.1", 6443},
            {"[::1]:6443", "::1", 6443},
            {"[::]:1", "::", 1},
            {"0.0.0.0:65535", "0.0.0.0", 65535},
            {"node-1.local:80", "node-1.local", 80},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char host[64];
        int port = 0;
        if (sk_parse_hostport(good[i].s, host, sizeof(host), &port))
            fail_msg("refused %s", good[i].s);
        assert_string_equal(host, good[i].host);
        assert_int_equal(port, good[i].port);
    }
    static const char *const bad[] = {
            "",         "x",         ":6443",          "1.2.3.4",
            "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:65536",  "::1:6443",
            "[::1]",    "[::1]6443", "[x]:1",          "1.2.3.4:+80",
            "a_b:1",    "-a:1",      "1.2.3.4:123456",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char host[64];
        int port;
        if (sk_parse_hostport(bad[i], host, sizeof(host), &port) != SK_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    char tiny[4];
    int port;
    assert_int_equal(sk_parse_hostport("[::1]:1", tiny, sizeof(tiny), &port), SK_OK);
    assert_int_equal(sk_parse_hostport("localhost:1", tiny, sizeof(tiny), &port), SK_ETOOBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_empty_is_defaults),
            cmocka_unit_test(test_every_key),
            cmocka_unit_test(test_null_values_keep_defaults),
            cmocka_unit_test(test_unknown_keys),
            cmocka_unit_test(test_wrong_types),
            cmocka_unit_test(test_bad_values),
            cmocka_unit_test(test_duplicates),
            cmocka_unit_test(test_syntax_errors),
            cmocka_unit_test(test_top_level_not_a_map),
            cmocka_unit_test(test_deep_nesting),
            cmocka_unit_test(test_too_big),
            cmocka_unit_test(test_plugin_sections),
            cmocka_unit_test(test_plugin_options_defaults),
            cmocka_unit_test(test_plugin_options_good),
            cmocka_unit_test(test_plugin_options_bad),
            cmocka_unit_test(test_plugin_options_tree),
            cmocka_unit_test(test_plugin_table_bugs),
            cmocka_unit_test(test_flags_override_file),
            cmocka_unit_test(test_search_order),
            cmocka_unit_test(test_shipped_config),
            cmocka_unit_test(test_duration),
            cmocka_unit_test(test_size),
            cmocka_unit_test(test_hostport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
