"""`ray status` text in the Ray 2.51 format, from the emulated GCS state."""
import datetime
import time

from . import state

RULE = "-" * 63


def format_memory(n):
    n = float(n)
    for unit, size in (("TiB", 2 ** 40), ("GiB", 2 ** 30), ("MiB", 2 ** 20), ("KiB", 2 ** 10)):
        if n >= size:
            return "%.2f%s" % (n / size, unit)
    return "%dB" % n


def _totals(data):
    total, used, pg_reserved, pg_used = {}, {}, {}, {}
    alive = {n["nodeId"] for n in state.alive_nodes(data)}
    for n in state.alive_nodes(data):
        for k, v in n["resources"].items():
            total[k] = total.get(k, 0) + v
    for pg in data["placementGroups"].values():
        if pg["state"] != "CREATED":
            continue
        for i, b in enumerate(pg["bundles"]):
            if pg["bundleNodes"][i] in alive:
                for k, v in b.items():
                    pg_reserved[k] = pg_reserved.get(k, 0) + v
                    used[k] = used.get(k, 0) + v
    for lease in data["leases"].values():
        if lease["nodeId"] not in alive:
            continue
        for k, v in lease["resources"].items():
            if lease.get("pg"):
                pg_used[k] = pg_used.get(k, 0) + v
            else:
                used[k] = used.get(k, 0) + v
    return total, used, pg_reserved, pg_used


def render(data, verbose=False):
    now = datetime.datetime.now()
    out = ["======== Autoscaler status: %s ========" % now.strftime("%Y-%m-%d %H:%M:%S.%f"), "Node status", RULE, "Active:"]
    alive = sorted(state.alive_nodes(data), key=lambda n: n.get("startedAt", 0))
    out += [" 1 node_%s" % n["nodeId"] for n in alive] or [" (no active nodes)"]
    out += ["Pending:", " (no pending nodes)", "Recent failures:"]
    failed = [n for n in data["nodes"].values() if not state.node_alive(n) and n.get("deathReason") == "UNEXPECTED_TERMINATION"
              and time.time() - n.get("deathTime", 0) < 3600]
    out += [" node_%s: NodeTerminated (ip: %s)" % (n["nodeId"], n["ip"]) for n in failed] or [" (no failures)"]
    out += ["", "Resources", RULE, "Total Usage:"]
    total, used, pg_reserved, pg_used = _totals(data)
    keys = [k for k in ("CPU", "GPU") if k in total]
    keys += sorted(k for k in total if k not in ("CPU", "GPU", "memory", "object_store_memory")
                   and not k.startswith("node:") and not k.startswith("accelerator_type:"))
    for k in keys:
        line = " %.1f/%.1f %s" % (used.get(k, 0), total[k], k)
        if pg_reserved.get(k):
            line += " (%.1f used of %.1f reserved in placement groups)" % (pg_used.get(k, 0), pg_reserved[k])
        out.append(line)
    for k in ("memory", "object_store_memory"):
        if k in total:
            out.append(" %s/%s %s" % (format_memory(used.get(k, 0)), format_memory(total[k]), k))
    if not total:
        out.append(" (no resources)")
    out += ["", "Total Constraints:", " (no request_resources() constraints)", "Total Demands:"]
    pending = [pg for pg in data["placementGroups"].values() if pg["state"] != "CREATED"]
    if pending:
        for pg in pending:
            b = pg["bundles"][0] if pg["bundles"] else {}
            out.append(" %s * %d (%s): 1+ pending placement groups" % ({k: float(v) for k, v in b.items()}, len(pg["bundles"]), pg["strategy"]))
    else:
        out.append(" (no resource demands)")
    if verbose:
        for n in alive:
            out += ["", "Node: %s" % n["nodeId"], " Usage:"]
            for k in ("CPU", "GPU"):
                if k in n["resources"]:
                    out.append("  0.0/%.1f %s" % (n["resources"][k], k))
    return "\n".join(out)
