/* A test plugin built for a future ABI major: the loader must refuse it. */
#include "skiff_plugin.h"

#include <stddef.h>

static int badabi_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                       void **self)
{
    (void)ctx;
    (void)host;
    (void)options;
    *self = NULL;
    return 0;
}

SKIFF_PLUGIN(badabi) = {
        .abi_major = SKIFF_ABI_MAJOR + 98,
        .abi_minor = 0,
        .struct_size = sizeof(struct skiff_plugin),
        .name = "badabi",
        .role = SKIFF_ROLE_NODE,
        .init = badabi_init,
};
