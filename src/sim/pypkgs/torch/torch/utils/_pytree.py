"""torch.utils._pytree: the registry of container types (transformers registers ModelOutput at import)."""
from typing import Any

Context = Any
SUPPORTED_NODES = {}


def register_pytree_node(cls, flatten_fn, unflatten_fn, *, serialized_type_name=None, to_dumpable_context=None,
                         from_dumpable_context=None, flatten_with_keys_fn=None):
    if cls in SUPPORTED_NODES:
        raise ValueError("%s is already registered as pytree node." % cls)
    SUPPORTED_NODES[cls] = (flatten_fn, unflatten_fn, serialized_type_name)
