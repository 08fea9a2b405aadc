"""Emulated Ray Serve (Ray 2.51): start, run, status, delete, shutdown for Serve LLM apps.

The "controller" is <cluster>/shared/serve.json; the HTTP proxy and every replica are one
detached server process on the node that started Serve (ray.serve._sim.server), which answers
the OpenAI endpoints with timings from the pdflow performance model. Deployed replicas hold
their GPUs in each node's gpu-usage.json, so nvidia-smi shows them busy until shutdown."""
import sys
import time

from pdflow_sim import node as simnode
from pdflow_sim import perf_model

from . import schema  # noqa: F401
from ._sim import placement
from ._sim import state
from .application import Application  # noqa: F401

DEFAULT_PORT = 8000
_http = {"host": "127.0.0.1", "port": DEFAULT_PORT}


class RayServeException(Exception):
    pass


class DeploymentHandle(object):
    def __init__(self, app_name):
        self.app_name = app_name

    def __repr__(self):
        return "DeploymentHandle(app=%r)" % self.app_name


def _log(msg):
    sys.stderr.write("INFO %s serve -- %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), msg))
    sys.stderr.flush()


def _ensure_ray():
    import ray

    if not ray.is_initialized():
        ray.init(address="auto")
    return ray


def _bind_host(host):
    """Where the emulated proxy listens: a sim node has its own loopback address, so 0.0.0.0 (and
    localhost) mean that address; otherwise the address given."""
    me = simnode.node_by_name(simnode.current_node_name()) or {}
    if host in (None, "", "0.0.0.0", "::", "127.0.0.1", "localhost"):
        return me.get("host", "127.0.0.1")
    return host


def start(http_options=None, detached=True, **_):
    opts = http_options or {}
    if not isinstance(opts, dict):
        opts = {"host": getattr(opts, "host", None), "port": getattr(opts, "port", None)}
    if opts.get("host"):
        _http["host"] = opts["host"]
    if opts.get("port"):
        _http["port"] = int(opts["port"])
    _ensure_ray()
    c = state.start_controller(_http["port"], _bind_host(_http["host"]), simnode.current_node_name())
    if c["port"] != _http["port"]:
        _log("Serve is already running with HTTP port %d; the requested port %d is ignored." % (c["port"], _http["port"]))
    return c


def _job_env(ray):
    """env_vars of the driver's runtime_env (ray.init(runtime_env=...)), which replicas inherit."""
    env = None
    try:
        env = ray.get_runtime_context().runtime_env
    except Exception:  # noqa: BLE001 - the emulated ray has no runtime_env on its context
        try:
            env = ray._private.worker.driver().runtime_env
        except Exception:  # noqa: BLE001
            env = None
    return dict((env or {}).get("env_vars") or {})


def _preflight(app):
    """Imports the replicas would need (they fail the deployment in real Ray too)."""
    try:
        import vllm  # noqa: F401
    except ImportError:
        return "ModuleNotFoundError: No module named 'vllm' (replica startup failed)"
    if app.kind == "pd":
        try:
            import nixl  # noqa: F401
        except ImportError:
            return "RuntimeError: NIXL is not available (NixlConnector could not import nixl on the replica's node)"
        roles = dict(app.role_configs)
        p_tp = roles["prefill"].engine_kwargs.get("tensor_parallel_size", 1)
        d_tp = roles["decode"].engine_kwargs.get("tensor_parallel_size", 1)
        if p_tp > d_tp:
            return ("AssertionError: NixlConnector (vLLM 0.11) cannot pull KV from a prefill TP %d into a decode TP %d "
                    "(prefill TP must be <= decode TP)" % (p_tp, d_tp))
    return None


def _remove_app(name):
    """Takes application `name` down at once (a redeploy replaces its replicas)."""
    with state.locked() as box:
        old = box.data.setdefault("applications", {}).pop(name, None)
    if old:
        for pl in old.get("placements", []):
            simnode.release_gpus(pl["node"], "serve:%s" % name)
        placement.remove_groups(old.get("placementGroups"))


def run(target, blocking=False, name="default", route_prefix="/", logging_config=None, _local_testing_mode=False, **_):
    if not isinstance(target, Application):
        raise TypeError("serve.run expects an Application built by ray.serve.llm (got %r)" % (target,))
    factor = simnode.begin("serve.run", library=True)
    ray = _ensure_ray()
    c = state.read()["controller"] if state.controller_alive() else start()
    env = _job_env(ray)
    for _, cfg in target.role_configs:
        env.update((cfg.runtime_env or {}).get("env_vars") or {})
    head = next((n for n in simnode.nodes() if n.get("role") == "head"), None) or {}
    failure = _preflight(target)
    deploy_s = perf_model.deploy_seconds_for(target.kind)
    use_ray = placement.ray_supports_placement_groups()
    _remove_app(name)
    announced = 0.0
    while True:
        pending, placements, groups, role_env = None, [], [], {}
        if not failure:
            try:
                if use_ray:
                    placements, groups, role_env = placement.ray_plan(name, target.role_configs)
                else:
                    placements = placement.plan(target.role_configs, placement.ray_nodes(), head.get("host"))
            except placement.Pending as p:
                pending, groups = str(p), p.groups
        record = {"deployedAt": time.time(), "message": "", "placements": placements, "placementGroups": groups,
                  "memoryMiB": perf_model.GPU_MEMORY_USED_MIB,
                  "deployments": {placement.deployment_name(role, cfg): placement._replicas(cfg.deployment_config)
                                  for role, cfg in target.role_configs}}
        if failure:
            record.update({"failed": True, "message": failure})
        elif pending:
            record.update({"pending": True, "message": pending})
        else:
            env.update(role_env.get("decode") or role_env.get("llm") or {})
            record["deployment"] = placement.describe(target.kind, target.role_configs, placements, env)
            record["deployment"]["appName"] = name
            record["readyAt"] = time.time() + deploy_s * factor
            for pl in placements:
                simnode.claim_gpus(pl["node"], pl["gpus"], c["pid"], record["memoryMiB"], "ray::RayWorkerWrapper", 0,
                                   "serve:%s" % name)
        with state.locked() as box:
            box.data.setdefault("applications", {})[name] = record
        if failure:
            raise RuntimeError("Deploying application '%s' failed: %s" % (name, failure))
        if not pending:
            break
        if time.time() - announced >= 30 * factor:
            _log("WARNING " + pending)
            announced = time.time()
        time.sleep(max(0.05, 2.0 * factor))
    for role, cfg in target.role_configs:
        _log("Deploying new version of Deployment(name='%s', app='%s')." % (placement.deployment_name(role, cfg), name))
    while time.time() < record["readyAt"]:
        if not state.controller_alive():
            raise RayServeException("The Serve controller died while application '%s' was deploying." % name)
        time.sleep(min(1.0, max(0.0, record["readyAt"] - time.time())))
    _log("Application '%s' is ready at http://%s:%d%s." % (name, _http["host"] or "127.0.0.1", c["port"], route_prefix))
    if blocking:
        while state.controller_alive():
            time.sleep(1.0)
    return DeploymentHandle(name)


def status():
    return state.serve_status()


def delete(name, _blocking=True):
    _remove_app(name)


def shutdown():
    factor = simnode.time_scale()
    _, apps = state.stop_controller()
    for app in apps.values():
        placement.remove_groups(app.get("placementGroups"))
    # Replicas exit and give their GPU memory back over a few seconds.
    state.release_all_gpus(apps, 6.0 * factor)


def deployment(*args, **kwargs):
    raise NotImplementedError("pdflow simulator: only Ray Serve LLM applications (ray.serve.llm) are emulated")


def get_app_handle(name):
    return DeploymentHandle(name)
