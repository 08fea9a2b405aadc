"""Shared pieces of the pdflow simulator's emulated GPU-side Python packages (torch, nixl, vllm,
ray.serve): node helpers (node.py), UCX transport choice (transport.py), the performance model
(perf_model.py)."""
__version__ = "0.1.0"
