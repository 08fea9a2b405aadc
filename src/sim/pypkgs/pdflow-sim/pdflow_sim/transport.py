"""Which transport a NIXL transfer (or a deployment's KV path) uses between two simulated nodes,
decided like UCX would: what UCX_TLS allows, what the installed UCX offers on both nodes
(`ucx_info -d` on that node: srd only when UCX was built with EFA), and whether the peers share
a node (cuda_ipc). Without an installed UCX the NIXL wheel's bundled one is assumed: no srd, so
EFA traffic falls back to ud_verbs (docs/node-facts.md)."""
import importlib.util
import json
import os
import re
import shutil
import subprocess

from . import node as simnode

# UCX_TLS aliases (UCX expands these names to transport families).
ALIASES = {
    "all": None,
    "ud": {"ud_verbs", "ud_mlx5", "ud_x"},
    "ud_x": {"ud_verbs", "ud_mlx5"},
    "rc": {"rc_verbs", "rc_mlx5", "rc_x"},
    "rc_x": {"rc_mlx5"},
    "dc": {"dc_mlx5", "dc_x"},
    "srd_x": {"srd"},
    "sm": {"posix", "sysv", "cma", "knem", "xpmem"},
    "shm": {"posix", "sysv", "cma", "knem", "xpmem"},
    "cuda": {"cuda_copy", "cuda_ipc", "gdr_copy"},
}
BUNDLED_UCX = {"ud_verbs", "tcp", "cuda_ipc", "cuda_copy", "posix", "sysv", "self", "cma"}


class NoTransport(RuntimeError):
    pass


def allowed_by_tls(name, ucx_tls):
    """Whether UCX_TLS (e.g. "all", "tcp,cuda_copy", "^cuda_ipc") lets UCX use transport `name`."""
    spec = (ucx_tls or "all").strip()
    negate = spec.startswith("^")
    items = [t.strip().lower() for t in spec.lstrip("^").split(",") if t.strip()]
    hit = False
    for item in items:
        if item == "all":
            hit = True
        elif item == name or name in (ALIASES.get(item) or ()):
            hit = True
    return not hit if negate else hit


_UCX_CACHE = {}


def nixl_build_info():
    """What the installed (emulated) NIXL bindings were built against: nixl/_sim_build.json
    ({"ucxPath", "ucxVersion", "plugins"}), {} for a NIXL without that record."""
    try:
        spec = importlib.util.find_spec("nixl")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return {}
    for d in spec.submodule_search_locations:
        f = os.path.join(d, "_sim_build.json")
        if os.path.isfile(f):
            try:
                with open(f) as fh:
                    return json.load(fh)
            except (OSError, ValueError):
                return {}
    return {}


def _ucx_info_path(node_name, env):
    """The ucx_info of the UCX NIXL was built against, as installed on `node_name`."""
    ucx_path = nixl_build_info().get("ucxPath")
    candidates = []
    if ucx_path:
        candidates.append(os.path.join(simnode.path_on_node(ucx_path, node_name), "bin", "ucx_info"))
    else:
        candidates.append(shutil.which("ucx_info", path=env.get("PATH", "")))
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def ucx_transports(node_name):
    """Transports `ucx_info -d` lists on the node, or None when NIXL uses its bundled UCX
    (built without -Ducx_path, or that UCX is not installed on the node)."""
    if node_name in _UCX_CACHE:
        return _UCX_CACHE[node_name]
    env = simnode.node_env(node_name)
    exe = _ucx_info_path(node_name, env)
    found = None
    if exe:
        try:
            out = subprocess.run([exe, "-d"], env=env, capture_output=True, text=True, timeout=30)
            if out.returncode == 0:
                found = set(re.findall(r"Transport:\s*(\S+)", out.stdout))
        except (OSError, subprocess.SubprocessError):
            found = None
    _UCX_CACHE[node_name] = found
    return found


def _efa(node_name):
    hw = simnode.hardware(node_name)
    return int(hw.get("efaDevices", 0)) > 0


def available(node_name):
    found = ucx_transports(node_name)
    if found is None:
        found = set(BUNDLED_UCX)
        if not _efa(node_name):
            found.discard("ud_verbs")
    return found


def select(backend, local, remote, ucx_tls=None):
    """Transport name for a transfer between nodes `local` and `remote` with NIXL `backend`."""
    backend = (backend or "UCX").upper()
    if backend == "LIBFABRIC":
        if _efa(local) and _efa(remote):
            return "efa"
        if local == remote:
            return "efa"
        raise NoTransport("libfabric: no EFA provider on %s" % (local if not _efa(local) else remote))
    if backend not in ("UCX", "UCX_MO"):
        raise NoTransport("backend %s cannot move VRAM between GPUs" % backend)
    tls = ucx_tls if ucx_tls is not None else os.environ.get("UCX_TLS")
    if local == remote and allowed_by_tls("cuda_ipc", tls) and "cuda_ipc" in available(local):
        return "cuda_ipc"
    both = available(local) & available(remote)
    for name in ("srd", "ud_verbs", "tcp"):
        if name in both and allowed_by_tls(name, tls):
            return name
    raise NoTransport("UCX found no transport between %s and %s with UCX_TLS=%s (available on both: %s)"
                      % (local, remote, tls or "all", ", ".join(sorted(both)) or "none"))


def device_of(transport, node_name):
    """A device label as UCX prints it after the transport, e.g. srd/rdmap79s0:1."""
    if transport in ("srd", "ud_verbs", "efa"):
        return "rdmap79s0:1"
    if transport == "tcp":
        return "ens32"
    if transport == "cuda_ipc":
        return "cuda"
    return "memory"


def proto_info_lines(transport, local, remote, host_label, pid):
    """Lines shaped like UCX_PROTO_INFO=y's protocol table for the GPU-memory READ path."""
    import time

    where = "intra-node" if local == remote else "inter-node"
    dev = "%s/%s" % ("srd" if transport == "efa" else transport, device_of(transport, remote))
    prefix = "[%.6f] [%s:%d:0]   " % (time.time(), host_label, pid)
    bar = "+---------------------------------+--------------------------------------------------------+"
    rows = [
        bar,
        "| ucp_context_0 %-10s cfg#1 | remote memory read by ucp_get* from cuda memory        |" % where,
        bar,
        "|                            0..8K | copy-in                                 | cuda_copy/cuda |",
        "|                          8K..inf | zero-copy                               | %-14s |" % dev,
        bar,
    ]
    return [prefix + r for r in rows]
