"""Placement of bundles on nodes (PACK, SPREAD, STRICT_PACK, STRICT_SPREAD), from free capacity.

capacity: [{"nodeId", "free": {resource: amount}, "gpuIds": [free GPU indices], "startedAt"}]
Returns (bundleNodes, bundleGpus) or None when the request does not fit now.
"""
import copy
import math

EPS = 1e-9
STRATEGIES = ("PACK", "SPREAD", "STRICT_PACK", "STRICT_SPREAD")


def gpu_ids_needed(spec):
    g = float(spec.get("GPU", 0) or 0)
    return int(math.ceil(g - EPS)) if g > 0 else 0


def fits(node, spec):
    if any(node["free"].get(k, 0) + EPS < v for k, v in spec.items() if v > 0):
        return False
    return len(node["gpuIds"]) >= gpu_ids_needed(spec)


def take(node, spec):
    for k, v in spec.items():
        node["free"][k] = node["free"].get(k, 0) - v
    n = gpu_ids_needed(spec)
    ids, node["gpuIds"] = node["gpuIds"][:n], node["gpuIds"][n:]
    return ids


def _ordered(capacity):
    return sorted(copy.deepcopy(capacity), key=lambda n: (n.get("startedAt", 0), n["nodeId"]))


def _on_one_node(capacity, bundles):
    for node in _ordered(capacity):
        trial = copy.deepcopy(node)
        if all(fits(trial, b) and take(trial, b) is not None for b in bundles):
            node_copy = copy.deepcopy(node)
            return [node["nodeId"]] * len(bundles), [take(node_copy, b) for b in bundles]
    return None


def place_bundles(capacity, bundles, strategy):
    if strategy not in STRATEGIES:
        raise ValueError("Invalid placement group strategy %s. Supported strategies are %s." % (strategy, list(STRATEGIES)))
    if strategy == "STRICT_PACK":
        return _on_one_node(capacity, bundles)
    if strategy == "PACK":
        one = _on_one_node(capacity, bundles)
        if one is not None:
            return one
    nodes = _ordered(capacity)
    used_count = {n["nodeId"]: 0 for n in nodes}
    node_ids, gpus = [], []
    for b in bundles:
        if strategy == "PACK":
            # Fill the nodes already in use first, then the next one that fits.
            order = sorted(nodes, key=lambda n: -used_count[n["nodeId"]])
        elif strategy == "STRICT_SPREAD":
            order = [n for n in nodes if used_count[n["nodeId"]] == 0]
        else:  # SPREAD: unused nodes first, then the least used
            order = sorted(nodes, key=lambda n: used_count[n["nodeId"]])
        chosen = next((n for n in order if fits(n, b)), None)
        if chosen is None:
            return None
        gpus.append(take(chosen, b))
        node_ids.append(chosen["nodeId"])
        used_count[chosen["nodeId"]] += 1
    return node_ids, gpus


def pick_node(capacity, spec, node_id=None, soft=False):
    """A node for one task/actor outside placement groups: the given one, else the first that fits."""
    nodes = _ordered(capacity)
    if node_id is not None:
        target = [n for n in nodes if n["nodeId"] == node_id]
        if target and fits(target[0], spec):
            return target[0]["nodeId"], take(target[0], spec)
        if not soft:
            return None
    for n in nodes:
        if fits(n, spec):
            return n["nodeId"], take(n, spec)
    return None
