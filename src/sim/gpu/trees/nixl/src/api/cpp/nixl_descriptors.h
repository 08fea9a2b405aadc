// NIXL nixl_descriptors.h (pdflow simulator tree)
#pragma once
