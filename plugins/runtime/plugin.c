/* runtime: the per-node pod runtime (the kubelet's job). This file holds
 * the plugin descriptor, its options, the choice of OCI runtime and the
 * accessors the runtime's modules share (rt.h); the pod lifecycle is in
 * pod.c and ctr.c. */
#include "pod.h"

#include "mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static const struct skiff_option rt_options[] = {
        {"runtime", SKIFF_OPT_STR, "auto", offsetof(struct rt_opts, runtime),
         "the OCI runtime: a path, or \"auto\" (runc, then crun, on PATH; the first that works)"},
        {"log-max-size", SKIFF_OPT_SIZE, "10Mi", offsetof(struct rt_opts, log_max_size),
         "a container log file is rotated when it passes this size"},
        {"log-max-files", SKIFF_OPT_INT, "5", offsetof(struct rt_opts, log_max_files),
         "log files kept per container instance, the current one included"},
        {"pids-limit", SKIFF_OPT_INT, "-1", offsetof(struct rt_opts, pids_limit),
         "the most processes a container may have (pids cgroup); -1 for no limit"},
        {"resolv-conf", SKIFF_OPT_STR, "/etc/resolv.conf", offsetof(struct rt_opts, resolv_conf),
         "the file copied into pods as /etc/resolv.conf (dnsPolicy other than None)"},
        {NULL, 0, NULL, 0, NULL},
};

const struct skiff_host *rt_host(struct rt *rt)
{
    return rt->host;
}

struct skiff_ctx *rt_ctx(struct rt *rt)
{
    return rt->ctx;
}

const char *rt_runtime_path(struct rt *rt)
{
    return rt->runtime_path;
}

const char *rt_runtime_root(struct rt *rt)
{
    return rt->runtime_root;
}

const char *rt_dir(struct rt *rt)
{
    return rt->dir;
}

const char *rt_log_dir(struct rt *rt)
{
    return rt->log_dir;
}

/* Run argv and wait (init only, before the loop runs); the exit status. */
static int run_wait(char *const argv[])
{
    pid_t pid;
    int pidfd;
    if (rt_spawn(argv, NULL, -1, &pid, &pidfd)) return -1;
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    int rc = (int)syscall(SYS_waitid, P_PIDFD, pidfd, &si, WEXITED | __WALL, NULL);
    close(pidfd);
    if (rc < 0) return -1;
    return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

static bool find_exe(const char *name, char *out, size_t outlen)
{
    const char *path = getenv("PATH");
    char buf[8192];
    RT_SNPRINTF(buf, sizeof(buf), "%s:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                path ? path : "");
    for (char *save, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        if (!*d) continue;
        RT_SNPRINTF(out, outlen, "%s/%s", d, name);
        if (!access(out, X_OK)) return true;
    }
    return false;
}

/* The runtime works here: --version answers, and (crun) it can list its
 * state dir, which fails where crun cannot handle the cgroup setup. */
static bool runtime_works(const char *path, const char *root)
{
    char *v[] = {(char *)path, "--version", NULL};
    if (run_wait(v) != 0) return false;
    if (strstr(path, "crun")) {
        char *l[] = {(char *)path, "--root", (char *)root, "list", NULL};
        if (run_wait(l) != 0) return false;
    }
    return true;
}

static int pick_runtime(struct rt *rt)
{
    const char *want = rt->o->runtime && *rt->o->runtime ? rt->o->runtime : "auto";
    if (strcmp(want, "auto")) {
        char p[PATH_MAX];
        if (want[0] == '/')
            RT_SNPRINTF(p, sizeof(p), "%s", want);
        else if (!find_exe(want, p, sizeof(p))) {
            rt->host->log(rt->ctx, SKIFF_LOG_ERROR,
                          "plugins.runtime.runtime: \"%s\" is not an executable on PATH", want);
            return -1;
        }
        if (!runtime_works(p, rt->runtime_root)) {
            rt->host->log(rt->ctx, SKIFF_LOG_ERROR,
                          "plugins.runtime.runtime: %s does not work (`%s --version` failed)", p,
                          p);
            return -1;
        }
        RT_SNPRINTF(rt->runtime_path, sizeof(rt->runtime_path), "%s", p);
        return 0;
    }
    static const char *const cands[] = {"runc", "crun", NULL};
    for (const char *const *c = cands; *c; c++) {
        char p[PATH_MAX];
        if (!find_exe(*c, p, sizeof(p))) continue;
        if (runtime_works(p, rt->runtime_root)) {
            RT_SNPRINTF(rt->runtime_path, sizeof(rt->runtime_path), "%s", p);
            return 0;
        }
        rt->host->log(rt->ctx, SKIFF_LOG_WARN, "OCI runtime %s does not work here: skipped", p);
    }
    rt->host->log(rt->ctx, SKIFF_LOG_ERROR,
                  "no working OCI runtime: install runc or crun, or set plugins.runtime.runtime");
    return -1;
}

/* The node's address: the first IPv4 address of an interface that is up
 * and not loopback (127.0.0.1 when there is none). */
static void find_host_ip(struct rt *rt)
{
    RT_SNPRINTF(rt->host_ip, sizeof(rt->host_ip), "127.0.0.1");
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa)) return;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        if ((i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP)) continue;
        inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, rt->host_ip,
                  sizeof(rt->host_ip));
        break;
    }
    freeifaddrs(ifa);
}

static int rt_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                   void **self)
{
    const struct rt_opts *o = options;
    if (o->log_max_files < 1 || o->log_max_files > 1000) {
        host->log(ctx, SKIFF_LOG_ERROR, "plugins.runtime.log-max-files: %lld: want 1..1000",
                  (long long)o->log_max_files);
        return -1;
    }
    if (o->log_max_size < 1024) {
        host->log(ctx, SKIFF_LOG_ERROR,
                  "plugins.runtime.log-max-size: %llu bytes: want at least 1Ki",
                  (unsigned long long)o->log_max_size);
        return -1;
    }
    struct rt *rt = sk_xcalloc(1, sizeof(*rt));
    rt->ctx = ctx;
    rt->host = host;
    rt->o = o;
    const char *dd = host->data_dir(ctx);
    RT_SNPRINTF(rt->node, sizeof(rt->node), "%s", host->node_name(ctx));
    RT_SNPRINTF(rt->dir, sizeof(rt->dir), "%s/runtime", dd);
    RT_SNPRINTF(rt->runtime_root, sizeof(rt->runtime_root), "%s/runtime/runc", dd);
    RT_SNPRINTF(rt->log_dir, sizeof(rt->log_dir), "%s/pods", dd);
    RT_SNPRINTF(rt->cg_parent, sizeof(rt->cg_parent), "skiff-%s", rt->node);
    mkdir(dd, 0755);
    mkdir(rt->dir, 0700);
    mkdir(rt->runtime_root, 0700);
    if (pick_runtime(rt)) {
        free(rt);
        return -1;
    }
    struct rlimit rl;
    rt->nofile = !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_max != RLIM_INFINITY
                         ? (uint64_t)rl.rlim_max
                         : 1048576;
    if (rt->nofile > 1048576) rt->nofile = 1048576;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN), pages = sysconf(_SC_PHYS_PAGES);
    rt->cpu_milli = (cpus > 0 ? cpus : 1) * 1000;
    rt->mem_bytes = (int64_t)(pages > 0 ? pages : 0) * sysconf(_SC_PAGESIZE);
    find_host_ip(rt);
    host->log(ctx, SKIFF_LOG_INFO, "runtime=%s root=%s cgroup-parent=%s host-ip=%s nofile=%llu",
              rt->runtime_path, rt->runtime_root, rt->cg_parent, rt->host_ip,
              (unsigned long long)rt->nofile);
    *self = rt;
    return 0;
}

static int rt_start(void *self)
{
    struct rt *rt = self;
    rt->stopping = false;
    rt_pods_start(rt);
    if (rt_logs_start(rt))
        rt->host->log(rt->ctx, SKIFF_LOG_WARN, "container logs are not served (pods/log)");
    else
        rt->have_logs = true;
    if (rt_node_start(rt))
        rt->host->log(rt->ctx, SKIFF_LOG_WARN, "the Node object is not kept");
    else
        rt->have_node = true;
    if (rt_exec_start(rt))
        rt->host->log(rt->ctx, SKIFF_LOG_WARN, "exec sessions are not served (pods/exec)");
    else
        rt->have_exec = true;
    rt->started = true;
    return 0;
}

static void rt_stop(void *self)
{
    struct rt *rt = self;
    if (!rt->started) return;
    rt->started = false;
    rt->stopping = true;
    rt_pods_stop(rt);
    rt_imgwaits_free(rt);
    if (rt->have_logs) rt_logs_stop(rt);
    if (rt->have_node) rt_node_stop(rt);
    if (rt->have_exec) rt_exec_stop(rt);
    rt->have_logs = rt->have_node = rt->have_exec = false;
}

static void rt_fini(void *self)
{
    struct rt *rt = self;
    if (rt) sk_val_free(rt->imgcache);
    free(self);
}

static void rt_on_msg(void *self, const struct skiff_msg *m)
{
    struct rt *rt = self;
    if (m->type == SKIFF_MSG_IMAGE_READY) rt_pods_image_ready(rt, m);
}

SKIFF_PLUGIN(runtime) = {
        SKIFF_PLUGIN_HEADER,
        .name = "runtime",
        .role = SKIFF_ROLE_NODE,
        .description = "pod runtime: runs the pods bound to this node under runc or crun",
        .options = rt_options,
        .options_size = sizeof(struct rt_opts),
        .init = rt_init,
        .start = rt_start,
        .stop = rt_stop,
        .fini = rt_fini,
        .on_msg = rt_on_msg,
};
