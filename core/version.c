/* Version reporting for `skiff version`: skiff's own and each linked
 * library's, asked of the library at run time where it can tell. */
#include "version.h"
#include "loop.h"

#include <archive.h>
#include <curl/curl.h>
#include <jansson.h>
#include <lmdb.h>
#include <msgpack.h>
#include <nng/nng.h>
#include <mbedtls/version.h>
#include <yaml.h>

#ifndef SKIFF_VERSION
#define SKIFF_VERSION "0.0.0"
#endif

const char *sk_version(void)
{
    return SKIFF_VERSION;
}

/* Libraries that only some parts of skiff use are referenced weakly: with
 * --as-needed a weak reference does not pull a library in, so this prints
 * exactly the libraries the binary was linked with, and reporting a
 * version never costs the agent the memory of loading a library. */
#pragma weak curl_version_info
#pragma weak archive_version_string
#pragma weak mbedtls_version_get_string
#pragma weak mdb_version
#pragma weak jansson_version_str
#pragma weak yaml_get_version_string
#pragma weak msgpack_version
#pragma weak nng_version

void sk_version_print(FILE *f)
{
    char ev[64];
    sk_loop_lib_version(ev, sizeof(ev));
    fprintf(f, "skiff version %s (Kubernetes API %s)\n", SKIFF_VERSION, SK_KUBE_VERSION);
    fprintf(f, "  %s\n", ev);
    if (nng_version) fprintf(f, "  nng %s\n", nng_version());
    if (msgpack_version) fprintf(f, "  msgpack-c %s\n", msgpack_version());
    if (yaml_get_version_string) fprintf(f, "  libyaml %s\n", yaml_get_version_string());
    if (jansson_version_str) fprintf(f, "  jansson %s\n", jansson_version_str());
    if (mdb_version) fprintf(f, "  %s\n", mdb_version(NULL, NULL, NULL));
    if (curl_version_info)
        fprintf(f, "  libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
    if (archive_version_string) fprintf(f, "  %s\n", archive_version_string());
    if (mbedtls_version_get_string) {
        char v[18];
        mbedtls_version_get_string(v);
        fprintf(f, "  mbed TLS %s\n", v);
    }
}
