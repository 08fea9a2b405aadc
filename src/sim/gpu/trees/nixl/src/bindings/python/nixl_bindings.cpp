// nixl._bindings (pdflow simulator tree): a real pybind11 extension module. The emulated nixl
// package imports it, so the bindings only load when they were built for the venv's Python.
#include <pybind11/pybind11.h>

extern "C" const char *nixl_core_version();

PYBIND11_MODULE(_bindings, m) {
    m.doc() = "NIXL bindings (pdflow simulator tree)";
    m.def("version", []() { return nixl_core_version(); });
}
