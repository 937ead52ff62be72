/* `skiff kubeconfig`: print the admin kubeconfig of this node's agent, so
 * stock kubectl and client libraries can use the API as they are. */
#include "cli_kubeconfig.h"
#include "api.h"
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "Print a kubeconfig for this node's API: the cluster CA, the server URL and\n"
               "the admin token. Save it and point kubectl at it:\n"
               "\n"
               "  skiff kubeconfig > ~/.kube/config\n"
               "\n"
               "Usage:\n"
               "  skiff kubeconfig [flags]\n"
               "\n"
               "Flags:\n"
               "      --config PATH     configuration file (as for skiff agent)\n"
               "      --data-dir DIR    the agent's data dir (default from the configuration)\n"
               "      --server URL      server URL to write (default https://ADDR:PORT from\n"
               "                        api.listen; 0.0.0.0 becomes 127.0.0.1)\n"
               "  -h, --help            show this help\n");
}

int sk_cli_kubeconfig(int argc, char **argv)
{
    static const struct option opts[] = {
            {"config", required_argument, NULL, 'c'},
            {"data-dir", required_argument, NULL, 'd'},
            {"server", required_argument, NULL, 's'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    struct sk_config_flags flags = {0};
    const char *server = NULL;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': flags.config_path = optarg; break;
        case 'd': flags.data_dir = optarg; break;
        case 's': server = optarg; break;
        case 'h': usage(stdout); return 0;
        case ':':
            fprintf(stderr, "error: flag needs an argument: %s\n", argv[optind - 1]);
            return 1;
        default:
            fprintf(stderr, "error: unknown flag: %s\nSee 'skiff kubeconfig --help' for usage.\n",
                    argv[optind - 1]);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "error: unexpected argument \"%s\"\n", argv[optind]);
        return 1;
    }
    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    if (sk_config_load(&flags, &cfg, &err)) {
        fprintf(stderr, "error: %s\n", sk_error_msg(err, SK_EINVAL));
        sk_error_free(err);
        return 1;
    }
    char *url = server ? strdup(server) : sk_api_local_url(cfg->api_listen);
    char *kc = url ? sk_api_kubeconfig(cfg->data_dir, url, &err) : NULL;
    int rc = 0;
    if (!kc) {
        fprintf(stderr, "error: %s\n",
                url ? sk_error_msg(err, SK_ENOENT) : "cannot derive a server URL from api.listen");
        rc = 1;
    } else {
        fputs(kc, stdout);
    }
    free(kc);
    free(url);
    sk_error_free(err);
    sk_config_free(cfg);
    return rc;
}
