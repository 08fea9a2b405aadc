"""torch.hub: only where the hub cache lives (Ray Serve LLM creates <torch home>/kernels)."""
import os


def _get_torch_home():
    return os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"), "torch")))


def get_dir():
    return os.path.join(_get_torch_home(), "hub")
