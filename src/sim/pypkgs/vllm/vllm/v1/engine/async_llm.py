"""vllm.v1.engine.async_llm.AsyncLLM, emulated: no model runs. Like vLLM's Ray executor it starts
one worker actor per GPU bundle of the replica's placement group; each holds its GPU's memory in
the simulator's GPU accounting (nvidia-smi shows it) for as long as it lives, so the GPUs free up
when Serve kills the replica. An engine start is the sim's fault point "vllm-engine" on the node of
its first worker (counted in <state>/runs/vllm-engine; `fail` makes the start raise, as a crashing
EngineCore does, `slow` stretches the weight loading). Requests are timed by the pdflow performance model (vllm._sim)."""
import asyncio
import os
import time

import ray
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

from pdflow_sim import node as simnode
from pdflow_sim import perf_model
from vllm._sim import engines
from vllm.engine.protocol import EngineClient
from vllm.utils import random_uuid

WEIGHTS_MIB_PER_GPU = 73902  # gpt-oss-120b weights + KV cache at gpu_memory_utilization 0.9 on an H100 80GB


@ray.remote(num_cpus=0)
class RayWorkerWrapper(object):
    def __init__(self, owner):
        self.owner = owner
        self.node = simnode.current_node_name()
        self.gpus = [int(g) for g in ray.get_gpu_ids()]

    def load(self, used_mib, load_seconds):
        """Loads the weights: takes `load_seconds` of emulated time, then holds the GPUs' memory."""
        simnode.sleep_scaled(load_seconds)
        simnode.claim_gpus(self.node, self.gpus, os.getpid(), used_mib, "ray::RayWorkerWrapper", 0, self.owner)
        return True

    def where(self):
        return {"node": self.node, "host": ray.util.get_node_ip_address(), "gpus": self.gpus, "pid": os.getpid()}


class AsyncLLM(EngineClient):
    def __init__(self, vllm_config, executor_class=None, log_stats=True, stat_loggers=None, **_kw):
        self.vllm_config = vllm_config
        self.model_config = vllm_config.model_config
        # The frontend's tokenizer, loaded before any GPU is taken (as vLLM does): the real
        # transformers tokenizer of the model in the HF cache; prompts are counted with it.
        from vllm.transformers_utils.tokenizer import get_tokenizer

        self.tokenizer = get_tokenizer(self.model_config.tokenizer or self.model_config.model,
                                       trust_remote_code=self.model_config.trust_remote_code)
        par = vllm_config.parallel_config
        kv = vllm_config.kv_transfer_config
        self.engine_id = (kv.engine_id if kv and kv.engine_id else None) or random_uuid()
        self.kv = kv
        self.tp = par.tensor_parallel_size
        pg = par.placement_group
        if pg is None:
            raise RuntimeError("vLLM's Ray executor needs a placement group (parallel_config.placement_group)")
        table = ray.util.placement_group_table(pg)
        gpu_bundles = [i for i, b in sorted(table["bundles"].items()) if float(b.get("GPU", 0)) >= 1]
        if len(gpu_bundles) < par.world_size:
            raise ValueError("The number of required GPUs exceeds the total number of available GPUs in the placement group "
                             "(%d needed, %d in the group)" % (par.world_size, len(gpu_bundles)))
        kind = "pd" if kv else "collocated"
        load = perf_model.deploy_seconds_for(kind)
        self._workers = [
            RayWorkerWrapper.options(num_gpus=1, scheduling_strategy=PlacementGroupSchedulingStrategy(
                placement_group=pg, placement_group_bundle_index=i)).remote(self.engine_id)
            for i in gpu_bundles[: par.world_size]
        ]
        self.workers = ray.get([w.where.remote() for w in self._workers])
        self.node = self.workers[0]["node"]
        self.host = self.workers[0]["host"]
        try:
            slow = simnode.begin_on(self.node, "vllm-engine")
        except simnode.InjectedFault as e:
            self.shutdown()
            raise RuntimeError("Engine core initialization failed: %s" % e) from None
        ray.get([w.load.remote(WEIGHTS_MIB_PER_GPU, load * slow) for w in self._workers])
        self.slow = slow
        self.inflight = 0
        self.started = time.time()
        engines.register(self)

    @property
    def backend(self):
        extra = (self.kv.kv_connector_extra_config if self.kv else None) or {}
        return str((extra.get("backends") or ["UCX"])[0]).upper()

    @property
    def role(self):
        """collocated, prefill or decode: a KV engine's part comes from its Serve deployment's name
        (build_pd_openai_app names them "Prefill:<model>" and "Decode:<model>")."""
        if self.kv is None:
            return "collocated"
        try:
            from ray import serve

            name = serve.get_replica_context().deployment
        except Exception:  # noqa: BLE001 - not in a Serve replica
            name = ""
        if name.lower().startswith("prefill"):
            return "prefill"
        if name.lower().startswith("decode"):
            return "decode"
        return self.kv.kv_role or "kv_both"

    async def check_health(self):
        """Every GPU worker still answers (a lost node or a killed worker makes Serve restart the replica)."""
        try:
            await asyncio.wait_for(asyncio.gather(*[w.where.remote() for w in self._workers]), timeout=30)
        except Exception as e:  # noqa: BLE001
            raise RuntimeError("EngineCore died: %s" % (str(e).splitlines() or [type(e).__name__])[0]) from None

    async def get_tokenizer(self, lora_request=None):
        return self.tokenizer

    async def reset_prefix_cache(self, *_a, **_k):
        return None

    async def start_profile(self):
        return None

    async def stop_profile(self):
        return None

    def shutdown(self):
        engines.unregister(self)
        for w in self._workers:
            ray.kill(w)
