"""torch.nn.attention of the emulated torch (flex_attention: what transformers imports on torch >= 2.5)."""
from . import flex_attention  # noqa: F401
