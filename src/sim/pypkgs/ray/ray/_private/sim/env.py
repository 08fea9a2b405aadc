"""Who and where this process is on the simulated cluster (all from the node's environment)."""
import json
import os
import sys

# Raylet env recorded at `ray start` and applied to actors on that node (real workers inherit
# the raylet's environment). Secrets are never recorded.
PASSED_PREFIXES = ("UCX_", "NIXL_", "FI_", "NCCL_", "VLLM_", "CUDA_", "RAY_", "PDFLOW_", "LD_LIBRARY_PATH", "PATH", "HF_", "PYTHONPATH")
SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "KEY", "CREDENTIAL")


class SimEnvError(RuntimeError):
    pass


def cluster_dir():
    d = os.environ.get("PDFLOW_SIM_CLUSTER")
    if not d:
        raise SimEnvError(
            "emulated ray: PDFLOW_SIM_CLUSTER is not set. This ray is the pdflow simulator's stand-in and "
            "only runs on simulated nodes (sessions opened through the simulated sshd).")
    return d


def shared_dir():
    d = os.path.join(cluster_dir(), "shared")
    os.makedirs(d, exist_ok=True)
    return d


def node_name():
    return os.environ.get("PDFLOW_SIM_NODE", "")


def state_dir():
    return os.environ.get("PDFLOW_SIM_STATE", "")


def local_ray_dir():
    """Per-node files (what real Ray keeps under /tmp/ray): current cluster address, logs."""
    base = state_dir() or os.path.join(shared_dir(), "nodes", node_name() or "unknown")
    d = os.path.join(base, "ray")
    os.makedirs(d, exist_ok=True)
    return d


def time_scale():
    try:
        return max(0.0, float(os.environ.get("PDFLOW_SIM_TIME_SCALE", "1")))
    except ValueError:
        return 1.0


def node_ip():
    """The node's address: PDFLOW_SIM_HOST (set by the sim), else sshd's SSH_CONNECTION, else loopback."""
    ip = os.environ.get("PDFLOW_SIM_HOST")
    if ip:
        return ip
    conn = os.environ.get("SSH_CONNECTION", "").split()
    if len(conn) >= 3:
        return conn[2]
    return "127.0.0.1"


def hardware():
    hw = {"gpus": 0, "gpuModel": "NVIDIA H100 80GB HBM3", "cpus": 16, "ramGiB": 64}
    sd = state_dir()
    if sd:
        try:
            with open(os.path.join(sd, "hardware.json")) as f:
                hw.update(json.load(f))
        except (OSError, ValueError):
            pass
    return hw


def recorded_env():
    out = {}
    for k, v in os.environ.items():
        if not k.startswith(PASSED_PREFIXES) or any(m in k.upper() for m in SECRET_MARKERS):
            continue
        out[k] = v
    return out


def _fault_lib():
    explicit = os.environ.get("PDFLOW_SIM_EMULATORS_LIB")
    if explicit:
        return explicit
    for d in os.environ.get("PATH", "").split(os.pathsep):
        d = d.rstrip("/")
        lib = os.path.join(os.path.dirname(d), "lib")
        if d.endswith("emulators/bin") and os.path.isfile(os.path.join(lib, "simfault.py")):
            return lib
    return None


def begin(program):
    """Counts the run and applies injected faults (the sim's shared helper); returns the time factor."""
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
    return time_scale()
