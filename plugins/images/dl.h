/* libcurl and libarchive, resolved at first use with dlopen + dlsym.
 *
 * Why: linking either library maps its whole dependency tree (libxml2,
 * ICU, krb5, ldap, ...) into every skiff process, about 8 MiB of RSS, and
 * the agent never needs them itself: pulls, imports and unpacks run in
 * `skiff image ...` child processes. So bin/skiff links neither; the
 * headers are included for their types only, and each call goes through
 * one of these tables. */
#ifndef IMG_DL_H
#define IMG_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "curl.h"
#include "err.h"

/* The libcurl table is core's (curl.h); these names stay for the image code. */
#define IMG_CURL_FUNCS(X) SK_CURL_FUNCS(X)
#define img_curl_api      sk_curl_api

#define IMG_ARCHIVE_FUNCS(X)                                                                       \
    X(archive_version_string)                                                                      \
    X(archive_read_new)                                                                            \
    X(archive_read_support_filter_gzip)                                                            \
    X(archive_read_support_filter_zstd)                                                            \
    X(archive_read_support_filter_none)                                                            \
    X(archive_read_support_format_tar)                                                             \
    X(archive_read_support_format_raw)                                                             \
    X(archive_read_open)                                                                           \
    X(archive_read_open_fd)                                                                        \
    X(archive_read_next_header)                                                                    \
    X(archive_read_data)                                                                           \
    X(archive_read_data_skip)                                                                      \
    X(archive_read_free)                                                                           \
    X(archive_filter_code)                                                                         \
    X(archive_error_string)                                                                        \
    X(archive_errno)                                                                               \
    X(archive_write_disk_new)                                                                      \
    X(archive_write_disk_set_options)                                                              \
    X(archive_write_new)                                                                           \
    X(archive_write_set_format_pax_restricted)                                                     \
    X(archive_write_open_fd)                                                                       \
    X(archive_write_header)                                                                        \
    X(archive_write_data)                                                                          \
    X(archive_write_finish_entry)                                                                  \
    X(archive_write_close)                                                                         \
    X(archive_write_free)                                                                          \
    X(archive_entry_new)                                                                           \
    X(archive_entry_free)                                                                          \
    X(archive_entry_clear)                                                                         \
    X(archive_entry_pathname)                                                                      \
    X(archive_entry_set_pathname)                                                                  \
    X(archive_entry_hardlink)                                                                      \
    X(archive_entry_set_hardlink)                                                                  \
    X(archive_entry_symlink)                                                                       \
    X(archive_entry_set_symlink)                                                                   \
    X(archive_entry_filetype)                                                                      \
    X(archive_entry_set_filetype)                                                                  \
    X(archive_entry_set_perm)                                                                      \
    X(archive_entry_set_size)                                                                      \
    X(archive_entry_size)                                                                          \
    X(archive_entry_set_rdev)                                                                      \
    X(archive_entry_set_mtime)                                                                     \
    X(archive_entry_set_uid)                                                                       \
    X(archive_entry_set_gid)                                                                       \
    X(archive_entry_xattr_reset)                                                                   \
    X(archive_entry_xattr_next)                                                                    \
    X(archive_entry_xattr_clear)                                                                   \
    X(archive_entry_xattr_add_entry)

#define IMG_DL_MEMBER(f) __typeof__(f) *f;
struct img_archive_api {
    IMG_ARCHIVE_FUNCS(IMG_DL_MEMBER)
};
#undef IMG_DL_MEMBER

/* The tables, loaded on first call (thread-safe; curl_global_init runs
 * once). NULL with err "image pulls need libcurl (libcurl4): dlopen
 * libcurl.so.4: ..." when the library or a symbol is missing. The tables
 * live until exit. */
const struct img_curl_api *img_curl(struct sk_error **err);
const struct img_archive_api *img_archive(struct sk_error **err);

#endif
