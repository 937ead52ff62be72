/* `skiff agent`: the daemon. Reads the configuration, opens the data dir,
 * runs the loop, the worker pool, the bus and the plugins until SIGTERM or
 * SIGINT, then stops everything in reverse order. */
#ifndef SK_AGENT_H
#define SK_AGENT_H

/* Entry point for `skiff agent ARGS`; argv[0] is "agent". Returns the
 * process exit code. Blocks for the agent's lifetime. */
int sk_agent_main(int argc, char **argv);

#endif
