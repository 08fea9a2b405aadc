"""UCX's log stream (UCX_LOG_FILE) for the emulated NIXL: written through the emulated libucs
(ucs_log.c, built once per source with the system C compiler and loaded as libucs-<hash>.so.0),
so the log is fully buffered and reaches the disk on ucs_log_flush(), at exit, or when a buffer
fills, as real UCX's does; a script flushes it exactly as it would the real one."""
import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

from . import node as simnode


class UcsLog(object):
    """UCX's log stream (UCX_LOG_FILE) in the emulated libucs (ucs_log.c, compiled once per
    source with the system C compiler), so the log is buffered and flushed as real UCX's is. Without
    a compiler: plain appends, flushed at once (looser than UCX; the sim says so on stderr)."""

    _lib = None

    def __init__(self, target):
        self.slot = -1
        self.path = target.replace("%p", str(os.getpid())).replace("%h", simnode.current_node_name() or "sim") if target else ""
        try:
            if UcsLog._lib is None:
                UcsLog._lib = ctypes.CDLL(build_libucs())
            if self.path:
                self.slot = UcsLog._lib.pdflow_sim_ucs_log_open(self.path.encode())
        except (OSError, subprocess.SubprocessError) as e:
            sys.stderr.write("pdflow sim: no emulated libucs (%s); UCX's log is written unbuffered\n" % e)

    def print(self, line):
        if UcsLog._lib is not None and (self.slot >= 0 or not self.path):
            UcsLog._lib.pdflow_sim_ucs_log_print(self.slot, line.encode())
        elif self.path:
            with open(self.path, "a") as f:
                f.write(line + "\n")
        else:
            os.write(1, (line + "\n").encode())


_STREAMS = {}


def stream():
    """The log stream of this process's UCX (one per UCX_LOG_FILE: see ucs_log.c)."""
    target = os.environ.get("UCX_LOG_FILE", "")
    if target not in _STREAMS:
        _STREAMS[target] = UcsLog(target)
    return _STREAMS[target]


def build_libucs():
    """libucs-<hash>.so.0 built from ucs_log.c into a per-user cache (atomic rename)."""
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ucs_log.c")
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:8]
    cache = os.path.join(tempfile.gettempdir(), "pdflow-sim-libucs-%d" % os.getuid())
    out = os.path.join(cache, "libucs-%s.so.0" % digest)
    if not os.path.isfile(out):
        os.makedirs(cache, exist_ok=True)
        tmp = "%s.%d.tmp" % (out, os.getpid())
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        if not cc:
            raise OSError("no C compiler (cc) on PATH")
        subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", tmp, src], check=True, capture_output=True, timeout=120)
        os.replace(tmp, out)
    return out
