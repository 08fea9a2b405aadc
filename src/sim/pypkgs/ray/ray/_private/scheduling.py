"""Where a task or actor runs: inside a placement group bundle, on a chosen node, or anywhere it fits."""
import os
import time

from ray._private.sim import scheduler, state
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy, PlacementGroupSchedulingStrategy

VALID_OPTIONS = {
    "num_cpus", "num_gpus", "resources", "memory", "object_store_memory", "accelerator_type", "scheduling_strategy",
    "runtime_env", "name", "namespace", "lifetime", "max_restarts", "max_task_retries", "max_concurrency",
    "max_retries", "num_returns", "placement_group", "placement_group_bundle_index",
    "placement_group_capture_child_tasks", "retry_exceptions", "concurrency_groups", "get_if_exists",
    "label_selector", "fallback_strategy", "max_pending_calls", "enable_task_events", "_metadata", "_labels",
}


def check_options(options, what):
    for k in options:
        if k not in VALID_OPTIONS:
            raise ValueError("Invalid option keyword %s for %s. Valid ones are %s." % (k, what, sorted(VALID_OPTIONS)))
    for k in ("num_cpus", "num_gpus"):
        v = options.get(k)
        if v is not None and (not isinstance(v, (int, float)) or v < 0):
            raise ValueError("The keyword '%s' only accepts None, 0 or a positive number, got %r" % (k, v))


def resource_spec(options, is_actor):
    spec = {}
    cpus = options.get("num_cpus")
    spec["CPU"] = float(cpus if cpus is not None else (0 if is_actor else 1))
    spec["GPU"] = float(options.get("num_gpus") or 0)
    if options.get("memory"):
        spec["memory"] = float(options["memory"])
    for k, v in (options.get("resources") or {}).items():
        spec[k] = float(v)
    if options.get("accelerator_type"):
        spec["accelerator_type:%s" % options["accelerator_type"]] = 0.001
    return {k: v for k, v in spec.items() if v > 0}


def strategy_of(options):
    s = options.get("scheduling_strategy")
    if s is None and options.get("placement_group") not in (None, "default"):
        s = PlacementGroupSchedulingStrategy(options["placement_group"], options.get("placement_group_bundle_index", -1))
    return s


class Placement:
    def __init__(self, node, gpu_ids, lease_id=None, pg_id=None, bundle_index=None, spec=None):
        self.node = node
        self.gpu_ids = gpu_ids
        self.lease_id = lease_id
        self.pg_id = pg_id
        self.bundle_index = bundle_index
        self.spec = spec or {}


def _in_bundle(data, pg, index, spec):
    bundle = pg["bundles"][index]
    used, used_gpus = {}, set()
    for lease in data["leases"].values():
        if lease.get("pg") == pg["id"] and lease.get("bundle") == index:
            for k, v in lease["resources"].items():
                used[k] = used.get(k, 0) + v
            used_gpus.update(lease.get("gpus") or [])
    for k, v in spec.items():
        if bundle.get(k, 0) + scheduler.EPS < used.get(k, 0) + v:
            return None
    free = [g for g in pg["bundleGpus"][index] if g not in used_gpus]
    need = scheduler.gpu_ids_needed(spec)
    if len(free) < need:
        return None
    return free[:need]


def try_place(options, is_actor, record_lease, owner, name):
    """A Placement when the request fits now; None while it cannot (the caller waits, like real Ray)."""
    spec = resource_spec(options, is_actor)
    strategy = strategy_of(options)
    with state.transaction() as data:
        chosen = None
        if isinstance(strategy, PlacementGroupSchedulingStrategy):
            pg_id = strategy.placement_group.id.hex()
            pg = data["placementGroups"].get(pg_id)
            if pg is None:
                raise ValueError("Placement group %s was removed or does not exist." % pg_id)
            if pg["state"] != "CREATED":
                return None
            index = strategy.placement_group_bundle_index
            if index is not None and index >= len(pg["bundles"]):
                raise ValueError("placement_group_bundle_index %d is out of range: the placement group has %d bundles"
                                 % (index, len(pg["bundles"])))
            for i in ([index] if index is not None and index >= 0 else range(len(pg["bundles"]))):
                gpus = _in_bundle(data, pg, i, spec)
                if gpus is not None:
                    chosen = (pg["bundleNodes"][i], gpus, pg_id, i)
                    break
        else:
            node_id, soft = None, False
            if isinstance(strategy, NodeAffinitySchedulingStrategy):
                node_id, soft = strategy.node_id, strategy.soft
            picked = scheduler.pick_node(state.free_capacity(data), spec, node_id, soft)
            if picked is not None:
                chosen = (picked[0], picked[1], None, None)
        if chosen is None:
            return None
        node_id, gpus, pg_id, index = chosen
        lease_id = None
        if record_lease:
            lease_id = os.urandom(12).hex()
            data["leases"][lease_id] = {
                "nodeId": node_id, "resources": spec, "gpus": gpus, "pg": pg_id, "bundle": index, "owner": owner,
                "detached": options.get("lifetime") == "detached", "name": name, "createdAt": time.time(),
            }
        return Placement(dict(data["nodes"][node_id]), gpus, lease_id, pg_id, index, spec)


def release(lease_id):
    if not lease_id:
        return
    with state.transaction() as data:
        data["leases"].pop(lease_id, None)


def lease_alive(lease_id, node_id):
    """(alive, reason): the actor's lease still exists and its node is alive."""
    data = state.read()
    node = data["nodes"].get(node_id)
    if node is None or not state.node_alive(node) or not state.process_alive(node.get("pid"), node.get("pidStart")):
        return False, "The actor died because its node has died. Node Id: %s" % node_id
    if lease_id and lease_id not in data["leases"]:
        return False, "The actor was killed or its placement group was removed."
    return True, ""
