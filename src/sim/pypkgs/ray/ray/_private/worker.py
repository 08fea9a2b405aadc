"""The driver side of the emulated Ray: ray.init, ObjectRefs, ray.get/put/wait, cluster queries,
and the execution context that tasks and actors run in (in this process, on their node's behalf).

Tasks and actor methods execute in the driver process, eagerly when they can be scheduled; while
they run, os.environ is the one of a worker on their node: the raylet's recorded environment
(UCX_*, LD_LIBRARY_PATH, ... given to `ray start`), the job's and the actor's runtime_env
env_vars, CUDA_VISIBLE_DEVICES with the assigned GPUs, and PDFLOW_SIM_NODE / PDFLOW_SIM_STATE /
PDFLOW_SIM_HOST of the node. Emulated libraries (nixl, vllm) read those to know where they run.
"""
import atexit
import contextlib
import datetime
import io
import itertools
import os
import sys
import threading
import time

from ray import exceptions
from ray._private.sim import env, node as sim_node, state

_lock = threading.RLock()
_ids = itertools.count(1)


class _Driver:
    def __init__(self, address, cluster_id, job_id, namespace, runtime_env, log_to_driver, logging_level):
        self.address = address
        self.cluster_id = cluster_id
        self.job_id = job_id
        self.namespace = namespace
        self.runtime_env = runtime_env or {}
        self.log_to_driver = log_to_driver
        self.logging_level = logging_level
        self.named_actors = {}


_driver = None


class TaskContext:
    def __init__(self, node, gpu_ids=(), actor=None, task_name="", pg_id=None, bundle_index=None, resources=None):
        self.node = node
        self.gpu_ids = list(gpu_ids)
        self.actor = actor
        self.task_name = task_name
        self.pg_id = pg_id
        self.bundle_index = bundle_index
        self.resources = resources or {}
        self.task_id = "%032x" % next(_ids)


_ctx_stack = []


def current_context():
    return _ctx_stack[-1] if _ctx_stack else None


def _log(level, msg):
    if _driver is not None and _driver.logging_level is not None and _level_no(_driver.logging_level) > _level_no(level):
        return
    now = datetime.datetime.now()
    sys.stderr.write("%s,%03d\t%s worker.py:1832 -- %s\n" % (now.strftime("%Y-%m-%d %H:%M:%S"), now.microsecond // 1000, level, msg))
    sys.stderr.flush()


def _level_no(level):
    if isinstance(level, int):
        return level
    return {"DEBUG": 10, "INFO": 20, "WARNING": 30, "WARN": 30, "ERROR": 40, "CRITICAL": 50}.get(str(level).upper(), 20)


# ---------------------------------------------------------------------------------------------
# ObjectRef


class ObjectRef:
    def __init__(self, value=None, error=None, resolver=None):
        self._id = "%056x" % next(_ids)
        self._value = value
        self._error = error
        self._resolver = resolver
        self._done = resolver is None

    def hex(self):
        return self._id

    def binary(self):
        return bytes.fromhex(self._id)

    def task_id(self):
        return self._id[:48]

    def __repr__(self):
        return "ObjectRef(%s)" % self._id

    def __hash__(self):
        return hash(self._id)

    def __eq__(self, other):
        return isinstance(other, ObjectRef) and other._id == self._id

    def _set(self, value=None, error=None):
        self._value, self._error, self._done = value, error, True

    def _resolve(self, deadline):
        if not self._done:
            self._resolver(deadline)
        if not self._done:
            raise exceptions.GetTimeoutError("Get timed out: some object(s) not ready.")

    def _ready_now(self):
        if self._done:
            return True
        try:
            self._resolver(time.time())
        except exceptions.GetTimeoutError:
            return False
        return self._done

    def __await__(self):
        return _awaitable(self).__await__()


async def _awaitable(ref):
    return get(ref)


ObjectID = ObjectRef


def _deadline(timeout):
    if timeout is None:
        return None
    return time.time() + max(0.0, float(timeout))


def get(object_refs, *, timeout=None):
    auto_init()
    deadline = _deadline(timeout)
    single = isinstance(object_refs, ObjectRef)
    refs = [object_refs] if single else list(object_refs)
    for r in refs:
        if not isinstance(r, ObjectRef):
            raise ValueError("'object_refs' must either be an ObjectRef or a list of ObjectRefs. Got %s" % type(r))
    out = []
    for r in refs:
        r._resolve(deadline)
        if r._error is not None:
            err = r._error
            if isinstance(err, exceptions.RayTaskError):
                raise err.as_instanceof_cause()
            raise err
        out.append(r._value)
    return out[0] if single else out


def put(value, **_kw):
    auto_init()
    return ObjectRef(value=value)


def wait(object_refs, *, num_returns=1, timeout=None, fetch_local=True):
    auto_init()
    refs = list(object_refs)
    if num_returns > len(refs):
        raise ValueError("num_returns cannot be greater than the number of objects provided to ray.wait.")
    deadline = _deadline(timeout)
    while True:
        ready = [r for r in refs if r._ready_now()]
        if len(ready) >= num_returns or (deadline is not None and time.time() >= deadline):
            ready = ready[:num_returns] if len(ready) >= num_returns else ready
            return ready, [r for r in refs if r not in ready]
        time.sleep(0.1)


def resolve_args(args, kwargs):
    """Top-level ObjectRef arguments are passed as their values, as in real Ray."""
    return ([get(a) if isinstance(a, ObjectRef) else a for a in args],
            {k: get(v) if isinstance(v, ObjectRef) else v for k, v in kwargs.items()})


# ---------------------------------------------------------------------------------------------
# init / shutdown


class RayContext(dict):
    """What ray.init returns (a dict with address_info and dashboard_url, like the real one)."""

    def __init__(self, address, node_ip):
        super().__init__(address=address, node_ip_address=node_ip, dashboard_url="%s:8265" % address.split(":")[0])
        self.address_info = dict(self)
        self.dashboard_url = self["dashboard_url"]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutdown()


def _resolve_address(address):
    if address in (None, "", "auto", "local"):
        env_addr = os.environ.get("RAY_ADDRESS")
        if env_addr and env_addr not in ("auto", "local"):
            return sim_node.parse_address(env_addr)
        current = sim_node.read_current_cluster()
        if current:
            return current
        raise ConnectionError("Could not find any running Ray instance. Please specify the one to connect to by setting "
                              "`--address` flag or `RAY_ADDRESS` environment variable.")
    return sim_node.parse_address(address)


def connect_check(address):
    """(cluster record, data) for a live cluster at `address`, else ConnectionError like real Ray."""
    data = state.read()
    c = data.get("cluster")
    if c and c["gcsAddress"] == address and state.head_alive(data):
        return c
    with state.transaction() as data:
        c = data.get("cluster")
        if c and c["gcsAddress"] == address and state.head_alive(data):
            return c
    raise ConnectionError("Failed to connect to GCS at address %s within 5 seconds. Check that (1) Ray GCS with "
                          "matching version started successfully at the specified address, and (2) there is no "
                          "firewall setting preventing access." % address)


def init(address=None, *, num_cpus=None, num_gpus=None, resources=None, labels=None, object_store_memory=None,
         local_mode=False, ignore_reinit_error=False, include_dashboard=None, dashboard_host="127.0.0.1",
         dashboard_port=None, job_config=None, configure_logging=True, logging_level="INFO", logging_format=None,
         logging_config=None, log_to_driver=True, namespace=None, runtime_env=None, **kwargs):
    global _driver
    with _lock:
        if _driver is not None:
            if ignore_reinit_error:
                return RayContext(_driver.address, env.node_ip())
            raise RuntimeError("Maybe you called ray.init twice by accident? This error can be suppressed by passing in "
                               "'ignore_reinit_error=True' or by calling 'ray.shutdown()' prior to 'ray.init()'.")
        scale = env.begin("ray-driver")
        addr = _resolve_address(address)
        level = logging_level
        now_level = _level_no(level)
        if now_level <= 20:
            _log("INFO", "Connecting to existing Ray cluster at address: %s..." % addr)
        try:
            cluster = connect_check(addr)
        except ConnectionError:
            time.sleep(min(5.0, 5.0 * scale))
            raise
        if runtime_env is not None:
            _check_runtime_env(runtime_env)
        with state.transaction() as data:
            data["jobs"] = int(data.get("jobs", 0)) + 1
            job = data["jobs"]
        _driver = _Driver(addr, cluster["clusterId"], "%02x000000" % (job % 256), namespace or "anonymous_namespace_%d" % job,
                          runtime_env, log_to_driver, level)
        time.sleep(0.5 * scale)
        if now_level <= 20:
            _log("INFO", "Connected to Ray cluster. View the dashboard at %s:8265 " % addr.split(":")[0])
        return RayContext(addr, env.node_ip())


def _check_runtime_env(runtime_env):
    if not isinstance(runtime_env, dict):
        raise TypeError("runtime_env must be a dict, got %s" % type(runtime_env).__name__)
    for k, v in (runtime_env.get("env_vars") or {}).items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TypeError("runtime_env['env_vars'] must be of type Dict[str, str], got %r=%r" % (k, v))


def is_initialized():
    return _driver is not None


def auto_init():
    if _driver is None:
        init(address="auto", logging_level="WARNING")


def driver():
    auto_init()
    return _driver


def shutdown(_exiting_interpreter=False):
    global _driver
    with _lock:
        if _driver is None:
            return
        me = state.owner_self()
        try:
            with state.transaction() as data:
                for k in [k for k, l in data["leases"].items() if l.get("owner") == me and not l.get("detached")]:
                    del data["leases"][k]
                for k in [k for k, p in data["placementGroups"].items() if p.get("owner") == me and not p.get("detached")]:
                    del data["placementGroups"][k]
        except env.SimEnvError:
            pass
        _driver = None


atexit.register(lambda: shutdown(True))


# ---------------------------------------------------------------------------------------------
# cluster queries


def _node_dict(n):
    alive = state.node_alive(n)
    return {
        "NodeID": n["nodeId"],
        "Alive": alive,
        "alive": alive,
        "NodeManagerAddress": n["ip"],
        "NodeManagerHostname": n.get("simNode") or n["ip"],
        "NodeName": n["ip"],
        "NodeManagerPort": 38000 + (int(n["nodeId"][:4], 16) % 1000),
        "ObjectManagerPort": 39000 + (int(n["nodeId"][:4], 16) % 1000),
        "MetricsExportPort": 40000 + (int(n["nodeId"][:4], 16) % 1000),
        "ObjectStoreSocketName": "/tmp/ray/session_latest/sockets/plasma_store",
        "RayletSocketName": "/tmp/ray/session_latest/sockets/raylet",
        "Resources": dict(n["resources"]) if alive else {},
        "Labels": {"ray.io/node_id": n["nodeId"]},
        "DeathReason": 0 if alive else (1 if n.get("deathReason") == "EXPECTED_TERMINATION" else 2),
        "DeathReasonMessage": "" if alive else n.get("deathMessage", ""),
        "IsHeadNode": bool(n.get("isHead")),
    }


def nodes():
    auto_init()
    with state.transaction() as data:
        return [_node_dict(n) for n in sorted(data["nodes"].values(), key=lambda n: n.get("startedAt", 0))]


def cluster_resources():
    auto_init()
    with state.transaction() as data:
        total = {}
        for n in state.alive_nodes(data):
            for k, v in n["resources"].items():
                total[k] = total.get(k, 0) + v
        return total


def available_resources():
    auto_init()
    with state.transaction() as data:
        free = {}
        for cap in state.free_capacity(data):
            for k, v in cap["free"].items():
                free[k] = free.get(k, 0) + v
        return {k: v for k, v in free.items() if v > 1e-9}


def local_node_record():
    """The driver's node: this simulated node's live Ray node, if it is part of the cluster."""
    return state.local_node(state.read())


def node_for_context():
    ctx = current_context()
    if ctx is not None:
        return ctx.node
    return local_node_record()


def get_gpu_ids():
    ctx = current_context()
    return list(ctx.gpu_ids) if ctx else []


# ---------------------------------------------------------------------------------------------
# running a task or actor method "on" its node


class _Prefixed(io.TextIOBase):
    def __init__(self, target, prefix):
        self._target = target
        self._prefix = prefix
        self._buf = ""

    def write(self, s):
        self._buf += s
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            self._target.write(self._prefix + line + "\n")
        return len(s)

    def flush(self):
        self._target.flush()

    def close_line(self):
        if self._buf:
            self._target.write(self._prefix + self._buf + "\n")
            self._buf = ""
        self._target.flush()


class _Discard(io.TextIOBase):
    def write(self, s):
        return len(s)

    def close_line(self):
        pass


@contextlib.contextmanager
def executing(ctx, label, runtime_env=None, fake_pid=None):
    """Runs the body as a worker of ctx.node would: its env, its GPUs, prefixed output."""
    node = ctx.node
    local = local_node_record()
    saved = dict(os.environ)
    overlay = dict(node.get("env") or {})
    for src in ((_driver.runtime_env if _driver else {}) or {}, runtime_env or {}):
        overlay.update(src.get("env_vars") or {})
    overlay.update({
        "CUDA_VISIBLE_DEVICES": ",".join(str(i) for i in ctx.gpu_ids),
        "PDFLOW_SIM_NODE": node.get("simNode", ""),
        "PDFLOW_SIM_STATE": node.get("stateDir", ""),
        "PDFLOW_SIM_HOST": node["ip"],
        "RAY_NODE_ID": node["nodeId"],
    })
    os.environ.update(overlay)
    _ctx_stack.append(ctx)
    where = "" if local is not None and local["nodeId"] == node["nodeId"] else ", ip=%s" % node["ip"]
    prefix = "(%s pid=%d%s) " % (label, fake_pid or os.getpid(), where)
    show = _driver is None or _driver.log_to_driver
    out, err = sys.stdout, sys.stderr
    sys.stdout = _Prefixed(out, prefix) if show else _Discard()
    sys.stderr = _Prefixed(err, prefix) if show else _Discard()
    try:
        yield
    finally:
        sys.stdout.close_line()
        sys.stderr.close_line()
        sys.stdout, sys.stderr = out, err
        _ctx_stack.pop()
        os.environ.clear()
        os.environ.update(saved)


def task_error(name, exc, ctx, fake_pid=None):
    import traceback

    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return exceptions.RayTaskError(name, tb, exc, "ray::%s()" % name, fake_pid or os.getpid(), ctx.node["ip"])
