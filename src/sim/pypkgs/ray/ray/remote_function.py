"""@ray.remote functions: run on a node where their resources fit (in this process, eagerly)."""
import asyncio
import inspect
import itertools
import os
import time

from ray._private import scheduling, worker

_pids = itertools.count(os.getpid() * 10 % 90000 + 10000)


class RemoteFunction:
    def __init__(self, function, options):
        scheduling.check_options(options, "remote functions")
        self._function = function
        self._options = dict(options)
        self.__name__ = getattr(function, "__name__", "remote_function")
        self.__doc__ = getattr(function, "__doc__", None)

    def __call__(self, *args, **kwargs):
        raise TypeError("Remote functions cannot be called directly. Instead of running '%s()', try '%s.remote()'."
                        % (self.__name__, self.__name__))

    def options(self, **options):
        merged = dict(self._options)
        merged.update(options)
        return RemoteFunction(self._function, merged)

    def remote(self, *args, **kwargs):
        worker.auto_init()
        num_returns = int(self._options.get("num_returns") or 1)
        ref = worker.ObjectRef()
        ref._done = False
        ref._resolver = lambda deadline: self._run(ref, args, kwargs, deadline)
        try:
            self._run(ref, args, kwargs, time.time())
        except Exception:
            pass
        if num_returns == 1:
            return ref
        return [_Item(ref, i) for i in range(num_returns)]

    def _run(self, ref, args, kwargs, deadline):
        if ref._done:
            return
        while True:
            placed = scheduling.try_place(self._options, False, False, None, self.__name__)
            if placed is not None:
                break
            if deadline is not None and time.time() >= deadline:
                return
            time.sleep(0.2)
        ctx = worker.TaskContext(placed.node, placed.gpu_ids, None, self.__name__, placed.pg_id, placed.bundle_index, placed.spec)
        pid = next(_pids)
        try:
            a, k = worker.resolve_args(args, kwargs)
            with worker.executing(ctx, self.__name__, self._options.get("runtime_env"), pid):
                result = self._function(*a, **k)
                if inspect.iscoroutine(result):
                    result = asyncio.run(result)
            ref._set(value=result)
        except Exception as e:  # noqa: BLE001 - every task failure becomes a RayTaskError
            ref._set(error=worker.task_error(self.__name__, e, ctx, pid))


class _Item(worker.ObjectRef):
    """One of several returns of a task (num_returns > 1)."""

    def __init__(self, parent, index):
        super().__init__()
        self._done = False
        self._parent = parent
        self._index = index
        self._resolver = self._pick

    def _pick(self, deadline):
        self._parent._resolve(deadline)
        if self._parent._error is not None:
            self._set(error=self._parent._error)
        else:
            self._set(value=self._parent._value[self._index])
