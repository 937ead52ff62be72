/* The skiff binary: one executable for the agent and the CLI. Dispatches on
 * the first argument, as kubectl does on its verbs. */
#include "agent.h"
#include "../plugins/images/cli.h"
#include "cli_kubeconfig.h"
#include "cli_ping.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "skiff runs a small Kubernetes-compatible cluster on edge and IoT machines.\n"
               "\n"
               "Usage:\n"
               "  skiff COMMAND [flags]\n"
               "\n"
               "Commands:\n"
               "  agent       run the node agent (API, store, plugins)\n"
               "  version     print skiff's version and its libraries'\n"
               "  image       pull, import, export and list images (skiff image --help)\n"
               "  kubeconfig  print a kubeconfig for kubectl and client libraries\n"
               "  ping        check an agent's bus endpoint is alive\n"
               "  help        show this help\n"
               "\n"
               "Use 'skiff COMMAND --help' for more about a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "agent")) return sk_agent_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "image")) return skiff_images_cli(argc - 1, argv + 1);
    if (!strcmp(cmd, "kubeconfig")) return sk_cli_kubeconfig(argc - 1, argv + 1);
    if (!strcmp(cmd, "ping")) return sk_cli_ping(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
            printf("Print skiff's version and the versions of its libraries.\n\n"
                   "Usage:\n  skiff version\n");
            return 0;
        }
        sk_version_print(stdout);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "error: unknown command \"%s\" for \"skiff\"\n", cmd);
    fprintf(stderr, "Run 'skiff --help' for usage.\n");
    return 1;
}
