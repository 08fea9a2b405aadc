"""Status objects of the emulated Ray Serve (shapes of ray.serve.schema in Ray 2.51)."""


class ApplicationStatus(object):
    NOT_STARTED = "NOT_STARTED"
    DEPLOYING = "DEPLOYING"
    DEPLOY_FAILED = "DEPLOY_FAILED"
    RUNNING = "RUNNING"
    UNHEALTHY = "UNHEALTHY"
    DELETING = "DELETING"


class DeploymentStatusOverview(object):
    def __init__(self, status, status_trigger, replica_states, message=""):
        self.status = status
        self.status_trigger = status_trigger
        self.replica_states = replica_states
        self.message = message

    def to_dict(self):
        return {"status": self.status, "status_trigger": self.status_trigger,
                "replica_states": dict(self.replica_states), "message": self.message}


class ApplicationStatusOverview(object):
    def __init__(self, status, message, last_deployed_time_s, deployments):
        self.status = status
        self.message = message
        self.last_deployed_time_s = last_deployed_time_s
        self.deployments = deployments

    def to_dict(self):
        return {"status": self.status, "message": self.message, "last_deployed_time_s": self.last_deployed_time_s,
                "deployments": {k: v.to_dict() for k, v in self.deployments.items()}}


class ServeStatus(object):
    def __init__(self, proxies=None, applications=None, target_capacity=None):
        self.proxies = proxies or {}
        self.applications = applications or {}
        self.target_capacity = target_capacity

    def to_dict(self):
        return {"proxies": dict(self.proxies), "applications": {k: v.to_dict() for k, v in self.applications.items()},
                "target_capacity": self.target_capacity}
