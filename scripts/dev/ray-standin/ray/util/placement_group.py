"""Placement groups of the stand-in: one node, so PACK and STRICT_PACK are always ready and a
SPREAD group of more than one bundle never is (as on a one-node Ray cluster)."""
from concurrent.futures import Future

STRATEGIES = ("PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD")


class PlacementGroup(object):
    def __init__(self, bundles, strategy):
        self.bundle_specs = bundles
        self.strategy = strategy

    def ready(self):
        import ray

        f = Future()
        if not (self.strategy == "STRICT_SPREAD" and len(self.bundle_specs) > 1):
            f.set_result(self)
        return ray.ObjectRef(f)


def placement_group(bundles, strategy="PACK", name="", lifetime=None, **kwargs):
    if strategy not in STRATEGIES:
        raise ValueError("Invalid placement group strategy %s. Supported strategies are: %s." % (strategy, list(STRATEGIES)))
    return PlacementGroup(bundles, strategy)


def remove_placement_group(placement_group):
    return None
