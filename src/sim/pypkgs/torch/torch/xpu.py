"""torch.xpu of the emulated torch (a CUDA build): no Intel GPU."""


def is_available():
    return False


def device_count():
    return 0
