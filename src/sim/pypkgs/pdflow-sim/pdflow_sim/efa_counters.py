"""The EFA hardware counters of a simulated node's fake sysfs
(<state>/sysfs/sys/class/infiniband/<dev>/ports/1/hw_counters/{rx,tx}_bytes, made by
src/sim/gpu/hardware.ts), grown by the bytes emulated transfers move between nodes over EFA: the
NIXL transfer test and the KV traffic of a pd-spread benchmark. The bytes of one call are spread
evenly over the node's devices (UCX and libfabric stripe across rails). Updates hold a lock and
replace each file atomically, so a reader never sees a half-written number."""
import fcntl
import os

from . import node as simnode

# Transports that go over EFA devices (tcp goes over the ENA interface, cuda_ipc over NVLink).
EFA_TRANSPORTS = ("srd", "ud_verbs", "efa")
# The requester's side of a one-sided READ or WRITE: request and completion packets, per data byte.
CONTROL_SHARE = 0.004


def _ib_dir(node):
    state = simnode.state_dir_of(node)
    return os.path.join(state, "sysfs", "sys", "class", "infiniband") if state else ""


def devices(node):
    d = _ib_dir(node)
    try:
        return sorted(n for n in os.listdir(d) if os.path.isfile(os.path.join(d, n, "ports", "1", "hw_counters", "rx_bytes")))
    except OSError:
        return []


def _bump(path, delta):
    try:
        with open(path) as f:
            value = int(f.read().strip() or "0")
    except (OSError, ValueError):
        value = 0
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write("%d\n" % (value + delta))
    os.replace(tmp, path)


def add(node, rx=0, tx=0):
    """Adds rx/tx bytes to the counters of `node`'s EFA devices; nothing on a node without any."""
    rx, tx = int(max(0, rx)), int(max(0, tx))
    names = devices(node)
    if not names or (rx == 0 and tx == 0):
        return
    base = _ib_dir(node)
    with open(os.path.join(os.path.dirname(base), ".efa-counters.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for i, name in enumerate(names):
            counters = os.path.join(base, name, "ports", "1", "hw_counters")
            for key, total in (("rx_bytes", rx), ("tx_bytes", tx)):
                share = total // len(names) + (1 if i < total % len(names) else 0)
                if share:
                    _bump(os.path.join(counters, key), share)


def add_transfer(transport, local, remote, nbytes, op="READ", control=None):
    """The counters a one-sided transfer of `nbytes` between two nodes moves: a READ brings the bytes
    from `remote` to `local`, a WRITE takes them the other way; the requester's control packets go
    the opposite way (requests, acknowledgements). Nothing when the transport is not EFA or both
    ends share a node. `control`: those packets' bytes when the caller counts them (default a share of nbytes)."""
    if transport not in EFA_TRANSPORTS or not local or local == remote:
        return
    nbytes = max(0, int(nbytes))
    control = int(nbytes * CONTROL_SHARE) if control is None else int(control)
    if nbytes == 0 and control <= 0:
        return
    src, dst = (remote, local) if str(op).upper() == "READ" else (local, remote)
    add(src, rx=control, tx=nbytes)
    add(dst, rx=nbytes, tx=control)
