/* Pod sandboxes: the namespaces a pod's containers share (sandbox.c). */
#ifndef RT_SANDBOX_H
#define RT_SANDBOX_H

#include "pod.h"

#include <stdbool.h>

/* done(arg, 0 or -1, message) on the loop. */
typedef void (*rt_sandbox_fn)(void *arg, int rc, const char *msg);

/* Make DIR/ns/{net,ipc,uts} (net and uts not with host_net, ipc not
 * with host_ipc), loopback up, hostname set. Returns 0 (done follows) or
 * an errno (done is not called). */
int rt_sandbox_create(struct rt *rt, const char *dir, const char *hostname, bool host_net,
                      bool host_ipc, rt_sandbox_fn done, void *arg);

/* Unmount the namespaces, remove DIR and the pod's cgroups. Blocks: from
 * a worker thread. */
void rt_sandbox_remove_sync(const char *rt_dir, const char *dir, const char *cg_parent,
                            const char *uid);

/* rm -rf without following symlinks or crossing mounts. Blocks. */
void rt_rmtree(const char *path);

#endif
