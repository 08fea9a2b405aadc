"""A minimal stand-in for Ray, for scripts/dev/gpu-check.sh only: a GPU machine without Ray runs
scripts/remote/transfer_test.py's two actors as two forked processes on the one node. It offers
exactly the Ray calls transfer_test.py makes (ray.init, ray.remote on a class, .options(...),
.remote(...), ray.get, ray.shutdown, placement groups, ray.util.get_node_ip_address) with Ray's
signatures; each actor gets its runtime_env's env_vars before its constructor runs, as a Ray
worker process does. Never installed on a node: nodes run the real Ray."""
import multiprocessing
import os
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from . import util  # noqa: F401 - ray.util.get_node_ip_address

_ctx = multiprocessing.get_context("fork")  # the driver never touches CUDA or UCX
_job_env = {}
_actors = []


class GetTimeoutError(TimeoutError):
    pass


class RayTaskError(RuntimeError):
    pass


class ObjectRef(object):
    def __init__(self, future):
        self._future = future

    def _result(self, timeout):
        import concurrent.futures

        try:
            return self._future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise GetTimeoutError("Get timed out: some object(s) not ready after %s s" % timeout) from None


def init(address=None, runtime_env=None, logging_level=None, **kwargs):
    _job_env.clear()
    _job_env.update((runtime_env or {}).get("env_vars", {}))


def shutdown():
    while _actors:
        _actors.pop()._stop()


def get(refs, timeout=None):
    if isinstance(refs, list):
        return [r._result(timeout) for r in refs]
    return refs._result(timeout)


def remote(cls):
    return _ActorClass(cls, {})


class _ActorClass(object):
    def __init__(self, cls, opts):
        self._cls = cls
        self._opts = opts

    def options(self, **opts):
        return _ActorClass(self._cls, dict(self._opts, **opts))

    def remote(self, *args, **kwargs):
        env = dict(_job_env)
        env.update((self._opts.get("runtime_env") or {}).get("env_vars", {}))
        handle = _ActorHandle(self._cls, env, args, kwargs)
        _actors.append(handle)
        return handle


def _serve(conn, cls, env, args, kwargs):
    os.environ.update({k: str(v) for k, v in env.items()})
    try:
        obj = cls(*args, **kwargs)
    except Exception:  # noqa: BLE001 - reported on every call, as Ray's actor-died error
        obj, error = None, traceback.format_exc()
    while True:
        msg = conn.recv()
        if msg is None:
            return
        name, a, k = msg
        if obj is None:
            conn.send(("err", "actor constructor failed:\n" + error))
            continue
        try:
            conn.send(("ok", getattr(obj, name)(*a, **k)))
        except Exception:  # noqa: BLE001
            conn.send(("err", traceback.format_exc()))


class _ActorHandle(object):
    def __init__(self, cls, env, args, kwargs):
        self._conn, child = _ctx.Pipe()
        self._proc = _ctx.Process(target=_serve, args=(child, cls, env, args, kwargs), daemon=True)
        self._proc.start()
        self._pool = ThreadPoolExecutor(max_workers=1)  # an actor runs one call at a time, in order
        self._lock = threading.Lock()

    def _call(self, name, args, kwargs):
        with self._lock:
            self._conn.send((name, args, kwargs))
            status, value = self._conn.recv()
        if status == "err":
            raise RayTaskError(value)
        return value

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        handle = self

        class _Method(object):
            @staticmethod
            def remote(*args, **kwargs):
                return ObjectRef(handle._pool.submit(handle._call, name, args, kwargs))

        return _Method()

    def _stop(self):
        try:
            with self._lock:
                self._conn.send(None)
        except (OSError, ValueError):
            pass
        self._proc.join(10)
        if self._proc.is_alive():
            self._proc.terminate()
        self._pool.shutdown(wait=False)
