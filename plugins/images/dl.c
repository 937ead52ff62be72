/* The dlopen tables of dl.h: libcurl is core's table (curl.h), libarchive
 * is loaded here the same way. A failed load is remembered, so a missing
 * library costs one dlopen and gives the same message every time. */
#include "dl.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct img_archive_api archive_api;
static int archive_state; /* 0 not tried, 1 loaded, -1 failed */
static char archive_why[512];

const struct img_curl_api *img_curl(struct sk_error **err)
{
    struct sk_error *e = NULL;
    const struct sk_curl_api *c = sk_curl(&e);
    if (!c) sk_fail(err, SK_ENOENT, "image pulls need libcurl (libcurl4): %s", sk_error_msg(e, 0));
    sk_error_free(e);
    return c;
}

#define IMG_DL_NAME(f) #f,

const struct img_archive_api *img_archive(struct sk_error **err)
{
    static const char *const names[] = {IMG_ARCHIVE_FUNCS(IMG_DL_NAME)};
    pthread_mutex_lock(&dl_lock);
    if (!archive_state) {
        _Static_assert(sizeof(archive_api) == sizeof(names) / sizeof(names[0]) * sizeof(void *),
                       "one slot per name");
        archive_state =
                sk_dl_load("libarchive.so.13", names, (void **)&archive_api,
                           sizeof(names) / sizeof(names[0]), archive_why, sizeof(archive_why))
                        ? -1
                        : 1;
    }
    int st = archive_state;
    pthread_mutex_unlock(&dl_lock);
    if (st == 1) return &archive_api;
    sk_fail(err, SK_ENOENT, "image layers need libarchive (libarchive13): %s", archive_why);
    return NULL;
}
