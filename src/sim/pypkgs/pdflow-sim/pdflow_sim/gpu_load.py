"""The load an emulated `vllm bench serve` puts on the deployment it measures, for what the
simulated nodes show while it runs: the emulated nvidia-smi's utilization, power and clocks
(src/sim/gpu/py/simhw.py reads the activity files) and the EFA counters of the fake sysfs
(efa_counters), which grow with the KV bytes a pd-spread deployment moves between its nodes.

    load = gpu_load.start(engines.live(model), deployment, result, wall_seconds)
    ...  # the run's wall time
    load.finish()

One file per engine, <cluster>/gpu-activity/<engine id>.json:
  {"engineId", "role", "pid", "pidStart", "from", "until", "util": 0-100, "intensity": 0-1}
util is the share of the run the engine's GPUs compute (nvidia-smi's utilization.gpu), intensity
how hard (decode batch size, prefill): power = loaded idle + (0.92 x cap - loaded idle) x duty x
intensity. Both come from the benchmark's own modelled result, so they are deterministic."""
import os
import threading
import time

from . import efa_counters
from . import node as simnode
from . import perf_model

TICK_SECONDS = 0.5
PREFILL_INTENSITY = 0.95
# A collocated engine interleaves prompt chunks with decode steps: its prefill takes longer.
COLLOCATED_PREFILL_EFFICIENCY = 0.9
BATCH_FOR_FULL_POWER = 64


def _decode_intensity(inflight):
    """Decode power grows with the batch, sub-linearly (the step is memory-bound for small batches)."""
    return min(1.0, 0.45 + 0.55 * min(1.0, max(0.0, inflight) / BATCH_FOR_FULL_POWER) ** 0.5)


def engine_loads(deployment, entries, res):
    """{engine id: (role, util 0-100, intensity 0-1)} for the engines of a benchmark `res`
    (simulate_bench's result with the request totals) of `deployment` (engines.deployment)."""
    n = max(1, int(res.get("completed") or 0))
    duration = max(1e-6, float(res.get("duration") or 0))
    isl = max(1, round(float(res.get("total_input_tokens") or 0) / n))
    osl = max(1.0, float(res.get("total_output_tokens") or 0) / n)
    out = {}
    if deployment["mode"] == "collocated":
        tp = int(deployment.get("tp") or 1)
        replicas = max(1, len(entries))
        prefill = n / replicas * perf_model.prefill_seconds(tp, isl) / COLLOCATED_PREFILL_EFFICIENCY / duration
        tpot = float(res.get("mean_tpot_ms") or perf_model.decode_step_ms(tp, 1)) / 1000.0
        inflight = n / replicas * tpot * (osl - 1) / duration
        duty = min(1.0, prefill + min(1.0, inflight))
        intensity = min(1.0, _decode_intensity(inflight) + PREFILL_INTENSITY * min(1.0, prefill))
        for e in entries:
            out[e["engineId"]] = ("collocated", round(100 * duty), intensity)
        return out
    pre = [e for e in entries if e.get("role") == "prefill"]
    dec = [e for e in entries if e.get("role") == "decode"]
    for e in pre:
        tp = int(e.get("tp") or 1)
        duty = min(1.0, n / len(pre) * perf_model.prefill_seconds(tp, isl) / duration)
        out[e["engineId"]] = ("prefill", round(100 * duty), PREFILL_INTENSITY)
    for e in dec:
        tp = int(e.get("tp") or 1)
        tpot = float(res.get("mean_tpot_ms") or perf_model.decode_step_ms(tp, 1)) / 1000.0
        inflight = n / len(dec) * tpot * max(1.0, osl - 1) / duration
        out[e["engineId"]] = ("decode", round(100 * min(1.0, inflight)), _decode_intensity(inflight))
    return out


def kv_bytes(deployment, entries, res):
    """[(prefill node, decode node, bytes)] a pd-spread run moves over EFA (none for other modes,
    or when the KV goes over tcp or NVLink): every prompt's KV, read by a decode engine from a prefill one."""
    if deployment.get("mode") != "pd-spread" or deployment.get("transport") not in efa_counters.EFA_TRANSPORTS:
        return []
    pre = [e for e in entries if e.get("role") == "prefill"]
    dec = [e for e in entries if e.get("role") == "decode"]
    if not pre or not dec:
        return []
    total = int(res.get("total_input_tokens") or 0) * perf_model.KV_BYTES_PER_TOKEN
    share = total // (len(pre) * len(dec))
    return [(p["node"], d["node"], share) for p in pre for d in dec]


class Load(object):
    def __init__(self, files, flows, wall_seconds, transport):
        self.files = files
        self.flows = flows
        self.transport = transport
        self.start = time.time()
        self.wall = max(0.0, wall_seconds)
        self.done = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None
        if flows and self.wall > TICK_SECONDS:
            self._thread = threading.Thread(target=self._run, name="pdflow-sim-efa", daemon=True)
            self._thread.start()

    def _advance(self, upto):
        """Counts the flows' bytes up to the share `upto` (0-1) of the run, exactly once."""
        with self._lock:
            if upto <= self.done:
                return
            share = efa_counters.CONTROL_SHARE
            steps = [(int(n * upto) - int(n * self.done), int(n * share * upto) - int(n * share * self.done)) for _, _, n in self.flows]
            self.done = upto
        for (pre_node, dec_node, _), (nbytes, control) in zip(self.flows, steps):
            efa_counters.add_transfer(self.transport, dec_node, pre_node, nbytes, "READ", control)

    def _run(self):
        while not self._stop.wait(TICK_SECONDS):
            self._advance(min(1.0, (time.time() - self.start) / self.wall))

    def finish(self):
        """The run ended: the rest of its KV bytes are counted and the GPUs go back to idle."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._advance(1.0)
        for f in self.files:
            try:
                os.remove(f)
            except OSError:
                pass


def _activity_dir():
    base = simnode.cluster_dir() or simnode.shared_dir()
    d = os.path.join(base, "gpu-activity")
    os.makedirs(d, exist_ok=True)
    return d


def start(entries, deployment, res, wall_seconds):
    """Marks the deployment's engines busy for `wall_seconds` from now and starts counting its KV
    traffic over EFA; returns the Load to finish() when the run ends."""
    now = time.time()
    pid = os.getpid()
    files = []
    for engine_id, (role, util, intensity) in sorted(engine_loads(deployment, entries, res).items()):
        path = os.path.join(_activity_dir(), "%s.json" % str(engine_id).replace("/", "_"))
        simnode.write_json_atomic(path, {
            "engineId": engine_id, "role": role, "pid": pid, "pidStart": simnode.pid_start(pid),
            "from": now, "until": now + max(0.0, wall_seconds), "util": util, "intensity": round(intensity, 4),
        })
        files.append(path)
    return Load(files, kv_bytes(deployment, entries, res), wall_seconds, deployment.get("transport"))
