"""The discrete-event simulation behind one `vllm bench serve` point (perf_model.simulate_bench).

The client (vLLM 0.11's benchmark: concurrency cap, gamma arrivals rescaled so the last one lands
at num_prompts / rate), Ray Serve's router (power of two choices on ongoing requests), and per
vLLM instance an engine that runs steps: the running batch decodes one token each, prompt chunks
fill the rest of the token budget, requests hold KV in a pool of fixed size and the newest running
one is preempted (and recomputed later) when the pool runs out. A PD request is prefilled on a
prefill instance, then the decode instance's scheduler takes it at a step boundary, allocates its
blocks and starts the KV read; a finished read is noticed at the end of a step and the request
joins the next one, which gives its first token. KV flows share the link between two nodes
(processor sharing, per-flow and aggregate caps); on a slow link a flow that outlives its deadline
(48-80 s) is taken as done. Step times: perf_model.step_ms. Noise is small and deterministic.
"""
import heapq
import math
from collections import deque
from statistics import NormalDist

from pdflow_sim import perf_model as pm

# Step-time noise: a lognormal factor (sigma 3.5%) drawn from a fixed table (the hot path of the simulation).
_NOISE = [math.exp(0.035 * _z) for _z in (NormalDist().inv_cdf((i + 0.5) / 4096.0) for i in range(4096))]


class Req(object):
    __slots__ = ("i", "arrival", "start", "first", "end", "engine", "p_engine", "d_engine", "left", "held", "since")

    def __init__(self, i, arrival):
        self.i = i
        self.arrival = arrival
        self.start = self.first = self.end = None
        self.engine = self.p_engine = self.d_engine = None
        self.left = 0  # output tokens still to decode when it (re)joined the running batch
        self.held = 0  # pool tokens it held then; one more per step since
        self.since = 0  # the engine's step count then


class Prefill(object):
    """Prompt work queued on an engine. kind: "prefill" (PD prefill instance), "full" (collocated:
    prefill then decode here) or "recompute" (a preempted request computing its tokens again)."""
    __slots__ = ("req", "remaining", "kind", "tokens", "allocated")

    def __init__(self, req, tokens, kind):
        self.req, self.remaining, self.kind, self.tokens, self.allocated = req, tokens, kind, tokens, False


class Engine(object):
    def __init__(self, sim, name, tp, node, gpu, role):
        self.sim, self.name, self.tp, self.node, self.gpu, self.role = sim, name, tp, node, gpu, role
        self.connector = role != "collocated"
        self.capacity = max(pm.kv_capacity_tokens(tp, gpu, self.connector), pm.seq_kv_tokens(sim.isl + sim.osl, self.connector))
        self.used = 0
        self.waiting = deque()  # Prefill entries
        self.remote = deque()  # PD decode: requests waiting for blocks before their KV read starts
        self.arrived = []  # KV reads that finished during the current step
        self.joining = []  # requests whose KV is here: they join the next step
        self.running = {}  # request -> None, in admission order (the newest is preempted first)
        self.finish_at = {}  # step count -> requests whose last token that step gives
        self.step = 0
        self.busy = False
        self.ongoing = 0
        self.current = None
        self.pending = 0  # KV reads in flight towards this instance
        self.prefill_efficiency = 1.0
        self.seen_prefix = False
        self._step_ms = {}

    def kick(self, t):
        if self.busy:
            return
        if self.remote:
            self._admit_remote(t)
        if self.arrived:
            # An idle engine polls its connector in a loop: a finished read is noticed at once.
            self.joining.extend(self.arrived)
            self.arrived = []
        if self.waiting or self.joining or self.running:
            self._start_step(t)

    def _admit_remote(self, t):
        """vLLM's scheduler: a remote-prefilled request gets its blocks, then the connector starts the read."""
        need = pm.seq_kv_tokens(self.sim.isl + 1, self.connector)
        while self.remote and self.used + need <= self.capacity:
            r = self.remote.popleft()
            self.used += need
            r.held = need
            self.pending += 1
            self.sim.link.add(r, self.sim.isl * pm.KV_BYTES_PER_TOKEN, t)

    def _grow_or_preempt(self):
        """Each running sequence takes one more token's KV this step; when the pool is out, the newest
        running request is preempted (its KV freed, recomputed later), as vLLM's scheduler does."""
        while self.running and self.used + len(self.running) > self.capacity:
            victim = next(reversed(self.running))
            del self.running[victim]
            done = self.step - victim.since
            self.finish_at[victim.since + victim.left].remove(victim)
            self.used -= victim.held + done
            victim.held = 0
            victim.left -= done
            self.waiting.appendleft(Prefill(victim, self.sim.isl + self.sim.osl - victim.left, "recompute"))
        self.used += len(self.running)

    def _cost_ms(self, batch, prefill_tokens):
        key = (batch, prefill_tokens)
        ms = self._step_ms.get(key)
        if ms is None:
            sim = self.sim
            ms = pm.step_ms(self.tp, batch, sim.context, prefill_tokens, sim.isl, self.gpu, sim.cal, self.prefill_efficiency) * sim.dep.get("slowdown", 1.0)
            self._step_ms[key] = ms
        return ms

    def _start_step(self, t):
        sim = self.sim
        self._grow_or_preempt()
        joiners, self.joining = self.joining, []
        batch = len(self.running) + len(joiners)
        budget = pm.MAX_BATCHED_TOKENS - batch
        room = pm.MAX_NUM_SEQS - batch
        chunks = []
        prefill_tokens = 0
        for entry in self.waiting:
            if budget <= 0 or room <= 0:
                break
            if not entry.allocated:
                need = pm.seq_kv_tokens(entry.tokens, self.connector)
                if self.used + need > self.capacity:
                    break  # FCFS: nothing behind a request that does not fit is scheduled
                entry.allocated = True
                self.used += need
                entry.req.held = need
            take = min(entry.remaining, budget)
            chunks.append((entry, take))
            budget -= take
            prefill_tokens += take
            if take == entry.remaining:
                room -= 1
        ms = self._cost_ms(batch, prefill_tokens) + pm.JOIN_MS * len(joiners) + pm.PENDING_XFER_MS * self.pending
        u = sim.rng.random()
        ms *= _NOISE[int(u * 4096)]
        if u * 4096 % 1 < 0.003:
            ms += sim.rng.uniform(4.0, 30.0)  # scheduler / GC hiccup
        self.busy = True
        self.current = (chunks, joiners, len(self.running), ms / 1000.0)
        sim.push(t + ms / 1000.0, self._end_step)

    def _end_step(self, t):
        sim = self.sim
        chunks, joiners, ran, dur = self.current
        self.current = None
        self.busy = False
        self.step += 1
        if ran:
            sim.itl.append((dur, ran))
            sim.tokens_at(t, ran)
        for r in self.finish_at.pop(self.step, ()):
            del self.running[r]
            self.used -= r.held + (self.step - r.since)
            r.held = 0
            sim.finish(r, t)
        for r in joiners:
            sim.first_token(r, t)
            self._run(r, self.sim.osl - 1, t)
        for entry, take in chunks:
            entry.remaining -= take
        while self.waiting and self.waiting[0].remaining <= 0:
            entry = self.waiting.popleft()
            r = entry.req
            if entry.kind == "prefill":
                self.ongoing -= 1
                sim.push(t + sim.pd_hop_s, lambda t2, r=r: sim.to_decode(r, t2))
            elif entry.kind == "recompute":
                self._run(r, r.left, t)
            else:
                sim.first_token(r, t)
                self._run(r, self.sim.osl - 1, t)
        # Reads that finished during this step are noticed now (the connector is polled per step).
        self.joining.extend(self.arrived)
        self.arrived = []
        self.kick(t)

    def _run(self, r, left, t):
        """r decodes `left` more tokens here, one per step from the next one on."""
        if left <= 0:
            self.used -= r.held
            r.held = 0
            self.sim.finish(r, t)
            return
        r.left, r.since = left, self.step
        self.running[r] = None
        self.finish_at.setdefault(self.step + left, []).append(r)


class Link(object):
    """KV flows between two nodes: processor sharing with per-flow and aggregate caps."""

    def __init__(self, sim, transport):
        spec = pm.LINKS[transport]
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


def arrival_times(n, rate, burstiness, rng):
    """vLLM 0.11's get_request: gamma gaps (shape burstiness, mean 1/rate), cumulated, then rescaled
    so the last request is sent at n / rate; all at 0 without a rate."""
    if rate is None or not math.isfinite(rate) or rate >= 1e8:
        return [0.0] * n
    theta = 1.0 / (rate * burstiness)
    t, out = 0.0, []
    for _ in range(n):
        t += rng.gammavariate(burstiness, theta)
        out.append(t)
    if out[-1] > 0:
        k = (n / rate) / out[-1]
        out = [x * k for x in out]
    return out


class Sim(object):
    def __init__(self, dep, cal, isl, osl, num_prompts, max_concurrency, request_rate, burstiness, seed, cached_prefix=0):
        self.dep, self.cal = dep, cal
        self.pd_hop_s = min(cal["pd_proxy_ms"], 12.0) / 1000.0  # prefill response back through the proxy, decode request out
        self.isl, self.osl = isl, osl
        self.cached_prefix = cached_prefix
        self.context = isl + osl / 2.0
        # The GPU is left out of the seed: the same point on another GPU sees the same noise.
        shape = {k: ({kk: vv for kk, vv in v.items() if kk != "gpu"} if isinstance(v, dict) else v)
                 for k, v in dep.items() if k not in ("gpu", "slowdown")}
        self.rng = pm.rng_for("bench", shape, isl, osl, num_prompts, max_concurrency, request_rate, burstiness, seed)
        self.events = []
        self.seq = 0
        self.itl = []
        self.buckets = {}
        times = arrival_times(num_prompts, request_rate, burstiness, self.rng)
        self.reqs = [Req(i, times[i]) for i in range(num_prompts)]
        self.limit = max_concurrency or num_prompts
        self.active = 0
        self.queue = deque()
        if dep["mode"] == "collocated":
            self.engines = [Engine(self, "replica-%d" % i, dep["tp"], "n0", dep["gpu"], "collocated") for i in range(dep["replicas"])]
            for e in self.engines:
                e.prefill_efficiency = cal["collocated_prefill_efficiency"]
        else:
            d_node = "n0" if dep["mode"] == "pd-pack" else "n1"
            p, d = dep["prefill"], dep["decode"]
            self.p_engines = [Engine(self, "prefill-%d" % i, p["tp"], "n0", p["gpu"], "prefill") for i in range(p["num"])]
            self.d_engines = [Engine(self, "decode-%d" % i, d["tp"], d_node, d["gpu"], "decode") for i in range(d["num"])]
            self.link = Link(self, dep["transport"])

    def push(self, t, fn):
        self.seq += 1
        heapq.heappush(self.events, (t, self.seq, fn))

    def run(self):
        for r in self.reqs:
            self.push(r.arrival, lambda t, r=r: self.arrive(r, t))
        while self.events:
            t, _, fn = heapq.heappop(self.events)
            fn(t)
        stuck = [r.i for r in self.reqs if r.end is None]
        if stuck:
            raise RuntimeError("perf model: %d requests never finished (first: %d)" % (len(stuck), stuck[0]))
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
        # The PD proxy's cost splits between the way in and the hop from prefill to decode.
        mean = self.cal["ingress_ms"] + (0.0 if self.dep["mode"] == "collocated" else self.cal["pd_proxy_ms"] - self.pd_hop_s * 1000)
        delay = max(0.02, self.rng.gauss(mean, mean * 0.08)) / 1000.0
        self.push(t + delay, lambda t2: self.ingress(r, t2))

    def prefill_tokens(self, e):
        """Tokens an engine computes: a shared prefix it has seen is a prefix-cache hit."""
        seen = e.seen_prefix
        e.seen_prefix = True
        return max(1, self.isl - self.cached_prefix) if seen else self.isl

    def ingress(self, r, t):
        if self.dep["mode"] == "collocated":
            e = self.pick(self.engines)
            r.engine = e
            kind = "full"
        else:
            e = self.pick(self.p_engines)
            r.p_engine = e
            kind = "prefill"
        e.ongoing += 1
        entry = Prefill(r, self.prefill_tokens(e), kind)
        entry.tokens = self.isl  # the pool holds the whole prompt, cached prefix or not
        e.waiting.append(entry)
        e.kick(t)

    def to_decode(self, r, t):
        """The PD proxy sends the request on to a decode instance; its scheduler takes it at a step boundary."""
        d = self.pick(self.d_engines)
        r.d_engine = r.engine = d
        d.ongoing += 1
        d.remote.append(r)
        if not d.busy:
            d.kick(t)

    def kv_arrived(self, r, t):
        # A PD prefill instance keeps a prompt's blocks until the decode side has read them.
        p = r.p_engine
        p.used -= pm.seq_kv_tokens(self.isl, p.connector)
        p.kick(t)
        d = r.engine
        d.pending -= 1
        d.arrived.append(r)
        if not d.busy:
            d.kick(t)

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
