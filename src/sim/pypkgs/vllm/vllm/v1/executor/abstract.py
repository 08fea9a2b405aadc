class Executor(object):
    """vllm.v1.executor.abstract.Executor: picks the executor for a config (Ray here, as Ray Serve
    LLM always asks for distributed_executor_backend="ray")."""

    @staticmethod
    def get_class(vllm_config):
        backend = vllm_config.parallel_config.distributed_executor_backend
        if backend not in (None, "ray"):
            raise ValueError("Unknown distributed executor backend: %s" % backend)
        return RayDistributedExecutor


class RayDistributedExecutor(Executor):
    """One RayWorkerWrapper actor per GPU bundle of the placement group (see AsyncLLM)."""
