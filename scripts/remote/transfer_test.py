#!/usr/bin/env python3
"""NIXL KV-block transfer test between two Ray actors (1 GPU each), after the seed's
debug/test_nixl_connector_ray.py (vLLM NixlConnector's flow without vLLM).

  transfer_test.py --strategy spread|pack --backends UCX|LIBFABRIC
                   [--num-blocks 3750] [--num-layers 50] [--blocks 512] [--block-bytes 32768]
                   [--iters 1] [--timeout 600] [--address auto]

A prefill actor fills per-layer K and V caches ([num_blocks, 8 heads, 16 tokens, 128 dims] fp16,
or [num_blocks, block_bytes/2] with --block-bytes) with a pattern that differs per block and per
cache; a decode actor with zeroed caches READs the first --blocks blocks of every cache through
NIXL and checks that each moved block holds exactly the prefill pattern (so lost, zeroed or
misplaced blocks all fail). MB/s comes from NIXL's own telemetry (MB = 1e6 bytes).

Transport: UCX prints its protocol choice when UCX_PROTO_INFO=y; each actor sends UCX's log to
a file of its own (UCX_LOG_FILE) and the test reads the transport of the bulk GET path from it
(e.g. `srd/rdmap79s0:1`, `ud_verbs/...`, `tcp/ens32`, `cuda_ipc/cuda`). This is the most direct
evidence available on real hardware (the EFA hw counters cannot tell srd from ud). With the
LIBFABRIC backend the transport is the libfabric provider ("efa" when FI_PROVIDER is efa or unset
on an EFA node). Unknown -> null.

Prints a human log (`::phase <name>` lines for the long steps) and ends with ONE JSON line:
{"ok", "strategy", "backend", "transport", "crossNode", "nodes": [prefill, decode], "bytes", "seconds",
 "gbps", "validated", "perRank": [{"rank", "node", "mbps"}], "ranks": [{"rank", "passed", "mbps",
 "durationSec", "bytes", "descriptors", "node", "peerNode", "gpu", "error"}], "prefillTp", "decodeTp",
 "blocks", "numBlocks", "numLayers", "iterations", "error"}
"""
import argparse
import json
import os
import re
import sys
import tempfile
import time
import traceback

KV_HEADS, BLOCK_TOKENS, HEAD_DIM = 8, 16, 128
PATTERN_MOD = 2039  # prime < 2048: every pattern value is an exact fp16 integer
TRANSPORT_RE = re.compile(r"\b(srd_x|srd|ud_verbs|ud_mlx5|ud_x|rc_verbs|rc_mlx5|rc_x|dc_mlx5|tcp|cuda_ipc|gdr_copy|"
                          r"cuda_copy|posix|sysv|cma|knem|xpmem|self)/[\w.:\-]+")
BULK_PRIORITY = ("srd", "srd_x", "rc_mlx5", "rc_verbs", "rc_x", "dc_mlx5", "ud_verbs", "ud_mlx5", "ud_x", "tcp",
                 "cuda_ipc", "gdr_copy", "cma", "posix", "sysv", "knem", "xpmem", "cuda_copy")


def phase(name):
    print("::phase %s" % name, flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--strategy", required=True, choices=["spread", "pack"])
    p.add_argument("--backends", default="UCX", help="NIXL backend: UCX or LIBFABRIC (default UCX)")
    p.add_argument("--num-blocks", type=int, default=3750)
    p.add_argument("--num-layers", type=int, default=50)
    p.add_argument("--blocks", type=int, default=512, help="blocks to move (of every layer's K and V)")
    p.add_argument("--block-bytes", type=int, default=None,
                   help="bytes per block per cache (default 32768 = 16 tokens x 8 heads x 128 dims x fp16)")
    p.add_argument("--iters", type=int, default=1, help="READs to time; the median one is reported")
    p.add_argument("--timeout", type=float, default=600.0, help="seconds for placement and each transfer")
    p.add_argument("--address", default="auto", help="Ray address (default: the running cluster)")
    a = p.parse_args(argv)
    backends = [b.strip().upper() for b in a.backends.split(",") if b.strip()]
    problems = []
    if not backends or any(b not in ("UCX", "LIBFABRIC") for b in backends):
        problems.append("--backends %r: use UCX or LIBFABRIC" % a.backends)
    for name in ("num_blocks", "num_layers", "blocks", "iters"):
        if getattr(a, name) < 1:
            problems.append("--%s %d: must be >= 1" % (name.replace("_", "-"), getattr(a, name)))
    if a.blocks > a.num_blocks:
        problems.append("--blocks %d: cannot exceed --num-blocks %d" % (a.blocks, a.num_blocks))
    if a.block_bytes is not None and (a.block_bytes < 2 or a.block_bytes % 2):
        problems.append("--block-bytes %d: must be an even number of bytes (fp16 elements)" % a.block_bytes)
    if problems:
        p.error("; ".join(problems))
    a.backend_list = backends
    return a


def block_shape(args):
    if args.block_bytes is None or args.block_bytes == KV_HEADS * BLOCK_TOKENS * HEAD_DIM * 2:
        return (KV_HEADS, BLOCK_TOKENS, HEAD_DIM)
    return (args.block_bytes // 2,)


def pattern_offset(region):
    return (region * 7919) % PATTERN_MOD


def transport_from_ucx_log(text):
    """The bulk-transfer transport in UCX_PROTO_INFO output: the highest-priority tl/dev named on a
    zero-copy / remote-memory line, else on any line."""
    found = []
    for line in text.splitlines():
        for m in TRANSPORT_RE.finditer(line):
            found.append((m.group(1), "zcopy" in line or "zero-copy" in line or "rma" in line or "get" in line))
    for want_bulk in (True, False):
        names = {n for n, bulk in found if bulk or not want_bulk}
        for t in BULK_PRIORITY:
            if t in names:
                return "srd" if t == "srd_x" else t
    return None


def actor_class(ray):
    @ray.remote
    class EngineActor:
        """One side of the transfer; mirrors NixlConnectorWorker's registration and READ path."""

        def __init__(self, role, num_blocks, num_layers, shape, backends, ucx_log):
            import torch
            from nixl._api import nixl_agent, nixl_agent_config

            self.role = role
            self.num_blocks = num_blocks
            self.backends = backends
            self.ucx_log = ucx_log  # UCX_LOG_FILE, set through the actor's runtime_env (read by UCX at init)
            self.gpu = torch.cuda.current_device()
            self.node = ray.util.get_node_ip_address()
            dev = "cuda:%d" % self.gpu
            self.caches = []
            for region in range(2 * num_layers):
                if role == "prefill":
                    vals = (torch.arange(num_blocks, dtype=torch.float32, device=dev) + pattern_offset(region)).remainder(PATTERN_MOD) + 1
                    vals = vals.to(torch.float16).view(-1, *([1] * len(shape)))
                    self.caches.append(vals.expand(num_blocks, *shape).contiguous())
                else:
                    self.caches.append(torch.zeros((num_blocks,) + tuple(shape), dtype=torch.float16, device=dev))
            torch.cuda.synchronize()
            self.block_len = self.caches[0].numel() * self.caches[0].element_size() // num_blocks
            self.agent = nixl_agent("%s_engine_%d" % (role, os.getpid()), nixl_agent_config(backends=backends))
            regs = [(c.data_ptr(), c.numel() * c.element_size(), self.gpu, "") for c in self.caches]
            self.agent.register_memory(self.agent.get_reg_descs(regs, "VRAM"), backends=backends)
            self.local_handle = self.agent.prep_xfer_dlist("NIXL_INIT_AGENT", self.agent.get_xfer_descs(self._block_descs(
                [c.data_ptr() for c in self.caches], self.block_len, num_blocks, self.gpu), "VRAM"))

        @staticmethod
        def _block_descs(bases, block_len, num_blocks, dev):
            return [(base + b * block_len, block_len, dev) for base in bases for b in range(num_blocks)]

        def info(self):
            return {"node": self.node, "gpu": self.gpu, "role": self.role}

        def metadata(self):
            return {"agent": self.agent.get_agent_metadata(), "bases": [c.data_ptr() for c in self.caches],
                    "blockLen": self.block_len, "numBlocks": self.num_blocks, "gpu": self.gpu}

        def pull(self, meta, blocks, iters, timeout):
            """READ the first `blocks` blocks of every remote cache, `iters` times; validate."""
            import torch

            out = {"node": self.node, "gpu": self.gpu, "iterations": [], "error": None, "passed": False, "transport": None}
            try:
                remote = self.agent.add_remote_agent(meta["agent"])
                rdescs = self._block_descs(meta["bases"], meta["blockLen"], meta["numBlocks"], meta["gpu"])
                remote_handle = self.agent.prep_xfer_dlist(remote, self.agent.get_xfer_descs(rdescs, "VRAM"))
                regions = len(self.caches)
                local_ids = [r * self.num_blocks + b for r in range(regions) for b in range(blocks)]
                remote_ids = [r * meta["numBlocks"] + b for r in range(regions) for b in range(blocks)]
                for i in range(iters):
                    h = self.agent.make_prepped_xfer("READ", self.local_handle, local_ids, remote_handle, remote_ids,
                                                     notif_msg=b"pdflow-transfer-test")
                    t0 = time.perf_counter()
                    state = self.agent.transfer(h)
                    polls = 0
                    while state not in ("DONE", "ERR"):
                        if time.perf_counter() - t0 > timeout:
                            raise RuntimeError("Transfer did not finish within %.0f s (state %s)" % (timeout, state))
                        time.sleep(0.001)
                        state = self.agent.check_xfer_state(h)
                        polls += 1
                    if state == "ERR":
                        raise RuntimeError("Transfer failed with state: ERR")
                    elapsed = time.perf_counter() - t0
                    tel = self.agent.get_xfer_telemetry(h)
                    secs = tel.xferDuration / 1e6
                    out["iterations"].append({"seconds": secs, "postSeconds": tel.postDuration / 1e6, "bytes": tel.totalBytes,
                                              "descriptors": tel.descCount, "elapsed": elapsed, "polls": polls,
                                              "mbps": tel.totalBytes / 1e6 / secs if secs > 0 else 0.0})
                    self.agent.release_xfer_handle(h)
                    print("[decode] Transfer %d DONE! Elapsed: %.3fs, polls: %d" % (i + 1, elapsed, polls), flush=True)
                bad = None
                for r, cache in enumerate(self.caches):
                    want = ((torch.arange(blocks, dtype=torch.float32, device=cache.device) + pattern_offset(r)).remainder(PATTERN_MOD) + 1)
                    want = want.to(torch.float16).view(-1, *([1] * (cache.dim() - 1)))
                    if not bool(cache[:blocks].eq(want).all().item()):
                        bad = "layer_%d_%s" % (r // 2, "kv"[r % 2])
                        break
                if bad:
                    print("Transfer validation FAILED for %s: moved blocks do not hold the prefill pattern" % bad, flush=True)
                    out["error"] = "validation failed for %s" % bad
                else:
                    print("✓ Transfer validation PASSED! All transferred blocks contain prefill values.", flush=True)
                    out["passed"] = True
            except Exception as e:  # noqa: BLE001 - reported in the JSON
                out["error"] = "%s: %s" % (type(e).__name__, e)
                traceback.print_exc()
            out["transport"] = self.transport()
            return out

        def transport(self):
            if "UCX" not in self.backends:
                return "efa" if os.environ.get("FI_PROVIDER", "efa") == "efa" else os.environ.get("FI_PROVIDER")
            try:
                with open(self.ucx_log, errors="replace") as f:
                    text = f.read()
            except OSError:
                return None
            finally:
                try:
                    os.remove(self.ucx_log)
                except OSError:
                    pass
            return transport_from_ucx_log(text)

    return EngineActor


def median_iteration(iters):
    if not iters:
        return None
    return sorted(iters, key=lambda x: x["seconds"])[len(iters) // 2]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    shape = block_shape(args)
    block_bytes = 2
    for d in shape:
        block_bytes *= d
    moved = block_bytes * args.blocks * args.num_layers * 2
    total = block_bytes * args.num_blocks * args.num_layers * 2
    strategy = args.strategy.upper()
    kind = "Cross-node (inter-node)" if args.strategy == "spread" else "Same-node (intra-node)"
    result = {"ok": False, "strategy": args.strategy, "backend": ",".join(args.backend_list), "transport": None,
              "crossNode": None, "nodes": [], "bytes": moved, "seconds": None, "gbps": None, "validated": False,
              "perRank": [], "ranks": [], "prefillTp": 1, "decodeTp": 1, "blocks": args.blocks,
              "numBlocks": args.num_blocks, "numLayers": args.num_layers, "iterations": args.iters, "error": None}
    print("=" * 80)
    print("NIXL Connector Test - Following vLLM nixl_connector.py Flow")
    print("Strategy: %s - %s" % (strategy, kind))
    print("=" * 80)
    print("Configuration:")
    print("  - Block size: %d tokens" % BLOCK_TOKENS)
    print("  - Total blocks: %d" % args.num_blocks)
    print("  - Blocks to transfer: %d" % args.blocks)
    print("  - Block selection: CONTIGUOUS")
    print("  - Num layers: %d" % args.num_layers)
    print("  - Block bytes: %d (shape %s fp16)" % (block_bytes, list(shape)))
    print("  - Prefill TP: 1")
    print("  - Decode TP: 1")
    print("  - NIXL backends: %s" % args.backend_list)
    print("  - Transfer size: %.2f MB" % (moved / 1e6))
    print("  - Total cache size: %.2f MB" % (total / 1e6), flush=True)
    pg = None
    ray = None
    try:
        phase("ray_init")
        import ray
        from ray.util.placement_group import placement_group, remove_placement_group
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        print("Initializing Ray...", flush=True)
        env_vars = {"NIXL_TELEMETRY_ENABLE": "1"}
        for k, v in os.environ.items():
            if k.startswith(("UCX_", "NIXL_", "FI_")) or k == "LD_LIBRARY_PATH":
                env_vars[k] = v
        if "LIBFABRIC" in args.backend_list:
            env_vars.setdefault("FI_PROVIDER", "efa")
            env_vars.setdefault("FI_EFA_USE_DEVICE_RDMA", "1")
        ray.init(address=args.address, runtime_env={"env_vars": env_vars}, logging_level="WARNING")
        phase("placement")
        print("Creating placement group with %s for 2 actors..." % strategy, flush=True)
        pg = placement_group([{"GPU": 1, "CPU": 1}, {"GPU": 1, "CPU": 1}], strategy=strategy)
        try:
            ray.get(pg.ready(), timeout=args.timeout)
        except Exception:  # noqa: BLE001 - GetTimeoutError
            raise RuntimeError("placement group (%s, 2 x 1 GPU) not ready after %.0f s: Ray has no 2 free GPUs%s (check `ray status`)"
                               % (strategy, args.timeout, " on distinct nodes" if args.strategy == "spread" else " on one node"))
        print("✓ Placement group ready", flush=True)
        phase("actors")
        Actor = actor_class(ray)

        tag = "%d-%d" % (os.getpid(), int(time.time() * 1000))

        def make(role, index):
            # UCX reads its environment when NIXL creates the UCX context: give it to the actor's process.
            ucx_log = os.path.join(tempfile.gettempdir(), "pdflow-xfer-%s-%s.log" % (role, tag))
            actor_env = {"NIXL_TELEMETRY_ENABLE": "1"}
            if "UCX" in args.backend_list:
                # UCX logs the protocol table it selects (info level) to UCX_LOG_FILE, not per packet.
                actor_env.update({"UCX_PROTO_INFO": "y", "UCX_LOG_FILE": ucx_log,
                                  "UCX_LOG_LEVEL": os.environ.get("UCX_LOG_LEVEL", "info")})
            return Actor.options(num_gpus=1, num_cpus=1, runtime_env={"env_vars": actor_env},
                                 scheduling_strategy=PlacementGroupSchedulingStrategy(placement_group=pg, placement_group_bundle_index=index)
                                 ).remote(role, args.num_blocks, args.num_layers, shape, args.backend_list, ucx_log)

        prefill, decode = make("prefill", 0), make("decode", 1)
        p_info, d_info = ray.get([prefill.info.remote(), decode.info.remote()], timeout=args.timeout)
        print("--- Actor Placement Info ---")
        print("Prefill actors:\n  TP0/1: node=%s, GPU=%s" % (p_info["node"], p_info["gpu"]))
        print("Decode actors:\n  TP0/1: node=%s, GPU=%s" % (d_info["node"], d_info["gpu"]))
        result["nodes"] = [p_info["node"], d_info["node"]]
        result["crossNode"] = p_info["node"] != d_info["node"]
        if result["crossNode"]:
            print("✓ Actors distributed across 2 NODES (cross-node transfer)")
        else:
            print("✓ All actors on SAME NODE (intra-node transfer)")
        phase("handshake")
        meta = ray.get(prefill.metadata.remote(), timeout=args.timeout)
        print("  Rank 0: Engine ID=prefill_engine, Blocks=%d, Regions=%d" % (meta["numBlocks"], len(meta["bases"])), flush=True)
        phase("transfer")
        out = ray.get(decode.pull.remote(meta, args.blocks, args.iters, args.timeout), timeout=args.timeout * (args.iters + 1))
        it = median_iteration(out["iterations"])
        result["transport"] = out["transport"]
        result["validated"] = bool(out["passed"])
        result["error"] = out["error"]
        rank = {"rank": 0, "passed": bool(out["passed"]), "mbps": round(it["mbps"], 2) if it else 0.0,
                "durationSec": round(it["seconds"], 6) if it else None, "bytes": it["bytes"] if it else 0,
                "descriptors": it["descriptors"] if it else 0, "node": d_info["node"], "peerNode": p_info["node"],
                "gpu": d_info["gpu"], "error": out["error"]}
        result["ranks"] = [rank]
        result["perRank"] = [{"rank": 0, "node": d_info["node"], "mbps": rank["mbps"]}]
        if it:
            result["seconds"] = round(it["seconds"], 6)
            result["gbps"] = round(it["bytes"] / it["seconds"] / 1e9, 3) if it["seconds"] > 0 else None
        result["ok"] = bool(out["passed"]) and not out["error"]
        print("TEST RESULTS")
        print("Transfer Summary:")
        print("  Total transfers: %d" % args.iters)
        print("  Successful: %d" % (len(out["iterations"]) if out["passed"] else 0))
        print("  Failed: %d" % (0 if out["passed"] else 1))
        print("  Strategy: %s" % strategy)
        print("  Prefill TP: 1, Decode TP: 1")
        print("  Backends: %s" % ", ".join(args.backend_list))
        print("  Transport: %s" % (result["transport"] or "unknown (no UCX_PROTO_INFO output)"))
        if result["ok"]:
            print("✅ ALL TESTS PASSED - %s transfer successful!" % kind)
        else:
            print("❌ ALL TESTS FAILED")
        print("Per-Rank Results:")
        print("  Decode TP0: %s - %.2f MB/s" % ("✅ PASSED" if rank["passed"] else "❌ FAILED", rank["mbps"]))
        if it:
            print("Detailed Telemetry (Decode TP0):")
            print("  Duration: %.3fs" % it["seconds"])
            print("  Post time: %.3fs" % it["postSeconds"])
            print("  Throughput: %.2f MB/s" % it["mbps"])
            print("  Descriptors: %d" % it["descriptors"])
            print("  Poll count: %d" % it["polls"])
            print("  Bytes: {:,} bytes".format(it["bytes"]))
    except Exception as e:  # noqa: BLE001 - every failure ends in the JSON line
        traceback.print_exc()
        result["error"] = result["error"] or "%s: %s" % (type(e).__name__, e)
        print("❌ ALL TESTS FAILED")
    finally:
        if ray is not None:
            print("Shutting down Ray...", flush=True)
            try:
                if pg is not None:
                    remove_placement_group(pg)
                ray.shutdown()
            except Exception:  # noqa: BLE001
                pass
    print("Done!")
    sys.stdout.flush()
    # Unknown values are left out (null only where the contract allows it: transport, error, seconds, gbps).
    if result["crossNode"] is None:
        del result["crossNode"]
    result["ranks"] = [{k: v for k, v in r.items() if v is not None or k == "error"} for r in result["ranks"]]
    print(json.dumps(result), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
