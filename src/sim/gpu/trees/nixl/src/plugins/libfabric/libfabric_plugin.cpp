// NIXL LIBFABRIC backend plugin (pdflow simulator tree): links the libfabric of libfabric_path.
#include <rdma/fabric.h>
#include "nixl.h"

extern "C" const char *nixl_plugin_name() { return "LIBFABRIC"; }
extern "C" unsigned nixl_plugin_fabric_version() { return fi_version(); }
