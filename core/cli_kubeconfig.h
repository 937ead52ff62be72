/* `skiff kubeconfig`: the admin kubeconfig for stock kubectl. */
#ifndef SK_CLI_KUBECONFIG_H
#define SK_CLI_KUBECONFIG_H

/* argv[0] is "kubeconfig". Returns the exit code. Reads files. */
int sk_cli_kubeconfig(int argc, char **argv);

#endif
