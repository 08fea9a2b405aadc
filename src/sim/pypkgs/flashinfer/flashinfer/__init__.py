"""Emulated FlashInfer for pdflow's simulated nodes: importable, versioned, no kernels."""
__version__ = "0.2.14.post1"


def get_cuda_version():
    return "12.8"
