"""dtypes of the emulated torch, with the rounding each applies to stored values."""
import builtins
import math
import struct

_float = builtins.float
_int_ = builtins.int


class dtype(object):
    def __init__(self, name, itemsize, is_floating_point, rounder):
        self.name = name
        self.itemsize = itemsize
        self.is_floating_point = is_floating_point
        self._round = rounder

    def __repr__(self):
        return "torch." + self.name

    def round(self, v):
        return self._round(v)


def _half(v):
    v = _float(v)
    if math.isnan(v) or math.isinf(v):
        return v
    try:
        return struct.unpack("<e", struct.pack("<e", v))[0]
    except OverflowError:
        return math.copysign(math.inf, v)


def _bf16(v):
    v = _float(v)
    if math.isnan(v) or math.isinf(v):
        return v
    bits = struct.unpack("<I", struct.pack("<f", v))[0]
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000  # round to nearest even
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def _f32(v):
    v = _float(v)
    try:
        return struct.unpack("<f", struct.pack("<f", v))[0]
    except OverflowError:
        return math.copysign(math.inf, v)


def _int(v):
    return _int_(v)


float16 = half = dtype("float16", 2, True, _half)
bfloat16 = dtype("bfloat16", 2, True, _bf16)
float32 = float = dtype("float32", 4, True, _f32)
float64 = double = dtype("float64", 8, True, _float)
int8 = dtype("int8", 1, False, _int)
uint8 = dtype("uint8", 1, False, _int)
int16 = dtype("int16", 2, False, _int)
int32 = int = dtype("int32", 4, False, _int)
int64 = long = dtype("int64", 8, False, _int)
bool_ = dtype("bool", 1, False, lambda v: bool(v))
# What transformers/safetensors map at import (torch >= 2.3's unsigned ints, 2.8's float8/float4);
# values are kept as given (no tensor of these is ever computed on).
uint16 = dtype("uint16", 2, False, _int)
uint32 = dtype("uint32", 4, False, _int)
uint64 = dtype("uint64", 8, False, _int)
float8_e4m3fn = dtype("float8_e4m3fn", 1, True, _float)
float8_e5m2 = dtype("float8_e5m2", 1, True, _float)
float8_e8m0fnu = dtype("float8_e8m0fnu", 1, True, _float)
float4_e2m1fn_x2 = dtype("float4_e2m1fn_x2", 1, True, _float)
