/* A test .so without the skiff_plugin_entry symbol: the loader must
 * refuse it with a message naming the missing symbol. */
#include "skiff_plugin.h"

__attribute__((visibility("default"))) int skiff_plugin_nosym_marker(void);

int skiff_plugin_nosym_marker(void)
{
    return 42;
}
