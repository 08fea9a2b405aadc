"""torch.nn of the emulated torch: the module classes transformers 4.57 names at import (its
generation and masking code) when it loads a config or tokenizer on a node. No model runs on the
simulated nodes, so a forward pass is an error."""
from collections import OrderedDict

from . import attention, functional  # noqa: F401


class Module(object):
    def __init__(self, *args, **kwargs):
        self._modules = OrderedDict()
        self.training = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError("emulated torch: %s.forward (no model runs on the simulated nodes)" % type(self).__name__)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def children(self):
        return iter(self._modules.values())

    def eval(self):
        self.training = False
        return self


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = tuple(normalized_shape) if isinstance(normalized_shape, (list, tuple)) else (normalized_shape,)
        self.eps = eps


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, *args, **kwargs):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
