"""Actors: an instance of the class lives in this process "on" the node its lease is on.

Creation and method calls run eagerly when the actor can be scheduled; otherwise they queue and
run once it fits (a ray.get on one of their refs waits for that, with its timeout). Calls to an
actor whose node died (or that was killed, or whose placement group was removed) fail with
RayActorError, as in real Ray. The lease is recorded in ray.json so `ray status` shows the usage.
"""
import asyncio
import inspect
import itertools
import os
import time

from ray import exceptions
from ray._private import scheduling, worker
from ray._private.sim import state

_pids = itertools.count(os.getpid() * 10 % 90000 + 20000)


def method(*args, **kwargs):
    """@ray.method(num_returns=N, concurrency_group=...)."""

    def deco(fn):
        fn.__ray_num_returns__ = kwargs.get("num_returns", 1)
        return fn

    if len(args) == 1 and callable(args[0]) and not kwargs:
        return deco(args[0])
    return deco


class ActorClass:
    def __init__(self, cls, options):
        scheduling.check_options(options, "actors")
        self._cls = cls
        self._options = dict(options)
        self.__name__ = cls.__name__
        self.__doc__ = cls.__doc__

    def __call__(self, *args, **kwargs):
        raise TypeError("Actors cannot be instantiated directly. Instead of '%s()', use '%s.remote()'."
                        % (self.__name__, self.__name__))

    def options(self, **options):
        merged = dict(self._options)
        merged.update(options)
        return ActorClass(self._cls, merged)

    def remote(self, *args, **kwargs):
        worker.auto_init()
        name = self._options.get("name")
        drv = worker.driver()
        if name and name in drv.named_actors:
            if self._options.get("get_if_exists"):
                return drv.named_actors[name]
            raise ValueError("The name %s (namespace=%s) is already taken. Please use a different name or get the "
                             "existing actor using ray.get_actor('%s', namespace='%s')" % (name, drv.namespace, name, drv.namespace))
        handle = ActorHandle(self._cls, self._options, args, kwargs)
        if name:
            drv.named_actors[name] = handle
        handle._pump(time.time())
        return handle


class ActorMethod:
    def __init__(self, handle, name, num_returns=1):
        self._handle = handle
        self._name = name
        self._num_returns = num_returns

    def __call__(self, *args, **kwargs):
        raise TypeError("Actor methods cannot be called directly. Instead of running 'object.%s()', try "
                        "'object.%s.remote()'." % (self._name, self._name))

    def options(self, **options):
        return ActorMethod(self._handle, self._name, int(options.get("num_returns", self._num_returns) or 1))

    def remote(self, *args, **kwargs):
        return self._handle._call(self._name, args, kwargs, self._num_returns)


class ActorHandle:
    def __init__(self, cls, options, args, kwargs):
        self._cls = cls
        self._options = options
        self._args = args
        self._kwargs = kwargs
        self._actor_id = os.urandom(16).hex()
        self._state = "PENDING"  # -> ALIVE -> DEAD
        self._death = None
        self._instance = None
        self._placement = None
        self._queue = []
        self._pumping = False
        self._pid = next(_pids)

    def __repr__(self):
        return "Actor(%s, %s)" % (self._cls.__name__, self._actor_id)

    def __del__(self):
        # Like real Ray: an actor whose last handle is gone exits and frees its resources,
        # unless it is named or detached.
        try:
            if self._state == "ALIVE" and not self._options.get("name") and self._options.get("lifetime") != "detached":
                self._state = "DEAD"
                scheduling.release(self._placement.lease_id)
        except Exception:  # noqa: BLE001 - never raise from a finalizer (e.g. at interpreter exit)
            pass

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self._cls, name, None)
        if attr is None or not callable(attr):
            raise AttributeError("'ActorHandle' object has no attribute '%s'" % name)
        return ActorMethod(self, name, getattr(attr, "__ray_num_returns__", 1))

    # -- lifecycle ------------------------------------------------------------------------

    def _call(self, name, args, kwargs, num_returns):
        ref = worker.ObjectRef()
        ref._done = False
        ref._resolver = lambda deadline: self._pump(deadline)
        self._queue.append((name, args, kwargs, ref))
        self._pump(time.time())
        if num_returns == 1:
            return ref
        from ray.remote_function import _Item

        return [_Item(ref, i) for i in range(num_returns)]

    def _context(self):
        p = self._placement
        return worker.TaskContext(p.node, p.gpu_ids, self, self._cls.__name__, p.pg_id, p.bundle_index, p.spec)

    def _start(self, deadline):
        owner = state.owner_self()
        while True:
            placed = scheduling.try_place(self._options, True, True, owner, self._options.get("name") or self._cls.__name__)
            if placed is not None:
                break
            if deadline is not None and time.time() >= deadline:
                return False
            time.sleep(0.2)
        self._placement = placed
        ctx = self._context()
        try:
            a, k = worker.resolve_args(self._args, self._kwargs)
            with worker.executing(ctx, self._cls.__name__, self._options.get("runtime_env"), self._pid):
                self._instance = self._cls(*a, **k)
            self._state = "ALIVE"
        except Exception as e:  # noqa: BLE001
            self._state = "DEAD"
            err = worker.task_error(self._cls.__name__ + ".__init__", e, ctx, self._pid)
            self._death = exceptions.ActorDiedError(
                "The actor died because of an error raised in its creation task, %s" % err, self._actor_id)
            scheduling.release(placed.lease_id)
        return True

    def _pump(self, deadline):
        """Starts the actor if it can, then runs queued calls in order."""
        if self._pumping:
            return
        self._pumping = True
        try:
            if self._state == "PENDING" and not self._start(deadline):
                return
            while self._queue:
                name, args, kwargs, ref = self._queue.pop(0)
                if self._state == "ALIVE":
                    alive, why = scheduling.lease_alive(self._placement.lease_id, self._placement.node["nodeId"])
                    if not alive:
                        self._state = "DEAD"
                        self._death = exceptions.ActorDiedError(why, self._actor_id)
                if self._state != "ALIVE":
                    ref._set(error=self._death or exceptions.RayActorError(actor_id=self._actor_id))
                    continue
                self._run(name, args, kwargs, ref)
        finally:
            self._pumping = False

    def _run(self, name, args, kwargs, ref):
        ctx = self._context()
        label = self._cls.__name__
        try:
            a, k = worker.resolve_args(args, kwargs)
            with worker.executing(ctx, label, self._options.get("runtime_env"), self._pid):
                result = getattr(self._instance, name)(*a, **k)
                if inspect.iscoroutine(result):
                    result = asyncio.run(result)
            ref._set(value=result)
        except Exception as e:  # noqa: BLE001
            ref._set(error=worker.task_error("%s.%s" % (label, name), e, ctx, self._pid))

    def _kill(self):
        self._state = "DEAD"
        self._death = exceptions.ActorDiedError("The actor was killed by ray.kill.", self._actor_id)
        if self._placement is not None:
            scheduling.release(self._placement.lease_id)
        self._instance = None


def get_actor(name, namespace=None):
    worker.auto_init()
    handle = worker.driver().named_actors.get(name)
    if handle is None or handle._state == "DEAD":
        raise ValueError("Failed to look up actor with name '%s'. This could because 1. You are trying to look up a "
                         "named actor you didn't create. 2. The named actor died. 3. You did not use a namespace "
                         "matching the namespace of the actor." % name)
    return handle


def kill(actor, *, no_restart=True):
    if not isinstance(actor, ActorHandle):
        raise ValueError("ray.kill() only supported for actors. For tasks, try ray.cancel(). Got: %s." % type(actor))
    actor._kill()
