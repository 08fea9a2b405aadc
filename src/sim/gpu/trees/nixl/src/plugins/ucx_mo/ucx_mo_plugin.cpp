// NIXL UCX_MO backend plugin (pdflow simulator tree), built with the UCX plugin.
#include <ucp/api/ucp.h>
#include "nixl.h"

extern "C" const char *nixl_plugin_name() { return "UCX_MO"; }
extern "C" const char *nixl_plugin_ucx_version() { return ucp_get_version_string(); }
