"""vllm.engine.arg_utils: EngineArgs / AsyncEngineArgs (the 0.11 fields Ray Serve LLM and our
deployments pass; an unknown one is a TypeError, as with the real dataclass)."""
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from vllm.config import KVTransferConfig, ModelConfig, ParallelConfig, VllmConfig

KV_CONNECTORS = ("NixlConnector", "LMCacheConnectorV1", "SharedStorageConnector", "P2pNcclConnector", "MultiConnector",
                 "OffloadingConnector", "DecodeBenchConnector")
KV_ROLES = ("kv_producer", "kv_consumer", "kv_both")


def _model_max_len(model):
    """max_position_embeddings from the model's config.json in the HF cache (131072 when absent)."""
    try:
        from transformers import PretrainedConfig

        cfg = PretrainedConfig.from_pretrained(model)
        return int(getattr(cfg, "max_position_embeddings", 131072) or 131072)
    except Exception:  # noqa: BLE001
        return 131072


@dataclass
class EngineArgs:
    model: str = "facebook/opt-125m"
    served_model_name: Optional[Union[str, List[str]]] = None
    tokenizer: Optional[str] = None
    tokenizer_mode: str = "auto"
    trust_remote_code: bool = False
    dtype: str = "auto"
    seed: Optional[int] = 0
    max_model_len: Optional[int] = None
    distributed_executor_backend: Optional[str] = None
    pipeline_parallel_size: int = 1
    tensor_parallel_size: int = 1
    data_parallel_size: int = 1
    data_parallel_rank: Optional[int] = None
    enable_expert_parallel: bool = False
    gpu_memory_utilization: float = 0.9
    max_num_batched_tokens: Optional[int] = None
    max_num_seqs: Optional[int] = None
    enable_prefix_caching: Optional[bool] = None
    enable_chunked_prefill: Optional[bool] = None
    enforce_eager: bool = False
    kv_cache_dtype: str = "auto"
    block_size: Optional[int] = None
    swap_space: float = 4
    disable_log_stats: bool = False
    kv_transfer_config: Optional[Union[KVTransferConfig, Dict[str, Any]]] = None
    compilation_config: Optional[Union[Dict[str, Any], int]] = None
    async_scheduling: bool = False
    load_format: str = "auto"
    download_dir: Optional[str] = None
    revision: Optional[str] = None
    quantization: Optional[str] = None
    generation_config: str = "auto"
    override_generation_config: Dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.kv_transfer_config, str):
            self.kv_transfer_config = json.loads(self.kv_transfer_config)
        if isinstance(self.kv_transfer_config, dict):
            self.kv_transfer_config = KVTransferConfig(**self.kv_transfer_config)

    def create_engine_config(self, usage_context=None, headless=False):
        kv = self.kv_transfer_config
        if kv is not None:
            if kv.kv_connector not in KV_CONNECTORS:
                raise ValueError("Unknown kv_connector %r; known connectors: %s" % (kv.kv_connector, ", ".join(KV_CONNECTORS)))
            if kv.kv_role not in KV_ROLES:
                raise ValueError("Unsupported kv_role: %s. Supported roles are %s" % (kv.kv_role, list(KV_ROLES)))
        for name in ("tensor_parallel_size", "pipeline_parallel_size"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError("%s must be a positive integer, got %r" % (name, v))
        names = self.served_model_name or [self.model]
        names = [names] if isinstance(names, str) else list(names)
        derived = _model_max_len(self.model)
        max_len = self.max_model_len or derived
        if max_len > derived and not os.environ.get("VLLM_ALLOW_LONG_MAX_MODEL_LEN"):
            raise ValueError(
                "User-specified max_model_len (%d) is greater than the derived max_model_len (max_position_embeddings=%d "
                "or model_max_length=None in model's config.json). To allow overriding this maximum, set the env var "
                "VLLM_ALLOW_LONG_MAX_MODEL_LEN=1." % (max_len, derived))
        return VllmConfig(
            model_config=ModelConfig(model=self.model, served_model_name=names, max_model_len=max_len,
                                     tokenizer=self.tokenizer or self.model, trust_remote_code=self.trust_remote_code),
            parallel_config=ParallelConfig(tensor_parallel_size=self.tensor_parallel_size,
                                           pipeline_parallel_size=self.pipeline_parallel_size,
                                           data_parallel_size=self.data_parallel_size,
                                           distributed_executor_backend=self.distributed_executor_backend),
            kv_transfer_config=kv,
            gpu_memory_utilization=self.gpu_memory_utilization,
        )


@dataclass
class AsyncEngineArgs(EngineArgs):
    enable_log_requests: bool = False
