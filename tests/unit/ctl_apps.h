/* Helpers for the ReplicaSet and Deployment controller tests on top of
 * ctl_fakehost.h: pods becoming ready the way the runtime reports it, and
 * counting a controller's pods. Include after ctl_fakehost.h. */
#ifndef CTL_APPS_H
#define CTL_APPS_H

#define TMPL(image)                                                                                \
    "{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\","      \
    "\"image\":\"" image "\"}],\"restartPolicy\":\"Always\"}}"

/* Is pod controlled by the object with this uid? */
FH_UNUSED static bool ca_owned_by(const struct sk_val *pod, const char *uid)
{
    const char *u = sk_val_str_at(sk_obj_controller_ref(pod), "uid", NULL);
    return u && uid && !strcmp(u, uid);
}

/* Pods (not terminating) controlled by uid. */
FH_UNUSED static size_t ca_pods_of(const char *uid)
{
    size_t n = 0;
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        if (ca_owned_by(p, uid) && !sk_val_at(p, "metadata", "deletionTimestamp", NULL)) n++;
    }
    return n;
}

FH_UNUSED static const char *ca_uid(const char *resource, const char *ns, const char *name)
{
    return sk_val_str_at(fh_get(resource, ns, name), "metadata", "uid", NULL);
}

/* Make one pod Running and Ready since now on node1 (as the runtime
 * would). */
FH_UNUSED static void ca_make_ready(const struct sk_val *pod)
{
    struct sk_val *p = sk_val_dup(pod);
    char ts[32];
    fh_fmt_time(fh_wall(), ts);
    sk_map_del(sk_map_get(p, "metadata"), "resourceVersion");
    sk_val_set_at(p, sk_val_str("node1"), "spec", "nodeName", NULL);
    sk_val_set_at(p, sk_val_str("Running"), "status", "phase", NULL);
    sk_val_set_at(p,
                  fh_jsonf("[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":"
                           "\"%s\"}]",
                           ts),
                  "status", "conditions", NULL);
    fh_update("pods", p);
}

/* Make every not-yet-ready pod controlled by uid ready; returns how
 * many. */
FH_UNUSED static size_t ca_ready_all(const char *uid)
{
    size_t n = 0;
    for (bool again = true; again;) {
        again = false;
        for (size_t i = 0; i < fh_count("pods", NULL); i++) {
            const struct sk_val *p = fh_nth("pods", i);
            if (!ca_owned_by(p, uid)) continue;
            if (sk_val_str_at(p, "status", "phase", NULL) &&
                !strcmp(sk_val_str_at(p, "status", "phase", NULL), "Running"))
                continue;
            ca_make_ready(p);
            n++;
            again = true; /* the store moved: start over */
            break;
        }
    }
    return n;
}

#endif
