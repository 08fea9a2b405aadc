"""Tensors of the emulated torch. They hold no element data: a tensor's content is one value per
row of its first dimension (what KV-cache blocks filled with a per-block pattern need), so a
12 GB KV cache costs a few thousand Python floats. Writes to part of a row make that row
"unknown" (None), which compares unequal to everything, like garbage memory would."""
import builtins
import math
import operator

from . import _dtype as D
from . import _memory

_sum = builtins.sum


class Size(tuple):
    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self):
        return "torch.Size([%s])" % ", ".join(str(d) for d in self)


class device(object):
    def __init__(self, spec, index=None):
        if isinstance(spec, device):
            self.type, self.index = spec.type, spec.index
            return
        if isinstance(spec, int):
            self.type, self.index = "cuda", spec
            return
        text = str(spec)
        if ":" in text:
            t, i = text.split(":", 1)
            self.type, self.index = t, int(i)
        else:
            self.type, self.index = text, index
        if self.type not in ("cpu", "cuda", "meta"):
            raise RuntimeError("Expected one of cpu, cuda, meta device type at start of device string: %s" % text)

    def __eq__(self, other):
        other = device(other) if not isinstance(other, device) else other
        return self.type == other.type and (self.index or 0) == (other.index or 0)

    def __hash__(self):
        return hash((self.type, self.index or 0))

    def __repr__(self):
        return "device(type='%s'%s)" % (self.type, "" if self.index is None else ", index=%d" % self.index)

    def __str__(self):
        return self.type if self.index is None else "%s:%d" % (self.type, self.index)


def _resolve_device(spec):
    from . import cuda

    d = device(spec if spec is not None else "cpu")
    if d.type == "cuda":
        if not cuda.is_available():
            raise AssertionError("Torch not compiled with CUDA enabled" if cuda.device_count() == 0 else "CUDA unavailable")
        if d.index is None:
            d = device("cuda", cuda.current_device())
        if d.index >= cuda.device_count():
            raise RuntimeError("CUDA error: invalid device ordinal")
    return d


def _shape_of(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if not isinstance(s, int) or s < 0:
            raise RuntimeError("Trying to create tensor with negative dimension %r" % (s,))
        out.append(int(s))
    return Size(out)


def _prod(dims):
    n = 1
    for d in dims:
        n *= d
    return n


class Tensor(object):
    """Row-valued tensor. _rows() gives one value per first-dim row (a 0-d tensor has one row)."""

    def __init__(self, storage, shape, dtype, dev, row0=0, subrow=None, broadcast=False):
        self._storage = storage
        self._shape = Size(shape)
        self.dtype = dtype
        self.device = dev
        self._row0 = row0
        self._subrow = subrow  # row index in storage when this is (part of) one row
        self._broadcast = broadcast  # an expand()ed view: rows are the storage's, repeated

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def _new(cls, shape, dtype, dev, rows):
        shape = Size(shape)
        n_rows = shape[0] if len(shape) else 1
        row_numel = _prod(shape[1:]) if len(shape) else 1
        nbytes = _prod(shape) * dtype.itemsize
        if rows is not None:
            rows = [None if v is None else dtype.round(v) for v in rows]
            assert len(rows) == n_rows
        storage = _memory.allocate(dev, nbytes, row_numel * dtype.itemsize, rows)
        return cls(storage, shape, dtype, dev)

    # -- shape and memory --------------------------------------------------------------------
    @property
    def shape(self):
        return self._shape

    def size(self, dim=None):
        return self._shape if dim is None else self._shape[dim]

    def dim(self):
        return len(self._shape)

    ndim = property(dim)

    def numel(self):
        return _prod(self._shape)

    def element_size(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.numel() * self.dtype.itemsize

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def data_ptr(self):
        s = self._storage
        if self._subrow is not None:
            return s.addr + self._subrow * s.row_bytes
        return s.addr + self._row0 * s.row_bytes

    def untyped_storage(self):
        return self._storage

    def is_contiguous(self):
        return not self._broadcast

    def stride(self, dim=None):
        st, acc = [], 1
        for d in reversed(self._shape):
            st.insert(0, acc)
            acc *= d
        if self._broadcast:
            st = [st[0]] + [0] * (len(st) - 1)
        return tuple(st) if dim is None else st[dim]

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    # -- content ------------------------------------------------------------------------------
    def _n_rows(self):
        return self._shape[0] if self._shape else 1

    def _rows(self):
        s = self._storage
        if self._subrow is not None:
            v = None if s.rows is None else s.rows[self._subrow]
            return [v] * self._n_rows()
        if s.rows is None:
            return [None] * self._n_rows()
        return s.rows[self._row0:self._row0 + self._n_rows()]

    def _set_rows(self, values):
        s = self._storage
        if self._broadcast:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a single memory location")
        if s.rows is None:
            s.rows = [None] * (s.nbytes // max(1, s.row_bytes) if s.row_bytes else 1)
        if self._subrow is not None:
            whole = self.nbytes == s.row_bytes
            vals = set(values)
            s.rows[self._subrow] = values[0] if whole and len(vals) == 1 else None
            return
        for i, v in enumerate(values):
            s.rows[self._row0 + i] = None if v is None else self.dtype.round(v)

    def fill_(self, value):
        self._set_rows([_scalar(value)] * self._n_rows())
        return self

    def zero_(self):
        return self.fill_(0)

    def copy_(self, src):
        src = _as_tensor(src, self)
        vals = _broadcast_rows(src, self._shape)
        self._set_rows(vals)
        return self

    def item(self):
        if self.numel() != 1:
            raise RuntimeError("a Tensor with %d elements cannot be converted to Scalar" % self.numel())
        v = self._rows()[0]
        if v is None:
            return float("nan") if self.dtype.is_floating_point else 0
        if self.dtype is D.bool_:
            return bool(v)
        return float(v) if self.dtype.is_floating_point else int(v)

    def tolist(self):
        rows = self._rows()
        if not self._shape:
            return self.item()
        inner = self._shape[1:]
        if _prod(inner) > 1_000_000:
            raise RuntimeError("emulated torch: tolist() of %d elements is not supported" % self.numel())

        def build(v, dims):
            if not dims:
                return v
            return [build(v, dims[1:]) for _ in range(dims[0])]

        return [build(v, list(inner)) for v in rows]

    def unique(self, sorted=True):  # noqa: A002 - torch's keyword
        vals = {v for v in self._rows() if v is not None}
        nan = any(v is None for v in self._rows())
        out = builtins.sorted(vals) + ([float("nan")] if nan else [])
        return Tensor._new((len(out),), self.dtype, self.device, out)

    # -- views --------------------------------------------------------------------------------
    def __getitem__(self, idx):
        if not self._shape:
            raise IndexError("invalid index of a 0-dim tensor")
        rest = ()
        if isinstance(idx, tuple):
            idx, rest = idx[0], idx[1:]
            if any(r not in (slice(None), Ellipsis) for r in rest):
                raise NotImplementedError("emulated torch: indexing beyond the first dimension is not supported")
        n = self._shape[0]
        if isinstance(idx, bool) or idx is None:
            raise NotImplementedError("emulated torch: this index is not supported")
        if isinstance(idx, int):
            i = idx + n if idx < 0 else idx
            if not 0 <= i < n:
                raise IndexError("index %d is out of bounds for dimension 0 with size %d" % (idx, n))
            if self._subrow is not None:
                return Tensor(self._storage, self._shape[1:], self.dtype, self.device, subrow=self._subrow)
            return Tensor(self._storage, self._shape[1:], self.dtype, self.device, subrow=self._row0 + i)
        if isinstance(idx, slice):
            start, stop, step = idx.indices(n)
            length = max(0, (stop - start + (step - (1 if step > 0 else -1))) // step)
            if step == 1 and self._subrow is None:
                return Tensor(self._storage, (length,) + tuple(self._shape[1:]), self.dtype, self.device,
                              row0=self._row0 + start, broadcast=self._broadcast)
            rows = self._rows()
            picked = [rows[start + k * step] for k in range(length)]
            return Tensor._new((length,) + tuple(self._shape[1:]), self.dtype, self.device, picked)
        # index list / tensor: a copy
        ids = idx.tolist() if isinstance(idx, Tensor) else list(idx)
        rows = self._rows()
        picked = [rows[i] for i in ids]
        return Tensor._new((len(ids),) + tuple(self._shape[1:]), self.dtype, self.device, picked)

    def __setitem__(self, idx, value):
        self[idx].copy_(value) if isinstance(value, Tensor) else self[idx].fill_(value)

    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return self._reshaped(_infer_shape(shape, self.numel()))

    reshape = view

    def _reshaped(self, shape):
        if self._shape and shape and shape[0] == self._shape[0]:
            return Tensor(self._storage, shape, self.dtype, self.device, self._row0, self._subrow, self._broadcast)
        rows = self._rows()
        if len(set(rows)) <= 1 and shape:
            return Tensor._new(shape, self.dtype, self.device, [rows[0] if rows else None] * shape[0])
        if not shape:
            return Tensor._new(shape, self.dtype, self.device, rows[:1])
        raise NotImplementedError("emulated torch: reshape %s -> %s changes the first dimension of a varying tensor" % (tuple(self._shape), tuple(shape)))

    def expand(self, *sizes):
        sizes = _shape_of(sizes)
        if len(sizes) < len(self._shape):
            raise RuntimeError("expand: the number of sizes provided must be greater or equal to the number of dimensions")
        own = (1,) * (len(sizes) - len(self._shape)) + tuple(self._shape)
        out = []
        for want, have in zip(sizes, own):
            if want == -1:
                want = have
            if have != 1 and have != want:
                raise RuntimeError("The expanded size of the tensor (%d) must match the existing size (%d)" % (want, have))
            out.append(want)
        if own[0] != out[0]:
            # Broadcasting the first dimension: every row becomes the single row's value.
            rows = self._rows()
            return Tensor._new(out, self.dtype, self.device, [rows[0]] * out[0])
        return Tensor(self._storage, out, self.dtype, self.device, self._row0, self._subrow, broadcast=True)

    def contiguous(self):
        return self.clone() if self._broadcast else self

    def clone(self):
        return Tensor._new(self._shape, self.dtype, self.device, list(self._rows()))

    def to(self, *args, **kwargs):
        dt = kwargs.get("dtype")
        dev = kwargs.get("device")
        for a in args:
            if isinstance(a, D.dtype):
                dt = a
            elif isinstance(a, (str, device, int)):
                dev = a
        dt = dt or self.dtype
        dev = _resolve_device(dev) if dev is not None else self.device
        if dt is self.dtype and dev == self.device:
            return self
        rows = [None if v is None else dt.round(v) for v in self._rows()]
        return Tensor._new(self._shape, dt, dev, rows)

    def cuda(self, index=None):
        return self.to(device("cuda", index) if index is not None else "cuda")

    def cpu(self):
        return self.to("cpu")

    def float(self):
        return self.to(D.float32)

    def half(self):
        return self.to(D.float16)

    def bfloat16(self):
        return self.to(D.bfloat16)

    # -- arithmetic and comparisons -----------------------------------------------------------
    def _binary(self, other, fn, out_dtype=None):
        other_t = other if isinstance(other, Tensor) else None
        shape = _broadcast_shape(self._shape, other_t._shape) if other_t is not None else self._shape
        a = _broadcast_rows(self, shape)
        b = _broadcast_rows(other_t, shape) if other_t is not None else [_scalar(other)] * len(a)
        vals = [None if (x is None or y is None) else fn(x, y) for x, y in zip(a, b)]
        dt = out_dtype or _result_dtype(self, other)
        return Tensor._new(shape, dt, self.device, vals)

    def __add__(self, o):
        return self._binary(o, operator.add)

    __radd__ = __add__

    def __sub__(self, o):
        return self._binary(o, operator.sub)

    def __rsub__(self, o):
        return self._binary(o, lambda x, y: y - x)

    def __mul__(self, o):
        return self._binary(o, operator.mul)

    __rmul__ = __mul__

    def __truediv__(self, o):
        return self._binary(o, lambda x, y: x / y if y else math.copysign(math.inf, x) if x else math.nan, D.float32 if not self.dtype.is_floating_point else None)

    def remainder(self, o):
        return self._binary(o, lambda x, y: x - math.floor(x / y) * y if self.dtype.is_floating_point else x % y)

    __mod__ = remainder

    def __neg__(self):
        return Tensor._new(self._shape, self.dtype, self.device, [None if v is None else -v for v in self._rows()])

    def _compare(self, o, fn):
        return self._binary(o, lambda x, y: bool(fn(x, y)), D.bool_)

    def eq(self, o):
        return self._compare(o, operator.eq)

    def ne(self, o):
        return self._binary(o, lambda x, y: x != y, D.bool_)

    __eq__ = eq
    __ne__ = ne

    def __lt__(self, o):
        return self._compare(o, operator.lt)

    def __le__(self, o):
        return self._compare(o, operator.le)

    def __gt__(self, o):
        return self._compare(o, operator.gt)

    def __ge__(self, o):
        return self._compare(o, operator.ge)

    __hash__ = object.__hash__

    def all(self):
        ok = all(v is not None and bool(v) for v in self._rows()) if self.numel() else True
        return Tensor._new((), D.bool_, self.device, [ok])

    def any(self):
        ok = any(v is not None and bool(v) for v in self._rows()) if self.numel() else False
        return Tensor._new((), D.bool_, self.device, [ok])

    def sum(self):
        per = _prod(self._shape[1:]) if self._shape else 1
        rows = self._rows()
        total = None if any(v is None for v in rows) else _sum(v * per for v in rows)
        return Tensor._new((), self.dtype if self.dtype.is_floating_point else D.int64, self.device, [total])

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __repr__(self):
        rows = self._rows()
        preview = ", ".join("?" if v is None else repr(v) for v in rows[:6]) + (", ..." if len(rows) > 6 else "")
        return "tensor(<%s rows: %s>, shape=%s, device='%s', dtype=%r)" % (len(rows), preview, list(self._shape), self.device, self.dtype)


def _scalar(v):
    if isinstance(v, Tensor):
        return v.item()
    if isinstance(v, bool):
        return v
    return v


def _as_tensor(v, like):
    if isinstance(v, Tensor):
        return v
    return Tensor._new((), like.dtype, like.device, [v])


def _result_dtype(a, b):
    if isinstance(b, Tensor):
        if a.dtype.is_floating_point or not b.dtype.is_floating_point:
            return a.dtype
        return b.dtype
    if isinstance(b, float) and not a.dtype.is_floating_point:
        return D.float32
    return a.dtype


def _broadcast_shape(a, b):
    a, b = tuple(a), tuple(b)
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a
    b = (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise RuntimeError("The size of tensor a (%d) must match the size of tensor b (%d)" % (x, y))
        out.append(max(x, y))
    return Size(out)


def _broadcast_rows(t, shape):
    """t's row values broadcast to `shape` (first dims must line up or t has one row)."""
    rows = t._rows()
    n = shape[0] if shape else 1
    t_first = (1,) * (len(shape) - len(t._shape)) + tuple(t._shape)
    if not shape or (t_first and t_first[0] == n):
        return list(rows) if len(rows) == n else [rows[0]] * n
    if len(rows) == 1 or len(set(rows)) == 1:
        return [rows[0]] * n
    # t varies along a dimension that is not the first of `shape`: its value per row is not single.
    return [None] * n


def _infer_shape(shape, numel, raw=None):
    dims = list(shape)
    if -1 in dims:
        known = _prod(d for d in dims if d != -1)
        dims[dims.index(-1)] = numel // known if known else 0
    if _prod(dims) != numel:
        raise RuntimeError("shape '%s' is invalid for input of size %d" % (list(raw or shape), numel))
    return Size(dims)


class _TypedTensorMeta(type):
    """torch.LongTensor and friends: the legacy CPU tensor types, an isinstance test on dtype and device."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype.name == cls._dtype_name and obj.device.type == "cpu"


LongTensor = _TypedTensorMeta("LongTensor", (Tensor,), {"_dtype_name": "int64"})
FloatTensor = _TypedTensorMeta("FloatTensor", (Tensor,), {"_dtype_name": "float32"})
BoolTensor = _TypedTensorMeta("BoolTensor", (Tensor,), {"_dtype_name": "bool"})
