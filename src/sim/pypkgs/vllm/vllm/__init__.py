"""pdflow simulator stand-in for vLLM 0.11.0. Only the `vllm bench serve` client is emulated;
the engines themselves are modelled by the emulated Ray Serve LLM server (ray.serve._sim)."""
from vllm.version import __version__, __version_tuple__  # noqa: F401
