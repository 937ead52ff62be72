/* This node's Node object: created at start with the kubelet's labels,
 * its status (capacity, allocatable, conditions, addresses, nodeInfo)
 * measured off the loop every 10 s and written only when it changed: no
 * heartbeat writes. spec (unschedulable, taints) belongs to users and the
 * scheduler and is never touched. */
#include "mem.h"
#include "rt.h"
#include "version.h"

#include <ifaddrs.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define CHECK_EVERY 10.0
/* The kubelet's default hard eviction thresholds. */
#define MEM_EVICT_KI (100 * 1024) /* memory.available<100Mi */
#define NODEFS_PCT   10           /* nodefs.available<10% */
#define INODES_PCT   5            /* nodefs.inodesFree<5% */
#define PID_PCT      10           /* skiff's: pid.available<10% of pid_max */
#define MAX_PODS     "110"
#define KUBELET_PORT 10250

/* What one measurement found; filled on a worker thread. */
struct measure {
    char runtime_path[PATH_MAX];
    char data_dir[PATH_MAX];
    char node_name[256];
    char runtime_version[128]; /* in: cached; out: filled when empty */
    long cpus;
    long long mem_total_ki, mem_avail_ki;
    unsigned long long fs_bytes, fs_avail;
    bool fs_ok, disk_pressure, mem_pressure, pid_pressure;
    char ip[INET_ADDRSTRLEN];
    char machine_id[64], system_uuid[64], boot_id[64];
    char kernel[128], os_image[256], arch[32];
};

struct rt_node {
    struct rt_node *next;
    struct rt *rt;
    struct skiff_timer *timer;
    bool busy, writing, stopped;
    char runtime_version[128];
    struct measure *m; /* in flight */
};

static struct rt_node *all_nodes;

static struct rt_node *node_of(struct rt *rt)
{
    for (struct rt_node *n = all_nodes; n; n = n->next)
        if (n->rt == rt) return n;
    return NULL;
}

/* ---- measuring (worker thread) ---- */

static void read_line(const char *path, char *out, size_t cap)
{
    out[0] = 0;
    FILE *f = fopen(path, "re");
    if (!f) return;
    if (fgets(out, (int)cap, f)) out[strcspn(out, "\n")] = 0;
    fclose(f);
}

static void read_meminfo(struct measure *m)
{
    FILE *f = fopen("/proc/meminfo", "re");
    if (!f) return;
    char line[256];
    long long v;
    while (fgets(line, sizeof(line), f)) {
        if (sscanf(line, "MemTotal: %lld kB", &v) == 1) m->mem_total_ki = v;
        if (sscanf(line, "MemAvailable: %lld kB", &v) == 1) m->mem_avail_ki = v;
    }
    fclose(f);
}

static void read_os_image(struct measure *m)
{
    snprintf(m->os_image, sizeof(m->os_image), "Linux");
    FILE *f = fopen("/etc/os-release", "re");
    if (!f) f = fopen("/usr/lib/os-release", "re");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "PRETTY_NAME=", 12)) continue;
        char *v = line + 12;
        v[strcspn(v, "\n")] = 0;
        size_t n = strlen(v);
        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
            v[n - 1] = 0;
            v++;
        }
        snprintf(m->os_image, sizeof(m->os_image), "%.255s", v);
    }
    fclose(f);
}

/* The IPv4 address of the default route's interface, or 127.0.0.1. */
static void read_ip(struct measure *m)
{
    snprintf(m->ip, sizeof(m->ip), "127.0.0.1");
    FILE *f = fopen("/proc/net/route", "re");
    if (!f) return;
    char line[512], ifname[IF_NAMESIZE + 1] = "";
    unsigned long dest, mask;
    unsigned flags;
    int metric, best = -1;
    while (fgets(line, sizeof(line), f)) {
        char name[64];
        if (sscanf(line, "%63s %lx %*x %x %*d %*d %d %lx", name, &dest, &flags, &metric, &mask) !=
            5)
            continue;
        if (dest || mask || !(flags & 1 /* RTF_UP */)) continue;
        if (best < 0 || metric < best) {
            best = metric;
            snprintf(ifname, sizeof(ifname), "%.16s", name);
        }
    }
    fclose(f);
    if (!ifname[0]) return;
    struct ifaddrs *ifa = NULL;
    if (getifaddrs(&ifa)) return;
    for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !strcmp(i->ifa_name, ifname)) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, m->ip,
                      sizeof(m->ip));
            break;
        }
    freeifaddrs(ifa);
}

static const char *go_arch(const char *machine)
{
    if (!strcmp(machine, "x86_64")) return "amd64";
    if (!strcmp(machine, "aarch64") || !strcmp(machine, "arm64")) return "arm64";
    if (!strncmp(machine, "armv", 4)) return "arm";
    if (!strcmp(machine, "i686") || !strcmp(machine, "i386")) return "386";
    if (!strcmp(machine, "riscv64")) return "riscv64";
    if (!strcmp(machine, "ppc64le")) return "ppc64le";
    if (!strcmp(machine, "s390x")) return "s390x";
    return machine;
}

/* "runc://1.1.5" from the first line of `RUNTIME --version`. */
static void read_runtime_version(struct measure *m)
{
    const char *base = strrchr(m->runtime_path, '/');
    base = base ? base + 1 : m->runtime_path;
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof(cmd), "'%s' --version 2>/dev/null", m->runtime_path);
    if (strchr(m->runtime_path, '\'')) return;
    FILE *p = popen(cmd, "re");
    if (!p) return;
    char line[256] = "";
    if (!fgets(line, sizeof(line), p)) line[0] = 0;
    pclose(p);
    /* "runc version 1.1.5" / "crun version 1.8.1" */
    char ver[64];
    const char *at = strstr(line, "version ");
    if (!at || sscanf(at + 8, "%63s", ver) != 1) return;
    snprintf(m->runtime_version, sizeof(m->runtime_version), "%.40s://%.63s", base, ver);
}

static void measure_work(void *arg)
{
    struct measure *m = ((struct rt_node *)arg)->m;
    m->cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (m->cpus < 1) m->cpus = 1;
    read_meminfo(m);
    m->mem_pressure = m->mem_total_ki && m->mem_avail_ki < MEM_EVICT_KI;
    struct statvfs vfs;
    if (!statvfs(m->data_dir, &vfs) && vfs.f_blocks) {
        m->fs_ok = true;
        m->fs_bytes = (unsigned long long)vfs.f_blocks * vfs.f_frsize;
        m->fs_avail = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
        bool low_space = (unsigned long long)vfs.f_bavail * 100 <
                         (unsigned long long)vfs.f_blocks * NODEFS_PCT;
        bool low_inodes = vfs.f_files && (unsigned long long)vfs.f_favail * 100 <
                                                 (unsigned long long)vfs.f_files * INODES_PCT;
        m->disk_pressure = low_space || low_inodes;
    }
    /* processes and threads in use against pid_max */
    char line[128];
    read_line("/proc/sys/kernel/pid_max", line, sizeof(line));
    long pid_max = atol(line);
    read_line("/proc/loadavg", line, sizeof(line));
    long running = 0, total = 0;
    const char *sl = strchr(line, '/');
    if (sl && sscanf(sl - 1, "%*c/%ld", &total) == 1) running = total;
    m->pid_pressure = pid_max > 0 && (pid_max - running) * 100 < pid_max * PID_PCT;
    read_ip(m);
    read_line("/etc/machine-id", m->machine_id, sizeof(m->machine_id));
    read_line("/sys/class/dmi/id/product_uuid", m->system_uuid, sizeof(m->system_uuid));
    if (!m->system_uuid[0]) snprintf(m->system_uuid, sizeof(m->system_uuid), "%s", m->machine_id);
    read_line("/proc/sys/kernel/random/boot_id", m->boot_id, sizeof(m->boot_id));
    struct utsname u;
    if (!uname(&u)) {
        snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
        snprintf(m->arch, sizeof(m->arch), "%.31s", go_arch(u.machine));
    }
    read_os_image(m);
    if (!m->runtime_version[0]) read_runtime_version(m);
}

/* ---- the object (loop) ---- */

static void now_rfc3339(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void set_str(struct sk_val *m, const char *k, const char *v)
{
    sk_map_set(m, k, sk_val_str(v));
}

static struct sk_val *condition(const char *type, bool status, const char *reason,
                                const char *message)
{
    struct sk_val *c = sk_val_map();
    set_str(c, "type", type);
    set_str(c, "status", status ? "True" : "False");
    set_str(c, "lastHeartbeatTime", "");
    set_str(c, "lastTransitionTime", "");
    set_str(c, "reason", reason);
    set_str(c, "message", message);
    return c;
}

static struct sk_val *build_status(const struct measure *m, const char *version)
{
    struct sk_val *st = sk_val_map();
    struct sk_val *cap = sk_map_set(st, "capacity", sk_val_map());
    struct sk_val *alloc = sk_map_set(st, "allocatable", sk_val_map());
    sk_map_set(cap, "cpu", sk_val_strf("%ld", m->cpus));
    sk_map_set(alloc, "cpu", sk_val_strf("%ld", m->cpus));
    if (m->fs_ok) {
        sk_map_set(cap, "ephemeral-storage", sk_val_strf("%lluKi", m->fs_bytes / 1024));
        /* capacity less the nodefs.available<10% eviction reserve, in
         * bytes as the kubelet writes it */
        sk_map_set(alloc, "ephemeral-storage",
                   sk_val_strf("%llu", m->fs_bytes / 1024 * 1024 / 100 * (100 - NODEFS_PCT)));
    }
    sk_map_set(cap, "memory", sk_val_strf("%lldKi", m->mem_total_ki));
    long long am = m->mem_total_ki > MEM_EVICT_KI ? m->mem_total_ki - MEM_EVICT_KI : 0;
    sk_map_set(alloc, "memory", sk_val_strf("%lldKi", am));
    set_str(cap, "pods", MAX_PODS);
    set_str(alloc, "pods", MAX_PODS);

    struct sk_val *conds = sk_map_set(st, "conditions", sk_val_arr());
    sk_arr_push(conds, m->mem_pressure
                               ? condition("MemoryPressure", true, "KubeletHasInsufficientMemory",
                                           "kubelet has insufficient memory available")
                               : condition("MemoryPressure", false, "KubeletHasSufficientMemory",
                                           "kubelet has sufficient memory available"));
    sk_arr_push(conds, m->disk_pressure
                               ? condition("DiskPressure", true, "KubeletHasDiskPressure",
                                           "kubelet has disk pressure")
                               : condition("DiskPressure", false, "KubeletHasNoDiskPressure",
                                           "kubelet has no disk pressure"));
    sk_arr_push(conds, m->pid_pressure ? condition("PIDPressure", true, "KubeletHasInsufficientPID",
                                                   "kubelet has insufficient PID available")
                                       : condition("PIDPressure", false, "KubeletHasSufficientPID",
                                                   "kubelet has sufficient PID available"));
    sk_arr_push(conds, condition("Ready", true, "KubeletReady", "kubelet is posting ready status"));

    struct sk_val *addrs = sk_map_set(st, "addresses", sk_val_arr());
    struct sk_val *a = sk_arr_push(addrs, sk_val_map());
    set_str(a, "type", "InternalIP");
    set_str(a, "address", m->ip);
    a = sk_arr_push(addrs, sk_val_map());
    set_str(a, "type", "Hostname");
    set_str(a, "address", m->node_name);

    struct sk_val *de = sk_map_set(st, "daemonEndpoints", sk_val_map());
    struct sk_val *ke = sk_map_set(de, "kubeletEndpoint", sk_val_map());
    sk_map_set(ke, "Port", sk_val_int(KUBELET_PORT));

    struct sk_val *ni = sk_map_set(st, "nodeInfo", sk_val_map());
    set_str(ni, "machineID", m->machine_id);
    set_str(ni, "systemUUID", m->system_uuid);
    set_str(ni, "bootID", m->boot_id);
    set_str(ni, "kernelVersion", m->kernel);
    set_str(ni, "osImage", m->os_image);
    set_str(ni, "containerRuntimeVersion", m->runtime_version);
    set_str(ni, "kubeletVersion", version);
    set_str(ni, "kubeProxyVersion", version);
    set_str(ni, "operatingSystem", "linux");
    set_str(ni, "architecture", m->arch);
    return st;
}

static void labels_into(struct sk_val *labels, const struct measure *m)
{
    set_str(labels, "beta.kubernetes.io/arch", m->arch);
    set_str(labels, "beta.kubernetes.io/os", "linux");
    set_str(labels, "kubernetes.io/arch", m->arch);
    set_str(labels, "kubernetes.io/hostname", m->node_name);
    set_str(labels, "kubernetes.io/os", "linux");
}

/* Carry each condition's times over from the stored status; a condition
 * whose status changed gets now as its transition time. All get now as
 * the heartbeat (written only with a change). */
static void stamp_conditions(struct sk_val *st, const struct sk_val *old, const char *now,
                             bool keep_heartbeat)
{
    struct sk_val *conds = sk_map_get(st, "conditions");
    const struct sk_val *oconds = sk_val_at(old, "status", "conditions", NULL);
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        struct sk_val *c = sk_arr_get(conds, i);
        const char *type = sk_val_str_at(c, "type", NULL);
        const struct sk_val *oc = NULL;
        for (size_t j = 0; j < sk_arr_len(oconds) && !oc; j++) {
            const char *ot = sk_val_str_at(sk_arr_get(oconds, j), "type", NULL);
            if (ot && !strcmp(ot, type)) oc = sk_arr_get(oconds, j);
        }
        const char *os = sk_val_str_at(oc, "status", NULL);
        const char *ns = sk_val_str_at(c, "status", NULL);
        const char *ot = sk_val_str_at(oc, "lastTransitionTime", NULL);
        const char *oh = sk_val_str_at(oc, "lastHeartbeatTime", NULL);
        bool same = os && ns && !strcmp(os, ns) && ot;
        set_str(c, "lastTransitionTime", same ? ot : now);
        set_str(c, "lastHeartbeatTime", keep_heartbeat && oh ? oh : now);
    }
}

static void write_done(void *arg, int code, const char *message, const void *obj, size_t len)
{
    (void)obj;
    (void)len;
    struct rt_node *n = arg;
    n->writing = false;
    if (code && code != SKIFF_ECONFLICT)
        rt_host(n->rt)->log(rt_ctx(n->rt), SKIFF_LOG_WARN, "node write failed code=%d: %s", code,
                            message ? message : "");
}

static bool propose(struct rt_node *n, int op, const char *name, struct sk_val *obj)
{
    struct sk_buf b = {0};
    sk_val_to_msgpack(obj, &b);
    const struct skiff_host *h = rt_host(n->rt);
    int rc = h->propose(rt_ctx(n->rt), op, "nodes", NULL, name, b.p, b.len, write_done, n);
    sk_buf_free(&b);
    if (rc) {
        h->log(rt_ctx(n->rt), SKIFF_LOG_WARN, "node write not queued node=%s code=%d", name, rc);
        return false;
    }
    n->writing = true;
    return true;
}

static void reconcile(struct rt_node *n, const struct measure *m)
{
    const struct skiff_host *h = rt_host(n->rt);
    struct skiff_ctx *ctx = rt_ctx(n->rt);
    const char *name = h->node_name(ctx);
    char version[64], now[32];
    snprintf(version, sizeof(version), "%s+skiff.%s", SK_KUBE_VERSION, SKIFF_VERSION);
    now_rfc3339(now, sizeof(now));
    struct sk_val *st = build_status(m, version);

    void *raw = NULL;
    size_t len = 0;
    int rc = h->get(ctx, "nodes", NULL, name, &raw, &len);
    struct sk_val *old = NULL;
    if (rc == SKIFF_OK) {
        struct sk_error *err = NULL;
        if (sk_val_from_msgpack(raw, len, &old, &err)) {
            h->log(ctx, SKIFF_LOG_WARN, "node %s unreadable: %s", name,
                   sk_error_msg(err, SK_EPROTO));
            sk_error_free(err);
            old = NULL;
        }
        free(raw);
        if (!old) {
            sk_val_free(st);
            return;
        }
    }
    if (!old) {
        struct sk_val *obj = sk_val_map();
        set_str(obj, "apiVersion", "v1");
        set_str(obj, "kind", "Node");
        struct sk_val *md = sk_map_set(obj, "metadata", sk_val_map());
        set_str(md, "name", name);
        labels_into(sk_map_set(md, "labels", sk_val_map()), m);
        sk_map_set(obj, "spec", sk_val_map());
        stamp_conditions(st, NULL, now, false);
        sk_map_set(obj, "status", st);
        if (propose(n, SKIFF_WRITE_CREATE, name, obj))
            h->log(ctx, SKIFF_LOG_INFO, "registering node=%s", name);
        sk_val_free(obj);
        return;
    }
    /* labels the kubelet owns, added when missing (never removed) */
    struct sk_val *want = sk_val_map();
    labels_into(want, m);
    struct sk_val *labels = sk_obj_labels(old);
    bool missing = false;
    for (size_t i = 0; i < want->u.m.n; i++) {
        const char *have = sk_val_cstr(sk_map_get(labels, want->u.m.kv[i].key));
        if (!have || strcmp(have, sk_val_cstr(want->u.m.kv[i].val))) missing = true;
    }
    if (missing) {
        struct sk_val *obj = sk_val_dup(old);
        for (size_t i = 0; i < want->u.m.n; i++)
            sk_obj_set_label(obj, want->u.m.kv[i].key, sk_val_cstr(want->u.m.kv[i].val));
        propose(n, SKIFF_WRITE_UPDATE, name, obj);
        sk_val_free(obj);
        sk_val_free(want);
        sk_val_free(old);
        sk_val_free(st);
        return; /* the status follows on the next check */
    }
    sk_val_free(want);
    /* compare with the heartbeats as stored: equal means nothing to write */
    stamp_conditions(st, old, now, true);
    const struct sk_val *ost = sk_map_get(old, "status");
    if (ost && sk_val_equal(ost, st)) {
        sk_val_free(st);
        sk_val_free(old);
        return;
    }
    stamp_conditions(st, old, now, false);
    struct sk_val *obj = sk_val_dup(old);
    sk_map_set(obj, "status", st);
    if (propose(n, SKIFF_WRITE_UPDATE_STATUS, name, obj))
        h->log(ctx, SKIFF_LOG_DEBUG, "node status changed node=%s", name);
    sk_val_free(obj);
    sk_val_free(old);
}

static void measure_done(void *arg)
{
    struct rt_node *n = arg;
    struct measure *m = n->m;
    n->m = NULL;
    n->busy = false;
    if (n->stopped) {
        free(m);
        free(n);
        return;
    }
    if (m->runtime_version[0])
        snprintf(n->runtime_version, sizeof(n->runtime_version), "%s", m->runtime_version);
    if (!n->writing) reconcile(n, m);
    free(m);
}

static void tick(void *arg)
{
    struct rt_node *n = arg;
    if (n->busy || n->writing) return;
    const struct skiff_host *h = rt_host(n->rt);
    struct skiff_ctx *ctx = rt_ctx(n->rt);
    struct measure *m = sk_xcalloc(1, sizeof(*m));
    snprintf(m->runtime_path, sizeof(m->runtime_path), "%s", rt_runtime_path(n->rt));
    snprintf(m->data_dir, sizeof(m->data_dir), "%s", h->data_dir(ctx));
    snprintf(m->node_name, sizeof(m->node_name), "%s", h->node_name(ctx));
    snprintf(m->runtime_version, sizeof(m->runtime_version), "%s", n->runtime_version);
    n->m = m;
    n->busy = true;
    if (h->work(ctx, measure_work, measure_done, n)) {
        n->m = NULL;
        n->busy = false;
        free(m);
    }
}

int rt_node_start(struct rt *rt)
{
    if (node_of(rt)) return 0;
    struct rt_node *n = sk_xcalloc(1, sizeof(*n));
    n->rt = rt;
    n->next = all_nodes;
    all_nodes = n;
    const struct skiff_host *h = rt_host(rt);
    n->timer = h->timer_add(rt_ctx(rt), 0, CHECK_EVERY, tick, n);
    return 0;
}

void rt_node_stop(struct rt *rt)
{
    struct rt_node *n = node_of(rt);
    if (!n) return;
    for (struct rt_node **pp = &all_nodes; *pp; pp = &(*pp)->next)
        if (*pp == n) {
            *pp = n->next;
            break;
        }
    if (n->timer) rt_host(rt)->timer_cancel(rt_ctx(rt), n->timer);
    n->timer = NULL;
    /* a measurement in flight frees the state when it comes back */
    if (n->busy)
        n->stopped = true;
    else
        free(n);
}
