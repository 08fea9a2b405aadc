// NIXL nixl_types.h (pdflow simulator tree)
#pragma once
