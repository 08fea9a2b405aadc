// nixl._bindings (pdflow simulator tree): a real pybind11 extension module. The emulated nixl
// package imports it, so the bindings only load when they were built for the venv's Python.
#include <pybind11/pybind11.h>
#include <string>

extern "C" const char *nixl_core_version();

namespace py = pybind11;

PYBIND11_MODULE(_bindings, m) {
    m.doc() = "NIXL bindings (pdflow simulator tree)";
    m.def("version", []() { return nixl_core_version(); });
    // The names the python API imports (exceptions, constants, descriptor types) live in the
    // emulation's _sim_bindings: export them from this compiled module, as the real one does.
    py::dict names = py::module_::import("nixl._sim_bindings").attr("__dict__");
    for (auto item : names) {
        std::string key = py::str(item.first);
        if (key.rfind("__", 0) != 0) m.attr(item.first) = item.second;
    }
}
