"""The exceptions of ray.exceptions that scripts catch."""


class RayError(Exception):
    pass


class RaySystemError(RayError):
    pass


class RayTaskError(RayError):
    """A task or actor method raised. Like real Ray, `as_instanceof_cause()` gives an exception that
    is both a RayTaskError and an instance of the original exception's class."""

    def __init__(self, function_name="", traceback_str="", cause=None, proctitle="", pid=0, ip=""):
        self.function_name = function_name
        self.traceback_str = traceback_str
        self.cause = cause
        self.proctitle = proctitle
        self.pid = pid
        self.ip = ip
        super().__init__(self._text())

    def _text(self):
        return "%s (pid=%s, ip=%s)\n%s" % (self.proctitle or ("ray::" + self.function_name), self.pid, self.ip,
                                          self.traceback_str.rstrip())

    def __str__(self):
        return self._text()

    def as_instanceof_cause(self):
        cause_cls = type(self.cause) if self.cause is not None else None
        if cause_cls is None or issubclass(RayTaskError, cause_cls):
            return self
        try:
            cls = type("RayTaskError(%s)" % cause_cls.__name__, (RayTaskError, cause_cls), {
                "__init__": lambda s, *a: None,
                "__str__": lambda s: RayTaskError._text(s),
            })
            err = cls()
            err.__dict__.update(self.__dict__)
            err.args = (self._text(),)
            return err
        except TypeError:
            return self


class RayActorError(RayError):
    def __init__(self, msg="The actor died unexpectedly before finishing this task.", actor_id=None):
        self.actor_id = actor_id
        super().__init__(msg)


class ActorDiedError(RayActorError):
    pass


class ActorUnavailableError(RayActorError):
    pass


class GetTimeoutError(RayError, TimeoutError):
    pass


class ObjectLostError(RayError):
    pass


class TaskCancelledError(RayError):
    pass


class OutOfMemoryError(RayError):
    pass


class RuntimeEnvSetupError(RayError):
    pass


class NodeDiedError(RayError):
    pass
