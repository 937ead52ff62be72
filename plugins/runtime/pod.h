/* The pod lifecycle's private interfaces (plugin.c, pod.c, ctr.c,
 * sandbox.c, status.c, state.c, proc.c). Everything on the loop thread
 * unless a comment says otherwise. */
#ifndef RT_POD_H
#define RT_POD_H

#include "rt.h"

#include <stdint.h>
#include <sys/types.h>

/* snprintf where truncation is deliberate (over-long paths and messages
 * are cut, never overflowed): vsnprintf in spec.c. */
#ifndef RT_SNPRINTF
#define RT_SNPRINTF rt_fmt
void rt_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif

struct rt_opts {
    char *runtime; /* path, or "auto" */
    uint64_t log_max_size;
    int64_t log_max_files;
    int64_t pids_limit; /* per container; <= 0 none */
    char *resolv_conf;  /* the file pods get as /etc/resolv.conf */
};

struct rt_cmd;
struct rt_pod;

struct rt {
    struct skiff_ctx *ctx;
    const struct skiff_host *host;
    const struct rt_opts *o;
    char runtime_path[PATH_MAX];
    char runtime_root[PATH_MAX]; /* DATA/runtime/runc */
    char dir[PATH_MAX];          /* DATA/runtime */
    char log_dir[PATH_MAX];      /* DATA/pods */
    char node[256];
    char cg_parent[300]; /* "skiff-NODE" under each cgroup v1 controller */
    char host_ip[64];
    int64_t cpu_milli, mem_bytes;
    uint64_t nofile;
    struct skiff_informer *inf;
    bool synced, stopping, started;
    struct rt_pod *pods;
    struct rt_cmd *cmds;
    struct rt_imgwait *imgwaits;
    struct sk_val *imgcache; /* image -> {"t": monotonic seconds, "v": IMAGE_READY body} */
    unsigned long seq;
    bool have_logs, have_node, have_exec;
};

/* ---- proc.c ---- */
/* Start argv (argv[0] absolute) with fds[0..2] as stdin/out/err (-1:
 * /dev/null) and extra_fd (>= 0) as fd 3. The child is not reaped by the
 * loop's SIGCHLD handler: watch *pidfd and call rt_reap. Returns 0 or an
 * errno. */
int rt_spawn(char *const argv[], const int fds[3], int extra_fd, pid_t *pid, int *pidfd);
/* Run fn(arg) in a forked child (only raw system calls in fn), stdout and
 * stderr on out_fd; its exit status is fn's return value. */
int rt_spawn_fn(int (*fn)(void *arg), void *arg, int out_fd, pid_t *pid, int *pidfd);
/* The child's status: exit code, 128 + signal, -2 while it runs, -1 when
 * it is not our child. */
int rt_reap(int pidfd);
/* Run a command; fn(arg, status, stdout, stderr) on the loop when it ends
 * (status as rt_reap; stderr without its trailing newline). */
typedef void (*rt_cmd_fn)(void *arg, int status, const char *out, const char *err);
int rt_cmd_run(struct rt *rt, char *const argv[], rt_cmd_fn fn, void *arg);
/* RUNTIME --root ROOT a1 [a2 [a3 [a4]]] */
int rt_runtime_cmd(struct rt *rt, rt_cmd_fn fn, void *arg, const char *a1, const char *a2,
                   const char *a3, const char *a4);
void rt_cmd_forget(struct rt *rt, void *arg); /* no callback for arg any more */
void rt_cmd_stop_all(struct rt *rt);

/* ---- pod.c ---- */
void rt_pods_start(struct rt *rt);
void rt_pods_stop(struct rt *rt);
void rt_pods_image_ready(struct rt *rt, const struct skiff_msg *m);
void rt_imgwaits_free(struct rt *rt); /* image requests in flight are forgotten */
struct rt_pod *rt_pod_find(struct rt *rt, const char *ns, const char *name);

/* ---- state.c: the files under rt_dir that let a restarted agent adopt
 * what runs ----
 *   DATA/runtime/pods/UID/pod.json       {"namespace","name","uid","startTime",
 *                                          "hostNetwork"}
 *   DATA/runtime/pods/UID/ns/{net,ipc,uts}  namespace bind mounts
 *   DATA/runtime/pods/UID/{hosts,hostname,resolv.conf}
 *   DATA/runtime/pods/UID/ctr-NAME.json  {"attempt","id","startedAt","state",
 *                                          "terminated","lastState","backoff","done",
 *                                          "imageID"}
 *   DATA/runtime/pods/UID/c/NAME.ATTEMPT/  the bundle: config.json, rootfs (overlay),
 *                                          upper, work, state/ (the shim's --state)
 * A file is parsed by rt_state_parse, which checks every field's type. */
struct rt_ctr_state {
    int attempt;
    char id[192];
    char started_at[40];
    char state[16];                   /* "running", "exited", "waiting" */
    struct sk_val *terminated, *last; /* maps or NULL; caller frees */
    double backoff;
    bool done;
    char image_id[512];
};
/* Parse a ctr-NAME.json; 0, or -1 with msg. */
int rt_state_parse(const char *p, size_t n, struct rt_ctr_state *out, char *msg, size_t msglen);
void rt_state_free(struct rt_ctr_state *s);
/* The shim's STATE/exit: 0 and fields, or -1. */
int rt_exit_parse(const char *p, size_t n, int *code, int *sig, char *finished, size_t flen,
                  char *err, size_t errlen);
/* Read a small file whole (caller frees), NULL when missing. */
char *rt_read_file(const char *path, size_t limit, size_t *len);
/* Write a file atomically (tmp + rename, no fsync: survives the agent's
 * death, which is what adoption needs). 0 or errno. */
int rt_write_file(const char *path, const void *p, size_t n);

/* Time "2026-11-26T01:02:03Z" of now (buf 32 bytes). */
void rt_now_rfc3339(char *buf);

#endif
