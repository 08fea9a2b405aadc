"""ray.util of the stand-in (scripts/dev/ray-standin): the node's address, as an actor sees it."""
import os


def get_node_ip_address():
    return os.environ.get("PDFLOW_NODE_IP", "127.0.0.1")
