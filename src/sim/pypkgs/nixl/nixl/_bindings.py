"""nixl._bindings of the PyPI-like emulated wheel. A NIXL built from source (src/sim/gpu/trees/nixl)
installs a compiled pybind11 `_bindings` instead, which exports the same names from _sim_bindings."""
from nixl._sim_bindings import *  # noqa: F401,F403
