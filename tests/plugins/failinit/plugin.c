/* A test plugin whose init fails: the loader must refuse it and go on. */
#include "skiff_plugin.h"

static int failinit_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                         void **self)
{
    (void)options;
    (void)self;
    host->log(ctx, SKIFF_LOG_ERROR, "refusing to start: this plugin always fails init");
    return -1;
}

SKIFF_PLUGIN(failinit) = {
        SKIFF_PLUGIN_HEADER,
        .name = "failinit",
        .role = SKIFF_ROLE_NODE,
        .init = failinit_init,
};
