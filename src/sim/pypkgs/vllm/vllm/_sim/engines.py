"""Where emulated engines say what they are, so the emulated `vllm bench serve` can model a
benchmark of the deployment it talks to: <cluster>/vllm-engines/<engine id>.json, written by the
engine when its workers hold their GPUs; an entry whose replica process is gone is ignored."""
import json
import os

from pdflow_sim import node as simnode


def _dir():
    d = os.path.join(simnode.cluster_dir(), "vllm-engines")
    os.makedirs(d, exist_ok=True)
    return d


def register(engine):
    kv = engine.kv
    entry = {
        "engineId": engine.engine_id, "pid": os.getpid(), "pidStart": simnode.pid_start(os.getpid()), "role": engine.role, "tp": engine.tp,
        "node": engine.node, "host": engine.host, "backend": engine.backend if kv else None,
        "ucxTls": os.environ.get("UCX_TLS"), "modelIds": list(engine.model_config.served_model_name),
        "model": engine.model_config.model, "maxModelLen": engine.model_config.max_model_len, "started": engine.started,
        # Where this replica would look for the weights: a real engine downloads them again into
        # ~/.cache when HF_HOME does not reach it (issue 9 item 6).
        "hfHome": os.environ.get("HF_HOME"),
        # The node's GPU (what nvidia-smi names): `vllm bench serve` models the deployment on it.
        "gpuModel": simnode.hardware(engine.node).get("gpuModel"),
        # A `slow` fault on vllm-engine when it started: this engine's steps are that much slower.
        "slow": getattr(engine, "slow", 1.0),
    }
    simnode.write_json_atomic(os.path.join(_dir(), "%s.json" % engine.engine_id.replace("/", "_")), entry)


def unregister(engine):
    """Removes this process's entry only: a replica of the next deployment under the same engine
    id may have registered already while this one was shutting down."""
    path = os.path.join(_dir(), "%s.json" % engine.engine_id.replace("/", "_"))
    e = simnode.read_json(path, None)
    if isinstance(e, dict) and e.get("pid") != os.getpid():
        return
    try:
        os.remove(path)
    except OSError:
        pass


def live(model_id=None):
    """Entries of engines that still run: the same process (pid and start time: pids are reused) that
    registered. An engine killed without unregistering (ray.kill, ray stop, a reboot) leaves its
    entry behind; it is removed here."""
    out = []
    for name in sorted(os.listdir(_dir())):
        path = os.path.join(_dir(), name)
        e = simnode.read_json(path, None)
        if not isinstance(e, dict) or not simnode.pid_alive(e.get("pid", 0), e.get("pidStart")):
            if isinstance(e, dict):
                try:
                    os.remove(path)
                except OSError:
                    pass
            continue
        if model_id is None or model_id in e.get("modelIds", []):
            out.append(e)
    return out


def _gpu_model(entry):
    """An engine's GPU name: registered by the engine, else read from its node (entries written
    before engines recorded it)."""
    return entry.get("gpuModel") or simnode.hardware(entry["node"]).get("gpuModel")


def deployment(model_id):
    """The deployment the live engines of `model_id` form, as the performance model reads it; None when none runs."""
    from pdflow_sim import transport as simtransport

    es = live(model_id)
    if not es:
        return None
    first = es[0]
    out = {"modelId": model_id, "modelSource": first["model"], "maxModelLen": first["maxModelLen"]}
    slowest = max(float(e.get("slow") or 1.0) for e in es)
    if slowest != 1.0:
        out["slowdown"] = slowest
    if all(e["role"] == "collocated" for e in es):
        out.update({"mode": "collocated", "replicas": len(es), "tp": first["tp"], "nodes": sorted({e["host"] for e in es}),
                    "backend": None, "transport": None, "gpuModel": _gpu_model(first)})
        return out
    pre = [e for e in es if e["role"] == "prefill"]
    dec = [e for e in es if e["role"] == "decode"]
    if not pre or not dec:
        return None
    backend = first.get("backend") or "UCX"
    out.update({"mode": "pd-pack" if {e["node"] for e in pre} == {e["node"] for e in dec} else "pd-spread", "backend": backend,
                "prefill": {"num": len(pre), "tp": pre[0]["tp"], "nodes": sorted({e["host"] for e in pre}), "gpuModel": _gpu_model(pre[0])},
                "decode": {"num": len(dec), "tp": dec[0]["tp"], "nodes": sorted({e["host"] for e in dec}), "gpuModel": _gpu_model(dec[0])}})
    try:
        out["transport"] = simtransport.select(backend, pre[0]["node"], dec[0]["node"], dec[0].get("ucxTls"))
    except simtransport.NoTransport as e:
        out["transport"], out["transportError"] = None, str(e)
    return out
