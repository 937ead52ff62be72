/* `skiff ping`: a bus-level liveness check of a running agent. */
#ifndef SK_CLI_PING_H
#define SK_CLI_PING_H

/* argv[0] is "ping". Returns the exit code. Blocks. */
int sk_cli_ping(int argc, char **argv);

#endif
