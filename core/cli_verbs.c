/* The CLI's verb table, in kubectl's help order and groups. Each verb is a
 * weak reference to sk_cli_verb_<name>: a verb exists as soon as some file
 * defines its symbol, and the table never names a missing one. */
#include "cli.h"

#include <string.h>

/* Weak: a verb nobody defines is a null pointer, skipped below. */
extern const struct sk_cli_verb sk_cli_verb_create __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_expose __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_run __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_set __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_explain __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_get __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_edit __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_delete __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_rollout __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_scale __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_autoscale __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_cluster_info __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_top __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_cordon __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_uncordon __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_drain __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_taint __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_describe __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_logs __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_attach __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_exec __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_port_forward __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_proxy __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_cp __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_auth __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_debug __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_events __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_diff __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_apply __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_patch __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_replace __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_wait __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_label __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_annotate __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_completion __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_api_resources __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_api_versions __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_config __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_version __attribute__((weak));
extern const struct sk_cli_verb sk_cli_verb_options __attribute__((weak));

struct group {
    const char *title;
    const struct sk_cli_verb *v[12];
};

#define W(sym) &sk_cli_verb_##sym
static const struct group groups[] = {
        {"Basic Commands (Beginner)", {W(create), W(expose), W(run), W(set)}},
        {"Basic Commands (Intermediate)", {W(explain), W(get), W(edit), W(delete)}},
        {"Deploy Commands", {W(rollout), W(scale), W(autoscale)}},
        {"Cluster Management Commands",
         {W(cluster_info), W(top), W(cordon), W(uncordon), W(drain), W(taint)}},
        {"Troubleshooting and Debugging Commands",
         {W(describe), W(logs), W(attach), W(exec), W(port_forward), W(proxy), W(cp), W(auth),
          W(debug), W(events)}},
        {"Advanced Commands", {W(diff), W(apply), W(patch), W(replace), W(wait)}},
        {"Settings Commands", {W(label), W(annotate), W(completion)}},
        {"Other Commands", {W(api_resources), W(api_versions), W(config), W(version)}},
        {NULL, {W(options)}}, /* dispatched, not listed (kubectl does the same) */
};
#undef W

/* skiff's own commands, dispatched by main.c; listed here for --help. */
static const struct {
    const char *name, *help;
} own[] = {
        {"agent", "Run the node agent (API, store, plugins)"},
        {"image", "Pull, import, export and list images (skiff image --help)"},
        {"kubeconfig", "Print a kubeconfig for kubectl and client libraries"},
        {"ping", "Check an agent's bus endpoint is alive"},
};

const struct sk_cli_verb *sk_cli_find_verb(const char *name)
{
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        for (size_t i = 0; i < 12; i++) {
            const struct sk_cli_verb *v = groups[g].v[i];
            if (!v) continue;
            if (!strcmp(v->name, name)) return v;
            for (const char *const *a = v->aliases; a && *a; a++)
                if (!strcmp(*a, name)) return v;
        }
    return NULL;
}

void sk_cli_print_usage(FILE *f)
{
    fprintf(f, "skiff runs a small Kubernetes-compatible cluster on edge and IoT machines, and "
               "controls it as kubectl does.\n\n");
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        if (!groups[g].title) continue;
        bool any = false;
        for (size_t i = 0; i < 12; i++) {
            const struct sk_cli_verb *v = groups[g].v[i];
            if (!v) continue;
            if (!any) fprintf(f, "%s:\n", groups[g].title);
            any = true;
            fprintf(f, "  %-15s %s\n", v->name, v->short_help);
        }
        if (any) fputc('\n', f);
    }
    fprintf(f, "skiff Commands:\n");
    for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        fprintf(f, "  %-15s %s\n", own[i].name, own[i].help);
    fprintf(f, "\nUsage:\n  skiff [flags] [options]\n\n"
               "Use \"skiff <command> --help\" for more information about a given command.\n"
               "Use \"skiff options\" for a list of global command-line options (applies to all "
               "commands).\n");
}
