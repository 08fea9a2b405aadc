"""Drives whichever `nixl` is importable through the transfer test's own agent calls (KvAgent of
scripts/remote/transfer_test.py) with host memory (DRAM), two agents in one process, then tries
calls a NIXL agent must refuse. Prints one JSON line: what the flow returned and, for every
refused call, the exception's class name (null when the call was accepted); and ("ucx", not
compared) how the UCX log (UCX_LOG_FILE, UCX_PROTO_INFO=y) was flushed, with its text.

Run by test/conformance/nixl.test.ts against the real nixl==0.6.1 wheel and against pdflow's
emulated nixl (src/sim/pypkgs/nixl): both must print the same answers."""
import ctypes
import importlib.util
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "remote", "transfer_test.py")
NUM_BLOCKS, BLOCKS, REGIONS, BLOCK_LEN = 16, 8, 4, 4096


def load_transfer_test():
    spec = importlib.util.spec_from_file_location("transfer_test", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def buffers(fill):
    """REGIONS host buffers of NUM_BLOCKS blocks; block b of region r holds bytes (fill(r, b))."""
    out = []
    for r in range(REGIONS):
        buf = ctypes.create_string_buffer(NUM_BLOCKS * BLOCK_LEN)
        for b in range(NUM_BLOCKS):
            ctypes.memset(ctypes.addressof(buf) + b * BLOCK_LEN, fill(r, b), BLOCK_LEN)
        out.append(buf)
    return out


def regions(bufs):
    return [(ctypes.addressof(b), ctypes.sizeof(b)) for b in bufs]


def flow(tt):
    """The transfer test's sequence: register, prepare, exchange metadata, READ (warm-up + timed), validate, release."""
    src = buffers(lambda r, b: 1 + (r * 31 + b) % 250)
    dst = buffers(lambda r, b: 0)
    prefill = tt.KvAgent("probe_prefill", ["UCX"], "DRAM", regions(src), NUM_BLOCKS, 0)
    decode = tt.KvAgent("probe_decode", ["UCX"], "DRAM", regions(dst), NUM_BLOCKS, 0)
    meta = prefill.metadata()
    decode.connect(meta)
    samples = [decode.read(REGIONS, BLOCKS, 60.0) for _ in range(3)]
    moved = all(dst[r].raw[b * BLOCK_LEN:(b + 1) * BLOCK_LEN] == bytes([1 + (r * 31 + b) % 250]) * BLOCK_LEN
                for r in range(REGIONS) for b in range(BLOCKS))
    untouched = all(dst[r].raw[BLOCKS * BLOCK_LEN:] == bytes((NUM_BLOCKS - BLOCKS) * BLOCK_LEN) for r in range(REGIONS))
    # The transfer test's UCX log path: libucs seen while the agents live, flushed after they are gone.
    seen = tt.loaded_libucs()
    log = os.environ.get("UCX_LOG_FILE", "")
    before = os.path.getsize(log) if log and os.path.exists(log) else None
    decode.close()
    prefill.close()
    ucx = {"libucsLoaded": bool(seen), "bytesBeforeFlush": before, "flush": tt.flush_ucx_log(seen),
           "log": tt.read_ucx_log(log) if log else None}
    ucx["tables"] = tt.ucx_tables(ucx["log"])  # what the transfer test sends back
    return ucx, {
        "metadataIsBytes": isinstance(meta["agent"], bytes),
        "bytesPerRead": sorted({s["bytes"] for s in samples}),
        "telemetryPositive": all(s["seconds"] > 0 for s in samples),
        "descriptors": sorted({s["descriptors"] for s in samples}),  # after NIXL's merge of contiguous blocks
        "validated": moved and untouched,
        "buffersAlive": len(src) + len(dst),
    }


def rejects(tt):
    """Calls outside the API the transfer test uses; each must raise (class name) or be accepted (None)."""
    from nixl._api import nixl_agent, nixl_agent_config

    src = buffers(lambda r, b: 7)
    regs = regions(src)
    a = nixl_agent("probe_a", nixl_agent_config(backends=["UCX"]))
    b = nixl_agent("probe_b", nixl_agent_config(backends=["UCX"]))
    reg4 = [(addr, size, 0, "") for addr, size in regs]
    a_reg = a.get_reg_descs(reg4, "DRAM")
    a.register_memory(a_reg, backends=["UCX"])
    b.register_memory(b.get_reg_descs(reg4, "DRAM"), backends=["UCX"])
    blocks = tt.block_descs([addr for addr, _ in regs], BLOCK_LEN, NUM_BLOCKS, 0)
    local = a.prep_xfer_dlist("NIXL_INIT_AGENT", a.get_xfer_descs(blocks, "DRAM"))
    peer = a.add_remote_agent(b.get_agent_metadata())
    remote = a.prep_xfer_dlist(peer, a.get_xfer_descs(blocks, "DRAM"))
    n = len(blocks)
    calls = {
        "mem type 'GPU'": lambda: a.get_reg_descs(reg4, "GPU"),
        "mem type 'dram' (case)": lambda: a.get_xfer_descs(blocks, "dram"),
        "register 3-tuples": lambda: a.register_memory(a.get_reg_descs([(x, s, 0) for x, s in regs], "DRAM"), backends=["UCX"]),
        "register without a mem type": lambda: a.register_memory(a.get_reg_descs(reg4), backends=["UCX"]),
        "register with is_sorted": lambda: a.register_memory(a_reg, is_sorted=False, backends=["UCX"]),
        "register on an unknown backend": lambda: a.register_memory(a_reg, backends=["NOPE"]),
        "register on a backend not created": lambda: a.register_memory(a_reg, backends=["POSIX"]),
        "xfer descs as 4-tuples": lambda: a.prep_xfer_dlist("NIXL_INIT_AGENT", a.get_xfer_descs(reg4, "DRAM")),
        "xfer descs without a mem type": lambda: a.prep_xfer_dlist("NIXL_INIT_AGENT", a.get_xfer_descs(blocks)),
        "prep for an unknown remote agent": lambda: a.prep_xfer_dlist("nobody", a.get_xfer_descs(blocks, "DRAM")),
        "prep on an unknown backend": lambda: a.prep_xfer_dlist("NIXL_INIT_AGENT", a.get_xfer_descs(blocks, "DRAM"), backends=["NOPE"]),
        "operation 'GET'": lambda: a.make_prepped_xfer("GET", local, [0], remote, [0]),
        "operation 'read' (case)": lambda: a.make_prepped_xfer("read", local, [0], remote, [0]),
        "index out of range": lambda: a.make_prepped_xfer("READ", local, [n], remote, [0]),
        "index lists of different lengths": lambda: a.make_prepped_xfer("READ", local, [0, 1], remote, [0]),
        "a plain int as the handle": lambda: a.make_prepped_xfer("READ", 1, [0], remote, [0]),
        "metadata that is not NIXL's": lambda: a.add_remote_agent(b"not metadata"),
        "prep VRAM descs of DRAM memory": lambda: a.prep_xfer_dlist("NIXL_INIT_AGENT", a.get_xfer_descs(blocks, "VRAM")),
        "prep descs of memory never registered": lambda: a.prep_xfer_dlist("NIXL_INIT_AGENT", a.get_xfer_descs([(1 << 40, 4096, 0)], "DRAM")),
        "READ into the peer's unregistered memory": lambda: a.transfer(a.make_prepped_xfer(
            "READ", local, [0], a.prep_xfer_dlist(peer, a.get_xfer_descs([(1 << 40, BLOCK_LEN, 0)], "DRAM")), [0])),
        "telemetry keyword on the config": lambda: nixl_agent_config(backends=["UCX"], telemetry=True),
    }
    out = {}
    for name, call in calls.items():
        try:
            call()
            out[name] = None
        except Exception as e:  # noqa: BLE001 - the class is the answer
            out[name] = type(e).__name__
    # Accepted by the real wheel, so by the emulation too (the keys say "(accepted)"): an unknown
    # backend in the config is skipped with a warning; releasing twice and removing an unknown
    # remote agent are no-ops.
    c = nixl_agent("probe_c", nixl_agent_config(backends=["NOPE", "UCX"]))
    out["config backends ['NOPE', 'UCX'] -> created (accepted)"] = sorted(c.backends)
    for name, call in (("release a prepped handle twice (accepted)", lambda: (a.release_dlist_handle(remote), a.release_dlist_handle(remote))),
                       ("remove an unknown remote agent (accepted)", lambda: a.remove_remote_agent("nobody"))):
        try:
            call()
            out[name] = None
        except Exception as e:  # noqa: BLE001
            out[name] = type(e).__name__
    out["buffersAlive"] = len(src)
    return out


def main():
    tt = load_transfer_test()
    ucx, answers = flow(tt)
    result = {"flow": answers, "rejects": rejects(tt), "ucx": ucx}
    sys.stdout.flush()
    print(json.dumps(result, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
