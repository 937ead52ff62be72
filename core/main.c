/* The skiff binary: one executable for the agent and the CLI. Dispatches on
 * the first argument, as kubectl does on its verbs. */
#include "agent.h"
#include "../plugins/images/cli.h"
#include "../plugins/runtime/rt.h"
#include "cli.h"
#include "cli_kubeconfig.h"
#include "cli_ping.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    sk_cli_print_usage(f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "agent")) return sk_agent_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "runtime-shim")) return rt_shim_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "image")) return skiff_images_cli(argc - 1, argv + 1);
    if (!strcmp(cmd, "kubeconfig")) return sk_cli_kubeconfig(argc - 1, argv + 1);
    if (!strcmp(cmd, "ping")) return sk_cli_ping(argc - 1, argv + 1);
    if (!strcmp(cmd, "--version")) {
        sk_version_print(stdout);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    int rc = sk_cli_main(argc - 1, argv + 1);
    if (rc >= 0) return rc;
    fprintf(stderr, "error: unknown command \"%s\" for \"skiff\"\n", cmd);
    fprintf(stderr, "Run 'skiff --help' for usage.\n");
    return 1;
}
