// NIXL nixl.h (pdflow simulator tree)
#pragma once
#include "nixl_types.h"
