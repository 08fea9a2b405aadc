"""vllm.v1.metrics.ray_wrappers: the stat logger that exports engine metrics through Ray's
Prometheus metrics (Ray Serve LLM's log_engine_metrics). The emulated engine records no stats."""


class RayPrometheusStatLogger(object):
    def __init__(self, vllm_config, engine_indexes=None, **_kw):
        self.vllm_config = vllm_config

    def record(self, *_a, **_kw):
        return None

    def log_engine_initialized(self):
        return None
