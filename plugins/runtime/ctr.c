/* One container of a pod, instance after instance: image, bundle (on a
 * worker), the shim (which runs `runc run --detach`), its end, the
 * restart policy with the kubelet's back-off, graceful stops, probes and
 * hooks. Loop thread; blocking steps go to workers or child processes. */
#include "pod_int.h"
#include "sandbox.h"
#include "spec.h"

#include "json.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/resource.h>
#include <unistd.h>

void rt_pod_changed(struct rt_pod *p);
void rt_ctr_sync(struct rt_ctr *c);
void rt_ctr_stop(struct rt_ctr *c, double grace, const char *why);
void rt_ctr_release(struct rt_ctr *c);
void rt_ctr_adopt(struct rt_ctr *c);
bool rt_ctr_idle(const struct rt_ctr *c);
bool rt_ctr_succeeded(const struct rt_ctr *c);
/* proc.c: hand a shim's arguments and sync fd to the zygote; 0 or errno */
int rt_zygote_shim(struct rt *rt, char *const args[], int sync_fd);
/* status.c: write the pod's status now */
void rt_status_now(struct rt_pod *p);

#define BACKOFF_MAX   300.0
#define BACKOFF_RESET 600.0

static const struct skiff_host *H(const struct rt_ctr *c)
{
    return c->pod->rt->host;
}

const struct sk_val *rt_ctr_spec(const struct rt_ctr *c);
const struct sk_val *rt_ctr_spec(const struct rt_ctr *c)
{
    return sk_arr_get(
            sk_val_at(c->pod->obj, "spec", c->init ? "initContainers" : "containers", NULL),
            (size_t)c->index);
}

static void logc(const struct rt_ctr *c, int lvl, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void logc(const struct rt_ctr *c, int lvl, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    H(c)->log(c->pod->rt->ctx, lvl, "%s pod=%s/%s container=%s", buf, c->pod->ns, c->pod->name,
              c->name);
}

/* A reference to a container instance that outlives it: what callbacks
 * that cannot be cancelled (workers, hooks) carry. */
struct ctok {
    struct rt *rt;
    char uid[64];
    int slot, attempt;
};

static struct ctok *tok_new(struct rt_ctr *c)
{
    struct ctok *t = sk_xcalloc(1, sizeof(*t));
    t->rt = c->pod->rt;
    RT_SNPRINTF(t->uid, sizeof(t->uid), "%s", c->pod->uid);
    t->slot = (int)(c - c->pod->c);
    t->attempt = c->attempt;
    return t;
}

static struct rt_ctr *tok_get(const struct ctok *t)
{
    for (struct rt_pod *p = t->rt->pods; p; p = p->next)
        if (!strcmp(p->uid, t->uid))
            return t->slot < p->nc && p->c[t->slot].attempt == t->attempt ? &p->c[t->slot] : NULL;
    return NULL;
}

static void set_waiting(struct rt_ctr *c, const char *reason, const char *msg)
{
    RT_SNPRINTF(c->wreason, sizeof(c->wreason), "%s", reason ? reason : "");
    free(c->wmessage);
    c->wmessage = msg && *msg ? sk_xstrdup(msg) : NULL;
    rt_status_schedule(c->pod);
}

static void cancel_timer(struct rt_ctr *c)
{
    if (c->timer) H(c)->timer_cancel(c->pod->rt->ctx, c->timer);
    c->timer = NULL;
}

/* ---- state file ---- */

/* Replace a heap string field (NULL: none). */
static void set_str(char **f, const char *v)
{
    free(*f);
    *f = v && *v ? sk_xstrdup(v) : NULL;
}

static void save(struct rt_ctr *c)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "attempt", sk_val_int(c->attempt));
    sk_map_set(m, "id", sk_val_str(c->id));
    sk_map_set(m, "startedAt", sk_val_str(c->started_at));
    const char *st = c->phase == CP_RUNNING || c->phase == CP_STARTING ? "running"
                     : c->term || c->phase == CP_CLEANING              ? "exited"
                                                                       : "waiting";
    sk_map_set(m, "state", sk_val_str(st));
    if (c->term) sk_map_set(m, "terminated", sk_val_dup(c->term));
    if (c->last) sk_map_set(m, "lastState", sk_val_dup(c->last));
    sk_map_set(m, "backoff", sk_val_float(c->backoff));
    sk_map_set(m, "done", sk_val_bool(c->done));
    sk_map_set(m, "imageID", sk_val_str(c->image_id ? c->image_id : ""));
    size_t n;
    char *js = sk_json_dump(m, SK_JSON_COMPACT, &n);
    char path[PATH_MAX + 300];
    RT_SNPRINTF(path, sizeof(path), "%s/ctr-%s.json", c->pod->dir, c->name);
    int er = rt_write_file(path, js, n);
    if (er) logc(c, SKIFF_LOG_WARN, "cannot write %s: %s", path, strerror(er));
    free(js);
    sk_val_free(m);
}

/* ---- image ---- */

struct rt_imgwait {
    struct rt_imgwait *next;
    uint64_t id;
    struct ctok *tok;
    double asked;
};

static const char *pull_policy(const struct sk_val *spec)
{
    const char *p = sk_val_str_at(spec, "imagePullPolicy", NULL);
    if (p && *p) return p;
    const char *img = sk_val_str_at(spec, "image", NULL);
    if (!img) return "IfNotPresent";
    if (strchr(img, '@')) return "IfNotPresent";
    const char *slash = strrchr(img, '/');
    const char *colon = strrchr(slash ? slash : img, ':');
    if (!colon || !strcmp(colon + 1, "latest")) return "Always";
    return "IfNotPresent";
}

static void on_img_timer(void *arg)
{
    struct rt_ctr *c = arg;
    c->img_timer = NULL;
    const char *image = sk_val_str_at(rt_ctr_spec(c), "image", NULL);
    if (!strcmp(c->wreason, "ErrImagePull")) {
        char m[1024];
        RT_SNPRINTF(m, sizeof(m), "Back-off pulling image \"%s\"", image ? image : "");
        set_waiting(c, "ImagePullBackOff", m);
        rt_event(c->pod, c, false, "BackOff", "%s", m);
        rt_event(c->pod, c, true, "Failed", "Error: ImagePullBackOff");
        double left = c->img_backoff - 1;
        c->img_timer = H(c)->timer_add(c->pod->rt->ctx, left > 0 ? left : 0.1, 0, on_img_timer, c);
        return;
    }
    c->img = 0;
    rt_pod_changed(c->pod);
}

/* Answers for IfNotPresent and Never are reused for a few seconds: a
 * burst of pods of one image asks the image service once. An image
 * removed meanwhile fails the overlay mount, and the next try asks again. */
#define IMGCACHE_TTL 10.0

static const struct sk_val *imgcache_get(struct rt *rt, const char *image)
{
    const struct sk_val *e = sk_map_get(rt->imgcache, image);
    if (!e) return NULL;
    double t = sk_val_is(sk_map_get(e, "t"), SK_V_FLOAT) ? sk_map_get(e, "t")->u.f : 0;
    return rt->host->now(rt->ctx) - t < IMGCACHE_TTL ? sk_map_get(e, "v") : NULL;
}

static void imgcache_put(struct rt *rt, const char *image, const struct sk_val *body)
{
    if (!rt->imgcache) rt->imgcache = sk_val_map();
    if (sk_map_len(rt->imgcache) > 64) {
        sk_val_free(rt->imgcache);
        rt->imgcache = sk_val_map();
    }
    struct sk_val *e = sk_val_map();
    sk_map_set(e, "t", sk_val_float(rt->host->now(rt->ctx)));
    sk_map_set(e, "v", sk_val_dup(body));
    sk_map_set(rt->imgcache, image, e);
}

static void image_ensure(struct rt_ctr *c)
{
    struct rt *rt = c->pod->rt;
    const struct sk_val *spec = rt_ctr_spec(c);
    const char *image = sk_val_str_at(spec, "image", NULL);
    const char *policy = pull_policy(spec);
    const struct sk_val *cached =
            strcmp(policy, "Always") ? imgcache_get(rt, image ? image : "") : NULL;
    if (cached) {
        rt_event(c->pod, c, false, "Pulled", "Container image \"%s\" already present on machine",
                 image);
        sk_val_free(c->imgv);
        c->imgv = sk_val_dup(cached);
        c->img = 2;
        c->img_backoff = 0;
        const char *iid = sk_val_str_at(cached, "imageID", NULL);
        set_str(&c->image_id, iid);
        return;
    }
    struct sk_val *b = sk_val_map();
    sk_map_set(b, "image", sk_val_str(image ? image : ""));
    sk_map_set(b, "policy", sk_val_str(policy));
    sk_map_set(b, "namespace", sk_val_str(c->pod->ns));
    struct sk_val *secs = sk_map_set(b, "secrets", sk_val_arr());
    const struct sk_val *ips = sk_val_at(c->pod->obj, "spec", "imagePullSecrets", NULL);
    for (size_t i = 0; i < sk_arr_len(ips); i++) {
        const char *n = sk_val_str_at(sk_arr_get(ips, i), "name", NULL);
        if (n) sk_arr_push(secs, sk_val_str(n));
    }
    struct sk_buf mp = {0};
    sk_val_to_msgpack(b, &mp);
    sk_val_free(b);
    uint64_t id = rt->host->send(rt->ctx, "images", SKIFF_MSG_IMAGE_ENSURE, 1, mp.p, mp.len);
    sk_buf_free(&mp);
    if (!id) {
        set_waiting(c, "ErrImagePull", "the image service (plugin \"images\") is not running");
        c->img = 3;
        c->img_backoff = 10;
        c->img_timer = rt->host->timer_add(rt->ctx, 10, 0, on_img_timer, c);
        return;
    }
    if (!strcmp(policy, "Always")) {
        rt_event(c->pod, c, false, "Pulling", "Pulling image \"%s\"", image ? image : "");
        c->img_pulling_event = true;
    } else {
        c->img_pulling_event = false;
    }
    struct rt_imgwait *w = sk_xcalloc(1, sizeof(*w));
    w->id = id;
    w->tok = tok_new(c);
    w->asked = rt->host->now(rt->ctx);
    w->next = rt->imgwaits;
    rt->imgwaits = w;
    c->img = 1;
    c->img_msg = id;
    if (!c->wreason[0]) set_waiting(c, "ContainerCreating", NULL);
}

static void ctr_create(struct rt_ctr *c);

void rt_imgwaits_free(struct rt *rt)
{
    while (rt->imgwaits) {
        struct rt_imgwait *w = rt->imgwaits;
        rt->imgwaits = w->next;
        free(w->tok);
        free(w);
    }
}

void rt_pods_image_ready(struct rt *rt, const struct skiff_msg *m)
{
    struct rt_imgwait *w = NULL;
    for (struct rt_imgwait **pp = &rt->imgwaits; *pp; pp = &(*pp)->next)
        if ((*pp)->id == m->re) {
            w = *pp;
            *pp = w->next;
            break;
        }
    if (!w) return;
    struct rt_ctr *c = tok_get(w->tok);
    double took = rt->host->now(rt->ctx) - w->asked;
    free(w->tok);
    free(w);
    if (!c || c->img != 1 || c->img_msg != m->re) return;
    struct sk_val *b = NULL;
    if (sk_val_from_msgpack(m->body, m->body_len, &b, NULL) || !sk_val_is(b, SK_V_MAP)) {
        sk_val_free(b);
        b = sk_val_map();
        sk_map_set(b, "ok", sk_val_bool(false));
        sk_map_set(b, "reason", sk_val_str("ErrImagePull"));
        sk_map_set(b, "message", sk_val_str("the image service sent a malformed answer"));
    }
    const char *image = sk_val_str_at(rt_ctr_spec(c), "image", NULL);
    if (!image) image = "";
    if (!sk_val_to_bool(sk_map_get(b, "ok"), false)) {
        const char *reason = sk_val_str_at(b, "reason", NULL);
        const char *msg = sk_val_str_at(b, "message", NULL);
        if (!reason || !*reason) reason = "ErrImagePull";
        c->img = 3;
        if (!strcmp(reason, "ErrImageNeverPull")) {
            set_waiting(c, reason, msg);
            rt_event(c->pod, c, true, "ErrImageNeverPull", "%s", msg ? msg : "");
            c->img_backoff = 10;
            c->img_timer = rt->host->timer_add(rt->ctx, 10, 0, on_img_timer, c);
        } else {
            if (!c->img_pulling_event)
                rt_event(c->pod, c, false, "Pulling", "Pulling image \"%s\"", image);
            rt_event(c->pod, c, true, "Failed", "Failed to pull image \"%s\": %s", image,
                     msg ? msg : "");
            rt_event(c->pod, c, true, "Failed", "Error: ErrImagePull");
            set_waiting(c, "ErrImagePull", msg);
            c->img_backoff = c->img_backoff ? c->img_backoff * 2 : 10;
            if (c->img_backoff > BACKOFF_MAX) c->img_backoff = BACKOFF_MAX;
            c->img_timer = rt->host->timer_add(rt->ctx, 1, 0, on_img_timer, c);
        }
        logc(c, SKIFF_LOG_WARN, "image %s failed reason=%s: %s", image, reason, msg ? msg : "");
        sk_val_free(b);
        return;
    }
    if (sk_val_to_bool(sk_map_get(b, "pulled"), false)) {
        if (!c->img_pulling_event)
            rt_event(c->pod, c, false, "Pulling", "Pulling image \"%s\"", image);
        rt_event(c->pod, c, false, "Pulled",
                 "Successfully pulled image \"%s\" in %.3fs (%.3fs including waiting)", image, took,
                 took);
    } else {
        rt_event(c->pod, c, false, "Pulled", "Container image \"%s\" already present on machine",
                 image);
    }
    imgcache_put(rt, image, b);
    sk_val_free(c->imgv);
    c->imgv = b;
    c->img = 2;
    c->img_backoff = 0;
    const char *iid = sk_val_str_at(b, "imageID", NULL);
    set_str(&c->image_id, iid);
    rt_pod_changed(c->pod);
}

/* ---- bundle (worker) ---- */

struct prep {
    struct rt *rt;
    struct ctok *tok;
    struct sk_val *pod, *ctr, *imgcfg, *args, *envlist, *layers;
    char id[192], dir[PATH_MAX], rootfs[PATH_MAX + 16], logdir[PATH_MAX], podir[PATH_MAX];
    char cg[PATH_MAX];
    char hostname[64], resolv_src[PATH_MAX];
    bool host_net, host_ipc;
    uint64_t nofile;
    int64_t pids;
    /* results */
    int fail; /* 0 ok, 1 CreateContainerConfigError, 2 CreateContainerError */
    char msg[1024];
};

static int mkdirs(const char *path, mode_t mode)
{
    char tmp[PATH_MAX];
    RT_SNPRINTF(tmp, sizeof(tmp), "%s", path);
    for (char *s = tmp + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(tmp, mode) && errno != EEXIST) return -1;
            *s = '/';
        }
    return mkdir(tmp, mode) && errno != EEXIST ? -1 : 0;
}

static void write_pod_files(struct prep *pr)
{
    char path[PATH_MAX + 32];
    RT_SNPRINTF(path, sizeof(path), "%s/hosts", pr->podir);
    if (access(path, F_OK)) {
        struct sk_buf b = {0};
        sk_buf_puts(&b,
                    "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                    "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
                    "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n");
        const struct sk_val *ha = sk_val_at(pr->pod, "spec", "hostAliases", NULL);
        if (sk_arr_len(ha)) sk_buf_puts(&b, "\n# Entries added by HostAliases.\n");
        for (size_t i = 0; i < sk_arr_len(ha); i++) {
            const struct sk_val *a = sk_arr_get(ha, i);
            const char *ip = sk_val_str_at(a, "ip", NULL);
            const struct sk_val *hn = sk_map_get(a, "hostnames");
            if (!ip) continue;
            sk_buf_puts(&b, ip);
            for (size_t k = 0; k < sk_arr_len(hn); k++)
                if (sk_val_cstr(sk_arr_get(hn, k)))
                    sk_buf_printf(&b, "\t%s", sk_val_cstr(sk_arr_get(hn, k)));
            sk_buf_puts(&b, "\n");
        }
        rt_write_file(path, b.p, b.len);
        sk_buf_free(&b);
    }
    RT_SNPRINTF(path, sizeof(path), "%s/hostname", pr->podir);
    if (access(path, F_OK)) {
        char h[80];
        int n = snprintf(h, sizeof(h), "%s\n", pr->hostname);
        rt_write_file(path, h, (size_t)n);
    }
    RT_SNPRINTF(path, sizeof(path), "%s/resolv.conf", pr->podir);
    if (access(path, F_OK)) {
        const char *policy = sk_val_str_at(pr->pod, "spec", "dnsPolicy", NULL);
        const struct sk_val *dc = sk_val_at(pr->pod, "spec", "dnsConfig", NULL);
        struct sk_buf b = {0};
        if (policy && !strcmp(policy, "None")) {
            const struct sk_val *ns = sk_map_get(dc, "nameservers");
            for (size_t i = 0; i < sk_arr_len(ns); i++)
                if (sk_val_cstr(sk_arr_get(ns, i)))
                    sk_buf_printf(&b, "nameserver %s\n", sk_val_cstr(sk_arr_get(ns, i)));
            const struct sk_val *se = sk_map_get(dc, "searches");
            if (sk_arr_len(se)) {
                sk_buf_puts(&b, "search");
                for (size_t i = 0; i < sk_arr_len(se); i++)
                    if (sk_val_cstr(sk_arr_get(se, i)))
                        sk_buf_printf(&b, " %s", sk_val_cstr(sk_arr_get(se, i)));
                sk_buf_puts(&b, "\n");
            }
            const struct sk_val *op = sk_map_get(dc, "options");
            if (sk_arr_len(op)) {
                sk_buf_puts(&b, "options");
                for (size_t i = 0; i < sk_arr_len(op); i++) {
                    const char *n = sk_val_str_at(sk_arr_get(op, i), "name", NULL);
                    const char *v = sk_val_str_at(sk_arr_get(op, i), "value", NULL);
                    if (n) sk_buf_printf(&b, " %s%s%s", n, v ? ":" : "", v ? v : "");
                }
                sk_buf_puts(&b, "\n");
            }
        } else {
            size_t n;
            char *src = rt_read_file(pr->resolv_src, 1 << 16, &n);
            if (src) sk_buf_append(&b, src, n);
            free(src);
        }
        rt_write_file(path, b.p ? b.p : "", b.len);
        sk_buf_free(&b);
    }
}

static void prep_work(void *arg)
{
    struct prep *pr = arg;
    pr->rt->host->log(pr->rt->ctx, SKIFF_LOG_DEBUG, "bundle start id=%s", pr->id);
    char upper[PATH_MAX + 16], work[PATH_MAX + 16], state[PATH_MAX + 16];
    RT_SNPRINTF(upper, sizeof(upper), "%s/upper", pr->dir);
    RT_SNPRINTF(work, sizeof(work), "%s/work", pr->dir);
    RT_SNPRINTF(state, sizeof(state), "%s/state", pr->dir);
    if (mkdirs(pr->rootfs, 0700) || mkdirs(upper, 0755) || mkdirs(work, 0700) ||
        mkdirs(state, 0700) || mkdirs(pr->logdir, 0755)) {
        pr->fail = 2;
        RT_SNPRINTF(pr->msg, sizeof(pr->msg), "cannot create the container's directories in %s: %s",
                    pr->dir, strerror(errno));
        return;
    }
    write_pod_files(pr);
    struct sk_buf o = {0};
    sk_buf_puts(&o, "lowerdir=");
    size_t nl = sk_arr_len(pr->layers);
    char empty[PATH_MAX + 16];
    if (!nl) {
        RT_SNPRINTF(empty, sizeof(empty), "%s/empty", pr->dir);
        mkdir(empty, 0755);
        sk_buf_puts(&o, empty);
    }
    for (size_t i = nl; i-- > 0;) {
        const char *l = sk_val_cstr(sk_arr_get(pr->layers, i));
        sk_buf_printf(&o, "%s%s", i + 1 < nl ? ":" : "", l ? l : "");
    }
    sk_buf_printf(&o, ",upperdir=%s,workdir=%s", upper, work);
    sk_buf_putc(&o, 0);
    if (mount("overlay", pr->rootfs, "overlay", 0, o.p)) {
        pr->fail = 2;
        RT_SNPRINTF(pr->msg, sizeof(pr->msg), "mount overlay on %s (%zu layers): %s", pr->rootfs,
                    nl, strerror(errno));
        sk_buf_free(&o);
        return;
    }
    sk_buf_free(&o);
    char pw[PATH_MAX + 32], gr[PATH_MAX + 32];
    RT_SNPRINTF(pw, sizeof(pw), "%s/etc/passwd", pr->rootfs);
    RT_SNPRINTF(gr, sizeof(gr), "%s/etc/group", pr->rootfs);
    char *passwd = rt_read_file(pw, 4 << 20, NULL), *group = rt_read_file(gr, 4 << 20, NULL);
    struct rt_spec_in in = {0};
    const char *iu = sk_val_str_at(pr->imgcfg, "User", NULL);
    int rc = rt_spec_user(pr->pod, pr->ctr, iu, passwd, group, &in.user, pr->msg, sizeof(pr->msg));
    free(passwd);
    free(group);
    if (rc) {
        pr->fail = 1;
        umount2(pr->rootfs, MNT_DETACH);
        rt_rmtree(pr->dir);
        return;
    }
    char netns[PATH_MAX + 16], ipcns[PATH_MAX + 16], utsns[PATH_MAX + 16];
    char hosts[PATH_MAX + 16], resolv[PATH_MAX + 16], hostname[PATH_MAX + 16];
    RT_SNPRINTF(netns, sizeof(netns), "%s/ns/net", pr->podir);
    RT_SNPRINTF(ipcns, sizeof(ipcns), "%s/ns/ipc", pr->podir);
    RT_SNPRINTF(utsns, sizeof(utsns), "%s/ns/uts", pr->podir);
    RT_SNPRINTF(hosts, sizeof(hosts), "%s/hosts", pr->podir);
    RT_SNPRINTF(resolv, sizeof(resolv), "%s/resolv.conf", pr->podir);
    RT_SNPRINTF(hostname, sizeof(hostname), "%s/hostname", pr->podir);
    const char *wd = sk_val_str_at(pr->ctr, "workingDir", NULL);
    if (!wd || !*wd) wd = sk_val_str_at(pr->imgcfg, "WorkingDir", NULL);
    in.pod = pr->pod;
    in.ctr = pr->ctr;
    in.args = pr->args;
    in.envlist = pr->envlist;
    in.cwd = wd;
    in.hostname = pr->hostname;
    in.rootfs = pr->rootfs;
    in.netns = pr->host_net ? NULL : netns;
    in.utsns = pr->host_net ? NULL : utsns;
    in.ipcns = pr->host_ipc ? NULL : ipcns;
    in.hosts = pr->host_net ? "/etc/hosts" : hosts;
    in.resolv = resolv;
    in.hostname_file = pr->host_net ? NULL : hostname;
    in.cgroups_path = pr->cg;
    in.nofile = pr->nofile;
    in.pids_limit = pr->pids;
    struct sk_val *cfg = rt_spec_config(&in);
    size_t n;
    char *js = sk_json_dump(cfg, SK_JSON_PRETTY, &n);
    sk_val_free(cfg);
    char cpath[PATH_MAX + 16];
    RT_SNPRINTF(cpath, sizeof(cpath), "%s/config.json", pr->dir);
    int er = rt_write_file(cpath, js, n);
    free(js);
    if (er) {
        pr->fail = 2;
        RT_SNPRINTF(pr->msg, sizeof(pr->msg), "cannot write %s: %s", cpath, strerror(er));
        umount2(pr->rootfs, MNT_DETACH);
        rt_rmtree(pr->dir);
    }
}

/* Unmount and remove an instance's bundle (worker). */
struct unbundle {
    struct ctok *tok;
    char dir[PATH_MAX];
};

static void unbundle_work(void *arg)
{
    struct unbundle *u = arg;
    char r[PATH_MAX + 16];
    RT_SNPRINTF(r, sizeof(r), "%s/rootfs", u->dir);
    if (umount2(r, MNT_DETACH) && errno != EINVAL && errno != ENOENT) {
        /* busy: retry once detached mounts settle */
        umount2(r, MNT_DETACH | MNT_FORCE);
    }
    rt_rmtree(u->dir);
}

static void after_exit(struct rt_ctr *c);

static void unbundle_done(void *arg)
{
    struct unbundle *u = arg;
    struct rt_ctr *c = u->tok ? tok_get(u->tok) : NULL;
    if (u->tok) free(u->tok);
    free(u);
    if (c) {
        c->pod->refs--;
        after_exit(c);
    }
}

static void unbundle(struct rt *rt, struct rt_ctr *c, const char *dir)
{
    struct unbundle *u = sk_xcalloc(1, sizeof(*u));
    u->tok = c ? tok_new(c) : NULL;
    RT_SNPRINTF(u->dir, sizeof(u->dir), "%s", dir);
    if (c) c->pod->refs++;
    if (rt->host->work(rt->ctx, unbundle_work, unbundle_done, u)) {
        if (c) c->pod->refs--;
        free(u->tok);
        free(u);
    }
}

static void shim_spawn(struct rt_ctr *c);
static void on_retry_timer(void *arg);

static void prep_done(void *arg)
{
    struct prep *pr = arg;
    struct rt_ctr *c = tok_get(pr->tok);
    if (c) c->pod->refs--;
    if (!c || c->phase != CP_PREPARING || c->pod->terminating || c->pod->deleted) {
        if (!pr->fail) unbundle(pr->rt, NULL, pr->dir);
        if (c && c->phase == CP_PREPARING) {
            c->phase = CP_WAITING;
            rt_pod_changed(c->pod);
        }
    } else if (pr->fail) {
        c->phase = CP_WAITING;
        const char *reason = pr->fail == 1 ? "CreateContainerConfigError" : "CreateContainerError";
        set_waiting(c, reason, pr->msg);
        rt_event(c->pod, c, true, "Failed", "Error: %s", pr->msg);
        logc(c, SKIFF_LOG_WARN, "cannot create the container reason=%s: %s", reason, pr->msg);
        c->timer_start = true;
        c->timer = pr->rt->host->timer_add(pr->rt->ctx, 10, 0, on_retry_timer, c);
    } else {
        logc(c, SKIFF_LOG_DEBUG, "bundle ready id=%s", c->id);
        rt_event(c->pod, c, false, "Created", "Created container %s", c->name);
        shim_spawn(c);
    }
    free(pr->tok);
    sk_val_free(pr->pod);
    sk_val_free(pr->ctr);
    sk_val_free(pr->imgcfg);
    sk_val_free(pr->args);
    sk_val_free(pr->envlist);
    sk_val_free(pr->layers);
    free(pr);
}

static struct sk_val *lookup(void *arg, const char *resource, const char *ns, const char *name)
{
    struct rt *rt = arg;
    void *obj = NULL;
    size_t len = 0;
    if (rt->host->get(rt->ctx, resource, ns, name, &obj, &len) != SKIFF_OK) return NULL;
    struct sk_val *v = NULL;
    if (sk_val_from_msgpack(obj, len, &v, NULL)) v = NULL;
    free(obj);
    return v;
}

static void on_retry_timer(void *arg)
{
    struct rt_ctr *c = arg;
    c->timer = NULL;
    c->timer_start = false;
    rt_pod_changed(c->pod);
}

static void ctr_create(struct rt_ctr *c)
{
    struct rt_pod *p = c->pod;
    struct rt *rt = p->rt;
    const struct sk_val *spec = rt_ctr_spec(c);
    const struct sk_val *imgcfg = sk_map_get(c->imgv, "config");
    struct rt_env_node node = {.host_ip = rt->host_ip,
                               .pod_ip = p->host_net ? rt->host_ip : "",
                               .cpu_milli = rt->cpu_milli,
                               .memory_bytes = rt->mem_bytes};
    struct sk_val *env = NULL;
    char msg[1024];
    if (rt_spec_env(p->obj, spec, &node, lookup, rt, &env, msg, sizeof(msg))) {
        bool again = strcmp(c->wreason, "CreateContainerConfigError") || !c->wmessage ||
                     strcmp(c->wmessage, msg);
        set_waiting(c, "CreateContainerConfigError", msg);
        if (again) {
            rt_event(p, c, true, "Failed", "Error: %s", msg);
            logc(c, SKIFF_LOG_WARN, "reason=CreateContainerConfigError: %s", msg);
        }
        c->timer_start = true;
        c->timer = rt->host->timer_add(rt->ctx, 10, 0, on_retry_timer, c);
        return;
    }
    /* the instance: a new attempt after the first */
    if (c->ever) c->attempt++;
    c->ever = true;
    RT_SNPRINTF(c->id, sizeof(c->id), "%s-%s-%d", p->uid, c->name, c->attempt);
    free(c->dir);
    c->dir = sk_xasprintf("%s/c/%s.%d", p->dir, c->name, c->attempt);
    struct prep *pr = sk_xcalloc(1, sizeof(*pr));
    pr->rt = rt;
    pr->tok = tok_new(c);
    pr->pod = sk_val_dup(p->obj);
    pr->ctr = sk_val_dup(spec);
    pr->imgcfg = imgcfg ? sk_val_dup(imgcfg) : sk_val_map();
    pr->args = rt_spec_args(spec, imgcfg, env);
    const char *hn = sk_val_str_at(p->obj, "spec", "hostname", NULL);
    RT_SNPRINTF(pr->hostname, sizeof(pr->hostname), "%.63s", hn && *hn ? hn : p->name);
    if (p->host_net) gethostname(pr->hostname, sizeof(pr->hostname) - 1);
    pr->envlist = rt_spec_env_list(imgcfg, env, pr->hostname);
    sk_val_free(env);
    pr->layers = sk_val_dup(sk_map_get(c->imgv, "layers"));
    if (!pr->layers) pr->layers = sk_val_arr();
    RT_SNPRINTF(pr->id, sizeof(pr->id), "%s", c->id);
    RT_SNPRINTF(pr->dir, sizeof(pr->dir), "%s", c->dir);
    RT_SNPRINTF(pr->rootfs, sizeof(pr->rootfs), "%s/rootfs", c->dir);
    RT_SNPRINTF(pr->podir, sizeof(pr->podir), "%s", p->dir);
    char *lp = rt_log_path(rt, p->ns, p->name, p->uid, c->name, c->attempt);
    char *sl = strrchr(lp, '/');
    if (sl) *sl = 0;
    RT_SNPRINTF(pr->logdir, sizeof(pr->logdir), "%s", lp);
    free(lp);
    RT_SNPRINTF(pr->cg, sizeof(pr->cg), "/%s/pod%s/%s", rt->cg_parent, p->uid, c->id);
    RT_SNPRINTF(pr->resolv_src, sizeof(pr->resolv_src), "%s",
                rt->o->resolv_conf && *rt->o->resolv_conf ? rt->o->resolv_conf
                                                          : "/etc/resolv.conf");
    pr->host_net = p->host_net;
    pr->host_ipc = sk_val_to_bool(sk_val_at(p->obj, "spec", "hostIPC", NULL), false);
    pr->nofile = rt->nofile;
    pr->pids = rt->o->pids_limit;
    if (!sk_arr_len(pr->args)) {
        sk_val_free(pr->pod), sk_val_free(pr->ctr), sk_val_free(pr->imgcfg);
        sk_val_free(pr->args), sk_val_free(pr->envlist), sk_val_free(pr->layers);
        free(pr->tok);
        free(pr);
        set_waiting(c, "CreateContainerError", "no command specified");
        rt_event(p, c, true, "Failed", "Error: no command specified");
        c->timer_start = true;
        c->timer = rt->host->timer_add(rt->ctx, 10, 0, on_retry_timer, c);
        return;
    }
    c->phase = CP_PREPARING;
    if (!c->wreason[0] || strcmp(c->wreason, "CrashLoopBackOff"))
        set_waiting(c, "ContainerCreating", NULL);
    p->refs++;
    if (rt->host->work(rt->ctx, prep_work, prep_done, pr)) {
        p->refs--;
        c->phase = CP_WAITING;
        free(pr->tok);
        sk_val_free(pr->pod), sk_val_free(pr->ctr), sk_val_free(pr->imgcfg);
        sk_val_free(pr->args), sk_val_free(pr->envlist), sk_val_free(pr->layers);
        free(pr);
    }
}

/* ---- the shim ---- */

static void on_sync(int fd, int events, void *arg);
static void on_shim_exit(int fd, int events, void *arg);
static void ctr_ended(struct rt_ctr *c, bool start_error, const char *start_msg);

static void unwatch_shim(struct rt_ctr *c)
{
    if (c->pidw) H(c)->fd_unwatch(c->pod->rt->ctx, c->pidw);
    c->pidw = NULL;
    if (c->pidfd >= 0) close(c->pidfd);
    c->pidfd = -1;
}

static void unwatch_sync(struct rt_ctr *c)
{
    if (c->syncw) H(c)->fd_unwatch(c->pod->rt->ctx, c->syncw);
    c->syncw = NULL;
    if (c->syncfd >= 0) close(c->syncfd);
    c->syncfd = -1;
    free(c->syncbuf);
    c->syncbuf = NULL;
    c->synclen = 0;
}

static void shim_spawn(struct rt_ctr *c)
{
    struct rt *rt = c->pod->rt;
    struct rt_pod *p = c->pod;
    int sp[2];
    if (pipe2(sp, O_CLOEXEC)) {
        ctr_ended(c, true, strerror(errno));
        return;
    }
    char state[PATH_MAX + 16], size[32], files[32];
    RT_SNPRINTF(state, sizeof(state), "%s/state", c->dir);
    RT_SNPRINTF(size, sizeof(size), "%llu", (unsigned long long)rt->o->log_max_size);
    RT_SNPRINTF(files, sizeof(files), "%lld", (long long)rt->o->log_max_files);
    char *logp = rt_log_path(rt, p->ns, p->name, p->uid, c->name, c->attempt);
    char *argv[] = {"/proc/self/exe",
                    "runtime-shim",
                    "--id",
                    c->id,
                    "--bundle",
                    c->dir,
                    "--runtime",
                    rt->runtime_path,
                    "--root",
                    rt->runtime_root,
                    "--state",
                    state,
                    "--log",
                    logp,
                    "--log-max-size",
                    size,
                    "--log-max-files",
                    files,
                    "--sync-fd",
                    "3",
                    NULL};
    pid_t pid = 0;
    int pidfd = -1;
    /* through the zygote when it runs: no exec, so no first process to
     * wait for either */
    bool forked = !rt_zygote_shim(rt, argv + 2, sp[1]);
    int rc = forked ? 0 : rt_spawn(argv, NULL, sp[1], &pid, &pidfd);
    free(logp);
    close(sp[1]);
    if (rc) {
        close(sp[0]);
        char m[256];
        RT_SNPRINTF(m, sizeof(m), "cannot start the shim: %s", strerror(rc));
        c->phase = CP_STARTING;
        ctr_ended(c, true, m);
        return;
    }
    c->phase = CP_STARTING;
    c->shim_pid = pid;
    c->pidfd = pidfd;
    c->sync_done = false;
    c->shim_gone = forked;
    c->synclen = 0;
    free(c->syncbuf);
    c->syncbuf = sk_xcalloc(1, RT_SYNCBUF);
    c->syncfd = sp[0];
    fcntl(sp[0], F_SETFL, O_NONBLOCK);
    c->syncw = rt->host->fd_watch(rt->ctx, sp[0], SKIFF_FD_READ, on_sync, c);
    if (!forked) c->pidw = rt->host->fd_watch(rt->ctx, pidfd, SKIFF_FD_READ, on_shim_exit, c);
    save(c);
    logc(c, SKIFF_LOG_DEBUG, "shim spawned id=%s", c->id);
}

/* Watch the shim proper (the process in STATE/shim.pid). */
static bool watch_shim_pid(struct rt_ctr *c)
{
    char path[PATH_MAX + 32];
    RT_SNPRINTF(path, sizeof(path), "%s/state/shim.pid", c->dir);
    char *s = rt_read_file(path, 64, NULL);
    long pid = s ? strtol(s, NULL, 10) : 0;
    free(s);
    if (pid <= 1) {
        logc(c, SKIFF_LOG_DEBUG, "no shim pid in %s", path);
        return false;
    }
    int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    if (fd < 0) {
        logc(c, SKIFF_LOG_DEBUG, "shim pid %ld: pidfd_open: %s", pid, strerror(errno));
        return false;
    }
    /* a recycled pid would not be our shim */
    char cl[64], comm[64] = "";
    RT_SNPRINTF(cl, sizeof(cl), "/proc/%ld/comm", pid);
    char *cm = rt_read_file(cl, 64, NULL);
    if (cm) RT_SNPRINTF(comm, sizeof(comm), "%s", cm);
    free(cm);
    if (strncmp(comm, "skiff-shim", 10)) {
        logc(c, SKIFF_LOG_DEBUG, "pid %ld of %s is not a shim (comm %s)", pid, path, comm);
        close(fd);
        return false;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    unwatch_shim(c);
    c->shim_pid = (pid_t)pid;
    c->pidfd = fd;
    c->pidw = H(c)->fd_watch(c->pod->rt->ctx, fd, SKIFF_FD_READ, on_shim_exit, c);
    return true;
}

static void hook_post_start(struct rt_ctr *c);
static void probes_start(struct rt_ctr *c);

static void ctr_running(struct rt_ctr *c)
{
    c->phase = CP_RUNNING;
    c->run_since = H(c)->now(c->pod->rt->ctx);
    rt_now_rfc3339(c->started_at);
    c->wreason[0] = 0;
    free(c->wmessage);
    c->wmessage = NULL;
    c->ready = false;
    c->live_fail = false;
    c->started_ok = false;
    save(c);
    logc(c, SKIFF_LOG_INFO, "container started id=%s attempt=%d", c->id, c->attempt);
    hook_post_start(c);
    probes_start(c);
    /* the status first: the client waits for it, not for the event */
    rt_status_now(c->pod);
    rt_event(c->pod, c, false, "Started", "Started container %s", c->name);
    if (c->pod->terminating || c->pod->deleted) rt_pod_changed(c->pod);
}

static void on_sync(int fd, int events, void *arg)
{
    (void)events;
    struct rt_ctr *c = arg;
    ssize_t n = read(fd, c->syncbuf + c->synclen, RT_SYNCBUF - 1 - c->synclen);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n > 0) {
        c->synclen += (size_t)n;
        c->syncbuf[c->synclen] = 0;
        if (!strchr(c->syncbuf, '\n') && c->synclen < RT_SYNCBUF - 1) return;
    }
    c->syncbuf[c->synclen] = 0;
    char *nl = strchr(c->syncbuf, '\n');
    if (nl) *nl = 0;
    /* the line outlives the buffer, which unwatch_sync frees */
    char line[RT_SYNCBUF];
    memcpy(line, c->syncbuf, c->synclen + 1);
    unwatch_sync(c);
    c->sync_done = true;
    if (!strncmp(line, "ok ", 3)) {
        logc(c, SKIFF_LOG_DEBUG, "shim reports ok id=%s", c->id);
        if (!watch_shim_pid(c) && c->shim_gone) {
            /* the shim already ended: the container was short-lived */
            ctr_running(c);
            ctr_ended(c, false, NULL);
            return;
        }
        ctr_running(c);
        return;
    }
    const char *m = !strncmp(line, "error ", 6) ? line + 6
                    : line[0]                   ? line
                                                : "the shim ended before the container started";
    char msg[RT_SYNCBUF];
    RT_SNPRINTF(msg, sizeof(msg), "%s", m);
    ctr_ended(c, true, msg);
}

static void on_shim_exit(int fd, int events, void *arg)
{
    (void)fd, (void)events;
    struct rt_ctr *c = arg;
    int st = rt_reap(c->pidfd);
    if (st == -2) return;
    unwatch_shim(c);
    if (c->phase == CP_STARTING) {
        /* the first shim process exits once it detached; the sync says
         * what became of the container */
        c->shim_gone = true;
        if (c->sync_done) watch_shim_pid(c);
        return;
    }
    if (c->phase == CP_RUNNING) {
        /* the detached shim could be the one we watched only now */
        if (watch_shim_pid(c)) return;
        ctr_ended(c, false, NULL);
    }
}

/* ---- the end of an instance ---- */

static long oom_kills(struct rt_ctr *c)
{
    char path[PATH_MAX];
    RT_SNPRINTF(path, sizeof(path), "/sys/fs/cgroup/memory/%s/pod%s/%s/memory.oom_control",
                c->pod->rt->cg_parent, c->pod->uid, c->id);
    char *s = rt_read_file(path, 4096, NULL);
    long n = 0;
    const char *k = s ? strstr(s, "oom_kill ") : NULL;
    if (k) n = strtol(k + 9, NULL, 10);
    free(s);
    return n;
}

static void deleted_done(void *arg, int status, const char *out, const char *err)
{
    (void)out;
    struct rt_ctr *c = arg;
    if (status != 0 && !strstr(err, "does not exist") && !strstr(err, "not exist"))
        logc(c, SKIFF_LOG_WARN, "%s delete %s: status %d: %s", c->pod->rt->runtime_path, c->id,
             status, err);
    unbundle(c->pod->rt, c, c->dir);
}

static void ctr_ended(struct rt_ctr *c, bool start_error, const char *start_msg)
{
    struct rt *rt = c->pod->rt;
    unwatch_sync(c);
    unwatch_shim(c);
    cancel_timer(c); /* a pending SIGKILL is for this instance only */
    c->timer_start = false;
    rt_prober_stop(c->prober);
    c->prober = NULL;
    c->ready = false;
    char path[PATH_MAX + 16];
    RT_SNPRINTF(path, sizeof(path), "%s/state/exit", c->dir);
    size_t n = 0;
    char *js = rt_read_file(path, 1 << 16, &n);
    int code = start_error ? 128 : 255, sig = 0;
    char fin[64] = "", err[1024] = "";
    bool have = js && !rt_exit_parse(js, n, &code, &sig, fin, sizeof(fin), err, sizeof(err));
    free(js);
    if (!fin[0]) rt_now_rfc3339(fin);
    struct sk_val *t = sk_val_map();
    const char *reason;
    char msg[1024] = "";
    if (start_error || (have && err[0])) {
        reason = "StartError";
        code = 128;
        RT_SNPRINTF(msg, sizeof(msg), "%s", start_msg && *start_msg ? start_msg : err);
        rt_event(c->pod, c, true, "Failed", "Error: %s", msg);
        logc(c, SKIFF_LOG_WARN, "container failed to start id=%s: %s", c->id, msg);
    } else if (!have) {
        reason = "ContainerStatusUnknown";
        code = 137;
        RT_SNPRINTF(msg, sizeof(msg),
                    "The container could not be located when the pod was "
                    "terminated");
    } else if (oom_kills(c) > 0) {
        reason = "OOMKilled";
    } else {
        reason = code == 0 ? "Completed" : "Error";
    }
    sk_map_set(t, "exitCode", sk_val_int(code));
    if (sig) sk_map_set(t, "signal", sk_val_int(sig));
    sk_map_set(t, "reason", sk_val_str(reason));
    if (msg[0]) sk_map_set(t, "message", sk_val_str(msg));
    sk_map_set(t, "startedAt", sk_val_str(c->started_at[0] ? c->started_at : fin));
    sk_map_set(t, "finishedAt", sk_val_str(fin));
    const char *slash = strrchr(rt->runtime_path, '/');
    sk_map_set(t, "containerID", sk_val_strf("%s://%s", slash ? slash + 1 : "runc", c->id));
    sk_val_free(c->term);
    c->term = t;
    if (!start_error)
        logc(c, SKIFF_LOG_INFO, "container exited id=%s exitCode=%d reason=%s", c->id, code,
             reason);
    c->phase = CP_CLEANING;
    c->kill_sent = false;
    save(c);
    rt_status_schedule(c->pod);
    if (rt_runtime_cmd(rt, deleted_done, c, "delete", "--force", c->id, NULL))
        unbundle(rt, c, c->dir);
}

static bool should_restart(const struct rt_ctr *c)
{
    const struct rt_pod *p = c->pod;
    if (p->terminating || p->deleted) return false;
    const char *pol = sk_val_str_at(p->obj, "spec", "restartPolicy", NULL);
    if (!pol) pol = "Always";
    int code = (int)sk_val_to_int(sk_map_get(c->term, "exitCode"), 1);
    if (c->init) return code != 0 && strcmp(pol, "Never");
    if (!strcmp(pol, "Always")) return true;
    if (!strcmp(pol, "OnFailure")) return code != 0;
    return false;
}

static void after_exit(struct rt_ctr *c)
{
    struct rt *rt = c->pod->rt;
    c->phase = CP_WAITING;
    if (!should_restart(c)) {
        c->done = true;
        save(c);
        rt_pod_changed(c->pod);
        return;
    }
    double ran = rt->host->now(rt->ctx) - c->run_since;
    if (c->run_since > 0 && ran >= BACKOFF_RESET) c->backoff = 0;
    sk_val_free(c->last);
    c->last = c->term;
    c->term = NULL;
    if (c->backoff <= 0) {
        c->backoff = 10;
        save(c);
        rt_pod_changed(c->pod);
        return;
    }
    char m[1024];
    RT_SNPRINTF(m, sizeof(m), "back-off %.0fs restarting failed container=%s pod=%s_%s(%s)",
                c->backoff, c->name, c->pod->name, c->pod->ns, c->pod->uid);
    set_waiting(c, "CrashLoopBackOff", m);
    rt_event(c->pod, c, true, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)",
             c->name, c->pod->name, c->pod->ns, c->pod->uid);
    c->timer_start = true;
    c->timer = rt->host->timer_add(rt->ctx, c->backoff, 0, on_retry_timer, c);
    c->backoff *= 2;
    if (c->backoff > BACKOFF_MAX) c->backoff = BACKOFF_MAX;
    save(c);
    rt_status_schedule(c->pod);
}

/* ---- stopping ---- */

static void killed(void *arg, int status, const char *out, const char *err)
{
    (void)out;
    struct rt_ctr *c = arg;
    if (status != 0 && !strstr(err, "not running") && !strstr(err, "does not exist"))
        logc(c, SKIFF_LOG_WARN, "%s kill %s: status %d: %s", c->pod->rt->runtime_path, c->id,
             status, err);
}

static void send_signal(struct rt_ctr *c, const char *sig)
{
    rt_runtime_cmd(c->pod->rt, killed, c, "kill", c->id, sig, NULL);
}

static void on_kill_timer(void *arg)
{
    struct rt_ctr *c = arg;
    c->timer = NULL;
    if (c->phase == CP_RUNNING) {
        logc(c, SKIFF_LOG_INFO, "grace period over: SIGKILL id=%s", c->id);
        send_signal(c, "KILL");
    }
}

static void term_now(struct rt_ctr *c, double grace)
{
    if (c->phase != CP_RUNNING) return;
    send_signal(c, grace <= 0 ? "KILL" : "TERM");
    cancel_timer(c);
    c->timer_start = false;
    if (grace > 0) c->timer = H(c)->timer_add(c->pod->rt->ctx, grace, 0, on_kill_timer, c);
}

struct prestop {
    struct ctok *tok;
    double grace, t0;
};

static void prestop_done(void *arg, bool ok, const char *message)
{
    struct prestop *ps = arg;
    struct rt_ctr *c = tok_get(ps->tok);
    if (c) {
        c->prestop_running = false;
        if (!ok) {
            rt_event(c->pod, c, true, "FailedPreStopHook", "PreStopHook failed: %s",
                     message ? message : "");
        }
        double left = ps->grace - (H(c)->now(c->pod->rt->ctx) - ps->t0);
        term_now(c, left > 2 ? left : 2);
    }
    free(ps->tok);
    free(ps);
}

void rt_ctr_stop(struct rt_ctr *c, double grace, const char *why)
{
    struct rt *rt = c->pod->rt;
    if (c->phase == CP_WAITING) {
        cancel_timer(c);
        if (c->img_timer) rt->host->timer_cancel(rt->ctx, c->img_timer);
        c->img_timer = NULL;
        if (!c->done && (c->pod->terminating || c->pod->deleted)) c->done = true;
        return;
    }
    if (c->phase != CP_RUNNING) return;
    if (c->kill_sent) {
        /* a shorter grace period (force delete) cuts it short */
        if (grace <= 0) term_now(c, 0);
        return;
    }
    c->kill_sent = true;
    if (why)
        rt_event(c->pod, c, false, "Killing", "%s", why);
    else
        rt_event(c->pod, c, false, "Killing", "Stopping container %s", c->name);
    const struct sk_val *ps = sk_val_at(rt_ctr_spec(c), "lifecycle", "preStop", NULL);
    struct rt_target t;
    char msg[256];
    if (ps && grace > 0 &&
        !rt_find_target(rt, c->pod->ns, c->pod->name, c->name, &t, msg, sizeof(msg))) {
        struct prestop *st = sk_xcalloc(1, sizeof(*st));
        st->tok = tok_new(c);
        st->grace = grace;
        st->t0 = rt->host->now(rt->ctx);
        if (!rt_hook_run(rt, &t, ps, grace, prestop_done, st)) {
            c->prestop_running = true;
            /* SIGKILL at the end of the grace period whatever the hook does */
            cancel_timer(c);
            c->timer = rt->host->timer_add(rt->ctx, grace, 0, on_kill_timer, c);
            return;
        }
        free(st->tok);
        free(st);
    }
    term_now(c, grace);
}

/* ---- probes and hooks ---- */

struct poststart {
    struct ctok *tok;
};

static void poststart_done(void *arg, bool ok, const char *message)
{
    struct poststart *ps = arg;
    struct rt_ctr *c = tok_get(ps->tok);
    if (c && !ok && c->phase == CP_RUNNING) {
        rt_event(c->pod, c, true, "FailedPostStartHook", "PostStartHook failed: %s",
                 message ? message : "");
        c->kill_sent = true;
        term_now(c, 2);
    }
    free(ps->tok);
    free(ps);
}

static void hook_post_start(struct rt_ctr *c)
{
    const struct sk_val *h = sk_val_at(rt_ctr_spec(c), "lifecycle", "postStart", NULL);
    if (!h) return;
    struct rt_target t;
    char msg[256];
    if (rt_find_target(c->pod->rt, c->pod->ns, c->pod->name, c->name, &t, msg, sizeof(msg))) return;
    struct poststart *ps = sk_xcalloc(1, sizeof(*ps));
    ps->tok = tok_new(c);
    if (rt_hook_run(c->pod->rt, &t, h, 30, poststart_done, ps)) {
        free(ps->tok);
        free(ps);
    }
}

static void on_probe(void *arg, enum rt_probe_kind kind, bool ok, const char *message)
{
    struct rt_ctr *c = arg;
    if (c->phase != CP_RUNNING) return;
    static const char *const kname[] = {"Startup", "Liveness", "Readiness"};
    if (!ok && message)
        rt_event(c->pod, c, true, "Unhealthy", "%s", message);
    else if (!ok)
        rt_event(c->pod, c, true, "Unhealthy", "%s probe failed", kname[kind]);
    if (kind == RT_PROBE_READINESS) {
        c->ready = ok && c->started_ok;
    } else if (kind == RT_PROBE_STARTUP && ok) {
        c->started_ok = true;
        if (!sk_val_at(rt_ctr_spec(c), "readinessProbe", NULL)) c->ready = true;
    } else if (!ok && !c->kill_sent) {
        char why[512];
        RT_SNPRINTF(why, sizeof(why), "Container %s failed %s probe, will be restarted", c->name,
                    kind == RT_PROBE_LIVENESS ? "liveness" : "startup");
        logc(c, SKIFF_LOG_INFO, "%s", why);
        c->live_fail = true;
        rt_ctr_stop(
                c,
                sk_val_to_int(sk_val_at(c->pod->obj, "spec", "terminationGracePeriodSeconds", NULL),
                              30),
                why);
    }
    rt_status_schedule(c->pod);
}

static void probes_start(struct rt_ctr *c)
{
    const struct sk_val *spec = rt_ctr_spec(c);
    bool has_startup = sk_map_get(spec, "startupProbe") != NULL;
    c->started_ok = !has_startup;
    c->ready = !has_startup && !sk_map_get(spec, "readinessProbe");
    if (c->init) return;
    struct rt_target t;
    char msg[256];
    if (rt_find_target(c->pod->rt, c->pod->ns, c->pod->name, c->name, &t, msg, sizeof(msg))) return;
    c->prober = rt_prober_start(c->pod->rt, &t, spec, on_probe, c);
}

/* ---- the container's next step ---- */

void rt_ctr_sync(struct rt_ctr *c)
{
    if (c->done || c->phase != CP_WAITING || c->timer || c->pod->terminating || c->pod->deleted)
        return;
    if (c->img == 1 || c->img == 3) return;
    if (c->img == 0) {
        image_ensure(c);
        if (c->img != 2) return;
    }
    ctr_create(c);
    /* a failed image is asked again next time (policy Always pulls again) */
    if (c->phase == CP_PREPARING) c->img = 0;
}

bool rt_ctr_idle(const struct rt_ctr *c)
{
    return c->phase == CP_WAITING;
}

bool rt_ctr_succeeded(const struct rt_ctr *c)
{
    return c->done && c->term && sk_val_to_int(sk_map_get(c->term, "exitCode"), 1) == 0;
}

/* ---- adoption and release ---- */

void rt_ctr_adopt(struct rt_ctr *c)
{
    char path[PATH_MAX + 300];
    RT_SNPRINTF(path, sizeof(path), "%s/ctr-%s.json", c->pod->dir, c->name);
    size_t n;
    char *js = rt_read_file(path, 1 << 20, &n);
    if (!js) return;
    struct rt_ctr_state s;
    char msg[256];
    if (rt_state_parse(js, n, &s, msg, sizeof(msg))) {
        logc(c, SKIFF_LOG_WARN, "ignoring %s: %s", path, msg);
        free(js);
        return;
    }
    free(js);
    c->attempt = s.attempt;
    c->ever = true;
    RT_SNPRINTF(c->id, sizeof(c->id), "%s", s.id);
    RT_SNPRINTF(c->started_at, sizeof(c->started_at), "%s", s.started_at);
    set_str(&c->image_id, s.image_id);
    free(c->dir);
    c->dir = sk_xasprintf("%s/c/%s.%d", c->pod->dir, c->name, c->attempt);
    c->term = s.terminated;
    c->last = s.last;
    c->backoff = s.backoff;
    c->done = c->done || s.done;
    c->img = 0;
    if (!strcmp(s.state, "running")) {
        c->phase = CP_RUNNING;
        c->run_since = H(c)->now(c->pod->rt->ctx);
        if (watch_shim_pid(c)) {
            logc(c, SKIFF_LOG_INFO, "container adopted id=%s attempt=%d", c->id, c->attempt);
            probes_start(c);
            return;
        }
        ctr_ended(c, false, NULL);
    } else if (!strcmp(s.state, "exited") && !c->done && c->term) {
        /* it ended while the agent was down, or cleanup was cut short */
        c->phase = CP_CLEANING;
        if (rt_runtime_cmd(c->pod->rt, deleted_done, c, "delete", "--force", c->id, NULL))
            unbundle(c->pod->rt, c, c->dir);
    }
}

void rt_ctr_release(struct rt_ctr *c)
{
    struct rt *rt = c->pod->rt;
    rt_cmd_forget(rt, c);
    unwatch_sync(c);
    unwatch_shim(c);
    rt_prober_stop(c->prober);
    c->prober = NULL;
    cancel_timer(c);
    if (c->img_timer) rt->host->timer_cancel(rt->ctx, c->img_timer);
    c->img_timer = NULL;
    sk_val_free(c->imgv);
    sk_val_free(c->term);
    sk_val_free(c->last);
    free(c->wmessage);
    c->imgv = c->term = c->last = NULL;
    c->wmessage = NULL;
    free(c->name);
    free(c->dir);
    free(c->image_id);
    c->name = c->dir = c->image_id = NULL;
}

int rt_find_target(struct rt *rt, const char *ns, const char *pod, const char *container,
                   struct rt_target *out, char *msg, size_t msglen)
{
    struct rt_pod *p = rt_pod_find(rt, ns, pod);
    if (!p) {
        RT_SNPRINTF(msg, msglen, "pod %s/%s not found", ns, pod);
        return SKIFF_ENOTFOUND;
    }
    for (int i = 0; i < p->nc; i++) {
        struct rt_ctr *c = &p->c[i];
        if (strcmp(c->name, container)) continue;
        if (c->phase != CP_RUNNING) break;
        memset(out, 0, sizeof(*out));
        RT_SNPRINTF(out->ns, sizeof(out->ns), "%s", p->ns);
        RT_SNPRINTF(out->pod, sizeof(out->pod), "%s", p->name);
        RT_SNPRINTF(out->uid, sizeof(out->uid), "%s", p->uid);
        RT_SNPRINTF(out->container, sizeof(out->container), "%s", c->name);
        RT_SNPRINTF(out->id, sizeof(out->id), "%s", c->id);
        if (!p->host_net) RT_SNPRINTF(out->netns, sizeof(out->netns), "%s/ns/net", p->dir);
        RT_SNPRINTF(out->ip, sizeof(out->ip), "%s", p->host_net ? rt->host_ip : "127.0.0.1");
        out->spec = rt_ctr_spec(c);
        return SKIFF_OK;
    }
    RT_SNPRINTF(msg, msglen, "container not found (\"%s\")", container);
    return SKIFF_ENOTFOUND;
}
