"""Where an emulated package runs in the simulated cluster: nodes, their state folders, time
scale, injected faults, and locked JSON files shared by the nodes.

Inputs are the node environment the sim sets (PDFLOW_SIM_NODE, PDFLOW_SIM_STATE,
PDFLOW_SIM_CLUSTER, PDFLOW_SIM_TIME_SCALE) and the cluster record <cluster>/state.json.
"""
import fcntl
import json
import os
import sys
import time

DEFAULT_GPU_MODEL = "NVIDIA H100 80GB HBM3"
DEFAULT_MEMORY_MIB = 81559


def time_scale():
    try:
        return float(os.environ.get("PDFLOW_SIM_TIME_SCALE", "1"))
    except ValueError:
        return 1.0


def sleep_scaled(seconds, factor=None):
    """Sleeps `seconds` of emulated time (x PDFLOW_SIM_TIME_SCALE, or x `factor` when given)."""
    s = seconds * (time_scale() if factor is None else factor)
    if s > 0:
        time.sleep(s)


def _fault_lib_dirs():
    if os.environ.get("PDFLOW_SIM_LIB"):
        yield os.environ["PDFLOW_SIM_LIB"]
    here = os.path.dirname(os.path.realpath(__file__))
    # Running from the source tree (tests with PYTHONPATH): src/sim/pypkgs/pdflow-sim/pdflow_sim
    yield os.path.join(here, "..", "..", "..", "emulators", "lib")
    # Installed in a venv on a sim node: the emulators' bin folder is on PATH.
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry:
            yield os.path.join(entry, "..", "lib")


class InjectedFault(RuntimeError):
    """A `fail` fault injected by the sim into an emulated library call."""


def _simfault():
    for d in _fault_lib_dirs():
        if os.path.isfile(os.path.join(d, "simfault.py")):
            if d not in sys.path:
                sys.path.insert(0, d)
            import simfault  # noqa: E402

            return simfault
    return None


def begin(program, library=False):
    """Counts a run of `program` and applies the sim's injected faults (fail/hang/slow) through its
    shared helper; returns the factor for emulated durations (time scale x slow factor).

    A program (library=False) exits on `fail` like a failing command; a library call (nixl agent:
    code running inside someone else's process) raises InjectedFault instead."""
    sf = _simfault()
    if sf is None:
        return time_scale()
    if not library:
        return sf.begin(program)
    sf.record_run(program)
    kind, value = sf.check(program)
    if kind == "fail":
        raise InjectedFault("%s: injected failure (pdflow sim fault, code %d)" % (program, value))
    if kind == "hang":
        while True:
            time.sleep(3600)
    return time_scale() * (value if kind == "slow" else 1.0)


def begin_on(node, program):
    """A library call's fault point on node `node` (its state folder from the cluster record, for
    code that Ray placed there): counts the run, raises InjectedFault on `fail`, blocks on `hang`,
    returns the `slow` factor (1.0 without one; the time scale is not in it)."""
    sf = _simfault()
    state = state_dir_of(node)
    if sf is None or not state:
        return 1.0
    sf.record_run(program, state)
    kind, value = sf.check(program, state)
    if kind == "fail":
        raise InjectedFault("%s on %s: injected failure (pdflow sim fault, code %d)" % (program, node, value))
    if kind == "hang":
        while True:
            time.sleep(3600)
    return value if kind == "slow" else 1.0


def cluster_dir():
    return os.environ.get("PDFLOW_SIM_CLUSTER") or ""


def shared_dir():
    """<cluster>/shared: state every node of one simulated cluster sees (Ray, Serve)."""
    base = cluster_dir()
    if not base:
        # Outside a sim cluster (local tests): the node state folder, else a temp folder.
        base = os.environ.get("PDFLOW_SIM_STATE") or os.path.join("/tmp", "pdflow-sim-%d" % os.getuid())
    d = os.path.join(base, "shared")
    os.makedirs(d, exist_ok=True)
    return d


_STATE = {}


def cluster_state():
    """<cluster>/state.json (written by src/sim/state.ts) or {} outside a sim cluster."""
    path = os.path.join(cluster_dir(), "state.json") if cluster_dir() else ""
    if not path or not os.path.isfile(path):
        return {}
    mtime = os.path.getmtime(path)
    cached = _STATE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    with open(path) as f:
        data = json.load(f)
    _STATE[path] = (mtime, data)
    return data


def nodes():
    """[{name, role, host, stateDir, gpus, ...}] of the cluster; the current node alone outside one."""
    found = cluster_state().get("nodes") or []
    if found:
        return found
    name = os.environ.get("PDFLOW_SIM_NODE", "node")
    return [{"name": name, "role": "head", "host": "127.0.0.1", "stateDir": os.environ.get("PDFLOW_SIM_STATE", ""),
             "gpus": hardware_of_state(os.environ.get("PDFLOW_SIM_STATE", "")).get("gpus", 0)}]


def node_by_name(name):
    for n in nodes():
        if n.get("name") == name:
            return n
    return None


def node_by_host(host):
    for n in nodes():
        if n.get("host") == host or n.get("name") == host:
            return n
    return None


def current_node_name():
    """The node this code runs on. Inside an emulated Ray actor or task the emulated ray knows
    where it was placed (ray.util.get_node_ip_address()); otherwise the session's PDFLOW_SIM_NODE."""
    ray = sys.modules.get("ray")
    if ray is not None:
        try:
            if ray.is_initialized():
                ip = ray.util.get_node_ip_address()
                n = node_by_host(ip)
                if n:
                    return n["name"]
        except Exception:  # noqa: BLE001 - any emulated-ray shortfall falls back to the session
            pass
    return os.environ.get("PDFLOW_SIM_NODE", "node")


def state_dir_of(name):
    n = node_by_name(name)
    if n and n.get("stateDir"):
        return n["stateDir"]
    return os.environ.get("PDFLOW_SIM_STATE", "")


def hardware_of_state(state_dir):
    hw = {"gpus": 0, "gpuModel": DEFAULT_GPU_MODEL, "memoryMiB": DEFAULT_MEMORY_MIB, "efaDevices": 0}
    if state_dir:
        try:
            with open(os.path.join(state_dir, "hardware.json")) as f:
                hw.update(json.load(f))
        except (OSError, ValueError):
            pass
    return hw


def hardware(name):
    hw = hardware_of_state(state_dir_of(name))
    n = node_by_name(name)
    if n and not os.path.isfile(os.path.join(state_dir_of(name), "hardware.json")):
        hw["gpus"] = int(n.get("gpus", 0))
    return hw


def node_env(name, base=None):
    """An environment for a subprocess acting as node `name` (emulators read these)."""
    env = dict(os.environ if base is None else base)
    n = node_by_name(name)
    if n:
        env["PDFLOW_SIM_NODE"] = n["name"]
        if n.get("host"):
            env["PDFLOW_SIM_HOST"] = n["host"]
        if n.get("stateDir"):
            env["PDFLOW_SIM_STATE"] = n["stateDir"]
            sysfs = os.path.join(n["stateDir"], "sysfs")  # src/sim/gpu/hardware.ts sysfsRoot()
            if os.path.isdir(sysfs):
                env["PDFLOW_SYSFS_ROOT"] = sysfs
            else:
                env.pop("PDFLOW_SYSFS_ROOT", None)
    return env


def path_on_node(path, name):
    """`path` as it is on node `name`: sim nodes share one machine, so a path inside one node's
    home, workdir or state folder maps to the same place in the other node's."""
    target = node_by_name(name)
    if not target or not path:
        return path
    for n in nodes():
        for key in ("home", "workdir", "stateDir"):
            base = n.get(key)
            if base and target.get(key) and (path == base or path.startswith(base.rstrip("/") + "/")):
                return target[key] + path[len(base):]
    return path


# ---------------------------------------------------------------------------------------------
# Locked JSON files


class locked_json(object):
    """with locked_json(path, default) as box: box.data = ... ; written back atomically on exit."""

    def __init__(self, path, default):
        self.path = path
        self.default = default
        self.data = None
        self._lock = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        self._lock = open(self.path + ".lock", "a")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.data = read_json(self.path, self.default)
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                write_json_atomic(self.path, self.data)
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
        return False


def read_json(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return json.loads(json.dumps(default))


def write_json_atomic(path, data):
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# GPU usage that nvidia-smi shows (format read by src/sim/gpu/py/simhw.py)


def claim_gpus(node, indices, pid, used_mib, name, utilization=0, owner=""):
    path = os.path.join(state_dir_of(node), "gpu-usage.json")
    with locked_json(path, {"processes": []}) as box:
        procs = [p for p in box.data.get("processes", []) if not (p.get("owner") == owner and p.get("gpu") in indices)]
        for i in indices:
            procs.append({"pid": pid, "pidStart": pid_start(pid), "gpu": i, "usedMiB": used_mib, "name": name,
                          "utilizationPct": utilization, "owner": owner})
        box.data = {"processes": procs}


def release_gpus(node, owner):
    path = os.path.join(state_dir_of(node), "gpu-usage.json")
    if not os.path.isfile(path):
        return
    with locked_json(path, {"processes": []}) as box:
        box.data = {"processes": [p for p in box.data.get("processes", []) if p.get("owner") != owner]}


def _stat_fields(pid):
    """/proc/<pid>/stat after the command name: [state, ppid, ...] (field 3 on); None when gone."""
    try:
        with open("/proc/%d/stat" % int(pid)) as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2:].split()
    except (OSError, ValueError):
        return None


def pid_start(pid):
    """When the process started (clock ticks since boot): with the pid, its identity. This machine
    reuses pids within minutes (pid_max 32768 and thousands of processes a test run), so a pid
    alone can name another process than the one that wrote it down."""
    f = _stat_fields(pid)
    try:
        return int(f[19]) if f else None
    except (IndexError, ValueError):
        return None


def pid_alive(pid, start=None):
    """Whether the process runs (not a zombie) and, when `start` is given, is the one that started then."""
    f = _stat_fields(pid)
    if not f or f[0] in ("Z", "X"):
        return False
    return start is None or pid_start(pid) == start


def busy_gpus(node):
    """GPU indices of `node` held by a live process."""
    data = read_json(os.path.join(state_dir_of(node), "gpu-usage.json"), {"processes": []})
    out = set()
    for p in data.get("processes", []) if isinstance(data, dict) else []:
        pid = p.get("pid")
        if pid is None or pid_alive(pid, p.get("pidStart")):
            out.add(int(p.get("gpu", 0)))
    return out
