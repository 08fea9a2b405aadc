"""vllm.platforms.current_platform: an emulated CUDA platform (H100 capability 9.0)."""
import functools
from collections import namedtuple

DeviceCapability = namedtuple("DeviceCapability", ["major", "minor"])


class _CudaPlatform(object):
    device_name = "cuda"
    device_type = "cuda"

    @functools.lru_cache(maxsize=8)
    def get_device_capability(self, device_id=0):
        return DeviceCapability(9, 0)

    def is_cuda(self):
        return True

    def get_device_name(self, device_id=0):
        return "NVIDIA H100 80GB HBM3"


current_platform = _CudaPlatform()
