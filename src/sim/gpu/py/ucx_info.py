#!/usr/bin/env python3
"""Emulated `ucx_info` of a UCX built in the simulator (installed as <prefix>/bin/ucx_info).

--build FILE is the install's sim-build.json (version, flags). What it lists depends on how UCX was
configured and on the node it runs on: every EFA device gets transport `srd` (and ud_verbs) when
built with EFA, only `ud_verbs` otherwise; CUDA transports when built with CUDA on a GPU node.
Options: -v (version), -d (devices), -t (transports), -c (config), -b (build config).
"""
import json
import os
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import simhw  # noqa: E402


def md_block(name, component, register="unlimited, cost: 0 nsec", rkey=0, mem_types="host (access,reg_nonblock,reg,cache)", extra=()):
    out = ["#", "# Memory domain: %s" % name, "#     Component: %s" % component,
           "#             register: %s" % register, "#           remote key: %d bytes" % rkey]
    out += ["#           %s" % e for e in extra]
    out.append("#           memory types: %s" % mem_types)
    return out


def tl_block(tl, dev, kind, sysdev, bw, lat, caps):
    out = ["#", "#      Transport: %s" % tl, "#         Device: %s" % dev, "#           Type: %s" % kind,
           "#  System device: %s" % sysdev, "#", "#      capabilities:",
           "#            bandwidth: %s" % bw, "#              latency: %s" % lat, "#             overhead: 40 nsec"]
    out += ["#            %s" % c for c in caps]
    return out


# The capability lines of a verbs transport, as many as UCX 1.20 prints (a p5's `ucx_info -d` is ~100 KB).
NET_CAPS = ["put_short: <= 124", "put_bcopy: <= 8256", "put_zcopy: <= 1G, up to 1 iov", "put_opt_zcopy_align: <= 512",
            "put_align_mtu: <= 8K", "get_bcopy: <= 4K", "get_zcopy: 65..1G, up to 1 iov", "get_opt_zcopy_align: <= 512",
            "get_align_mtu: <= 8K", "am_short: <= 116", "am_bcopy: <= 8256", "am_zcopy: <= 8256, up to 1 iov",
            "am_opt_zcopy_align: <= 512", "am_align_mtu: <= 8K", "am header: <= 127", "domain: device",
            "atomic_add: 64 bit", "atomic_fadd: 64 bit", "atomic_cswap: 64 bit", "connection: to ep, to iface",
            "device priority: 0", "device num paths: 1", "max eps: inf", "device address: 3 bytes",
            "interface address: 4 bytes", "ep address: 7 bytes", "error handling: peer failure, ep_check"]


def devices(build, hw):
    efa = simhw.sysfs_efa_devices(hw) if build.get("withVerbs") else []
    lines = []
    lines += md_block("self", "self")
    lines += tl_block("self", "memory", "loopback", "<unknown>", "0.00/ppn + 19360.00 MB/sec", "0 nsec",
                      ["am_short: <= 8K", "am_bcopy: <= 8K", "domain: cpu", "connection: to iface"])
    lines += md_block("tcp", "tcp")
    for dev, bw in (("lo", "11.91/ppn + 0.00 MB/sec"), ("ens32", "11800.00/ppn + 0.00 MB/sec")):
        lines += tl_block("tcp", dev, "network", "<unknown>", bw, "10960 nsec", ["put_zcopy: <= 18446744073709551590, up to 6 iov",
                                                                               "am_short: <= 8K", "am_bcopy: <= 8K", "connection: to ep, to iface"])
    lines += ["#", "# Connection manager: tcp", "#      max_conn_priv: 2064 bytes"]
    lines += md_block("sysv", "sysv", rkey=32)
    lines += tl_block("sysv", "memory", "intra-node", "<unknown>", "0.00/ppn + 15360.00 MB/sec", "80 nsec", ["put_short: <= 4294967295", "domain: cpu"])
    lines += md_block("posix", "posix", rkey=32)
    lines += tl_block("posix", "memory", "intra-node", "<unknown>", "0.00/ppn + 15360.00 MB/sec", "80 nsec", ["put_short: <= 4294967295", "domain: cpu"])
    lines += md_block("cma", "cma", register="unlimited, cost: 9 nsec")
    lines += tl_block("cma", "memory", "intra-node", "<unknown>", "0.00/ppn + 11145.00 MB/sec", "80 nsec", ["put_zcopy: unlimited, up to 16 iov", "get_zcopy: unlimited, up to 16 iov"])
    if build.get("withCuda") and int(hw["gpus"]) > 0:
        lines += md_block("cuda_cpy", "cuda_cpy", mem_types="host (reg), cuda (access,alloc,reg,detect), cuda-managed (access,alloc,reg,cache,detect)")
        lines += tl_block("cuda_copy", "cuda", "accelerator", "<unknown>", "10000.00/ppn + 0.00 MB/sec", "8000 nsec",
                          ["put_short: <= 4294967295", "put_zcopy: unlimited, up to 1 iov", "get_zcopy: unlimited, up to 1 iov", "domain: cuda"])
        lines += md_block("cuda_ipc", "cuda_ipc", register="unlimited, cost: 0 nsec", rkey=112, mem_types="cuda (access,reg,cache)")
        lines += tl_block("cuda_ipc", "cuda", "intra-node", "GPU0 (%s)" % simhw.pci_bus_id(0).lower(),
                          "300000.00/ppn + 0.00 MB/sec", "1000 nsec", ["put_zcopy: unlimited, up to 1 iov", "get_zcopy: unlimited, up to 1 iov"])
    for i, dev in enumerate(efa):
        cuda_reg = ", cuda (reg)" if build.get("withCuda") and build.get("withEfa") else ""
        lines += md_block(dev, "ib", register="unlimited, dmabuf, cost: 16000 + 0.060 * N nsec", rkey=8,
                          mem_types="host (access,reg,cache)" + cuda_reg, extra=("local memory handle is required for zcopy",))
        if build.get("withEfa"):
            lines += tl_block("srd", "%s:1" % dev, "network", "%s (%d)" % (dev, i), "11797.08/ppn + 0.00 MB/sec", "630 nsec", NET_CAPS)
        lines += tl_block("ud_verbs", "%s:1" % dev, "network", "%s (%d)" % (dev, i), "11797.08/ppn + 0.00 MB/sec", "730 nsec + 1.000 * N",
                          ["am_short: <= 116", "am_bcopy: <= 4088", "am_zcopy: <= 4088, up to 7 iov",
                           "am_opt_zcopy_align: <= 512", "am_align_mtu: <= 4K", "am header: <= 3984", "domain: device",
                           "atomic_add: 64 bit", "connection: to ep, to iface", "device priority: 0", "device num paths: 1",
                           "max eps: inf", "device address: 3 bytes", "interface address: 3 bytes", "ep address: 6 bytes",
                           "error handling: peer failure, ep_check"])
    if efa:
        lines += ["#", "# Connection manager: rdmacm", "#      max_conn_priv: 54 bytes"]
    return lines


def main(argv):
    build_file = None
    opts = []
    i = 0
    while i < len(argv):
        if argv[i] == "--build" and i + 1 < len(argv):
            build_file = argv[i + 1]
            i += 2
            continue
        opts.append(argv[i])
        i += 1
    simhw.begin("ucx_info")
    with open(build_file) as f:
        build = json.load(f)
    hw = simhw.load()
    flags = set("".join(o.lstrip("-") for o in opts if o.startswith("-")))
    if not flags or flags - set("vdtcbepfusaw"):
        sys.stderr.write("Usage: ucx_info [options]\n  -v  Show version information\n  -d  Show devices and transports\n"
                         "  -t  Show transport list\n  -c  Show UCX configuration\n  -b  Show build configuration\n")
        return 1 if flags - set("vdtcbepfusaw") else 0
    out = []
    if "v" in flags:
        out += ["# Library version: %s" % build["version"],
                "# Library path: %s/lib/libucs.so.0" % build["prefix"],
                "# API headers version: %s" % build["version"],
                "# Git branch '%s', revision %s" % (build.get("branch", "master"), build.get("revision", "0000000")),
                "# Configured with: %s" % " ".join(build.get("configureArgs", []))]
    if "b" in flags:
        out += ["#define UCX_CONFIGURE_FLAGS       \"%s\"" % " ".join(build.get("configureArgs", [])),
                "#define HAVE_EFA 1" if build.get("withEfa") else "/* #undef HAVE_EFA */",
                "#define HAVE_CUDA 1" if build.get("withCuda") else "/* #undef HAVE_CUDA */",
                "#define HAVE_IB 1" if build.get("withVerbs") else "/* #undef HAVE_IB */",
                "#define ENABLE_MT 1" if build.get("multiThread") else "/* #undef ENABLE_MT */"]
    if "c" in flags:
        out += ["UCX_LOG_LEVEL=%s" % os.environ.get("UCX_LOG_LEVEL", "WARN"),
                "UCX_TLS=%s" % os.environ.get("UCX_TLS", "all"),
                "UCX_NET_DEVICES=%s" % os.environ.get("UCX_NET_DEVICES", "all"),
                "UCX_PROTO_ENABLE=y", "UCX_PROTO_INFO=%s" % os.environ.get("UCX_PROTO_INFO", "n")]
    if "t" in flags:
        tls = ["self", "tcp", "sysv", "posix", "cma"]
        if build.get("withCuda") and int(hw["gpus"]) > 0:
            tls += ["cuda_copy", "cuda_ipc"]
        if build.get("withVerbs") and simhw.sysfs_efa_devices(hw):
            tls += (["srd"] if build.get("withEfa") else []) + ["ud_verbs"]
        out += ["# Transport: %s" % t for t in tls]
    if "d" in flags:
        out += devices(build, hw)
    # As the C tool with stdio: 4 KB blocks into a pipe, and killed by SIGPIPE when the reader has
    # gone (`ucx_info -d | grep -q srd` under pipefail then fails, as on a real node).
    data = ("\n".join(out) + "\n").encode()
    for i in range(0, len(data), 4096):
        os.write(1, data[i:i + 4096])
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
