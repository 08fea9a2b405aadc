"""Placement groups, computed from the registered nodes' free resources (see ray._private.sim.state).

A group that does not fit stays PENDING (ready() does not resolve, ray.get waits or times out), as
in real Ray; it is placed as soon as nodes join or resources are freed.
"""
import os
import time

from ray._private import worker
from ray._private.sim import scheduler, state


class PlacementGroupID:
    def __init__(self, hex_id):
        self._hex = hex_id

    def hex(self):
        return self._hex

    def binary(self):
        return bytes.fromhex(self._hex)

    def __repr__(self):
        return "PlacementGroupID(%s)" % self._hex

    def __eq__(self, other):
        return isinstance(other, PlacementGroupID) and other._hex == self._hex

    def __hash__(self):
        return hash(self._hex)


class PlacementGroup:
    def __init__(self, id, bundle_cache=None):
        self.id = id
        self._bundles = bundle_cache

    @staticmethod
    def empty():
        return PlacementGroup(PlacementGroupID("ff" * 18), [])

    @property
    def is_empty(self):
        return self.id.hex() == "ff" * 18

    @property
    def bundle_specs(self):
        if self._bundles is None:
            pg = state.read()["placementGroups"].get(self.id.hex())
            self._bundles = list(pg["bundles"]) if pg else []
        return [dict(b) for b in self._bundles]

    @property
    def bundle_count(self):
        return len(self.bundle_specs)

    def _state(self):
        with state.transaction() as data:
            pg = data["placementGroups"].get(self.id.hex())
            return pg["state"] if pg else "REMOVED"

    def _resolver(self, ref):
        def resolve(deadline):
            while True:
                s = self._state()
                if s == "CREATED":
                    ref._set(value=self)
                    return
                if s == "REMOVED":
                    from ray import exceptions

                    ref._set(error=exceptions.RayError("Placement group %s was removed before it was ready." % self.id.hex()))
                    return
                if deadline is not None and time.time() >= deadline:
                    return
                time.sleep(0.2)

        return resolve

    def ready(self):
        worker.auto_init()
        ref = worker.ObjectRef()
        ref._done = False
        ref._resolver = self._resolver(ref)
        return ref

    def wait(self, timeout_seconds=30):
        ref = self.ready()
        try:
            ref._resolve(time.time() + float(timeout_seconds))
        except Exception:
            return False
        return ref._error is None

    def __repr__(self):
        return "PlacementGroup(id=%s)" % self.id.hex()


def _check_bundles(bundles):
    if not isinstance(bundles, list) or not bundles:
        raise ValueError("The placement group `bundles` argument cannot contain an empty list")
    for b in bundles:
        if not isinstance(b, dict):
            raise ValueError("Bundles must be a list of dictionaries, got %r" % (b,))
        if not b or all(v == 0 for v in b.values()):
            raise ValueError("Bundles cannot be an empty dictionary or resources with only 0 values. Bundles: %s" % bundles)
        for k, v in b.items():
            if not isinstance(v, (int, float)) or v < 0:
                raise ValueError("Bundle resource %s must be a non-negative number, got %r" % (k, v))


def placement_group(bundles, strategy="PACK", name="", lifetime=None, _soft_target_node_id=None,
                    bundle_label_selector=None, **_kw):
    worker.auto_init()
    _check_bundles(bundles)
    if strategy not in scheduler.STRATEGIES:
        raise ValueError("Invalid placement group strategy %s. Supported strategies are: %s." % (strategy, list(scheduler.STRATEGIES)))
    if lifetime not in (None, "detached"):
        raise ValueError("Placement group `lifetime` argument must be either `None` or 'detached'. Got %s." % lifetime)
    pg_id = os.urandom(18).hex()
    clean = [{k: float(v) for k, v in b.items() if v > 0} for b in bundles]
    with state.transaction() as data:
        data["placementGroups"][pg_id] = {
            "id": pg_id, "name": name, "strategy": strategy, "bundles": clean, "state": "PENDING",
            "bundleNodes": None, "bundleGpus": None, "owner": state.owner_self(), "detached": lifetime == "detached",
            "createdAt": time.time(), "namespace": worker.driver().namespace,
        }
        state.place_pending(data)
    return PlacementGroup(PlacementGroupID(pg_id), clean)


def remove_placement_group(placement_group):
    worker.auto_init()
    with state.transaction() as data:
        pid = placement_group.id.hex()
        data["placementGroups"].pop(pid, None)
        for k in [k for k, l in data["leases"].items() if l.get("pg") == pid]:
            del data["leases"][k]


def get_placement_group(placement_group_name):
    worker.auto_init()
    data = state.read()
    for pg in data["placementGroups"].values():
        if pg.get("name") == placement_group_name:
            return PlacementGroup(PlacementGroupID(pg["id"]), pg["bundles"])
    raise ValueError("Failed to look up placement group with name: %s" % placement_group_name)


def get_current_placement_group():
    ctx = worker.current_context()
    if ctx is None or ctx.pg_id is None:
        return None
    return PlacementGroup(PlacementGroupID(ctx.pg_id))


def placement_group_table(placement_group=None):
    worker.auto_init()
    with state.transaction() as data:
        def row(pg):
            return {
                "placement_group_id": pg["id"], "name": pg.get("name", ""), "strategy": pg["strategy"],
                "state": pg["state"], "bundles": {i: dict(b) for i, b in enumerate(pg["bundles"])},
                "bundles_to_node_id": {i: n for i, n in enumerate(pg.get("bundleNodes") or [])},
                "stats": {"scheduling_state": "FINISHED" if pg["state"] == "CREATED" else "NO_RESOURCES"},
            }

        if placement_group is not None:
            pg = data["placementGroups"].get(placement_group.id.hex())
            return row(pg) if pg else {"placement_group_id": placement_group.id.hex(), "state": "REMOVED"}
        return {k: row(pg) for k, pg in data["placementGroups"].items()}
