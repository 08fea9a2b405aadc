"""pdflow simulator stand-in for vLLM 0.11.0: the modules Ray Serve LLM (ray 2.51) imports, with
an engine that needs no GPU (vllm.v1.engine.async_llm.AsyncLLM: GPU workers as Ray actors in the
replica's placement group, timings from the pdflow performance model), and `vllm bench serve`."""
from vllm.version import __version__, __version_tuple__  # noqa: F401
