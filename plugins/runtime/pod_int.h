/* The pod and container records shared by pod.c (lifecycle) and
 * status.c (status and events). Loop thread only. */
#ifndef RT_POD_INT_H
#define RT_POD_INT_H

#include "pod.h"

#define RT_SYNCBUF 1024 /* the shim's sync line: "ok PID" or "error MESSAGE" */

enum ctr_phase {
    CP_WAITING,   /* nothing runs; may start (image, timer) */
    CP_PREPARING, /* bundle being written on a worker */
    CP_STARTING,  /* shim spawned, waiting for its sync */
    CP_RUNNING,
    CP_CLEANING, /* exited: runc delete and unmount in progress */
};

struct rt_ctr {
    struct rt_pod *pod;
    char *name; /* heap strings below are freed by rt_ctr_release */
    bool init;
    int index;
    /* image */
    int img; /* 0 none, 1 asked, 2 ready, 3 failed */
    uint64_t img_msg;
    struct sk_val *imgv; /* IMAGE_READY body */
    double img_backoff, img_asked;
    bool img_pulling_event;
    struct skiff_timer *img_timer;
    /* instance */
    enum ctr_phase phase;
    int attempt; /* restartCount */
    bool ever;   /* an instance was created */
    char id[192];
    char *dir; /* the instance's bundle dir; NULL before the first */
    pid_t shim_pid;
    int pidfd, syncfd;
    struct skiff_watch *pidw, *syncw;
    char *syncbuf; /* RT_SYNCBUF bytes while the shim's sync is read, else NULL */
    size_t synclen;
    bool sync_done, shim_gone;
    char started_at[40];
    double run_since;           /* monotonic */
    struct sk_val *term, *last; /* terminated maps */
    char wreason[64];
    char *wmessage;
    double backoff;
    struct skiff_timer *timer;
    bool timer_start; /* the timer starts the container when it fires */
    struct rt_prober *prober;
    bool ready, started_ok, live_fail;
    bool kill_sent, done, prestop_running;
    char *image_id; /* NULL: none yet */
    char kill_reason[64];
};

struct rt_pod {
    struct rt *rt;
    struct rt_pod *next;
    char *ns, *name, *uid; /* heap, freed with the pod */
    struct sk_val *obj;
    bool host_net;
    int sb;    /* 0 none, 1 creating, 2 ready, 3 failed, 4 removing */
    char *dir; /* DATA/runtime/pods/UID (heap) */
    struct rt_ctr *c;
    int nc, ninit;
    bool terminating, deleted, removed, delete_sent;
    bool final_done; /* sandbox, state and logs removed for good */
    struct skiff_timer *grace_timer, *status_timer, *retry_timer;
    char start_time[40];
    struct sk_val *last_status;
    struct sk_val *cond_times; /* condition type -> "status|time" */
    int refs;                  /* worker jobs in flight */
    bool adopted;
};

/* status.c */
void rt_status_schedule(struct rt_pod *p);
void rt_status_cancel(struct rt_pod *p);
const char *rt_pod_phase(const struct rt_pod *p);
void rt_event(struct rt_pod *p, const struct rt_ctr *c, bool warning, const char *reason,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
