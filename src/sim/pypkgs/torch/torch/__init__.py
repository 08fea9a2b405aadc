"""pdflow simulator stand-in for PyTorch: the subset the pdflow remote scripts and the emulated
vLLM/NIXL use, and the names the real transformers 4.57 imports when torch is installed (nn,
distributed, utils._pytree, _dynamo, xpu, the legacy typed tensors and newer dtypes). CUDA tensors hold no element data (see _tensor.py); `torch.cuda` reports the
GPUs of the simulated node (see cuda.py)."""
import builtins
import contextlib
import math

from ._dtype import (  # noqa: F401
    bfloat16, bool_ as bool, double, dtype, float, float4_e2m1fn_x2, float8_e4m3fn, float8_e5m2, float8_e8m0fnu, float16,
    float32, float64, half, int, int8, int16, int32, int64, long, uint8, uint16, uint32, uint64)
from ._tensor import BoolTensor, FloatTensor, LongTensor, Size, Tensor, _infer_shape, _resolve_device, _shape_of, device  # noqa: F401
from . import _dynamo, cuda, distributed, hub, nn, utils, xpu  # noqa: F401,E402 - after Tensor, which nn uses

__version__ = "2.8.0+cu128"


class version(object):
    cuda = "12.8"
    __version__ = "2.8.0+cu128"


_default = {"dtype": float32}


def get_default_dtype():
    return _default["dtype"]


def set_default_dtype(d):
    _default["dtype"] = d


def is_tensor(x):
    return isinstance(x, Tensor)


def manual_seed(seed):
    return None


def _is_int(x):
    # builtins.int: this module's `int` is the torch dtype, as in real torch.
    return isinstance(x, builtins.int) and not isinstance(x, builtins.bool)


def _make(size, fill, dtype, device):
    shape = _shape_of(size)
    dt = dtype or get_default_dtype()
    dev = _resolve_device(device)
    n = shape[0] if len(shape) else 1
    return Tensor._new(shape, dt, dev, None if fill is None else [fill] * n)


def zeros(*size, dtype=None, device=None, **_):
    return _make(size, 0, dtype, device)


def ones(*size, dtype=None, device=None, **_):
    return _make(size, 1, dtype, device)


def empty(*size, dtype=None, device=None, **_):
    return _make(size, None, dtype, device)


def full(size, fill_value, dtype=None, device=None, **_):
    if dtype is None:
        dtype = int64 if _is_int(fill_value) else get_default_dtype()
    return _make((tuple(size),), fill_value, dtype, device)


def zeros_like(t, dtype=None, device=None, **_):
    return _make((tuple(t.shape),), 0, dtype or t.dtype, device or t.device)


def empty_like(t, dtype=None, device=None, **_):
    return _make((tuple(t.shape),), None, dtype or t.dtype, device or t.device)


def full_like(t, fill_value, dtype=None, device=None, **_):
    return _make((tuple(t.shape),), fill_value, dtype or t.dtype, device or t.device)


def arange(start, end=None, step=1, dtype=None, device=None, **_):
    if end is None:
        start, end = 0, start
    ints = all(_is_int(x) for x in (start, end, step))
    n = max(0, -(-(end - start) // step)) if ints else max(0, math.ceil((end - start) / step))
    vals = [start + i * step for i in range(n)]
    if dtype is None:
        dtype = int64 if ints else get_default_dtype()
    return Tensor._new((n,), dtype, _resolve_device(device), vals)


def tensor(data, dtype=None, device=None, **_):
    if isinstance(data, Tensor):
        return data.clone()
    if isinstance(data, (list, tuple)):
        if any(isinstance(x, (list, tuple)) for x in data):
            raise NotImplementedError("emulated torch: nested lists are not supported")
        dt = dtype or (int64 if all(_is_int(x) for x in data) else get_default_dtype())
        return Tensor._new((len(data),), dt, _resolve_device(device), list(data))
    dt = dtype or (int64 if _is_int(data) else get_default_dtype())
    return Tensor._new((), dt, _resolve_device(device), [data])


def equal(a, b):
    if tuple(a.shape) != tuple(b.shape):
        return False
    ra, rb = a._rows(), b._rows()
    return all(x is not None and y is not None and x == y for x, y in zip(ra, rb))


@contextlib.contextmanager
def no_grad():
    yield


inference_mode = no_grad
