// NIXL nixl_params.h (pdflow simulator tree)
#pragma once
