"""Emulated nixl._api (NIXL 0.6.1 python API, the subset vLLM's NixlConnector and the pdflow
transfer test use).

Memory is the emulated torch's (no element data; one value per block row). A READ copies the
remote agent's block values, which travel inside its metadata, into the local tensors when the
transfer completes. Duration comes from the pdflow performance model for the transport UCX would
pick between the two nodes (pdflow_sim.transport), scaled by PDFLOW_SIM_TIME_SCALE; telemetry
reports the unscaled (modelled) duration, so MB/s look like the real hardware's."""
import json
import os
import sys
import time
import zlib

from pdflow_sim import node as simnode
from pdflow_sim import perf_model
from pdflow_sim import transport as simtransport

_MAGIC = b"NIXLSIM1"
_MEM_TYPES = {"DRAM": "DRAM", "cpu": "DRAM", "VRAM": "VRAM", "cuda": "VRAM", "FILE": "FILE", "OBJ": "OBJ", "BLK": "BLK"}


class nixlError(RuntimeError):
    pass


class nixlBackendError(nixlError):
    pass


class nixlNotFoundError(nixlError):
    pass


class nixlInvalidParamError(nixlError):
    pass


class nixlNotSupportedError(nixlError):
    pass


class nixl_agent_config(object):
    def __init__(self, enable_prog_thread=True, enable_listen_thread=False, listen_port=0, capture_telemetry=False,
                 num_threads=0, backends=None):
        self.enable_pthread = enable_prog_thread
        self.enable_listen = enable_listen_thread
        self.port = listen_port
        self.capture_telemetry = capture_telemetry
        self.num_threads = num_threads
        self.backends = list(backends) if backends is not None else ["UCX"]


class nixlXferTelemetry(object):
    def __init__(self, start_time, post_us, xfer_us, total_bytes, desc_count):
        self.startTime = start_time
        self.postDuration = post_us
        self.xferDuration = xfer_us
        self.totalBytes = total_bytes
        self.descCount = desc_count


class _DList(object):
    def __init__(self, descs, mem_type, reg):
        self.descs = descs
        self.mem_type = mem_type
        self.reg = reg

    def __len__(self):
        return len(self.descs)

    def __getitem__(self, i):
        return self.descs[i]

    def descCount(self):
        return len(self.descs)

    def getType(self):
        return self.mem_type


def _mem_type(t):
    if t not in _MEM_TYPES:
        raise nixlInvalidParamError("memory type %r is not one of %s" % (t, ", ".join(_MEM_TYPES)))
    return _MEM_TYPES[t]


def _torch_memory():
    mod = sys.modules.get("torch._memory")
    if mod is None:
        try:
            import torch._memory as mod  # noqa: F811
        except ImportError:
            return None
    return mod


def _as_descs(descs, with_tag):
    """Tuples (addr, len, devid[, tag]) from tuples, tensors or a single tensor."""
    if hasattr(descs, "data_ptr"):
        descs = [descs]
    out = []
    for d in descs:
        if hasattr(d, "data_ptr"):
            idx = getattr(getattr(d, "device", None), "index", 0) or 0
            out.append((d.data_ptr(), d.numel() * d.element_size(), idx) + (("",) if with_tag else ()))
            continue
        d = tuple(d)
        if len(d) < 3:
            raise nixlInvalidParamError("descriptor %r needs (addr, len, devid%s)" % (d, ", tag" if with_tag else ""))
        addr, length, dev = int(d[0]), int(d[1]), int(d[2])
        out.append((addr, length, dev) + ((d[3] if len(d) > 3 else "",) if with_tag else ()))
    return out


def _on(value):
    return str(value).strip().lower() in ("1", "y", "yes", "on", "true")


class nixl_agent(object):
    def __init__(self, agent_name, nixl_conf=None, instantiate_all=False):
        self._time_factor = simnode.begin("nixl", library=True)
        conf = nixl_conf or nixl_agent_config()
        self.name = agent_name
        self.conf = conf
        self.node = simnode.current_node_name()
        n = simnode.node_by_name(self.node) or {}
        self.host = n.get("host", "127.0.0.1")
        built = simtransport.nixl_build_info().get("plugins")
        if built:
            # The plugins the (emulated) meson build found, e.g. no LIBFABRIC without libfabric.
            self.plugin_list = [str(p).upper() for p in built]
        else:
            hw = simnode.hardware(self.node)
            self.plugin_list = ["UCX", "UCX_MO", "POSIX", "GDS", "GDS_MT"]
            if hw.get("libfabric", int(hw.get("efaDevices", 0)) > 0):
                self.plugin_list.insert(2, "LIBFABRIC")
        self.backends = []
        self._regions = []
        self._dlists = {}
        self._xfers = {}
        self._remotes = {}
        self._next = 1
        self._proto_printed = set()
        wanted = self.plugin_list if instantiate_all else conf.backends
        for b in wanted:
            self.create_backend(b)
        print("Initialized NIXL agent: %s" % agent_name, flush=True)

    # -- backends -----------------------------------------------------------------------------
    def get_plugin_list(self):
        return list(self.plugin_list)

    def get_plugin_params(self, backend):
        return ({}, ["DRAM", "VRAM"])

    def get_backend_params(self, backend):
        return {}

    def create_backend(self, backend, initParams=None):
        if backend not in self.plugin_list:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: backend %s has no plugin on this node (plugins: %s)"
                                    % (backend, ", ".join(self.plugin_list)))
        if backend not in self.backends:
            self.backends.append(backend)
            print("Backend %s was instantiated" % backend, flush=True)

    def _check_backends(self, backends):
        for b in backends or []:
            if b not in self.backends:
                raise nixlInvalidParamError("backend %s was not created for agent %s" % (b, self.name))

    # -- memory -------------------------------------------------------------------------------
    def get_reg_descs(self, descs, mem_type="DRAM", is_sorted=False):
        return _DList(_as_descs(descs, True), _mem_type(mem_type), True)

    def get_xfer_descs(self, descs, mem_type="DRAM", is_sorted=False):
        return _DList(_as_descs(descs, False), _mem_type(mem_type), False)

    def register_memory(self, reg_list, mem_type="DRAM", is_sorted=False, backends=None):
        if not isinstance(reg_list, _DList):
            reg_list = self.get_reg_descs(reg_list, mem_type)
        self._check_backends(backends)
        mem = _torch_memory()
        for addr, length, dev, _tag in reg_list.descs:
            storage, off = (mem.find(addr) if mem else (None, 0))
            if reg_list.mem_type == "VRAM" and storage is None:
                raise nixlBackendError("NIXL_ERR_BACKEND: cannot register VRAM at 0x%x: not device memory of this process" % addr)
            self._regions.append({"addr": addr, "len": length, "dev": dev, "storage": storage, "offset": off,
                                  "memType": reg_list.mem_type})
        return reg_list

    def deregister_memory(self, reg_list, backends=None):
        addrs = {d[0] for d in reg_list.descs}
        self._regions = [r for r in self._regions if r["addr"] not in addrs]

    def _region_export(self, r):
        s = r["storage"]
        if s is None or not s.row_bytes or s.rows is None or r["offset"] % s.row_bytes:
            return {"addr": r["addr"], "len": r["len"], "dev": r["dev"], "rowBytes": 0, "rows": None}
        first = r["offset"] // s.row_bytes
        count = r["len"] // s.row_bytes
        return {"addr": r["addr"], "len": r["len"], "dev": r["dev"], "rowBytes": s.row_bytes,
                "rows": s.rows[first:first + count]}

    # -- metadata -----------------------------------------------------------------------------
    def get_agent_metadata(self):
        body = {"name": self.name, "node": self.node, "host": self.host, "backends": self.backends,
                "pid": os.getpid(), "regions": [self._region_export(r) for r in self._regions]}
        return _MAGIC + zlib.compress(json.dumps(body).encode(), 1)

    def add_remote_agent(self, metadata):
        if not isinstance(metadata, (bytes, bytearray)) or not bytes(metadata).startswith(_MAGIC):
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: not NIXL agent metadata")
        body = json.loads(zlib.decompress(bytes(metadata)[len(_MAGIC):]).decode())
        body["regions"].sort(key=lambda r: r["addr"])
        self._remotes[body["name"]] = body
        return body["name"]

    def remove_remote_agent(self, agent):
        self._remotes.pop(agent, None)

    def send_local_metadata(self, ip_addr="", port=0):
        raise nixlNotSupportedError("emulated NIXL: metadata exchange through the listen thread is not emulated")

    fetch_remote_metadata = send_local_metadata

    # -- descriptor lists and transfers --------------------------------------------------------
    def prep_xfer_dlist(self, agent_name, xfer_list, mem_type=None, is_sorted=False, backends=None):
        if not isinstance(xfer_list, _DList):
            xfer_list = self.get_xfer_descs(xfer_list, mem_type or "DRAM")
        if agent_name not in ("NIXL_INIT_AGENT", "", self.name) and agent_name not in self._remotes:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: remote agent %s is unknown (call add_remote_agent first)" % agent_name)
        h = self._handle()
        self._dlists[h] = {"agent": self.name if agent_name in ("NIXL_INIT_AGENT", "") else agent_name,
                           "descs": xfer_list.descs}
        return h

    def release_dlist_handle(self, handle):
        self._dlists.pop(handle, None)

    def _handle(self):
        h = self._next
        self._next += 1
        return h

    def make_prepped_xfer(self, operation, local_xfer_side, local_indices, remote_xfer_side, remote_indices,
                          notif_msg=b"", backends=None, skip_desc_merge=False):
        local = self._dlists.get(local_xfer_side)
        remote = self._dlists.get(remote_xfer_side)
        if local is None or remote is None:
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: unknown prepared descriptor list handle")
        li = [int(i) for i in local_indices]
        ri = [int(i) for i in remote_indices]
        if len(li) != len(ri):
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: %d local and %d remote descriptors" % (len(li), len(ri)))
        try:
            pairs = [(local["descs"][a], remote["descs"][b]) for a, b in zip(li, ri)]
        except IndexError:
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: descriptor index out of range") from None
        return self._new_xfer(operation, pairs, remote["agent"], notif_msg, backends)

    def initialize_xfer(self, operation, local_descs, remote_descs, remote_agent, notif_msg=b"", backends=None):
        if len(local_descs) != len(remote_descs):
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: descriptor lists differ in length")
        if remote_agent not in self._remotes:
            raise nixlNotFoundError("NIXL_ERR_NOT_FOUND: remote agent %s is unknown" % remote_agent)
        return self._new_xfer(operation, list(zip(local_descs.descs, remote_descs.descs)), remote_agent, notif_msg, backends)

    def _new_xfer(self, operation, pairs, remote_agent, notif_msg, backends):
        if operation not in ("READ", "WRITE"):
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: operation %r is not READ or WRITE" % (operation,))
        self._check_backends(backends)
        for ld, rd in pairs:
            if ld[1] != rd[1]:
                raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: descriptor lengths differ (%d vs %d)" % (ld[1], rd[1]))
        h = self._handle()
        self._xfers[h] = {"op": operation, "pairs": pairs, "remote": remote_agent, "notif": notif_msg,
                          "backend": (backends or self.backends or ["UCX"])[0], "state": "INIT",
                          "bytes": sum(ld[1] for ld, _ in pairs)}
        return h

    def transfer(self, handle, notif_msg=b""):
        x = self._xfers.get(handle)
        if x is None:
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: unknown transfer handle")
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
        seconds = perf_model.transfer_seconds(x["bytes"], tr, seed=[self.name, x["remote"], handle])
        if str(os.environ.get("NIXL_LOG_LEVEL", "")).upper() in ("DEBUG", "TRACE"):
            seconds *= 6.0  # pd-domain 1.2: DEBUG logging slows transfers 5-10x
        x["post_us"] = 1500.0 + 0.02 * len(x["pairs"])
        x["xfer_us"] = seconds * 1e6
        x["start"] = t0
        x["done_at"] = t0 + seconds * self._time_factor
        x["state"] = "PROC"
        return "PROC"

    def check_xfer_state(self, handle):
        x = self._xfers.get(handle)
        if x is None:
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: unknown transfer handle")
        if x["state"] == "PROC" and time.time() >= x["done_at"]:
            self._complete(x)
            x["state"] = "DONE"
        return x["state"] if x["state"] != "INIT" else "PROC"

    def get_xfer_telemetry(self, handle):
        if not (self.conf.capture_telemetry or _on(os.environ.get("NIXL_TELEMETRY_ENABLE", ""))):
            raise nixlNotSupportedError("NIXL_ERR_NO_TELEMETRY: telemetry is off (set NIXL_TELEMETRY_ENABLE=1 or capture_telemetry)")
        x = self._xfers.get(handle)
        if x is None or x["state"] != "DONE":
            raise nixlInvalidParamError("NIXL_ERR_INVALID_PARAM: telemetry of a transfer that is not DONE")
        return nixlXferTelemetry(int(x["start"] * 1e6), x["post_us"], x["xfer_us"], x["bytes"], len(x["pairs"]))

    def query_xfer_backend(self, handle):
        return self._xfers[handle]["backend"]

    def release_xfer_handle(self, handle):
        self._xfers.pop(handle, None)

    def send_notif(self, remote_agent_name, notif_msg, backends=None):
        return None

    def get_new_notifs(self):
        return {}

    def check_remote_xfer_done(self, remote_agent_name, lookup_msg):
        return False

    # -- data movement ------------------------------------------------------------------------
    def _complete(self, x):
        if x["op"] != "READ":
            return  # a WRITE lands in the peer's process, which this one cannot reach
        mem = _torch_memory()
        remote = self._remotes.get(x["remote"])
        if mem is None or remote is None:
            return
        regions = remote["regions"]
        starts = [r["addr"] for r in regions]
        import bisect

        for (laddr, length, _ldev), (raddr, _rlen, _rdev) in x["pairs"]:
            storage, off = mem.find(laddr)
            if storage is None or not storage.row_bytes:
                continue
            i = bisect.bisect_right(starts, raddr) - 1
            region = regions[i] if i >= 0 else None
            n = max(1, length // storage.row_bytes)
            first = off // storage.row_bytes
            if storage.rows is None:
                storage.rows = [None] * (storage.nbytes // storage.row_bytes)
            ok = (region is not None and region["rows"] is not None and region["rowBytes"] == storage.row_bytes
                  and raddr + length <= region["addr"] + region["len"] and off % storage.row_bytes == 0
                  and length % storage.row_bytes == 0 and (raddr - region["addr"]) % storage.row_bytes == 0)
            if ok:
                src = (raddr - region["addr"]) // storage.row_bytes
                storage.rows[first:first + n] = region["rows"][src:src + n]
            else:
                storage.rows[first:first + n] = [None] * n

    def _proto_info(self, backend, tr, remote_node):
        """UCX_PROTO_INFO=y: print the protocol table once per peer, where UCX would (UCX_LOG_FILE)."""
        if backend not in ("UCX", "UCX_MO") or not _on(os.environ.get("UCX_PROTO_INFO", "")):
            return
        if remote_node in self._proto_printed:
            return
        self._proto_printed.add(remote_node)
        label = "sim-%s" % self.node
        lines = simtransport.proto_info_lines(tr, self.node, remote_node, label, os.getpid())
        target = os.environ.get("UCX_LOG_FILE", "")
        text = "\n".join(lines) + "\n"
        if target:
            path = target.replace("%p", str(os.getpid())).replace("%h", label)
            with open(path, "a") as f:
                f.write(text)
        else:
            os.write(1, text.encode())
