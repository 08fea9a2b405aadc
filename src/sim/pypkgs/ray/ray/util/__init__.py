"""ray.util: placement groups, scheduling strategies, node address."""
from ray.util import scheduling_strategies  # noqa: F401
from ray.util.placement_group import (  # noqa: F401
    PlacementGroup,
    get_current_placement_group,
    get_placement_group,
    placement_group,
    placement_group_table,
    remove_placement_group,
)


def get_node_ip_address():
    """The IP of the node this code runs on (an actor's node inside an actor)."""
    from ray._private import worker
    from ray._private.sim import env

    node = worker.node_for_context()
    return node["ip"] if node else env.node_ip()


__all__ = [
    "PlacementGroup", "get_current_placement_group", "get_node_ip_address", "get_placement_group", "placement_group",
    "placement_group_table", "remove_placement_group", "scheduling_strategies",
]
