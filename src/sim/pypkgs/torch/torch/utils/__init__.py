"""torch.utils of the emulated torch (_pytree: where transformers registers its output classes)."""
from . import _pytree  # noqa: F401
