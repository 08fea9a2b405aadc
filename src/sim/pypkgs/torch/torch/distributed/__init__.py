"""torch.distributed of the emulated torch: available (as in a Linux CUDA build) and never
initialized (vLLM's workers are emulated; no process group forms)."""
from . import tensor  # noqa: F401


def is_available():
    return True


def is_initialized():
    return False
