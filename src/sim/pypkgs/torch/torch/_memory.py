"""Device memory of the emulated torch: fake addresses, per-device accounting, and an address
registry (the emulated nixl finds the tensor behind a registered address through it)."""
import bisect
import os
import weakref

_ALIGN = 512
_BASE = 0x7F0000000000
_DEVICE_SPAN = 1 << 40


class Storage(object):
    """One allocation: `rows` values, one per first-dim row of the tensor that allocated it
    (None: uninitialised). row_bytes = bytes of one such row."""

    __slots__ = ("addr", "nbytes", "row_bytes", "rows", "device", "__weakref__")

    def __init__(self, addr, nbytes, row_bytes, rows, device):
        self.addr, self.nbytes, self.row_bytes, self.rows, self.device = addr, nbytes, row_bytes, rows, device


_next = {}
_used = {}
_by_addr = []  # sorted [(addr, storage)]


def capacity_bytes():
    try:
        from pdflow_sim import node

        hw = node.hardware(node.current_node_name())
        return int(hw.get("memoryMiB", 81559)) * 1024 * 1024
    except Exception:  # noqa: BLE001
        return 81559 * 1024 * 1024


def allocate(device, nbytes, row_bytes, rows):
    from . import cuda

    index = device.index if device.index is not None else 0
    if device.type == "cuda":
        used = _used.get(index, 0)
        cap = capacity_bytes()
        if used + nbytes > cap:
            raise cuda.OutOfMemoryError(
                "CUDA out of memory. Tried to allocate %.2f GiB. GPU %d has a total capacity of %.2f GiB of which %.2f GiB is free."
                % (nbytes / 2**30, index, cap / 2**30, (cap - used) / 2**30))
        _used[index] = used + nbytes
        base = _BASE + (index + 1) * _DEVICE_SPAN
    else:
        base = _BASE  # host memory
        index = -1
    addr = _next.get(index, base + (os.getpid() % 4096) * (1 << 28))
    _next[index] = addr + ((max(nbytes, 1) + _ALIGN - 1) // _ALIGN) * _ALIGN
    s = Storage(addr, nbytes, row_bytes, rows, device)
    entry = (addr, id(s), weakref.ref(s))
    bisect.insort(_by_addr, entry)
    # Memory goes back when the last tensor using the storage is gone, as with the caching allocator.
    weakref.finalize(s, _release, index if device.type == "cuda" else None, nbytes, entry)
    return s


def _release(index, nbytes, entry):
    if index is not None:
        _used[index] = max(0, _used.get(index, 0) - nbytes)
    i = bisect.bisect_left(_by_addr, entry[:2])
    while i < len(_by_addr) and _by_addr[i][:2] == entry[:2]:
        if _by_addr[i] is entry:
            del _by_addr[i]
            break
        i += 1


def allocated(index):
    return _used.get(index, 0)


def find(addr):
    """(storage, byte offset) of the live allocation containing `addr`, else (None, 0)."""
    i = bisect.bisect_right(_by_addr, (addr, float("inf"))) - 1
    while i >= 0:
        a, _, ref = _by_addr[i]
        s = ref()
        if s is not None and a <= addr < a + max(s.nbytes, 1):
            return s, addr - a
        i -= 1
        if s is not None and a + s.nbytes <= addr:
            break
    return None, 0
