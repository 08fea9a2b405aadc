// NIXL UCX backend plugin (pdflow simulator tree): a real shared object that links the UCX of
// ucx_path, so `ldd` of the installed plugin shows which UCX this NIXL loads.
#include <ucp/api/ucp.h>
#include "nixl.h"

extern "C" const char *nixl_plugin_name() { return "UCX"; }
extern "C" const char *nixl_plugin_ucx_version() { return ucp_get_version_string(); }
