"""Emulated nixl._api (NIXL 0.6.1's python API, held to the real wheel by
test/conformance/nixl.test.ts: the same calls succeed and the same wrong calls raise the same
exception classes).

Memory is the emulated torch's (no element data; one value per block row) or, between two
agents of one process, real host memory (DRAM, copied byte for byte). A READ copies the remote
agent's block values, which travel inside its metadata, into the local tensors when the transfer
completes. Duration comes from the pdflow performance model for the transport UCX would pick
between the two nodes (pdflow_sim.transport), scaled by PDFLOW_SIM_TIME_SCALE; telemetry reports
the unscaled (modelled) duration, so MB/s look like the real hardware's."""
import bisect
import ctypes
import json
import logging
import os
import sys
import time
import zlib

from pdflow_sim import efa_counters
from pdflow_sim import node as simnode
from pdflow_sim import perf_model
from pdflow_sim import transport as simtransport
from pdflow_sim import ucs_log

from nixl import _bindings as nixlBind
from nixl._bindings import (  # noqa: F401 - the real module's names
    nixlInvalidParamError, nixlMismatchError, nixlNoTelemetryError, nixlNotFoundError, nixlXferTelemetry)

DEFAULT_COMM_PORT = nixlBind.DEFAULT_COMM_PORT
_MAGIC = b"NIXLSIM1"

logger = logging.getLogger("nixl")
if not logger.handlers:
    _h = logging.StreamHandler(sys.stdout)
    _h.setFormatter(logging.Formatter("%(asctime)s NIXL %(levelname)-7s %(filename)s:%(lineno)d %(message)s",
                                      "%Y-%m-%d %H:%M:%S"))
    logger.addHandler(_h)
    logger.setLevel(logging.INFO)
    logger.propagate = False


class _handle(object):
    """A handle into one of the agent's tables (the real module has one class per kind)."""
    __slots__ = ("_handle", "_agent", "_released")
    _table = ""

    def __init__(self, agent, value):
        self._handle = int(value)
        self._agent = agent
        self._released = False

    def __repr__(self):
        return "%s(0x%x, released=%s)" % (type(self).__name__, self._handle, self._released)

    def release(self):
        if not self._released:
            getattr(self._agent, self._table).pop(self._handle, None)
            self._released = True


class nixl_prepped_dlist_handle(_handle):
    __slots__ = ()
    _table = "_dlists"


class nixl_xfer_handle(_handle):
    __slots__ = ()
    _table = "_xfers"


class nixl_agent_config(object):
    def __init__(self, enable_prog_thread=True, enable_listen_thread=False, listen_port=0, capture_telemetry=False,
                 num_threads=0, backends=["UCX"]):  # noqa: B006 - the real default
        self.backends = backends
        self.enable_pthread = enable_prog_thread
        self.enable_listen = enable_listen_thread
        self.port = listen_port
        self.capture_telemetry = capture_telemetry
        self.num_threads = num_threads


def _is_tensor(x):
    return hasattr(x, "data_ptr") and hasattr(x, "element_size")


def _is_ndarray(x):
    return type(x).__module__ == "numpy" and type(x).__name__ == "ndarray"


def _tensor_desc(t, with_tag):
    dev = getattr(getattr(t, "device", None), "index", None)
    return (t.data_ptr(), t.numel() * t.element_size(), 0 if dev is None else dev) + (("",) if with_tag else ())


def _merge(pairs, local_starts, remote_starts):
    """NIXL merges descriptors that are contiguous on both sides inside one registered region
    (unless skip_desc_merge): the transfer test's blocks of one region become one descriptor
    (telemetry's descCount)."""
    out = []
    for (la, ln, ld), (ra, rn, rd) in pairs:
        if out and la not in local_starts and ra not in remote_starts:
            (pla, pln, pld), (pra, prn, prd) = out[-1]
            if ld == pld and rd == prd and pla + pln == la and pra + prn == ra and ln == rn and pln == prn:
                out[-1] = ((pla, pln + ln, pld), (pra, prn + rn, prd))
                continue
        out.append(((la, ln, ld), (ra, rn, rd)))
    return out


def _check_registered(dlist, regions, owner):
    """Every descriptor inside one region registered with the same memory type (the real
    prepXferDlist: NIXL_ERR_NOT_FOUND otherwise)."""
    spans = sorted((r["addr"], r["addr"] + r["len"], r["memType"]) for r in regions)
    starts = [s[0] for s in spans]
    last = None
    for addr, length, _dev in dlist.descs:
        if last is not None and last[0] <= addr and addr + length <= last[1]:
            continue  # most lists walk one region block by block
        i = bisect.bisect_right(starts, addr) - 1
        span = spans[i] if i >= 0 else None
        if span is None or addr + length > span[1] or span[2] != dlist.mem_type:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: no %s memory of agent %s registered at 0x%x (+%d)"
                                    % (dlist.mem_type, owner, addr, length))
        last = span


def _on(value):
    return str(value).strip().lower() in ("1", "y", "yes", "on", "true")


class nixl_agent(object):
    def __init__(self, agent_name, nixl_conf=None, instantiate_all=False):
        if nixl_conf and instantiate_all:
            instantiate_all = False
            logger.warning("Ignoring instantiate_all based on the provided config in agent creation.")
        if not nixl_conf:
            nixl_conf = nixl_agent_config()
        self._time_factor = simnode.begin("nixl", library=True)
        self.name = agent_name
        self.conf = nixl_conf
        self.node = simnode.current_node_name()
        n = simnode.node_by_name(self.node) or {}
        self.host = n.get("host", "127.0.0.1")
        built = simtransport.nixl_build_info().get("plugins")
        if built:
            # The plugins the NIXL build found, e.g. no LIBFABRIC without libfabric.
            self.plugin_list = [str(p).upper() for p in built]
        else:
            hw = simnode.hardware(self.node)
            self.plugin_list = ["UCX", "UCX_MO", "POSIX", "GDS", "GDS_MT"]
            if hw.get("libfabric", int(hw.get("efaDevices", 0)) > 0):
                self.plugin_list.insert(2, "LIBFABRIC")
        self.notifs = {}
        self.backends = {}
        self.backend_mems = {}
        self.backend_options = {}
        self.plugin_b_options = {p: {} for p in self.plugin_list}
        self.plugin_mem_types = {p: ["DRAM", "VRAM"] for p in self.plugin_list}
        self._regions = []
        self._dlists = {}
        self._xfers = {}
        self._remotes = {}
        self._next = 1
        self._proto_printed = set()
        if instantiate_all:
            nixl_conf.backends = self.plugin_list
        for bknd in nixl_conf.backends:
            if bknd not in self.plugin_list:
                logger.warning("Skipping backend registration %s due to the missing plugin.", bknd)
            else:
                self.create_backend(bknd, {})
        self.nixl_mems = {"DRAM": "DRAM", "VRAM": "VRAM", "FILE": "FILE", "BLOCK": "BLOCK", "OBJ": "OBJ",
                          "cpu": "DRAM", "cuda": "VRAM"}
        self.nixl_ops = {"WRITE": "WRITE", "READ": "READ"}
        logger.info("Initialized NIXL agent: %s", agent_name)

    # -- backends -----------------------------------------------------------------------------
    def get_plugin_list(self):
        return self.plugin_list

    def get_plugin_mem_types(self, backend):
        if backend in self.plugin_mem_types:
            return self.plugin_mem_types[backend]
        logger.warning("Plugin %s is not available", backend)
        return []

    def get_plugin_params(self, backend):
        if backend in self.plugin_b_options:
            return self.plugin_b_options[backend]
        logger.warning("Plugin %s is not available", backend)
        return {}

    def get_backend_mem_types(self, backend):
        if backend in self.backend_mems:
            return self.backend_mems[backend]
        logger.warning("Backend %s not initialized", backend)
        return []

    def get_backend_params(self, backend):
        if backend in self.backend_options:
            return self.backend_options[backend]
        logger.warning("Backend %s not initialized", backend)
        return {}

    def create_backend(self, backend, initParams={}):  # noqa: B006 - the real default
        if backend not in self.plugin_list:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: backend %s has no plugin on this node (plugins: %s)"
                                    % (backend, ", ".join(self.plugin_list)))
        self.backends[backend] = self._handle()
        if backend in ("UCX", "UCX_MO"):
            ucs_log.stream()  # UCX opens UCX_LOG_FILE when it initialises
        self.backend_mems[backend] = ["DRAM_SEG", "VRAM_SEG"]
        self.backend_options[backend] = {}
        logger.info("Backend %s was instantiated", backend)

    def _backend_handles(self, backends):
        return [self.backends[b] for b in backends]  # KeyError for one not created, as the real API

    # -- descriptor lists ---------------------------------------------------------------------
    def get_xfer_descs(self, descs, mem_type=None):
        return self._descs(descs, mem_type, 3, nixlBind.nixlXferDList, nixlBind.nixlRegDList)

    def get_reg_descs(self, descs, mem_type=None):
        return self._descs(descs, mem_type, 4, nixlBind.nixlRegDList, nixlBind.nixlXferDList)

    def _descs(self, descs, mem_type, arity, kind, other):
        """The real API's rules: tuples of `arity` (3 for transfers, 4 for registration) with a
        mandatory memory type, an Nx3 array, a tensor or a list of tensors; anything else logs an
        error and gives None (which the next call refuses)."""
        what = "registration" if arity == 4 else "transfer"
        if isinstance(descs, kind):
            return descs
        if isinstance(descs, other):
            logger.error("%s type detected for %s, please use %s", other.__name__[4:], what, kind.__name__[4:])
            return None
        if _is_tensor(descs):
            mem = "cuda" if str(getattr(descs, "device", "cpu")).startswith("cuda") else "cpu"
            return kind(self.nixl_mems[mem], [_tensor_desc(descs, arity == 4)])
        if _is_ndarray(descs):
            if mem_type is not None and descs.ndim == 2 and descs.shape[1] == 3:
                rows = [tuple(int(v) for v in r) + (("",) if arity == 4 else ()) for r in descs.tolist()]
                return kind(self.nixl_mems[mem_type], rows)
            logger.error("Please specify a mem type if not using Tensors" if mem_type is None
                         else "Nx3 shape required for transfer descriptor list from numpy array")
            return None
        if isinstance(descs[0], tuple):
            if mem_type is not None and len(descs[0]) == arity:
                return kind(self.nixl_mems[mem_type], descs)
            logger.error("Please specify a mem type if not using Tensors" if mem_type is None
                         else "%d-tuple list needed for %s" % (arity, what))
            return None
        if _is_tensor(descs[0]):
            mem = "cuda" if str(getattr(descs[0], "device", "cpu")).startswith("cuda") else "cpu"
            return kind(self.nixl_mems[mem], [_tensor_desc(t, arity == 4) for t in descs])
        return None

    # -- memory -------------------------------------------------------------------------------
    def register_memory(self, reg_list, mem_type=None, backends=[]):  # noqa: B006 - the real default
        reg_descs = self.get_reg_descs(reg_list, mem_type)
        self._backend_handles(backends)
        nixlBind.require(reg_descs, nixlBind.nixlRegDList, "registerMem")
        mem = _torch_memory()
        for addr, length, dev, _tag in reg_descs.descs:
            storage, off = (mem.find(addr) if mem else (None, 0))
            if reg_descs.mem_type == "VRAM" and storage is None:
                raise nixlBind.nixlBackendError("NIXL_ERR_BACKEND: cannot register VRAM at 0x%x: not device memory of this process" % addr)
            self._regions.append({"addr": addr, "len": length, "dev": dev, "storage": storage, "offset": off,
                                  "memType": reg_descs.mem_type})
        return reg_descs

    def deregister_memory(self, dereg_list, backends=[]):  # noqa: B006 - the real default
        self._backend_handles(backends)
        nixlBind.require(dereg_list, nixlBind.nixlRegDList, "deregisterMem")
        addrs = {d[0] for d in dereg_list.descs}
        self._regions = [r for r in self._regions if r["addr"] not in addrs]

    def _region_export(self, r):
        s = r["storage"]
        out = {"addr": r["addr"], "len": r["len"], "dev": r["dev"], "memType": r["memType"], "rowBytes": 0, "rows": None}
        if s is None or not s.row_bytes or s.rows is None or r["offset"] % s.row_bytes:
            return out
        first = r["offset"] // s.row_bytes
        out.update(rowBytes=s.row_bytes, rows=s.rows[first:first + r["len"] // s.row_bytes])
        return out

    # -- metadata -----------------------------------------------------------------------------
    def get_agent_metadata(self):
        body = {"name": self.name, "node": self.node, "host": self.host, "backends": sorted(self.backends),
                "pid": os.getpid(), "regions": [self._region_export(r) for r in self._regions]}
        return _MAGIC + zlib.compress(json.dumps(body).encode(), 1)

    def add_remote_agent(self, metadata):
        data = bytes(metadata) if isinstance(metadata, (bytes, bytearray)) else b""
        if not data.startswith(_MAGIC):
            raise nixlMismatchError("NIXL_ERR_MISMATCH: failed to deserialize remote metadata")
        body = json.loads(zlib.decompress(data[len(_MAGIC):]).decode())
        body["regions"].sort(key=lambda r: r["addr"])
        self._remotes[body["name"]] = body
        return body["name"]

    def remove_remote_agent(self, agent):
        self._remotes.pop(agent, None)  # the real one accepts an unknown name

    def send_local_metadata(self, ip_addr="", port=DEFAULT_COMM_PORT):
        raise nixlBind.nixlNotSupportedError("emulated NIXL: metadata exchange through the listen thread is not emulated")

    def fetch_remote_metadata(self, remote_agent, ip_addr="", port=DEFAULT_COMM_PORT, label=""):
        raise nixlBind.nixlNotSupportedError("emulated NIXL: metadata exchange through the listen thread is not emulated")

    # -- descriptor lists and transfers --------------------------------------------------------
    def prep_xfer_dlist(self, agent_name, xfer_list, mem_type=None, backends=[]):  # noqa: B006 - the real default
        descs = self.get_xfer_descs(xfer_list, mem_type)
        local = agent_name in ("NIXL_INIT_AGENT", "")
        self._backend_handles(backends)
        nixlBind.require(descs, nixlBind.nixlXferDList, "prepXferDlist")
        if not local and agent_name != self.name and agent_name not in self._remotes:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: metadata for remote agent '%s' not found" % agent_name)
        regions = self._regions if local or agent_name == self.name else self._remotes[agent_name]["regions"]
        _check_registered(descs, regions, agent_name if not local else self.name)
        h = self._handle()
        self._dlists[h] = {"agent": self.name if local else agent_name, "descs": descs.descs}
        return nixl_prepped_dlist_handle(self, h)

    def release_dlist_handle(self, handle):
        handle.release()

    def _handle(self):
        h = self._next
        self._next += 1
        return h

    def make_prepped_xfer(self, operation, local_xfer_side, local_indices, remote_xfer_side, remote_indices,
                          notif_msg=b"", backends=[], skip_desc_merge=False):  # noqa: B006 - the real default
        op = self.nixl_ops[operation]
        self._backend_handles(backends)
        local = self._dlists.get(local_xfer_side._handle)
        remote = self._dlists.get(remote_xfer_side._handle)
        if local is None or remote is None:
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: released or unknown prepared descriptor list handle")
        li = [int(i) for i in local_indices]
        ri = [int(i) for i in remote_indices]
        if len(li) != len(ri):
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: different number of indices for local (%d), remote (%d)" % (len(li), len(ri)))
        for side, idx, dl in (("local", li, local), ("remote", ri, remote)):
            bad = [i for i in idx if i < 0 or i >= len(dl["descs"])]
            if bad:
                raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: %s index out of range with value %d" % (side, bad[0]))
        pairs = [(local["descs"][a], remote["descs"][b]) for a, b in zip(li, ri)]
        if not skip_desc_merge:
            peer = self._remotes.get(remote["agent"])
            remote_starts = {r["addr"] for r in peer["regions"]} if peer else {r["addr"] for r in self._regions}
            pairs = _merge(pairs, {r["addr"] for r in self._regions}, remote_starts)
        return nixl_xfer_handle(self, self._new_xfer(op, pairs, remote["agent"], notif_msg, backends))

    def initialize_xfer(self, operation, local_descs, remote_descs, remote_agent, notif_msg=b"", backends=[]):  # noqa: B006
        op = self.nixl_ops[operation]
        self._backend_handles(backends)
        nixlBind.require(local_descs, nixlBind.nixlXferDList, "createXferReq")
        nixlBind.require(remote_descs, nixlBind.nixlXferDList, "createXferReq")
        if len(local_descs) != len(remote_descs):
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: descriptor lists differ in length")
        if remote_agent not in self._remotes:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: remote agent %s is unknown" % remote_agent)
        pairs = list(zip(local_descs.descs, remote_descs.descs))
        return nixl_xfer_handle(self, self._new_xfer(op, pairs, remote_agent, notif_msg, backends))

    def _new_xfer(self, operation, pairs, remote_agent, notif_msg, backends):
        for ld, rd in pairs:
            if ld[1] != rd[1]:
                raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: descriptor lengths differ (%d vs %d)" % (ld[1], rd[1]))
        h = self._handle()
        self._xfers[h] = {"op": operation, "pairs": pairs, "remote": remote_agent, "notif": notif_msg,
                          "backend": (list(backends) or list(self.backends) or ["UCX"])[0], "state": "INIT",
                          "bytes": sum(ld[1] for ld, _ in pairs)}
        return h

    def _xfer(self, handle):
        x = self._xfers.get(handle._handle)
        if x is None:
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: released or unknown transfer handle")
        return x

    def transfer(self, handle, notif_msg=b""):
        x = self._xfer(handle)
        remote = self._remotes.get(x["remote"], {"node": self.node, "name": x["remote"]})
        t0 = time.time()
        try:
            tr = simtransport.select(x["backend"], self.node, remote["node"])
        except simtransport.NoTransport as e:
            sys.stderr.write("E%s nixl_ucx_backend.cpp] NIXL_ERR_BACKEND: %s\n" % (time.strftime("%m%d %H:%M:%S"), e))
            sys.stderr.flush()
            x["state"] = "ERR"
            return "ERR"
        x["transport"] = tr
        self._proto_info(x["backend"], tr, remote["node"])
        seconds = perf_model.transfer_seconds(x["bytes"], tr, seed=[self.name, x["remote"], handle._handle])
        if str(os.environ.get("NIXL_LOG_LEVEL", "")).upper() in ("DEBUG", "TRACE"):
            seconds *= 6.0  # DEBUG logging slows transfers 5-10x (docs/node-facts.md)
        x["post_us"] = 1500.0 + 0.02 * len(x["pairs"])
        x["xfer_us"] = seconds * 1e6
        x["start"] = t0
        x["done_at"] = t0 + seconds * self._time_factor
        x["state"] = "PROC"
        efa_counters.add_transfer(tr, self.node, remote["node"], x["bytes"], x["op"])  # what sysfs hw_counters show
        return "PROC"

    def check_xfer_state(self, handle):
        x = self._xfer(handle)
        if x["state"] == "PROC" and time.time() >= x["done_at"]:
            self._complete(x)
            x["state"] = "DONE"
        return x["state"] if x["state"] != "INIT" else "PROC"

    def get_xfer_telemetry(self, handle):
        if not (self.conf.capture_telemetry or _on(os.environ.get("NIXL_TELEMETRY_ENABLE", ""))):
            raise nixlNoTelemetryError("NIXL_ERR_NO_TELEMETRY: telemetry is off (set NIXL_TELEMETRY_ENABLE=1 or capture_telemetry)")
        x = self._xfer(handle)
        if x["state"] != "DONE":
            raise nixlBind.nixlNotPostedError("NIXL_ERR_NOT_POSTED: telemetry of a transfer that is not DONE")
        return nixlXferTelemetry(int(x["start"] * 1e6), x["post_us"], x["xfer_us"], x["bytes"], len(x["pairs"]))

    def query_xfer_backend(self, handle):
        return self._xfer(handle)["backend"]

    def release_xfer_handle(self, handle):
        handle.release()

    def send_notif(self, remote_agent_name, notif_msg, backend=None):
        if remote_agent_name not in self._remotes:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: remote agent %s is unknown" % remote_agent_name)

    def get_new_notifs(self, backends=[]):  # noqa: B006 - the real default
        self._backend_handles(backends)
        return {}

    def update_notifs(self, backends=[]):  # noqa: B006 - the real default
        self._backend_handles(backends)
        return self.notifs

    def check_remote_xfer_done(self, remote_agent_name, lookup_tag, backends=[], tag_is_prefix=True):  # noqa: B006
        self._backend_handles(backends)
        return False

    # -- data movement ------------------------------------------------------------------------
    def _complete(self, x):
        if x["op"] != "READ":
            return  # a WRITE lands in the peer's process, which this one cannot reach
        remote = self._remotes.get(x["remote"])
        if remote is None:
            return
        regions = remote["regions"]
        starts = [r["addr"] for r in regions]
        mem = _torch_memory()
        same_process = remote.get("pid") == os.getpid()
        for (laddr, length, _ldev), (raddr, _rlen, _rdev) in x["pairs"]:
            i = bisect.bisect_right(starts, raddr) - 1
            region = regions[i] if i >= 0 else None
            inside = region is not None and raddr + length <= region["addr"] + region["len"]
            storage, off = mem.find(laddr) if mem else (None, 0)
            if storage is None or not storage.row_bytes:
                # Host memory of two agents in one process: the bytes themselves.
                if same_process and inside and region.get("memType") == "DRAM" and self._is_local_dram(laddr, length):
                    ctypes.memmove(laddr, raddr, length)
                continue
            n = max(1, length // storage.row_bytes)
            first = off // storage.row_bytes
            if storage.rows is None:
                storage.rows = [None] * (storage.nbytes // storage.row_bytes)
            ok = (inside and region["rows"] is not None and region["rowBytes"] == storage.row_bytes
                  and off % storage.row_bytes == 0 and length % storage.row_bytes == 0
                  and (raddr - region["addr"]) % storage.row_bytes == 0)
            if ok:
                src = (raddr - region["addr"]) // storage.row_bytes
                storage.rows[first:first + n] = region["rows"][src:src + n]
            else:
                storage.rows[first:first + n] = [None] * n

    def _is_local_dram(self, addr, length):
        return any(r["memType"] == "DRAM" and r["addr"] <= addr and addr + length <= r["addr"] + r["len"] for r in self._regions)

    def _proto_info(self, backend, tr, remote_node):
        """UCX_PROTO_INFO=y: the READ protocol table, once per peer, into UCX's log stream."""
        if backend not in ("UCX", "UCX_MO") or not _on(os.environ.get("UCX_PROTO_INFO", "")):
            return
        if remote_node in self._proto_printed:
            return
        self._proto_printed.add(remote_node)
        label = "sim-%s" % self.node
        for line in simtransport.proto_info_lines(tr, self.node, remote_node, label, os.getpid()):
            ucs_log.stream().print(line)


def _torch_memory():
    mod = sys.modules.get("torch._memory")
    if mod is None:
        try:
            import torch._memory as mod  # noqa: F811
        except ImportError:
            return None
    return mod
