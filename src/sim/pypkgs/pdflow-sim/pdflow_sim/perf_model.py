"""The performance model of the simulated GPU side: the one place its numbers come from.

Used by the emulated nixl (transfer bandwidth), ray.serve / vLLM server (per-request TTFT/TPOT of a
smoke query) and `vllm bench serve` (a whole benchmark point), and by the TypeScript side through
`python3 -m pdflow_sim.perf_model` (JSON on stdin, JSON on stdout).

Model: gpt-oss-120b served by vLLM 0.11 behind Ray Serve 2.51. A benchmark point is a discrete-event
simulation (perf_des.py): engines run vLLM-like steps (the decode batch plus chunked prefill under
a token budget, a KV-cache pool with preemption), PD requests move their KV over a link shared by
the flows between two nodes. Step times come from the model's size and the GPU's public specs
(gpu_specs.py): a step reads the weights its batch touches and the batch's KV cache from HBM and
does the batch's FLOPs, whichever takes longer (a roofline), plus fixed per-step costs.

What the real results can tell is calibrated (CALIBRATION, on the H100 fixtures of
test/fixtures/shared; bench/perf-model.ts refits and reports the leave-one-config-out error);
everything else is physics or public facts. Callers may pass `calibration` overrides.
"""
import hashlib
import json
import math
import os
import random
import sys

from pdflow_sim import gpu_specs

# ---------------------------------------------------------------------------------------------
# gpt-oss-120b (config.json / model card) and vLLM 0.11 defaults

LAYERS = 36
FULL_ATTN_LAYERS = 18  # the other 18 use a 128-token sliding window
SLIDING_WINDOW = 128
KV_BYTES_PER_TOKEN_LAYER = 2048  # K and V: 8 KV heads x 64 dims x 2 B (BF16)
# A KV connector turns vLLM's hybrid allocator off: every layer keeps the full KV (docs/node-facts.md).
KV_BYTES_PER_TOKEN = LAYERS * KV_BYTES_PER_TOKEN_LAYER  # 73728
EXPERTS, EXPERTS_PER_TOKEN = 128, 4
EXPERT_BYTES = 3 * 2880 * 2880 * 4.25 / 8  # gate/up/down of one expert in one layer, MXFP4 (4 bits + a scale per 32)
DENSE_BYTES = 3.1e9  # attention, router, norms and the output embedding in BF16, read every step
WEIGHT_BYTES = 64.38 * 2 ** 30  # "Model loading took 64.38 GiB" on one GPU
ACTIVE_FLOPS_PER_TOKEN = 2 * 5.1e9  # 5.1 B active parameters per token
ATTN_FLOPS_PER_CONTEXT_TOKEN = 4 * 64 * 64  # QK^T and PV, 64 query heads x 64 dims, per layer
GPU_MEMORY_UTILIZATION = 0.9  # vLLM default
ACTIVATION_RESERVE_BYTES = 3 * 2 ** 30  # CUDA graphs, activations, NCCL buffers per GPU
MAX_BATCHED_TOKENS = 8192  # vLLM 0.11 default on H100-class GPUs (chunked prefill budget per step)
MAX_NUM_SEQS = 256
REF_CONTEXT = 5125.0  # mean context of the calibration workload (ISL 5000 + OSL 250 / 2)

# A prefill step's MoE runs as grouped GEMMs over the tokens routed to each expert: with few tokens
# per expert the 128-row tiles run part empty, so a step with more prompt tokens is more efficient
# (one 5000-token prompt alone vs a full 8192-token budget under load: ~1.2x).
GEMM_TILE_TOKENS = 128.0

# Two all-reduces per layer under tensor parallelism; NVLink latency-bound at decode sizes.
ALLREDUCE_US = {1: 0.0, 2: 15.0, 4: 18.0, 8: 22.0}

# The calibrated constants: what the fixtures (gpt-oss-120b on H100, ISL 5000 / OSL 250) can tell.
# bench/perf-model.ts refits them (whole set and leave-one-config-out) and prints the errors.
CALIBRATION = {
    # Fixed cost of one engine step (scheduler, kernel launches, sampling, output processing), ms.
    "decode_overhead_ms": 3.91,
    # Fraction of the GPU's HBM bandwidth a decode step achieves reading weights and KV.
    "hbm_efficiency": 0.8,
    # Saturation past KNEE_SEQS_PER_GPU sequences per GPU: ms per step per sequence per GPU over it.
    "knee_ms": 0.794,
    # Fraction of the GPU's dense BF16 FLOP/s a prefill reaches with full GEMM tiles.
    "prefill_mfu": 0.45,
    # Client -> Ray Serve proxy -> LLM server and back, per request (collocated), ms.
    "ingress_ms": 37.3,
    # What the PD proxy adds: its own hop in, the prefill's response back, the decode request out, ms.
    "pd_proxy_ms": 67.5,
    # A collocated engine interleaves prompt chunks with decode steps; mixed steps are less
    # efficient than a prefill-only instance's (the ITL spikes of collocated runs show it).
    "collocated_prefill_efficiency": 0.675,
}
CALIBRATION_BOUNDS = {
    "decode_overhead_ms": (0.5, 10.0),
    "hbm_efficiency": (0.2, 1.0),
    "knee_ms": (0.0, 10.0),
    "prefill_mfu": (0.05, 1.0),
    "ingress_ms": (5.0, 400.0),
    "pd_proxy_ms": (0.0, 400.0),
    "collocated_prefill_efficiency": (0.2, 1.0),
}
# Where decode steps leave their near-linear regime: TP4 fixtures show it between 15 and 25
# sequences per GPU (conc64 fine, conc128 / rr16 not); TP2 runs of the public archive between 16 and
# 21. Past it a step costs about the same per sequence per GPU at any TP (TP2 at 29 and 71 per GPU,
# TP4 at 30: the archive's ISL 1 and rr16 runs), which a linear term matches and a quadratic does not.
KNEE_SEQS_PER_GPU = 16.0
DECODE_SEQ_MS = 0.01  # per sequence per step: block tables, sampling, detokenizing (CPU)
JOIN_MS = 3.5  # a decode step that takes in a request whose KV just arrived (block setup, last token)
PENDING_XFER_MS = 0.1  # per KV transfer still in flight to this decode instance (polled every step)

# KV links by transport. per_request / aggregate in bytes/s while a deployment serves (many
# small block descriptors per request); test_gbps is what one bulk NIXL READ gets (transfer test).
LINKS = {
    "cuda_ipc": {"per_request": 20e9, "aggregate": 120e9, "test_gbps": (11.6, 12.6), "timeout_s": None},
    "srd": {"per_request": 9.0e9, "aggregate": 40e9, "test_gbps": (10.4, 11.9), "timeout_s": None},
    "efa": {"per_request": 9.5e9, "aggregate": 42e9, "test_gbps": (11.8, 12.2), "timeout_s": None},
    "ud_verbs": {"per_request": 26e6, "aggregate": 195e6, "test_gbps": (0.16, 0.20), "timeout_s": (48.0, 80.0)},
    "tcp": {"per_request": 20e6, "aggregate": 150e6, "test_gbps": (0.10, 0.15), "timeout_s": (48.0, 80.0)},
}
TRANSPORTS = tuple(LINKS)

# Deployment bring-up (model load, torch.compile cached, CUDA graphs), seconds before scaling.
DEPLOY_SECONDS = {"collocated": 150.0, "pd": 175.0}
GPU_MEMORY_USED_MIB = 73902  # --gpu-memory-utilization 0.9 of 81559 MiB plus the CUDA context


def rng_for(*parts):
    """A random.Random seeded from any parts (stable across processes and Python versions)."""
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return random.Random(int(digest[:16], 16))


# ---------------------------------------------------------------------------------------------
# Calibration


def calibration(overrides=None):
    """The calibrated constants with `overrides` ({name: number}) applied; ValueError naming a
    field that is unknown or out of range."""
    out = dict(CALIBRATION)
    if overrides is None:
        return out
    if not isinstance(overrides, dict):
        raise ValueError("calibration must be an object of {name: number}, got %r" % (overrides,))
    for k, v in overrides.items():
        if k not in CALIBRATION:
            raise ValueError("calibration.%s is not a calibrated constant (one of %s)" % (k, ", ".join(sorted(CALIBRATION))))
        lo, hi = CALIBRATION_BOUNDS[k]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (lo <= v <= hi):
            raise ValueError("calibration.%s must be a number in [%g, %g], got %r" % (k, lo, hi, v))
        out[k] = float(v)
    return out


# ---------------------------------------------------------------------------------------------
# Step times (roofline of one engine step on `tp` GPUs of one kind)


def _allreduce_ms(tp):
    us = ALLREDUCE_US.get(tp)
    if us is None:
        us = 0.0 if tp <= 1 else 12.0 + 3.0 * math.log2(tp)
    return 2 * LAYERS * us / 1000.0


def _distinct_experts(tokens):
    """Expected experts a layer reads for `tokens` tokens routed top-4 of 128 (uniformly)."""
    if tokens <= 0:
        return 0.0
    return EXPERTS * (1.0 - (1.0 - EXPERTS_PER_TOKEN / float(EXPERTS)) ** tokens)


def kv_read_bytes(context_tokens):
    """KV one decode step reads for one sequence: full layers read the context, sliding layers the window."""
    c = max(0.0, float(context_tokens))
    return KV_BYTES_PER_TOKEN_LAYER * (FULL_ATTN_LAYERS * c + (LAYERS - FULL_ATTN_LAYERS) * min(c, SLIDING_WINDOW))


def prefill_flops_per_token(prompt_tokens):
    """FLOPs per prompt token: the active parameters plus causal attention over half the prompt on average."""
    p = max(1.0, float(prompt_tokens))
    attn = ATTN_FLOPS_PER_CONTEXT_TOKEN * (FULL_ATTN_LAYERS * p / 2.0 + (LAYERS - FULL_ATTN_LAYERS) * min(p / 2.0, SLIDING_WINDOW))
    return ACTIVE_FLOPS_PER_TOKEN + attn


def step_ms(tp, batch, context_tokens=REF_CONTEXT, prefill_tokens=0, prompt_tokens=None, gpu=None, cal=None,
            prefill_efficiency=1.0):
    """One engine step: `batch` decoding sequences of ~`context_tokens` context plus `prefill_tokens`
    prompt tokens (of prompts ~`prompt_tokens` long). Per layer, attention reads the batch's KV
    (memory-bound), the MoE reads the experts the step's tokens route to while computing their
    GEMMs (whichever is longer: a roofline); fixed costs and the saturation knee add."""
    g = gpu or gpu_specs.gpu_spec()
    c = cal or CALIBRATION
    tp = max(1, int(tp))
    tokens = batch + prefill_tokens
    if tokens <= 0:
        return c["decode_overhead_ms"]
    bw = g["hbm_bytes_s"] * c["hbm_efficiency"] / 1000.0  # bytes per ms
    kv_ms = batch * kv_read_bytes(context_tokens) / tp / bw
    weights_ms = (DENSE_BYTES + LAYERS * _distinct_experts(tokens) * EXPERT_BYTES) / tp / bw
    compute_ms = 0.0
    if prefill_tokens:
        pf = prefill_tokens * prefill_flops_per_token(prompt_tokens or prefill_tokens) + batch * ACTIVE_FLOPS_PER_TOKEN
        per_expert = tokens * EXPERTS_PER_TOKEN / float(EXPERTS)
        tile_fill = per_expert / (per_expert + GEMM_TILE_TOKENS)
        compute_ms = pf / (tp * g["bf16_flops"] * c["prefill_mfu"] * tile_fill * prefill_efficiency) * 1000.0
    knee = c["knee_ms"] * max(0.0, batch / float(tp) - KNEE_SEQS_PER_GPU)
    return c["decode_overhead_ms"] + _allreduce_ms(tp) + kv_ms + max(weights_ms, compute_ms) + knee + DECODE_SEQ_MS * batch


def decode_step_ms(tp, batch, context_tokens=REF_CONTEXT, gpu=None, cal=None):
    """Time of one decode step of `batch` sequences with about `context_tokens` of context each."""
    return step_ms(tp, max(0, batch), context_tokens, gpu=gpu, cal=cal)


def prefill_seconds(tp, tokens, gpu=None, cal=None):
    """A prompt of `tokens` alone on an idle engine (in budget-sized chunks)."""
    left, total = max(1, int(tokens)), 0.0
    while left > 0:
        take = min(left, MAX_BATCHED_TOKENS)
        total += step_ms(tp, 0, prefill_tokens=take, prompt_tokens=tokens, gpu=gpu, cal=cal)
        left -= take
    return total / 1000.0


def kv_capacity_tokens(tp, gpu=None, connector=True):
    """Tokens of KV an engine's pool holds: what vLLM leaves after the weights and its reserve at
    --gpu-memory-utilization 0.9. With a connector every layer keeps full KV (73728 B per token);
    without, the hybrid allocator keeps full KV for half the layers and a window for the rest, so a
    token costs half and each sequence SLIDING_WINDOW tokens more (see seq_kv_tokens)."""
    g = gpu or gpu_specs.gpu_spec()
    per_gpu = g["memory_mib"] * 2 ** 20 * GPU_MEMORY_UTILIZATION - WEIGHT_BYTES / tp - ACTIVATION_RESERVE_BYTES
    per_token = KV_BYTES_PER_TOKEN if connector else FULL_ATTN_LAYERS * KV_BYTES_PER_TOKEN_LAYER
    return max(0, int(tp * per_gpu / per_token))


def seq_kv_tokens(tokens, connector=True):
    """Pool tokens one sequence of `tokens` holds (see kv_capacity_tokens)."""
    return tokens if connector else tokens + SLIDING_WINDOW


# ---------------------------------------------------------------------------------------------
# Deployments


def normalize_deployment(dep):
    """{mode, replicas, tp, prefill{num,tp,gpu}, decode{num,tp,gpu}, transport, backend, gpu} with
    defaults; ValueError naming the field for anything the model cannot run. `gpuModel` (the name
    nvidia-smi prints; per role under prefill/decode when the roles' nodes differ) picks the GPU
    specs; a missing or unknown one means H100 SXM, the calibration's."""
    if not isinstance(dep, dict):
        raise ValueError("deployment must be an object, got %r" % (dep,))
    mode = dep.get("mode")
    if mode not in ("collocated", "pd-pack", "pd-spread"):
        raise ValueError("deployment.mode %r is not one of collocated, pd-pack, pd-spread" % (mode,))
    gpu_model = dep.get("gpuModel")
    if gpu_model is not None and not isinstance(gpu_model, str):
        raise ValueError("deployment.gpuModel must be a GPU name such as 'NVIDIA H100 80GB HBM3', got %r" % (gpu_model,))
    out = {"mode": mode, "backend": dep.get("backend", "UCX"), "gpu": gpu_specs.gpu_spec(gpu_model)}
    # An engine build slower than the calibrated one (a `slow` fault on vllm-engine: what a
    # regression in a new vLLM looks like to a benchmark): every step takes this many times longer.
    slowdown = dep.get("slowdown", 1.0)
    if isinstance(slowdown, bool) or not isinstance(slowdown, (int, float)) or not slowdown > 0:
        raise ValueError("deployment.slowdown must be a number > 0, got %r" % (slowdown,))
    if slowdown != 1.0:
        out["slowdown"] = float(slowdown)
    if mode == "collocated":
        out["replicas"] = _positive_int(dep.get("replicas", 1), "deployment.replicas")
        out["tp"] = _positive_int(dep.get("tp", 1), "deployment.tp")
        out["transport"] = None
        return out
    for role in ("prefill", "decode"):
        part = dep.get(role) or {}
        role_model = part.get("gpuModel", gpu_model)
        if role_model is not None and not isinstance(role_model, str):
            raise ValueError("deployment.%s.gpuModel must be a GPU name, got %r" % (role, role_model))
        out[role] = {
            "num": _positive_int(part.get("num", 1), "deployment.%s.num" % role),
            "tp": _positive_int(part.get("tp", 1), "deployment.%s.tp" % role),
            "gpu": gpu_specs.gpu_spec(role_model),
        }
    transport = dep.get("transport") or ("cuda_ipc" if mode == "pd-pack" else "srd")
    if transport not in LINKS:
        raise ValueError("deployment.transport %r is not one of %s" % (transport, ", ".join(TRANSPORTS)))
    out["transport"] = transport
    return out


def _positive_int(value, field):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("%s must be a whole number >= 1, got %r" % (field, value))
    return value


def deployment_gpus(dep):
    dep = normalize_deployment(dep)
    if dep["mode"] == "collocated":
        return dep["replicas"] * dep["tp"]
    return dep["prefill"]["num"] * dep["prefill"]["tp"] + dep["decode"]["num"] * dep["decode"]["tp"]


def deploy_seconds_for(kind):
    """Bring-up time (before time scaling) of a Serve LLM app: "pd" or "collocated"/"openai".
    PDFLOW_SIM_DEPLOY_SECONDS overrides it (benchmarks of the orchestration set their own)."""
    override = os.environ.get("PDFLOW_SIM_DEPLOY_SECONDS")
    if override:
        try:
            return max(0.0, float(override))
        except ValueError:
            pass
    return DEPLOY_SECONDS["pd" if kind == "pd" else "collocated"]


def deploy_seconds(dep):
    dep = normalize_deployment(dep)
    return deploy_seconds_for("collocated" if dep["mode"] == "collocated" else "pd")


# ---------------------------------------------------------------------------------------------
# NIXL transfer test


def transfer_gbps(transport, seed=0):
    """Bandwidth of one bulk NIXL READ over `transport` (GB/s, 1e9 bytes)."""
    if transport not in LINKS:
        raise ValueError("transport %r is not one of %s" % (transport, ", ".join(TRANSPORTS)))
    lo, hi = LINKS[transport]["test_gbps"]
    return rng_for("transfer", transport, seed).uniform(lo, hi)


def transfer_seconds(nbytes, transport, seed=0):
    # Posting thousands of descriptors costs a little on top of the wire time.
    return nbytes / (transfer_gbps(transport, seed) * 1e9) + 0.0015


# ---------------------------------------------------------------------------------------------
# One request on an otherwise idle-ish deployment (the emulated server's streaming timings)


def single_request(dep, isl, osl, inflight=1, calibration_overrides=None):
    """(ttft_s, tpot_s) of one request when `inflight` requests run at once (no queueing model)."""
    dep = normalize_deployment(dep)
    cal = calibration(calibration_overrides)
    isl = max(1, int(isl))
    inflight = max(1, int(inflight))
    ctx = isl + max(1, int(osl)) / 2.0
    if dep["mode"] == "collocated":
        tp, g = dep["tp"], dep["gpu"]
        per_engine = max(1, math.ceil(inflight / dep["replicas"]))
        step = decode_step_ms(tp, per_engine, ctx, g, cal) / 1000
        return cal["ingress_ms"] / 1000 + prefill_seconds(tp, isl, g, cal) + step, step
    link = LINKS[dep["transport"]]
    p, d = dep["prefill"], dep["decode"]
    per_d = max(1, math.ceil(inflight / d["num"]))
    kv = isl * KV_BYTES_PER_TOKEN / min(link["per_request"], link["aggregate"] / inflight)
    step = decode_step_ms(d["tp"], per_d, ctx, d["gpu"], cal) / 1000
    ttft = (cal["ingress_ms"] + cal["pd_proxy_ms"]) / 1000 + prefill_seconds(p["tp"], isl, p["gpu"], cal) + kv + step
    return ttft, step


# ---------------------------------------------------------------------------------------------
# Statistics shaped like vLLM's (numpy defaults: population std, linear-interpolated percentiles)


def _mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def _std(xs):
    if not xs:
        return 0.0
    m = _mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs))


def _percentile(sorted_xs, p):
    if not sorted_xs:
        return 0.0
    pos = (len(sorted_xs) - 1) * p / 100.0
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (pos - lo)


def _weighted_stats(samples, percentiles):
    """samples: (value, weight) pairs -> mean, median, std, [(p, value)]."""
    total = float(sum(w for _, w in samples))
    if not total:
        return 0.0, 0.0, 0.0, [(p, 0.0) for p in percentiles]
    mean = sum(v * w for v, w in samples) / total
    std = math.sqrt(sum(w * (v - mean) ** 2 for v, w in samples) / total)
    ordered = sorted(samples)

    def at(p):
        target = p / 100.0 * total
        acc = 0.0
        for v, w in ordered:
            acc += w
            if acc >= target:
                return v
        return ordered[-1][0]

    return mean, at(50), std, [(p, at(p)) for p in percentiles]


def _p_word(p):
    return str(int(p)) if int(p) == p else str(p)


def simulate_bench(dep, isl, osl, num_prompts, max_concurrency=None, request_rate=None, burstiness=1.0,
                   seed=0, percentile_metrics=("ttft", "tpot", "itl"), percentiles=(99.0,), cached_prefix=0,
                   calibration_overrides=None):
    """The benchmark part of a vLLM 0.11 result (keys `duration` .. the last metric, in 0.11 order).

    request_rate None/inf/>=1e8 means all at once (bounded by max_concurrency). cached_prefix: the
    leading tokens every prompt shares (prefix_repetition), computed once per engine.
    calibration_overrides: {name: value} of CALIBRATION to use instead of the fitted ones."""
    from pdflow_sim import perf_des

    dep = normalize_deployment(dep)
    cal = calibration(calibration_overrides)
    isl = _positive_int(int(isl), "isl")
    osl = _positive_int(int(osl), "osl")
    num_prompts = _positive_int(int(num_prompts), "num_prompts")
    if max_concurrency is not None:
        max_concurrency = _positive_int(int(max_concurrency), "max_concurrency")
    if request_rate is not None and not (float(request_rate) > 0):
        raise ValueError("request_rate must be > 0, got %r" % (request_rate,))
    if not (float(burstiness) > 0):
        raise ValueError("burstiness must be > 0, got %r" % (burstiness,))
    sim = perf_des.Sim(dep, cal, isl, osl, num_prompts, max_concurrency,
                       None if request_rate is None else float(request_rate), float(burstiness), seed,
                       max(0, int(cached_prefix))).run()
    reqs = sim.reqs
    # Client-side: the benchmark clock runs from the first send to the last byte, plus teardown.
    duration = max(r.end for r in reqs) + 0.004
    ttfts = [(r.first - r.start) for r in reqs]
    e2els = [(r.end - r.start) for r in reqs]
    tpots = [(r.end - r.first) / (osl - 1) for r in reqs if osl > 1]
    total_in = isl * num_prompts
    total_out = osl * num_prompts
    concurrent = {}
    for r in reqs:
        for s in range(int(r.start), int(r.end) + 1):
            concurrent[s] = concurrent.get(s, 0) + 1
    result = {
        "duration": duration,
        "completed": num_prompts,
        "total_input_tokens": total_in,
        "total_output_tokens": total_out,
        "request_throughput": num_prompts / duration,
        "request_goodput": None,
        "output_throughput": total_out / duration,
        "total_token_throughput": (total_in + total_out) / duration,
        "max_output_tokens_per_s": float(max(sim.buckets.values()) if sim.buckets else 0),
        "max_concurrent_requests": max(concurrent.values()) if concurrent else 0,
    }
    series = {"ttft": ttfts, "tpot": tpots, "e2el": e2els}
    for metric in ("ttft", "tpot", "itl", "e2el"):
        if metric not in percentile_metrics:
            continue
        if metric == "itl":
            mean, median, std, pcts = _weighted_stats(sim.itl, percentiles)
        else:
            xs = series[metric]
            ordered = sorted(xs)
            mean, median, std = _mean(xs), _percentile(ordered, 50), _std(xs)
            pcts = [(p, _percentile(ordered, p)) for p in percentiles]
        result["mean_%s_ms" % metric] = mean * 1000
        result["median_%s_ms" % metric] = median * 1000
        result["std_%s_ms" % metric] = std * 1000
        for p, v in pcts:
            result["p%s_%s_ms" % (_p_word(p), metric)] = v * 1000
    return result


def _bench_item(item, overrides):
    w = item["workload"]
    return simulate_bench(item["deployment"], w["isl"], w["osl"], w["numPrompts"], w.get("maxConcurrency"),
                          w.get("requestRate"), w.get("burstiness", 1.0), w.get("seed", 0),
                          tuple(w.get("percentileMetrics", ["ttft", "tpot", "itl"])),
                          tuple(float(p) for p in w.get("percentiles", [99])),
                          calibration_overrides=item.get("calibration", overrides))


def _main():
    """stdin: {"op": "bench"|"batch"|"single"|"transfer"|"calibration", "calibration"?: {...}, ...} -> stdout: JSON."""
    req = json.load(sys.stdin)
    op = req.get("op")
    overrides = req.get("calibration")
    try:
        if op == "bench":
            out = _bench_item(req, overrides)
        elif op == "batch":
            out = [_bench_item(item, overrides) for item in req["items"]]
        elif op == "single":
            ttft, tpot = single_request(req["deployment"], req["isl"], req["osl"], req.get("inflight", 1), overrides)
            out = {"ttftS": ttft, "tpotS": tpot}
        elif op == "transfer":
            out = {"gbps": transfer_gbps(req["transport"], req.get("seed", 0)),
                   "seconds": transfer_seconds(req["bytes"], req["transport"], req.get("seed", 0))}
        elif op == "calibration":
            out = {"values": calibration(overrides), "bounds": CALIBRATION_BOUNDS}
        else:
            raise ValueError("op %r is not one of bench, batch, single, transfer, calibration" % (op,))
    except (KeyError, ValueError, TypeError) as e:
        json.dump({"error": "%s: %s" % (type(e).__name__, e)}, sys.stdout)
        sys.stdout.write("\n")
        sys.exit(2)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    _main()
