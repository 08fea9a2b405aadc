"""Emulated nixl._bindings (NIXL 0.6.1's pybind11 module): the exception classes, constants,
descriptor-list and telemetry types the python API uses. The real module raises TypeError for an
argument of the wrong type (pybind11's "incompatible function arguments"), e.g. the None that
get_reg_descs returns for tuples of the wrong arity; require() does the same."""

NIXL_INIT_AGENT = ""
DEFAULT_COMM_PORT = 8888


class nixlNotPostedError(Exception):
    pass


class nixlInvalidParamError(Exception):
    pass


class nixlBackendError(Exception):
    pass


class nixlNotFoundError(Exception):
    pass


class nixlMismatchError(Exception):
    pass


class nixlNotAllowedError(Exception):
    pass


class nixlRepostActiveError(Exception):
    pass


class nixlUnknownError(Exception):
    pass


class nixlNotSupportedError(Exception):
    pass


class nixlRemoteDisconnectError(Exception):
    pass


class nixlCancelledError(Exception):
    pass


class nixlNoTelemetryError(Exception):
    pass


class _DList(object):
    def __init__(self, mem_type, descs):
        self.mem_type = mem_type
        self.descs = [tuple(d) for d in descs]

    def __len__(self):
        return len(self.descs)

    def __getitem__(self, i):
        return self.descs[i]

    def descCount(self):
        return len(self.descs)

    def getType(self):
        return self.mem_type


class nixlXferDList(_DList):
    """(addr, len, devid) descriptors of one memory type."""


class nixlRegDList(_DList):
    """(addr, len, devid, meta) descriptors of one memory type."""


class nixlXferTelemetry(object):
    def __init__(self, start_time=0, post_us=0, xfer_us=0, total_bytes=0, desc_count=0):
        self.startTime = int(start_time)
        self.postDuration = int(post_us)
        self.xferDuration = int(xfer_us)
        self.totalBytes = int(total_bytes)
        self.descCount = int(desc_count)


def require(value, cls, function):
    if not isinstance(value, cls):
        raise TypeError("%s(): incompatible function arguments: expected %s, got %s"
                        % (function, cls.__name__, type(value).__name__))
