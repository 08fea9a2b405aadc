"""Hardware of one simulated node, shared by the GPU-side emulators (nvidia-smi, fi_info, ...).

Reads $PDFLOW_SIM_STATE/hardware.json (written by src/sim/gpu/hardware.ts at `sim up`) and the
GPU usage that emulated deployments publish in $PDFLOW_SIM_STATE/gpu-usage.json:
  {"processes": [{"pid": 123, "gpu": 0, "usedMiB": 74000, "name": "ray::ServeReplica", "utilizationPct": 35}]}
Entries whose pid is no longer alive are ignored, so GPUs look free once the owner is gone.
How busy a held GPU is comes from $PDFLOW_SIM_CLUSTER/gpu-activity/<owner>.json, written by the
emulated `vllm bench serve` for each engine of the deployment it measures while its run lasts
(src/sim/pypkgs/pdflow-sim/pdflow_sim/gpu_load.py):
  {"engineId", "role", "pid", "pidStart", "from", "until", "util": 0-100, "intensity": 0-1}
hardware.json may carry "throttleReasons" (e.g. "0x40", HW thermal slowdown): reported, with a
lower SM clock, while a GPU is busy.
"""
import hashlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.realpath(__file__))
# src/sim/gpu/py -> src/sim/emulators/lib (the sim's shared fault helper)
FAULT_LIB = os.path.join(HERE, "..", "..", "emulators", "lib")

DEFAULTS = {
    "gpus": 0,
    "gpuModel": "NVIDIA H100 80GB HBM3",
    "efaDevices": 0,
    "memoryMiB": 81559,
    "driver": "550.90.07",
    "cuda": "12.4",
    "cpus": 192,
    "ramGiB": 2048,
    "libfabric": None,  # None: installed when the node has EFA devices
    "libfabricVersion": "2.1.0amzn3.0",
    "libefa": True,
}


def begin(program):
    """Counts the run and applies injected faults; returns the time factor for sleeps."""
    if os.path.isfile(os.path.join(FAULT_LIB, "simfault.py")):
        sys.path.insert(0, FAULT_LIB)
        import simfault  # noqa: E402

        return simfault.begin(program)
    try:
        return float(os.environ.get("PDFLOW_SIM_TIME_SCALE", "1"))
    except ValueError:
        return 1.0


def state_dir():
    return os.environ.get("PDFLOW_SIM_STATE") or ""


def load():
    hw = dict(DEFAULTS)
    path = os.path.join(state_dir(), "hardware.json")
    if state_dir():
        try:
            with open(path) as f:
                hw.update(json.load(f))
        except FileNotFoundError:
            pass
    if hw["libfabric"] is None:
        hw["libfabric"] = int(hw["efaDevices"]) > 0
    return hw


def node_name():
    return os.environ.get("PDFLOW_SIM_NODE", "node")


def gpu_uuid(index):
    h = hashlib.md5(("%s/%s/%d" % (os.environ.get("PDFLOW_SIM_CLUSTER", ""), node_name(), index)).encode()).hexdigest()
    return "GPU-%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


def pci_bus_id(index):
    # p5.48xlarge order: 53, 64, 75, 86, 97, A8, B9, CA (one every 0x11)
    return "00000000:%02X:00.0" % ((0x53 + 0x11 * index) % 256)


def efa_names(count):
    """rdmap79s0..82s0 for GPU0, 96..99 for GPU1, ... (4 per GPU, as on p5)."""
    return ["rdmap%ds0" % (79 + 17 * (i // 4) + (i % 4)) for i in range(int(count))]


def sysfs_efa_devices(hw):
    """Device names from the node's fake sysfs (what the node 'has'), else from hardware.json."""
    root = os.environ.get("PDFLOW_SYSFS_ROOT", "")
    d = root + "/sys/class/infiniband"
    if root and os.path.isdir(d):
        return sorted(os.listdir(d), key=lambda n: (len(n), n))
    return efa_names(hw["efaDevices"])


def _alive(pid, start=None):
    """Running (not a zombie) and, when `start` is known, the same process that claimed the GPU (pids are reused)."""
    try:
        with open("/proc/%d/stat" % int(pid)) as f:
            fields = f.read()
        fields = fields[fields.rindex(")") + 2:].split()
        return fields[0] not in "ZX" and (start is None or int(fields[19]) == int(start))
    except (OSError, ValueError, IndexError):
        return False


def gpu_processes():
    """Live GPU processes: [{"pid", "gpu", "usedMiB", "name", "utilizationPct"}]."""
    path = os.path.join(state_dir(), "gpu-usage.json")
    if not state_dir() or not os.path.isfile(path):
        return []
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return []
    entries = data.get("processes", []) if isinstance(data, dict) else data
    out = []
    for e in entries if isinstance(entries, list) else []:
        if not isinstance(e, dict):
            continue
        pid = e.get("pid")
        if pid is not None and not _alive(pid, e.get("pidStart")):
            continue
        try:
            out.append({
                "pid": int(pid) if pid is not None else 0,
                "gpu": int(e.get("gpu", e.get("index", 0))),
                "usedMiB": int(e.get("usedMiB", e.get("memoryUsedMiB", 0))),
                "name": str(e.get("name", e.get("processName", "python3"))),
                "utilizationPct": int(e.get("utilizationPct", e.get("utilization", 0))),
                "owner": str(e.get("owner") or ""),
            })
        except (TypeError, ValueError):
            continue
    return out


IDLE_SM_MHZ = 345
MAX_SM_MHZ = 1980
THROTTLED_SM_MHZ = 1410
REASON_IDLE = 0x1


def gpu_activity(owner, now=None):
    """The load an emulated benchmark puts on the GPUs of engine `owner` right now, or None."""
    base = os.environ.get("PDFLOW_SIM_CLUSTER") or ""
    if not base or not owner:
        return None
    path = os.path.join(base, "gpu-activity", "%s.json" % owner.replace("/", "_"))
    try:
        with open(path) as f:
            a = json.load(f)
    except (OSError, ValueError):
        return None
    now = time.time() if now is None else now
    try:
        if not float(a.get("from", 0)) <= now <= float(a.get("until", 0)):
            return None
    except (TypeError, ValueError):
        return None
    if a.get("pid") is not None and not _alive(a["pid"], a.get("pidStart")):
        return None
    return a


def _wobble(now, index):
    """-3..3, the same for one GPU within one second: real readings jitter, tests need determinism."""
    return (int(now) * 7919 + index * 104729) % 7 - 3


def gpu_state(hw, now=None):
    """Per GPU: index, memory used/total, utilization, temperature, power, SM clock, clock-event reasons."""
    procs = gpu_processes()
    total = int(hw["memoryMiB"])
    cap = float(hw.get("powerCapW", 700))
    throttle = int(str(hw.get("throttleReasons") or "0"), 0)
    now = time.time() if now is None else now
    gpus = []
    for i in range(int(hw["gpus"])):
        mine = [p for p in procs if p["gpu"] == i]
        used = min(total, sum(p["usedMiB"] for p in mine))
        util = min(100, max([p["utilizationPct"] for p in mine] or [0]))
        busy = used > 0
        idle_w = 69.5 + (i * 13) % 9
        # Weights loaded, nothing running: the CUDA context and HBM refresh draw ~55 W more.
        power = idle_w + (55.0 + util * 4.5 if busy else 0.0)
        acts = [a for a in (gpu_activity(o, now) for o in {p["owner"] for p in mine}) if a]
        if busy and acts:
            a = max(acts, key=lambda x: float(x.get("util", 0)))
            duty = min(1.0, max(0.0, float(a.get("util", 0)) / 100.0))
            intensity = min(1.0, max(0.0, float(a.get("intensity", 0.7))))
            if duty > 0:
                util = max(util, min(100, max(1, int(round(duty * 100)) + _wobble(now, i))))
                loaded = idle_w + 55.0
                power = loaded + (0.92 * cap - loaded) * duty * intensity + _wobble(now, i) * 1.7
        reasons = REASON_IDLE if util == 0 else (throttle if busy else 0)
        clock = IDLE_SM_MHZ if util == 0 else (THROTTLED_SM_MHZ if reasons & ~REASON_IDLE else MAX_SM_MHZ)
        gpus.append({
            "index": i,
            "usedMiB": used,
            "totalMiB": total,
            "util": util,
            "temp": 33 + (i * 7) % 5 + (9 if busy else 0) + int(util * 0.3),
            "power": min(cap, power),
            "powerCap": int(cap),
            "smMHz": clock,
            "reasons": reasons,
            "processes": mine,
        })
    return gpus


def numa_of_gpu(index, count):
    return 0 if count <= 1 or index < (count + 1) // 2 else 1


def cpu_affinity(hw, numa):
    cpus = int(hw["cpus"])
    if cpus < 4:
        return "0-%d" % (cpus - 1)
    q = cpus // 4
    return "%d-%d,%d-%d" % (numa * q, numa * q + q - 1, 2 * q + numa * q, 2 * q + numa * q + q - 1)
