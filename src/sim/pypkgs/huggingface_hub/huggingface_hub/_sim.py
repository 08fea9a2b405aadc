"""Glue to the pdflow simulator: injected faults and time scaling (emulators/lib/simfault.py)."""
import os
import sys


def _fault_lib():
    explicit = os.environ.get("PDFLOW_SIM_EMULATORS_LIB")
    if explicit:
        return explicit
    for d in os.environ.get("PATH", "").split(os.pathsep):
        lib = os.path.join(os.path.dirname(d.rstrip("/")), "lib")
        if d.rstrip("/").endswith("emulators/bin") and os.path.isfile(os.path.join(lib, "simfault.py")):
            return lib
    return None


def begin(program):
    """Counts the run, applies fail/hang faults, returns the time factor for emulated delays."""
    lib = _fault_lib()
    if lib:
        if lib not in sys.path:
            sys.path.insert(0, lib)
        prev, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the repository
        try:
            import simfault
        finally:
            sys.dont_write_bytecode = prev

        return simfault.begin(program)
    try:
        return float(os.environ.get("PDFLOW_SIM_TIME_SCALE", "1"))
    except ValueError:
        return 1.0
