"""torch.distributed.tensor (DTensor): imported by transformers at start when torch.distributed is available."""
from ..._tensor import Tensor


class DTensor(Tensor):
    pass
