"""The performance model of the simulated GPU side: the one place its numbers come from.

Used by the emulated nixl (transfer bandwidth), ray.serve (per-request TTFT/TPOT of a smoke
query) and `vllm bench serve` (a whole benchmark point), and by the TypeScript tests through
`python3 -m pdflow_sim.perf_model` (JSON on stdin, JSON on stdout).

Calibrated on gpt-oss-120b, 2x p5.48xlarge (H100), vLLM 0.11, Ray Serve 2.51, ISL 5000 / OSL 250
(test/fixtures/shared and docs/node-facts.md). A benchmark point is a small discrete-event simulation:
engines (one per replica / prefill / decode instance) run vLLM-like steps (decode batch plus
chunked prefill under a token budget), PD requests move their KV over a link shared by the
flows between two nodes (processor sharing, per-flow and aggregate caps). On a slow link a flow
that outlives its deadline (48-80 s) is taken as done and stops competing: the fixtures' broken
network shows TTFT saturating near a minute while throughput still grows with concurrency, and
decode ITL stays normal. Noise is small and deterministic from a seed.
"""
import hashlib
import heapq
import json
import math
import os
import random
import sys
from collections import deque

# BF16 KV bytes per token of gpt-oss-120b: 36 layers x (K,V) x 8 heads x 64 dims x 2 B (docs/node-facts.md).
KV_BYTES_PER_TOKEN = 73728
MAX_BATCHED_TOKENS = 8192  # vLLM 0.11 default on H100-class GPUs (chunked prefill budget per step)
MAX_NUM_SEQS = 256
REF_CONTEXT = 5125.0  # mean context of the calibration workload (ISL 5000 + OSL 250 / 2)

# Per engine (one vLLM instance) by tensor-parallel size: prompt tokens/s, and a decode step time
# of base + k x batch^0.7 x context factor (sub-linear: MoE experts are shared by the batch), plus
# a quadratic term past 64 sequences (all experts busy, attention dominates).
ENGINE = {
    1: {"prefill_tok_s": 28000.0, "base_ms": 5.6, "k_ms": 1.10},
    2: {"prefill_tok_s": 56000.0, "base_ms": 5.3, "k_ms": 0.66},
    4: {"prefill_tok_s": 110000.0, "base_ms": 4.6, "k_ms": 0.48},
    8: {"prefill_tok_s": 200000.0, "base_ms": 4.9, "k_ms": 0.36},
}
BATCH_EXPONENT = 0.7
BIG_BATCH = 64
QUAD_MS = 0.0028  # per (batch - 64)^2, scaled by k_ms / 0.48
JOIN_MS = 3.5  # a decode step that takes in a request whose KV just arrived (block setup, last token)
# A collocated engine interleaves prompt chunks with decode steps, and mixed steps are less
# efficient than a prefill-only instance's (the ITL spikes of collocated runs show it).
COLLOCATED_PREFILL_EFFICIENCY = 0.9
PENDING_XFER_MS = 0.1  # per KV transfer still in flight to this decode instance (polled every step)

# Request path overheads (client -> Ray Serve ingress -> LLM server, and the PD proxy hops).
INGRESS_MS = {"collocated": 72.0, "pd": 100.0}
PD_HOP_MS = 12.0  # prefill response back through the proxy, decode request out

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


def _engine_params(tp):
    if tp in ENGINE:
        return ENGINE[tp]
    # Other TP sizes: interpolate on log2(tp) between the calibrated ones.
    keys = sorted(ENGINE)
    x = math.log2(max(1, tp))
    lo = max([k for k in keys if math.log2(k) <= x] or [keys[0]])
    hi = min([k for k in keys if math.log2(k) >= x] or [keys[-1]])
    if lo == hi:
        return ENGINE[lo]
    w = (x - math.log2(lo)) / (math.log2(hi) - math.log2(lo))
    return {k: ENGINE[lo][k] * (1 - w) + ENGINE[hi][k] * w for k in ENGINE[lo]}


def decode_step_ms(tp, batch, context_tokens=REF_CONTEXT):
    """Time of one decode step of `batch` sequences with about `context_tokens` of context each."""
    p = _engine_params(tp)
    if batch <= 0:
        return p["base_ms"]
    ctx = 0.7 + 0.3 * (context_tokens / REF_CONTEXT)
    big = max(0, batch - BIG_BATCH)
    return p["base_ms"] + p["k_ms"] * ctx * batch ** BATCH_EXPONENT + QUAD_MS * (p["k_ms"] / 0.48) * big * big


def prefill_seconds(tp, tokens):
    return tokens / _engine_params(tp)["prefill_tok_s"]


# ---------------------------------------------------------------------------------------------
# Deployments


def normalize_deployment(dep):
    """{mode, replicas, tp, prefill{num,tp}, decode{num,tp}, transport, backend} with defaults;
    ValueError naming the field for anything the model cannot run."""
    if not isinstance(dep, dict):
        raise ValueError("deployment must be an object, got %r" % (dep,))
    mode = dep.get("mode")
    if mode not in ("collocated", "pd-pack", "pd-spread"):
        raise ValueError("deployment.mode %r is not one of collocated, pd-pack, pd-spread" % (mode,))
    out = {"mode": mode, "backend": dep.get("backend", "UCX")}
    if mode == "collocated":
        out["replicas"] = _positive_int(dep.get("replicas", 1), "deployment.replicas")
        out["tp"] = _positive_int(dep.get("tp", 1), "deployment.tp")
        out["transport"] = None
        return out
    for role in ("prefill", "decode"):
        part = dep.get(role) or {}
        out[role] = {
            "num": _positive_int(part.get("num", 1), "deployment.%s.num" % role),
            "tp": _positive_int(part.get("tp", 1), "deployment.%s.tp" % role),
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


def single_request(dep, isl, osl, inflight=1):
    """(ttft_s, tpot_s) of one request when `inflight` requests run at once (no queueing model)."""
    dep = normalize_deployment(dep)
    isl = max(1, int(isl))
    inflight = max(1, int(inflight))
    ctx = isl + max(1, int(osl)) / 2.0
    if dep["mode"] == "collocated":
        tp = dep["tp"]
        per_engine = max(1, math.ceil(inflight / dep["replicas"]))
        ttft = INGRESS_MS["collocated"] / 1000 + prefill_seconds(tp, isl) + decode_step_ms(tp, per_engine, ctx) / 1000
        return ttft, decode_step_ms(tp, per_engine, ctx) / 1000
    link = LINKS[dep["transport"]]
    p_tp, d_tp = dep["prefill"]["tp"], dep["decode"]["tp"]
    per_d = max(1, math.ceil(inflight / dep["decode"]["num"]))
    kv = isl * KV_BYTES_PER_TOKEN / min(link["per_request"], link["aggregate"] / inflight)
    ttft = (INGRESS_MS["pd"] + PD_HOP_MS) / 1000 + prefill_seconds(p_tp, isl) + kv + decode_step_ms(d_tp, per_d, ctx) / 1000
    return ttft, decode_step_ms(d_tp, per_d, ctx) / 1000


# ---------------------------------------------------------------------------------------------
# A benchmark point: discrete-event simulation


class _Req(object):
    __slots__ = ("i", "arrival", "start", "first", "end", "engine", "p_engine", "d_engine")

    def __init__(self, i, arrival):
        self.i = i
        self.arrival = arrival
        self.start = self.first = self.end = None
        self.engine = self.p_engine = self.d_engine = None


class _Prefill(object):
    __slots__ = ("req", "remaining", "kind")

    def __init__(self, req, tokens, kind):
        self.req, self.remaining, self.kind = req, tokens, kind


class _Engine(object):
    def __init__(self, sim, name, tp, node):
        self.sim, self.name, self.tp, self.node = sim, name, tp, node
        self.waiting = deque()
        self.joining = []
        self.running = 0
        self.finish_at = {}
        self.step = 0
        self.busy = False
        self.ongoing = 0
        self.current = None
        self.pending = 0  # KV transfers in flight towards this instance
        self.prefill_efficiency = 1.0

    def kick(self, t):
        if not self.busy and (self.waiting or self.joining or self.running):
            self._start_step(t)

    def _start_step(self, t):
        sim = self.sim
        joiners, self.joining = self.joining, []
        batch = self.running + len(joiners)
        budget = MAX_BATCHED_TOKENS - batch
        room = MAX_NUM_SEQS - batch
        chunks = []
        prefill_tokens = 0
        for entry in self.waiting:
            if budget <= 0 or room <= 0:
                break
            take = min(entry.remaining, budget)
            chunks.append((entry, take))
            budget -= take
            prefill_tokens += take
            if take == entry.remaining:
                room -= 1
        ms = decode_step_ms(self.tp, batch, sim.context) if batch else 0.6
        ms += prefill_tokens / (_engine_params(self.tp)["prefill_tok_s"] * self.prefill_efficiency) * 1000.0
        ms += JOIN_MS * len(joiners) + PENDING_XFER_MS * self.pending
        ms *= math.exp(sim.rng.gauss(0.0, 0.035))
        if sim.rng.random() < 0.003:
            ms += sim.rng.uniform(4.0, 30.0)  # scheduler / GC hiccup
        self.busy = True
        self.current = (chunks, joiners, self.running, ms / 1000.0)
        sim.push(t + ms / 1000.0, self._end_step)

    def _end_step(self, t):
        sim = self.sim
        chunks, joiners, ran, dur = self.current
        self.current = None
        self.busy = False
        self.step += 1
        k = self.step
        if ran:
            sim.itl.append((dur, ran))
            sim.tokens_at(t, ran)
        for r in joiners:
            sim.first_token(r, t)
            self._admit(r, k, t)
        for r in self.finish_at.pop(k, ()):
            self.running -= 1
            sim.finish(r, t)
        for entry, take in chunks:
            entry.remaining -= take
        while self.waiting and self.waiting[0].remaining <= 0:
            entry = self.waiting.popleft()
            r = entry.req
            if entry.kind == "prefill":
                self.ongoing -= 1
                sim.push(t + PD_HOP_MS / 1000.0, lambda t2, r=r: sim.kv_start(r, t2))
            else:
                sim.first_token(r, t)
                self._admit(r, k, t)
        self.kick(t)

    def _admit(self, r, k, t):
        if self.sim.osl <= 1:
            self.sim.finish(r, t)
            return
        self.running += 1
        self.finish_at.setdefault(k + self.sim.osl - 1, []).append(r)


class _Link(object):
    """KV flows between two nodes: processor sharing with per-flow and aggregate caps."""

    def __init__(self, sim, transport):
        spec = LINKS[transport]
        self.sim = sim
        self.per_flow = spec["per_request"]
        self.aggregate = spec["aggregate"]
        self.timeout = spec["timeout_s"]
        self.flows = {}
        self.speed = {}
        self.last = 0.0
        self.version = 0

    def _rate(self):
        n = len(self.flows)
        return min(self.per_flow, self.aggregate / n) if n else 0.0

    def _advance(self, t):
        rate = self._rate()
        dt = t - self.last
        if dt > 0 and rate > 0:
            for r in self.flows:
                # Remaining work is kept in "seconds at the shared rate" times the flow's speed factor.
                self.flows[r] -= rate * dt * self.speed[r]
        self.last = t

    def _reschedule(self, t):
        self.version += 1
        if not self.flows:
            return
        version = self.version
        t_done = t + max(0.0, min(left / self.speed[r] for r, left in self.flows.items())) / self._rate()
        self.sim.push(t_done, lambda t2: self._on_done(t2, version))

    def add(self, r, nbytes, t):
        self._advance(t)
        self.flows[r] = float(nbytes)
        # Slow transports are uneven flow to flow (retransmits, UD packetisation); fast ones are not.
        self.speed[r] = self.sim.rng.uniform(0.8, 1.25) if self.timeout else 1.0
        self._reschedule(t)
        if self.timeout:
            limit = self.sim.rng.uniform(*self.timeout)
            self.sim.push(t + limit, lambda t2: self._on_timeout(t2, r))

    def _on_done(self, t, version):
        if version != self.version:
            return
        self._advance(t)
        done = [r for r, left in self.flows.items() if left <= 1.0]
        for r in done:
            del self.flows[r]
            del self.speed[r]
        self._reschedule(t)
        for r in done:
            self.sim.kv_arrived(r, t)

    def _on_timeout(self, t, r):
        if r not in self.flows:
            return
        self._advance(t)
        del self.flows[r]
        del self.speed[r]
        self._reschedule(t)
        self.sim.kv_arrived(r, t)


class _Sim(object):
    def __init__(self, dep, isl, osl, num_prompts, max_concurrency, request_rate, burstiness, seed, cached_prefix=0):
        self.dep = dep
        self.isl, self.osl = isl, osl
        self.cached_prefix = cached_prefix
        self.context = isl + osl / 2.0
        self.rng = rng_for("bench", dep, isl, osl, num_prompts, max_concurrency, request_rate, burstiness, seed)
        self.events = []
        self.seq = 0
        self.itl = []
        self.buckets = {}
        self.reqs = [_Req(i, 0.0) for i in range(num_prompts)]
        self.limit = max_concurrency or num_prompts
        self.active = 0
        self.queue = deque()
        t = 0.0
        for r in self.reqs:
            r.arrival = t
            if request_rate is not None and math.isfinite(request_rate) and request_rate < 1e8:
                # vLLM: gamma-distributed gaps with shape `burstiness` (1.0 = Poisson) and mean 1/rate.
                theta = 1.0 / (request_rate * burstiness)
                t += self.rng.gammavariate(burstiness, theta)
        if dep["mode"] == "collocated":
            self.engines = [_Engine(self, "replica-%d" % i, dep["tp"], "n0") for i in range(dep["replicas"])]
            for e in self.engines:
                e.prefill_efficiency = COLLOCATED_PREFILL_EFFICIENCY
        else:
            d_node = "n0" if dep["mode"] == "pd-pack" else "n1"
            self.p_engines = [_Engine(self, "prefill-%d" % i, dep["prefill"]["tp"], "n0") for i in range(dep["prefill"]["num"])]
            self.d_engines = [_Engine(self, "decode-%d" % i, dep["decode"]["tp"], d_node) for i in range(dep["decode"]["num"])]
            self.link = _Link(self, dep["transport"])

    def push(self, t, fn):
        self.seq += 1
        heapq.heappush(self.events, (t, self.seq, fn))

    def run(self):
        for r in self.reqs:
            self.push(r.arrival, lambda t, r=r: self.arrive(r, t))
        while self.events:
            t, _, fn = heapq.heappop(self.events)
            fn(t)
        return self

    def pick(self, engines):
        """Ray Serve's power-of-two-choices router on ongoing requests."""
        if len(engines) == 1:
            return engines[0]
        a, b = self.rng.sample(engines, 2)
        return a if a.ongoing <= b.ongoing else b

    def arrive(self, r, t):
        if self.active < self.limit:
            self.begin(r, t)
        else:
            self.queue.append(r)

    def begin(self, r, t):
        self.active += 1
        r.start = t
        kind = "collocated" if self.dep["mode"] == "collocated" else "pd"
        delay = max(0.02, self.rng.gauss(INGRESS_MS[kind], INGRESS_MS[kind] * 0.08)) / 1000.0
        self.push(t + delay, lambda t2: self.ingress(r, t2))

    def prefill_tokens(self, e):
        """Tokens an engine computes: a shared prefix it has seen is a prefix-cache hit."""
        seen = getattr(e, "seen_prefix", False)
        e.seen_prefix = True
        return max(1, self.isl - self.cached_prefix) if seen else self.isl

    def ingress(self, r, t):
        if self.dep["mode"] == "collocated":
            e = self.pick(self.engines)
            r.engine = e
            e.ongoing += 1
            e.waiting.append(_Prefill(r, self.prefill_tokens(e), "full"))
        else:
            e = self.pick(self.p_engines)
            r.p_engine = e
            e.ongoing += 1
            e.waiting.append(_Prefill(r, self.prefill_tokens(e), "prefill"))
        e.kick(t)

    def kv_start(self, r, t):
        d = self.pick(self.d_engines)
        r.d_engine = r.engine = d
        d.ongoing += 1
        d.pending += 1
        self.link.add(r, self.isl * KV_BYTES_PER_TOKEN, t)

    def kv_arrived(self, r, t):
        r.engine.pending -= 1
        r.engine.joining.append(r)
        r.engine.kick(t)

    def first_token(self, r, t):
        r.first = t
        self.tokens_at(t, 1)

    def tokens_at(self, t, n):
        b = int(t)
        self.buckets[b] = self.buckets.get(b, 0) + n

    def finish(self, r, t):
        r.end = t
        r.engine.ongoing -= 1
        self.active -= 1
        if self.queue:
            self.begin(self.queue.popleft(), t)


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
                   seed=0, percentile_metrics=("ttft", "tpot", "itl"), percentiles=(99.0,), cached_prefix=0):
    """The benchmark part of a vLLM 0.11 result (keys `duration` .. the last metric, in 0.11 order).

    request_rate None/inf/>=1e8 means all at once (bounded by max_concurrency). cached_prefix: the
    leading tokens every prompt shares (prefix_repetition), computed once per engine."""
    dep = normalize_deployment(dep)
    isl = _positive_int(int(isl), "isl")
    osl = _positive_int(int(osl), "osl")
    num_prompts = _positive_int(int(num_prompts), "num_prompts")
    if max_concurrency is not None:
        max_concurrency = _positive_int(int(max_concurrency), "max_concurrency")
    if request_rate is not None and not (float(request_rate) > 0):
        raise ValueError("request_rate must be > 0, got %r" % (request_rate,))
    if not (float(burstiness) > 0):
        raise ValueError("burstiness must be > 0, got %r" % (burstiness,))
    sim = _Sim(dep, isl, osl, num_prompts, max_concurrency,
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


def _main():
    """stdin: {"op": "bench"|"single"|"transfer"|"deploy"|"constants", ...} -> stdout: JSON."""
    req = json.load(sys.stdin)
    op = req.get("op")
    try:
        if op == "bench":
            w = req["workload"]
            out = simulate_bench(req["deployment"], w["isl"], w["osl"], w["numPrompts"], w.get("maxConcurrency"),
                                 w.get("requestRate"), w.get("burstiness", 1.0), w.get("seed", 0),
                                 tuple(w.get("percentileMetrics", ["ttft", "tpot", "itl"])),
                                 tuple(float(p) for p in w.get("percentiles", [99])))
        elif op == "single":
            ttft, tpot = single_request(req["deployment"], req["isl"], req["osl"], req.get("inflight", 1))
            out = {"ttftS": ttft, "tpotS": tpot}
        elif op == "transfer":
            out = {"gbps": transfer_gbps(req["transport"], req.get("seed", 0)),
                   "seconds": transfer_seconds(req["bytes"], req["transport"], req.get("seed", 0))}
        elif op == "batch":
            out = []
            for item in req["items"]:
                w = item["workload"]
                out.append(simulate_bench(item["deployment"], w["isl"], w["osl"], w["numPrompts"], w.get("maxConcurrency"),
                                          w.get("requestRate"), w.get("burstiness", 1.0), w.get("seed", 0),
                                          tuple(w.get("percentileMetrics", ["ttft", "tpot", "itl"])),
                                          tuple(float(p) for p in w.get("percentiles", [99]))))
        else:
            raise ValueError("op %r is not one of bench, batch, single, transfer" % (op,))
    except (KeyError, ValueError, TypeError) as e:
        json.dump({"error": "%s: %s" % (type(e).__name__, e)}, sys.stdout)
        sys.stdout.write("\n")
        sys.exit(2)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    _main()
