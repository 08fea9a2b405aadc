"""$PDFLOW_SIM_CLUSTER/shared/ray.json: the emulated GCS.

{
  "cluster": null | {"clusterId", "gcsAddress": "ip:port", "headNodeId", "sessionName", "startedAt"},
  "nodes": {nodeId: {"nodeId", "ip", "simNode", "stateDir", "isHead", "resources", "pid", "pidStart",
                     "startedAt", "state": "ALIVE"|"DEAD", "deathReason", "deathMessage", "deathTime", "env"}},
  "placementGroups": {pgId: {"id", "name", "strategy", "bundles", "state": "PENDING"|"CREATED",
                             "bundleNodes", "bundleGpus", "owner": {"pid","start"}, "detached", "createdAt"}},
  "leases": {leaseId: {"nodeId", "resources", "gpus", "pg", "bundle", "owner", "detached", "name"}},
  "jobs": N
}
Every change happens in `transaction()` (flock + atomic rename); `refresh()` runs first in each
transaction and applies what time and processes changed: dead raylets -> dead nodes, dead
owners -> freed leases and placement groups, pending placement groups -> placed when they fit.
"""
import contextlib
import fcntl
import json
import os
import time

from . import env, scheduler

EMPTY = {"cluster": None, "nodes": {}, "placementGroups": {}, "leases": {}, "jobs": 0}


def _path():
    """The state file; its folder is created only by writers, so a reader (a raylet outliving a
    removed cluster folder) never brings the folder back."""
    return os.path.join(env.cluster_dir(), "shared", "ray.json")


def proc_start(pid):
    """Start time of a process (field 22 of /proc/<pid>/stat), to tell a pid from its reuse."""
    try:
        with open("/proc/%d/stat" % int(pid)) as f:
            stat = f.read()
        rest = stat[stat.rindex(")") + 2:].split()
        if rest[0] in ("Z", "X"):
            return None
        return int(rest[19])
    except (OSError, ValueError, IndexError):
        return None


def process_alive(pid, start):
    return pid is not None and proc_start(pid) is not None and proc_start(pid) == start


def owner_self():
    return {"pid": os.getpid(), "start": proc_start(os.getpid())}


def owner_alive(owner):
    return bool(owner) and process_alive(owner.get("pid"), owner.get("start"))


def read():
    """A snapshot without the lock (writers rename atomically, so it is never half a file)."""
    try:
        with open(_path()) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    out = json.loads(json.dumps(EMPTY))
    out.update(data)
    return out


def _write(data):
    tmp = "%s.%d.tmp" % (_path(), os.getpid())
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, _path())


@contextlib.contextmanager
def transaction():
    env.shared_dir()
    with open(_path() + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = read()
        refresh(data)
        yield data
        _write(data)


def node_alive(node):
    return node.get("state") == "ALIVE"


def alive_nodes(data):
    return [n for n in data["nodes"].values() if node_alive(n)]


def head_alive(data):
    c = data.get("cluster")
    if not c:
        return False
    head = data["nodes"].get(c["headNodeId"])
    return bool(head) and node_alive(head)


def mark_dead(node, reason, message):
    node["state"] = "DEAD"
    node["deathReason"] = reason
    node["deathMessage"] = message
    node["deathTime"] = time.time()


def refresh(data):
    now = time.time()
    for node in data["nodes"].values():
        if node_alive(node) and not process_alive(node.get("pid"), node.get("pidStart")):
            mark_dead(node, "UNEXPECTED_TERMINATION",
                      "The node with node id: %s and address: %s and node name: %s has been marked dead because the "
                      "detector has missed too many heartbeats from it. This can happen when a \t(1) raylet crashes "
                      "unexpectedly (OOM, etc.) \n\t(2) raylet has lagging heartbeats due to slow network or busy workload."
                      % (node["nodeId"], node["ip"], node["ip"]))
    # Forget nodes that died long ago (real GCS keeps a bounded list of dead nodes).
    for nid in [k for k, n in data["nodes"].items() if not node_alive(n) and now - n.get("deathTime", now) > 3600]:
        del data["nodes"][nid]
    # Leases and placement groups whose driver exited go away unless detached.
    for lid in [k for k, l in data["leases"].items() if (not l.get("detached") and not owner_alive(l.get("owner")))
                or l.get("nodeId") not in data["nodes"] or not node_alive(data["nodes"][l["nodeId"]])]:
        del data["leases"][lid]
    for pid_ in [k for k, pg in data["placementGroups"].items() if not pg.get("detached") and not owner_alive(pg.get("owner"))]:
        del data["placementGroups"][pid_]
        for lid in [k for k, l in data["leases"].items() if l.get("pg") == pid_]:
            del data["leases"][lid]
    # A placement group that lost a node is rescheduled, as in real Ray.
    for pg in data["placementGroups"].values():
        if pg["state"] == "CREATED" and any(
                nid not in data["nodes"] or not node_alive(data["nodes"][nid]) for nid in pg.get("bundleNodes") or []):
            pg["state"] = "RESCHEDULING"
            pg["bundleNodes"], pg["bundleGpus"] = None, None
    place_pending(data)


def used_by_node(data):
    """Per node: resources reserved by placement groups and held by leases outside them, GPU ids taken."""
    used = {nid: {"res": {}, "gpus": set()} for nid in data["nodes"]}
    for pg in data["placementGroups"].values():
        if pg["state"] != "CREATED":
            continue
        for i, spec in enumerate(pg["bundles"]):
            nid = pg["bundleNodes"][i]
            if nid not in used:
                continue
            for k, v in spec.items():
                used[nid]["res"][k] = used[nid]["res"].get(k, 0) + v
            used[nid]["gpus"].update(pg["bundleGpus"][i])
    for lease in data["leases"].values():
        if lease.get("pg") or lease["nodeId"] not in used:
            continue
        u = used[lease["nodeId"]]
        for k, v in lease["resources"].items():
            u["res"][k] = u["res"].get(k, 0) + v
        u["gpus"].update(lease.get("gpus") or [])
    return used


def free_capacity(data):
    used = used_by_node(data)
    out = []
    for n in alive_nodes(data):
        free = dict(n["resources"])
        for k, v in used[n["nodeId"]]["res"].items():
            free[k] = free.get(k, 0) - v
        gpu_ids = [i for i in range(int(n["resources"].get("GPU", 0))) if i not in used[n["nodeId"]]["gpus"]]
        out.append({"nodeId": n["nodeId"], "free": free, "gpuIds": gpu_ids, "startedAt": n.get("startedAt", 0)})
    return out


def place_pending(data):
    for pg in sorted(data["placementGroups"].values(), key=lambda p: p["createdAt"]):
        if pg["state"] not in ("PENDING", "RESCHEDULING"):
            continue
        placed = scheduler.place_bundles(free_capacity(data), pg["bundles"], pg["strategy"])
        if placed is not None:
            pg["bundleNodes"], pg["bundleGpus"] = placed
            pg["state"] = "CREATED"


def local_node(data):
    """This node's live record (matched by simulated node name), or None."""
    me = env.node_name()
    for n in alive_nodes(data):
        if n.get("simNode") == me:
            return n
    return None


def node_by_ip(data, ip):
    for n in alive_nodes(data):
        if n["ip"] == ip:
            return n
    return None


def raylet_env(node):
    """The environment `ray start` recorded for a node (by simulated node name, IP or node id):
    what Ray workers on that node inherit (UCX_*, LD_LIBRARY_PATH, PATH with the UCX bin ...)."""
    data = read()
    for n in sorted(data["nodes"].values(), key=lambda n: (not node_alive(n), -n.get("startedAt", 0))):
        if node in (n.get("simNode"), n.get("ip"), n.get("nodeId")):
            return dict(n.get("env") or {})
    return {}
