"""Emulated Ray 2.51 for pdflow's simulated cluster (core API and CLI).

The cluster state is shared by the simulated nodes through $PDFLOW_SIM_CLUSTER/shared/ray.json;
tasks and actors execute inside the driver process on behalf of the node they were placed on.
See ray._private.sim for how nodes, liveness and placement are modelled.
"""
from ray._version import version as __version__  # noqa: F401
from ray._version import commit as __commit__  # noqa: F401
from ray import exceptions  # noqa: F401
from ray._private.worker import (  # noqa: F401
    ObjectID,
    ObjectRef,
    available_resources,
    cluster_resources,
    get,
    get_gpu_ids,
    init,
    is_initialized,
    nodes,
    put,
    shutdown,
    wait,
)
from ray import util  # noqa: F401
from ray.actor import ActorClass, ActorHandle, get_actor, kill, method  # noqa: F401
from ray.remote_function import RemoteFunction  # noqa: F401
from ray.runtime_context import get_runtime_context  # noqa: F401


def remote(*args, **kwargs):
    """@ray.remote / @ray.remote(num_gpus=1, ...) on a function or a class."""
    import inspect

    def make(obj, options):
        if inspect.isclass(obj):
            return ActorClass(obj, options)
        if callable(obj):
            return RemoteFunction(obj, options)
        raise TypeError("The @ray.remote decorator must be applied to either a function or a class.")

    if len(args) == 1 and not kwargs and callable(args[0]):
        return make(args[0], {})
    if args:
        raise TypeError("The @ray.remote decorator must be applied either with no arguments and no parentheses, for "
                        "example '@ray.remote', or it must be applied using some of the arguments in the list %s, for "
                        "example '@ray.remote(num_returns=2, resources={\"CustomResource\": 1})'." % ["num_cpus", "num_gpus", "resources"])
    return lambda obj: make(obj, kwargs)


def cancel(object_ref, *, force=False, recursive=True):
    """Tasks here finish when they are submitted, so there is nothing left to cancel."""
    return None


def timeline(filename=None):
    return []


__all__ = [
    "ActorClass", "ActorHandle", "ObjectRef", "available_resources", "cancel", "cluster_resources", "exceptions", "get",
    "get_actor", "get_gpu_ids", "get_runtime_context", "init", "is_initialized", "kill", "method", "nodes", "put",
    "remote", "shutdown", "util", "wait",
]
