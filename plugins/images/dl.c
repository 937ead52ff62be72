/* The dlopen tables of dl.h. A failed load is remembered, so a missing
 * library costs one dlopen and gives the same message every time. */
#include "dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct img_curl_api curl_api;
static struct img_archive_api archive_api;
static int curl_state, archive_state; /* 0 not tried, 1 loaded, -1 failed */
static char curl_why[512], archive_why[512];

static int load(const char *soname, const char *const *names, void **slots, size_t n, char *why,
                size_t whylen)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
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
    return 1;
}

#define IMG_DL_NAME(f) #f,

const struct img_curl_api *img_curl(struct sk_error **err)
{
    static const char *const names[] = {IMG_CURL_FUNCS(IMG_DL_NAME)};
    pthread_mutex_lock(&dl_lock);
    if (!curl_state) {
        _Static_assert(sizeof(curl_api) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
                       "one slot per name");
        curl_state = load("libcurl.so.4", names, (void **)&curl_api,
                          sizeof(names) / sizeof(names[0]), curl_why, sizeof(curl_why));
        if (curl_state == 1 && curl_api.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            snprintf(curl_why, sizeof(curl_why), "curl_global_init failed");
            curl_state = -1;
        }
    }
    int st = curl_state;
    pthread_mutex_unlock(&dl_lock);
    if (st == 1) return &curl_api;
    sk_fail(err, SK_ENOENT, "image pulls need libcurl (libcurl4): %s", curl_why);
    return NULL;
}

const struct img_archive_api *img_archive(struct sk_error **err)
{
    static const char *const names[] = {IMG_ARCHIVE_FUNCS(IMG_DL_NAME)};
    pthread_mutex_lock(&dl_lock);
    if (!archive_state) {
        _Static_assert(sizeof(archive_api) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
                       "one slot per name");
        archive_state = load("libarchive.so.13", names, (void **)&archive_api,
                             sizeof(names) / sizeof(names[0]), archive_why, sizeof(archive_why));
    }
    int st = archive_state;
    pthread_mutex_unlock(&dl_lock);
    if (st == 1) return &archive_api;
    sk_fail(err, SK_ENOENT, "image layers need libarchive (libarchive13): %s", archive_why);
    return NULL;
}
