/* libcurl, resolved once with dlopen + dlsym and shared by every HTTP
 * client in skiff (registry pulls, the CLI's API client).
 *
 * Why not link it: libcurl maps its whole dependency tree (libxml2, ICU,
 * krb5, ldap, ...) into a process, about 8 MiB of RSS, and the agent never
 * needs it itself. bin/skiff links no libcurl; the header is included for
 * its types only, and every call goes through the table below. */
#ifndef SK_CURL_H
#define SK_CURL_H

#define CURL_DISABLE_TYPECHECK 1 /* its macros would rewrite our member calls */
#include <curl/curl.h>

#include "err.h"

#define SK_CURL_FUNCS(X)                                                                           \
    X(curl_global_init)                                                                            \
    X(curl_version_info)                                                                           \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_cleanup)                                                                           \
    X(curl_easy_reset)                                                                             \
    X(curl_easy_pause)                                                                             \
    X(curl_easy_strerror)                                                                          \
    X(curl_easy_escape)                                                                            \
    X(curl_free)                                                                                   \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)                                                                         \
    X(curl_multi_init)                                                                             \
    X(curl_multi_add_handle)                                                                       \
    X(curl_multi_remove_handle)                                                                    \
    X(curl_multi_perform)                                                                          \
    X(curl_multi_poll)                                                                             \
    X(curl_multi_info_read)                                                                        \
    X(curl_multi_cleanup)                                                                          \
    X(curl_multi_strerror)

#define SK_CURL_MEMBER(f) __typeof__(f) *f;
struct sk_curl_api {
    SK_CURL_FUNCS(SK_CURL_MEMBER)
};
#undef SK_CURL_MEMBER

/* The table, loaded on the first call (thread-safe; curl_global_init runs
 * once). NULL when libcurl.so.4 or one of its symbols is missing, with
 * *err "dlopen libcurl.so.4: ..." (callers prefix what needed it). A
 * failed load is remembered: it costs one dlopen and gives the same
 * message every time. The table lives until exit. Any thread. */
const struct sk_curl_api *sk_curl(struct sk_error **err);

/* Resolve a table of symbols from soname (dlopen RTLD_LOCAL): slots[i]
 * gets names[i]. Returns 0, or -1 with why filled. For other libraries
 * loaded the same way (libarchive). Any thread. */
int sk_dl_load(const char *soname, const char *const *names, void **slots, size_t n, char *why,
               size_t whylen);

#endif
