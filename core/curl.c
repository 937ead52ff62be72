/* The dlopen table of curl.h. */
#include "curl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t curl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sk_curl_api curl_api;
static int curl_state; /* 0 not tried, 1 loaded, -1 failed */
static char curl_why[512];

int sk_dl_load(const char *soname, const char *const *names, void **slots, size_t n, char *why,
               size_t whylen)
{
    /* RTLD_LAZY: libcurl's ~25 dependencies (krb5, ldap, ssh2, rtmp, ...)
     * are bound as their functions are first called, not all at once;
     * that is a third of the load time (~10 ms of every image pull). The
     * functions we call are all checked by the dlsym below. */
    void *h = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
    if (!h) {
        snprintf(why, whylen, "dlopen %s: %s", soname, dlerror());
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        slots[i] = dlsym(h, names[i]);
        if (!slots[i]) {
            snprintf(why, whylen, "%s has no %s (too old?)", soname, names[i]);
            dlclose(h);
            return -1;
        }
    }
    return 0;
}

#define SK_CURL_NAME(f) #f,

const struct sk_curl_api *sk_curl(struct sk_error **err)
{
    static const char *const names[] = {SK_CURL_FUNCS(SK_CURL_NAME)};
    pthread_mutex_lock(&curl_lock);
    if (!curl_state) {
        _Static_assert(sizeof(curl_api) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
                       "one slot per name");
        curl_state = sk_dl_load("libcurl.so.4", names, (void **)&curl_api,
                                sizeof(names) / sizeof(names[0]), curl_why, sizeof(curl_why))
                             ? -1
                             : 1;
        if (curl_state == 1 && curl_api.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            snprintf(curl_why, sizeof(curl_why), "curl_global_init failed");
            curl_state = -1;
        }
    }
    int st = curl_state;
    pthread_mutex_unlock(&curl_lock);
    if (st == 1) return &curl_api;
    sk_fail(err, SK_ENOENT, "%s", curl_why);
    return NULL;
}
