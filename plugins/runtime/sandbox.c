/* Pod sandboxes without a pause container: a short-lived child unshares
 * network, IPC and UTS namespaces, brings loopback up, sets the hostname
 * and bind-mounts its /proc/self/ns files under the pod's state dir, where
 * every container of the pod joins them by path. Removal unmounts them on
 * a worker thread. */
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
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct sb_job {
    struct rt *rt;
    rt_sandbox_fn done;
    void *arg;
    int flags; /* CLONE_NEW* */
    char dir[PATH_MAX], nsdir[PATH_MAX];
    char hostname[64];
    char paths[3][PATH_MAX]; /* net, ipc, uts */
    int pidfd, out;
    struct skiff_watch *w;
};

struct sb_fail {
    int step, err;
};

static const char *const steps[] = {
        "", "mkdir", "unshare", "sethostname", "loopback up", "create ns file", "bind-mount ns",
        ""};

/* In the child: raw system calls only. */
static int sb_child(void *arg)
{
    struct sb_job *j = arg;
    struct sb_fail f = {0, 0};
    mkdir(j->dir, 0700);
    if (mkdir(j->nsdir, 0700) && errno != EEXIST) {
        f = (struct sb_fail){1, errno};
        goto fail;
    }
    if (unshare(j->flags)) {
        f = (struct sb_fail){2, errno};
        goto fail;
    }
    if ((j->flags & CLONE_NEWUTS) && sethostname(j->hostname, strlen(j->hostname))) {
        f = (struct sb_fail){3, errno};
        goto fail;
    }
    if (j->flags & CLONE_NEWNET) {
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        memcpy(ifr.ifr_name, "lo", 3);
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr)) {
            f = (struct sb_fail){4, errno};
            goto fail;
        }
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr)) {
            f = (struct sb_fail){4, errno};
            goto fail;
        }
        close(s);
    }
    static const char *const src[3] = {"/proc/self/ns/net", "/proc/self/ns/ipc",
                                       "/proc/self/ns/uts"};
    static const int fl[3] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};
    for (int i = 0; i < 3; i++) {
        if (!(j->flags & fl[i])) continue;
        int fd = open(j->paths[i], O_RDONLY | O_CREAT | O_CLOEXEC, 0400);
        if (fd < 0) {
            f = (struct sb_fail){5, errno};
            goto fail;
        }
        close(fd);
        if (mount(src[i], j->paths[i], NULL, MS_BIND, NULL)) {
            f = (struct sb_fail){6, errno};
            goto fail;
        }
    }
    return 0;
fail:
    if (write(1, &f, sizeof(f)) < 0) return 2;
    return 1;
}

static void sb_exit(int fd, int events, void *arg)
{
    (void)fd, (void)events;
    struct sb_job *j = arg;
    int st = rt_reap(j->pidfd);
    if (st == -2) return;
    j->rt->host->fd_unwatch(j->rt->ctx, j->w);
    char msg[512] = "";
    if (st != 0) {
        struct sb_fail f = {0, 0};
        if (pread(j->out, &f, sizeof(f), 0) == (ssize_t)sizeof(f) && f.step > 0 && f.step < 7)
            RT_SNPRINTF(msg, sizeof(msg), "sandbox %s: %s: %s", j->dir, steps[f.step],
                        strerror(f.err));
        else
            RT_SNPRINTF(msg, sizeof(msg), "sandbox %s: the helper process ended with status %d",
                        j->dir, st);
    }
    close(j->pidfd);
    close(j->out);
    j->done(j->arg, st == 0 ? 0 : -1, msg);
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
    RT_SNPRINTF(j->dir, sizeof(j->dir), "%s", dir);
    RT_SNPRINTF(j->nsdir, sizeof(j->nsdir), "%s/ns", dir);
    RT_SNPRINTF(j->hostname, sizeof(j->hostname), "%s", hostname);
    static const char *const names[3] = {"net", "ipc", "uts"};
    for (int i = 0; i < 3; i++)
        RT_SNPRINTF(j->paths[i], sizeof(j->paths[i]), "%s/ns/%s", dir, names[i]);
    j->out = memfd_create("rt-sandbox", MFD_CLOEXEC);
    pid_t pid;
    int rc = j->out < 0 ? errno : rt_spawn_fn(sb_child, j, j->out, &pid, &j->pidfd);
    if (rc) {
        if (j->out >= 0) close(j->out);
        free(j);
        return rc;
    }
    j->w = rt->host->fd_watch(rt->ctx, j->pidfd, SKIFF_FD_READ, sb_exit, j);
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
