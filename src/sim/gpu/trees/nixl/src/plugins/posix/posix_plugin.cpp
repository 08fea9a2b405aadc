// NIXL POSIX backend plugin (pdflow simulator tree): no dependency, always built.
#include "nixl.h"

extern "C" const char *nixl_plugin_name() { return "POSIX"; }
