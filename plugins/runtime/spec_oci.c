/* The runc config.json for one container instance: what `runc spec`
 * generates, changed as the pod and container specs ask. Pure (spec.h). */
#include "spec.h"

#include "mem.h"

#include <stdio.h>
#include <string.h>

/* runc spec's default capabilities. */
static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                           NULL};

/* Every capability Linux 5.9+ knows, for privileged containers. */
static const char *const all_caps[] = {"CAP_CHOWN",
                                       "CAP_DAC_OVERRIDE",
                                       "CAP_DAC_READ_SEARCH",
                                       "CAP_FOWNER",
                                       "CAP_FSETID",
                                       "CAP_KILL",
                                       "CAP_SETGID",
                                       "CAP_SETUID",
                                       "CAP_SETPCAP",
                                       "CAP_LINUX_IMMUTABLE",
                                       "CAP_NET_BIND_SERVICE",
                                       "CAP_NET_BROADCAST",
                                       "CAP_NET_ADMIN",
                                       "CAP_NET_RAW",
                                       "CAP_IPC_LOCK",
                                       "CAP_IPC_OWNER",
                                       "CAP_SYS_MODULE",
                                       "CAP_SYS_RAWIO",
                                       "CAP_SYS_CHROOT",
                                       "CAP_SYS_PTRACE",
                                       "CAP_SYS_PACCT",
                                       "CAP_SYS_ADMIN",
                                       "CAP_SYS_BOOT",
                                       "CAP_SYS_NICE",
                                       "CAP_SYS_RESOURCE",
                                       "CAP_SYS_TIME",
                                       "CAP_SYS_TTY_CONFIG",
                                       "CAP_MKNOD",
                                       "CAP_LEASE",
                                       "CAP_AUDIT_WRITE",
                                       "CAP_AUDIT_CONTROL",
                                       "CAP_SETFCAP",
                                       "CAP_MAC_OVERRIDE",
                                       "CAP_MAC_ADMIN",
                                       "CAP_SYSLOG",
                                       "CAP_WAKE_ALARM",
                                       "CAP_BLOCK_SUSPEND",
                                       "CAP_AUDIT_READ",
                                       "CAP_PERFMON",
                                       "CAP_BPF",
                                       "CAP_CHECKPOINT_RESTORE",
                                       NULL};

static const char *const masked_paths[] = {"/proc/acpi",
                                           "/proc/asound",
                                           "/proc/kcore",
                                           "/proc/keys",
                                           "/proc/latency_stats",
                                           "/proc/timer_list",
                                           "/proc/timer_stats",
                                           "/proc/sched_debug",
                                           "/sys/firmware",
                                           "/proc/scsi",
                                           NULL};
static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static struct sk_val *strs(const char *const *l)
{
    struct sk_val *a = sk_val_arr();
    for (; *l; l++)
        sk_arr_push(a, sk_val_str(*l));
    return a;
}

static bool arr_has(const struct sk_val *a, const char *s)
{
    for (size_t i = 0; i < sk_arr_len(a); i++)
        if (sk_val_cstr(sk_arr_get(a, i)) && !strcmp(sk_val_cstr(sk_arr_get(a, i)), s)) return true;
    return false;
}

/* "NET_ADMIN" or "CAP_NET_ADMIN" as runc wants it; "ALL" is handled by
 * the caller. */
static char *cap_name(const char *c)
{
    return !strncmp(c, "CAP_", 4) ? sk_xstrdup(c) : sk_xasprintf("CAP_%s", c);
}

static struct sk_val *capabilities(const struct sk_val *sc, bool privileged)
{
    struct sk_val *set = privileged ? strs(all_caps) : strs(default_caps);
    const struct sk_val *add = sk_val_at(sc, "capabilities", "add", NULL);
    const struct sk_val *drop = sk_val_at(sc, "capabilities", "drop", NULL);
    if (!privileged) {
        for (size_t i = 0; i < sk_arr_len(add); i++) {
            const char *c = sk_val_cstr(sk_arr_get(add, i));
            if (!c) continue;
            if (!strcmp(c, "ALL")) {
                sk_val_free(set);
                set = strs(all_caps);
                break;
            }
            char *n = cap_name(c);
            if (!arr_has(set, n)) sk_arr_push(set, sk_val_str(n));
            free(n);
        }
        for (size_t i = 0; i < sk_arr_len(drop); i++) {
            const char *c = sk_val_cstr(sk_arr_get(drop, i));
            if (!c) continue;
            if (!strcmp(c, "ALL")) {
                while (sk_arr_len(set))
                    sk_arr_remove(set, 0);
                /* adds still apply after dropping ALL, as containerd does */
                for (size_t k = 0; k < sk_arr_len(add); k++) {
                    const char *a = sk_val_cstr(sk_arr_get(add, k));
                    if (!a || !strcmp(a, "ALL")) continue;
                    char *n = cap_name(a);
                    if (!arr_has(set, n)) sk_arr_push(set, sk_val_str(n));
                    free(n);
                }
                continue;
            }
            char *n = cap_name(c);
            for (size_t k = 0; k < sk_arr_len(set); k++)
                if (!strcmp(sk_val_cstr(sk_arr_get(set, k)), n)) {
                    sk_arr_remove(set, k);
                    break;
                }
            free(n);
        }
    }
    struct sk_val *caps = sk_val_map();
    sk_map_set(caps, "bounding", sk_val_dup(set));
    sk_map_set(caps, "effective", sk_val_dup(set));
    sk_map_set(caps, "permitted", sk_val_dup(set));
    /* runc spec leaves inheritable empty (CVE-2022-29162) */
    sk_map_set(caps, "ambient", sk_val_arr());
    sk_val_free(set);
    return caps;
}

static void add_mount(struct sk_val *mounts, const char *dst, const char *type, const char *src,
                      const char *const *opts)
{
    struct sk_val *m = sk_arr_push(mounts, sk_val_map());
    sk_map_set(m, "destination", sk_val_str(dst));
    sk_map_set(m, "type", sk_val_str(type));
    sk_map_set(m, "source", sk_val_str(src));
    sk_map_set(m, "options", strs(opts));
}

static void add_ns(struct sk_val *nss, const char *type, const char *path)
{
    struct sk_val *n = sk_arr_push(nss, sk_val_map());
    sk_map_set(n, "type", sk_val_str(type));
    if (path) sk_map_set(n, "path", sk_val_str(path));
}

struct sk_val *rt_spec_config(const struct rt_spec_in *in)
{
    const struct sk_val *sc = sk_map_get(in->ctr, "securityContext");
    bool privileged = sk_val_to_bool(sk_map_get(sc, "privileged"), false);
    bool ro_root = sk_val_to_bool(sk_map_get(sc, "readOnlyRootFilesystem"), false);
    const struct sk_val *ape = sk_map_get(sc, "allowPrivilegeEscalation");
    bool nnp = !privileged && !sk_val_to_bool(ape, false);
    if (!ape && !privileged) nnp = true;

    struct sk_val *c = sk_val_map();
    sk_map_set(c, "ociVersion", sk_val_str("1.0.2-dev"));
    struct sk_val *p = sk_map_set(c, "process", sk_val_map());
    sk_map_set(p, "terminal", sk_val_bool(false));
    struct sk_val *user = sk_map_set(p, "user", sk_val_map());
    sk_map_set(user, "uid", sk_val_int(in->user.uid));
    sk_map_set(user, "gid", sk_val_int(in->user.gid));
    if (in->user.nextra) {
        struct sk_val *ag = sk_map_set(user, "additionalGids", sk_val_arr());
        for (int i = 0; i < in->user.nextra; i++)
            sk_arr_push(ag, sk_val_int(in->user.extra[i]));
    }
    sk_map_set(p, "args", sk_val_dup(in->args));
    sk_map_set(p, "env", sk_val_dup(in->envlist));
    sk_map_set(p, "cwd", sk_val_str(in->cwd && *in->cwd ? in->cwd : "/"));
    sk_map_set(p, "capabilities", capabilities(sc, privileged));
    struct sk_val *rl = sk_map_set(p, "rlimits", sk_val_arr());
    struct sk_val *nf = sk_arr_push(rl, sk_val_map());
    sk_map_set(nf, "type", sk_val_str("RLIMIT_NOFILE"));
    sk_map_set(nf, "hard", sk_val_int((int64_t)in->nofile));
    sk_map_set(nf, "soft", sk_val_int((int64_t)in->nofile));
    sk_map_set(p, "noNewPrivileges", sk_val_bool(nnp));
    const struct sk_val *oom = sk_map_get(in->ctr, "oomScoreAdj");
    if (sk_val_is(oom, SK_V_INT)) sk_map_set(p, "oomScoreAdj", sk_val_int(oom->u.i));

    struct sk_val *root = sk_map_set(c, "root", sk_val_map());
    sk_map_set(root, "path", sk_val_str(in->rootfs));
    sk_map_set(root, "readonly", sk_val_bool(ro_root));
    /* runc sets a hostname only in a UTS namespace of the container's own */
    if (in->utsns && in->hostname) sk_map_set(c, "hostname", sk_val_str(in->hostname));

    struct sk_val *mounts = sk_map_set(c, "mounts", sk_val_arr());
    static const char *const o_proc[] = {NULL};
    static const char *const o_dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
    static const char *const o_pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
                                        "mode=0620", "gid=5",  NULL};
    static const char *const o_shm[] = {"nosuid",    "noexec",      "nodev",
                                        "mode=1777", "size=65536k", NULL};
    static const char *const o_mq[] = {"nosuid", "noexec", "nodev", NULL};
    static const char *const o_sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
    static const char *const o_sys_rw[] = {"nosuid", "noexec", "nodev", NULL};
    static const char *const o_cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
    static const char *const o_cg_rw[] = {"nosuid", "noexec", "nodev", "relatime", NULL};
    static const char *const o_bind[] = {"rbind", "rprivate", NULL};
    add_mount(mounts, "/proc", "proc", "proc", o_proc);
    add_mount(mounts, "/dev", "tmpfs", "tmpfs", o_dev);
    add_mount(mounts, "/dev/pts", "devpts", "devpts", o_pts);
    add_mount(mounts, "/dev/shm", "tmpfs", "shm", o_shm);
    add_mount(mounts, "/dev/mqueue", "mqueue", "mqueue", o_mq);
    /* sysfs can be mounted only by the owner of the network namespace; a
     * joined (agent-made) one works, as it does under containerd */
    add_mount(mounts, "/sys", "sysfs", "sysfs", privileged ? o_sys_rw : o_sys);
    add_mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", privileged ? o_cg_rw : o_cg);
    if (in->hosts) add_mount(mounts, "/etc/hosts", "bind", in->hosts, o_bind);
    if (in->hostname_file) add_mount(mounts, "/etc/hostname", "bind", in->hostname_file, o_bind);
    if (in->resolv) add_mount(mounts, "/etc/resolv.conf", "bind", in->resolv, o_bind);

    struct sk_val *lx = sk_map_set(c, "linux", sk_val_map());
    struct sk_val *res = sk_map_set(lx, "resources", sk_val_map());
    struct sk_val *dev = sk_map_set(res, "devices", sk_val_arr());
    struct sk_val *d0 = sk_arr_push(dev, sk_val_map());
    sk_map_set(d0, "allow", sk_val_bool(privileged));
    sk_map_set(d0, "access", sk_val_str("rwm"));
    struct rt_res r;
    rt_spec_resources(in->ctr, &r);
    struct sk_val *cpu = sk_map_set(res, "cpu", sk_val_map());
    sk_map_set(cpu, "shares", sk_val_int((int64_t)r.shares));
    if (r.quota > 0) {
        sk_map_set(cpu, "quota", sk_val_int(r.quota));
        sk_map_set(cpu, "period", sk_val_int((int64_t)r.period));
    }
    if (r.memory > 0) {
        struct sk_val *mem = sk_map_set(res, "memory", sk_val_map());
        sk_map_set(mem, "limit", sk_val_int(r.memory));
    }
    if (in->pids_limit > 0) {
        struct sk_val *pids = sk_map_set(res, "pids", sk_val_map());
        sk_map_set(pids, "limit", sk_val_int(in->pids_limit));
    }
    if (in->cgroups_path) sk_map_set(lx, "cgroupsPath", sk_val_str(in->cgroups_path));
    struct sk_val *nss = sk_map_set(lx, "namespaces", sk_val_arr());
    add_ns(nss, "pid", NULL);
    if (in->netns) add_ns(nss, "network", in->netns);
    if (in->ipcns) add_ns(nss, "ipc", in->ipcns);
    if (in->utsns) add_ns(nss, "uts", in->utsns);
    add_ns(nss, "mount", NULL);
    if (!privileged) {
        sk_map_set(lx, "maskedPaths", strs(masked_paths));
        sk_map_set(lx, "readonlyPaths", strs(readonly_paths));
    }
    return c;
}
