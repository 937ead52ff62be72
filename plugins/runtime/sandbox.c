/* Pod sandboxes without a pause container: a worker thread unshares
 * network, IPC and UTS namespaces for itself alone, brings loopback up,
 * sets the hostname, bind-mounts its /proc/thread-self/ns files under the
 * pod's state dir (where every container of the pod joins them by path)
 * and returns to the agent's namespaces. No process is forked: forking
 * the agent copied its page tables and made it take copy-on-write faults
 * afterwards, which cost more than the namespaces themselves. Removal
 * unmounts them on a worker thread. */
#include "sandbox.h"

#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct sb_job {
    struct rt *rt;
    rt_sandbox_fn done;
    void *arg;
    int flags; /* CLONE_NEW* */
    char dir[PATH_MAX], nsdir[PATH_MAX];
    char hostname[64];
    char paths[3][PATH_MAX]; /* net, ipc, uts */
    double t0;
    char msg[512]; /* "" on success */
};

static const char *const ns_names[3] = {"net", "ipc", "uts"};
static const int ns_flags[3] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};

static void sb_failed(struct sb_job *j, const char *step, int err)
{
    RT_SNPRINTF(j->msg, sizeof(j->msg), "sandbox %s: %s: %s", j->dir, step, strerror(err));
}

/* In the new namespaces (this thread only). */
static void sb_setup(struct sb_job *j)
{
    if ((j->flags & CLONE_NEWUTS) && sethostname(j->hostname, strlen(j->hostname))) {
        sb_failed(j, "sethostname", errno);
        return;
    }
    if (j->flags & CLONE_NEWNET) {
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        memcpy(ifr.ifr_name, "lo", 3);
        int rc = s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) ? -1 : 0;
        if (!rc) {
            ifr.ifr_flags |= IFF_UP;
            rc = ioctl(s, SIOCSIFFLAGS, &ifr);
        }
        int e = errno;
        if (s >= 0) close(s);
        if (rc) {
            sb_failed(j, "loopback up", e);
            return;
        }
    }
    for (int i = 0; i < 3; i++) {
        if (!(j->flags & ns_flags[i])) continue;
        int fd = open(j->paths[i], O_RDONLY | O_CREAT | O_CLOEXEC, 0400);
        if (fd < 0) {
            sb_failed(j, "create ns file", errno);
            return;
        }
        close(fd);
        char src[64];
        RT_SNPRINTF(src, sizeof(src), "/proc/thread-self/ns/%s", ns_names[i]);
        if (mount(src, j->paths[i], NULL, MS_BIND, NULL)) {
            sb_failed(j, "bind-mount ns", errno);
            return;
        }
    }
}

static void sb_work(void *arg)
{
    struct sb_job *j = arg;
    mkdir(j->dir, 0700);
    if (mkdir(j->nsdir, 0700) && errno != EEXIST) {
        sb_failed(j, "mkdir", errno);
        return;
    }
    /* The worker's own namespaces, to come back to. */
    int home[3] = {-1, -1, -1};
    for (int i = 0; i < 3; i++) {
        if (!(j->flags & ns_flags[i])) continue;
        char p[64];
        RT_SNPRINTF(p, sizeof(p), "/proc/thread-self/ns/%s", ns_names[i]);
        home[i] = open(p, O_RDONLY | O_CLOEXEC);
        if (home[i] < 0) {
            sb_failed(j, "open the agent's namespace", errno);
            goto out;
        }
    }
    /* Network, IPC and UTS namespaces are per thread: unsharing them here
     * leaves the agent's other threads where they are. */
    if (unshare(j->flags)) {
        sb_failed(j, "unshare", errno);
        goto out;
    }
    sb_setup(j);
    for (int i = 0; i < 3; i++) {
        if (home[i] < 0 || !setns(home[i], ns_flags[i])) continue;
        /* A worker left in a pod's namespaces would run later work (pulls,
         * probes' peers) there: that is not a state to continue from. */
        j->rt->host->log(j->rt->ctx, SKIFF_LOG_ERROR,
                         "sandbox %s: cannot return to the agent's %s namespace: %s", j->dir,
                         ns_names[i], strerror(errno));
        abort();
    }
out:
    for (int i = 0; i < 3; i++)
        if (home[i] >= 0) close(home[i]);
}

static void sb_done(void *arg)
{
    struct sb_job *j = arg;
    j->rt->host->log(j->rt->ctx, SKIFF_LOG_DEBUG, "sandbox %s dir=%s took=%.1fms",
                     j->msg[0] ? "failed" : "ready", j->dir,
                     (j->rt->host->now(j->rt->ctx) - j->t0) * 1e3);
    j->done(j->arg, j->msg[0] ? -1 : 0, j->msg);
    free(j);
}

int rt_sandbox_create(struct rt *rt, const char *dir, const char *hostname, bool host_net,
                      bool host_ipc, rt_sandbox_fn done, void *arg)
{
    struct sb_job *j = sk_xcalloc(1, sizeof(*j));
    j->rt = rt;
    j->done = done;
    j->arg = arg;
    j->flags = (host_net ? 0 : CLONE_NEWNET | CLONE_NEWUTS) | (host_ipc ? 0 : CLONE_NEWIPC);
    j->t0 = rt->host->now(rt->ctx);
    RT_SNPRINTF(j->dir, sizeof(j->dir), "%s", dir);
    RT_SNPRINTF(j->nsdir, sizeof(j->nsdir), "%s/ns", dir);
    RT_SNPRINTF(j->hostname, sizeof(j->hostname), "%s", hostname);
    for (int i = 0; i < 3; i++)
        RT_SNPRINTF(j->paths[i], sizeof(j->paths[i]), "%s/ns/%s", dir, ns_names[i]);
    if (rt->host->work(rt->ctx, sb_work, sb_done, j)) {
        free(j);
        return ESHUTDOWN;
    }
    return 0;
}

/* ---- removal (worker thread) ---- */

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *f)
{
    (void)st, (void)f;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void rt_rmtree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void rt_sandbox_remove_sync(const char *rt_dir, const char *dir, const char *cg_parent,
                            const char *uid)
{
    (void)rt_dir;
    static const char *const names[3] = {"net", "ipc", "uts"};
    char p[PATH_MAX + 16];
    for (int i = 0; i < 3; i++) {
        RT_SNPRINTF(p, sizeof(p), "%s/ns/%s", dir, names[i]);
        umount2(p, MNT_DETACH);
    }
    rt_rmtree(dir);
    /* the pod's cgroup under every v1 controller (runc removes the
     * containers' own) */
    static const char *const ctl[] = {"cpu",        "cpuacct", "cpu,cpuacct", "memory",
                                      "pids",       "blkio",   "devices",     "freezer",
                                      "hugetlb",    "net_cls", "net_prio",    "net_cls,net_prio",
                                      "perf_event", "cpuset",  "systemd",     "rdma",
                                      "misc",       "unified", NULL};
    for (const char *const *c = ctl; *c; c++) {
        RT_SNPRINTF(p, sizeof(p), "/sys/fs/cgroup/%s/%s/pod%s", *c, cg_parent, uid);
        rmdir(p);
    }
}
