"""vllm.envs: the environment variables vLLM reads (the subset Ray Serve LLM asks about)."""
import os

environment_variables = {
    "VLLM_USE_V1": lambda: os.environ.get("VLLM_USE_V1", "1") == "1",
    "VLLM_NIXL_SIDE_CHANNEL_HOST": lambda: os.getenv("VLLM_NIXL_SIDE_CHANNEL_HOST", "localhost"),
    "VLLM_NIXL_SIDE_CHANNEL_PORT": lambda: int(os.getenv("VLLM_NIXL_SIDE_CHANNEL_PORT", "5600")),
    "VLLM_HOST_IP": lambda: os.getenv("VLLM_HOST_IP", ""),
    "VLLM_LOGGING_LEVEL": lambda: os.getenv("VLLM_LOGGING_LEVEL", "INFO"),
}


def is_set(name):
    if name not in environment_variables:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    return name in os.environ


def __getattr__(name):
    if name in environment_variables:
        return environment_variables[name]()
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def __dir__():
    return list(environment_variables.keys())
