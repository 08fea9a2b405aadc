"""vllm.config: the nested engine configuration AsyncEngineArgs.create_engine_config builds."""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass
class ModelConfig:
    model: str
    served_model_name: List[str]
    max_model_len: int
    tokenizer: Optional[str] = None
    trust_remote_code: bool = False


@dataclass
class ParallelConfig:
    tensor_parallel_size: int = 1
    pipeline_parallel_size: int = 1
    data_parallel_size: int = 1
    distributed_executor_backend: Optional[str] = None
    placement_group: Any = None

    @property
    def world_size(self):
        return self.tensor_parallel_size * self.pipeline_parallel_size


@dataclass
class KVTransferConfig:
    kv_connector: Optional[str] = None
    kv_role: Optional[str] = None
    engine_id: Optional[str] = None
    kv_connector_extra_config: Dict[str, Any] = field(default_factory=dict)

    @property
    def is_kv_transfer_instance(self):
        return self.kv_connector is not None


@dataclass
class VllmConfig:
    model_config: ModelConfig
    parallel_config: ParallelConfig
    kv_transfer_config: Optional[KVTransferConfig] = None
    gpu_memory_utilization: float = 0.9
