// NIXL core (pdflow simulator tree): the agent lives in the emulated python package; this library
// only makes the build link and install what the real one does.
#include "nixl.h"

extern "C" const char *nixl_core_version() { return NIXL_SIM_VERSION; }
