"""ray.get_runtime_context(): ids and resources of the current driver, task or actor."""
from ray._private import worker


class RuntimeContext:
    def _ctx(self):
        return worker.current_context()

    def get_node_id(self):
        node = worker.node_for_context()
        return node["nodeId"] if node else None

    def get_job_id(self):
        return worker.driver().job_id

    def get_task_id(self):
        ctx = self._ctx()
        return ctx.task_id if ctx else None

    def get_actor_id(self):
        ctx = self._ctx()
        return ctx.actor._actor_id if ctx and ctx.actor is not None else None

    def get_actor_name(self):
        ctx = self._ctx()
        return ctx.actor._options.get("name") if ctx and ctx.actor is not None else None

    def get_worker_id(self):
        ctx = self._ctx()
        return ("%056x" % (ctx.actor._pid if ctx and ctx.actor is not None else 0))

    def get_placement_group_id(self):
        ctx = self._ctx()
        return ctx.pg_id if ctx else None

    def get_assigned_resources(self):
        ctx = self._ctx()
        return dict(ctx.resources) if ctx else {}

    def get_accelerator_ids(self):
        ctx = self._ctx()
        return {"GPU": [str(i) for i in ctx.gpu_ids] if ctx else []}

    @property
    def current_actor(self):
        ctx = self._ctx()
        if ctx is None or ctx.actor is None:
            raise RuntimeError("This method is only available in an actor.")
        return ctx.actor

    @property
    def gcs_address(self):
        return worker.driver().address

    @property
    def runtime_env(self):
        """The job's runtime_env (ray.init(runtime_env=...)) with the current actor's on top."""
        env = dict(worker.driver().runtime_env or {})
        ctx = self._ctx()
        if ctx is not None and ctx.actor is not None:
            mine = ctx.actor._options.get("runtime_env") or {}
            merged = dict(env.get("env_vars") or {})
            merged.update(mine.get("env_vars") or {})
            env.update(mine)
            env["env_vars"] = merged
        return env

    @property
    def namespace(self):
        return worker.driver().namespace

    @property
    def was_current_actor_reconstructed(self):
        return False

    def get(self):
        return {"job_id": self.get_job_id(), "node_id": self.get_node_id(), "namespace": self.namespace}


def get_runtime_context():
    worker.auto_init()
    return RuntimeContext()
