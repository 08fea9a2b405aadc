"""torch.cuda of the emulated torch: the GPUs of the simulated node this code runs on.

Device count: CUDA_VISIBLE_DEVICES when set (Ray sets it for actors), else the node's
hardware.json. Inside an emulated Ray actor the node is where the actor was placed."""
import os

from . import _memory


class OutOfMemoryError(RuntimeError):
    pass


_current = {"index": 0}


def _node_gpus():
    try:
        from pdflow_sim import node

        return int(node.hardware(node.current_node_name()).get("gpus", 0))
    except Exception:  # noqa: BLE001
        return 0


def _visible():
    """Physical GPU indices this process may use."""
    total = _node_gpus()
    cvd = os.environ.get("CUDA_VISIBLE_DEVICES")
    if cvd is None:
        return list(range(total))
    out = []
    for tok in cvd.split(","):
        tok = tok.strip()
        if not tok:
            continue
        if not tok.isdigit() or int(tok) >= total:
            break  # CUDA stops at the first invalid entry
        out.append(int(tok))
    return out


def is_available():
    return device_count() > 0


def device_count():
    return len(_visible())


def is_initialized():
    return True


def init():
    if not is_available():
        raise RuntimeError("No CUDA GPUs are available")


def current_device():
    return _current["index"]


def set_device(dev):
    from ._tensor import device

    index = dev if isinstance(dev, int) else (device(dev).index or 0)
    if index < 0 or index >= device_count():
        raise RuntimeError("CUDA error: invalid device ordinal")
    _current["index"] = index


def physical_index(index=None):
    """The node GPU behind logical device `index` (after CUDA_VISIBLE_DEVICES)."""
    vis = _visible()
    i = current_device() if index is None else index
    return vis[i] if i < len(vis) else i


def get_device_name(dev=None):
    try:
        from pdflow_sim import node

        return node.hardware(node.current_node_name()).get("gpuModel", "NVIDIA H100 80GB HBM3")
    except Exception:  # noqa: BLE001
        return "NVIDIA H100 80GB HBM3"


class _Props(object):
    def __init__(self, index):
        self.name = get_device_name(index)
        self.total_memory = _memory.capacity_bytes()
        self.major, self.minor = 9, 0
        self.multi_processor_count = 132

    def __repr__(self):
        return "_CudaDeviceProperties(name='%s', major=9, minor=0, total_memory=%dMB, multi_processor_count=132)" % (
            self.name, self.total_memory // 2**20)


def get_device_properties(dev=None):
    return _Props(dev)


def get_device_capability(dev=None):
    return (9, 0)


def mem_get_info(dev=None):
    index = current_device() if dev is None else (dev if isinstance(dev, int) else 0)
    total = _memory.capacity_bytes()
    return (total - _memory.allocated(index), total)


def memory_allocated(dev=None):
    return _memory.allocated(current_device() if dev is None else dev)


def synchronize(dev=None):
    return None


def empty_cache():
    return None


def manual_seed(seed):
    return None


def manual_seed_all(seed):
    return None
