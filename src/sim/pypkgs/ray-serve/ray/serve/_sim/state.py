"""The emulated Serve controller's state, shared by every process of one simulated cluster:
<cluster>/shared/serve.json (under a lock). The HTTP server process (server.py) is the proxy and
the replicas; this file is what it serves and what `serve status` reports.

  {"controller": {"node", "host", "port", "pid", "startedAt"},
   "applications": {name: {"status", "message", "deployedAt", "readyAt", "spec", "deployment",
                           "placements": [{"node", "gpus": [..], "role", "replica"}], "pending"}}}
"""
import os
import signal
import subprocess
import sys
import time

from pdflow_sim import node as simnode

from ..schema import ApplicationStatus, ApplicationStatusOverview, DeploymentStatusOverview, ServeStatus


def path():
    return os.path.join(simnode.shared_dir(), "serve.json")


def read():
    return simnode.read_json(path(), {"controller": None, "applications": {}})


def locked():
    return simnode.locked_json(path(), {"controller": None, "applications": {}})


def controller_alive(data=None):
    data = data if data is not None else read()
    c = data.get("controller")
    return bool(c and c.get("pid") and simnode.pid_alive(c["pid"]))


def app_status(app, now=None):
    """(status, message) of an application record at time `now`."""
    now = time.time() if now is None else now
    if app.get("failed"):
        return ApplicationStatus.DEPLOY_FAILED, app.get("message", "")
    if app.get("pending"):
        return ApplicationStatus.DEPLOYING, app.get("message", "")
    if now < app.get("readyAt", 0):
        return ApplicationStatus.DEPLOYING, ""
    return ApplicationStatus.RUNNING, ""


def serve_status():
    data = read()
    if not controller_alive(data):
        return ServeStatus()
    c = data["controller"]
    apps = {}
    now = time.time()
    for name, app in data.get("applications", {}).items():
        st, msg = app_status(app, now)
        deployments = {}
        for dname, replicas in app.get("deployments", {}).items():
            if st == ApplicationStatus.RUNNING:
                deployments[dname] = DeploymentStatusOverview("HEALTHY", "CONFIG_UPDATE_COMPLETED", {"RUNNING": replicas})
            elif st == ApplicationStatus.DEPLOY_FAILED:
                deployments[dname] = DeploymentStatusOverview("UNHEALTHY", "REPLICA_STARTUP_FAILED", {}, msg)
            else:
                state = "PENDING_ALLOCATION" if app.get("pending") else "STARTING"
                deployments[dname] = DeploymentStatusOverview("UPDATING", "CONFIG_UPDATE_STARTED", {state: replicas}, msg)
        apps[name] = ApplicationStatusOverview(st, msg, app.get("deployedAt", now), deployments)
    proxy_id = "%056x" % (abs(hash((c.get("node"), c.get("pid")))) % (1 << 224))
    return ServeStatus({proxy_id: "HEALTHY"}, apps)


def start_controller(port, bind_host, node_name):
    """Starts the detached HTTP server (proxy + replicas) unless one already runs; returns its record."""
    with locked() as box:
        c = box.data.get("controller")
        if c and c.get("pid") and simnode.pid_alive(c["pid"]):
            return c
        log_dir = simnode.state_dir_of(node_name) or simnode.shared_dir()
        log = open(os.path.join(log_dir, "serve-proxy.log"), "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "ray.serve._sim.server", "--host", bind_host, "--port", str(port), "--state", path()],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
        log.close()
        c = {"node": node_name, "host": bind_host, "port": port, "pid": proc.pid, "startedAt": time.time()}
        box.data["controller"] = c
        box.data.setdefault("applications", {})
    # The server reports readiness by answering /-/healthz; give it a moment (it exits if the port is taken).
    import urllib.request

    deadline = time.time() + 15
    while time.time() < deadline:
        if proc.poll() is not None:
            with locked() as box:
                box.data["controller"] = None
            raise RuntimeError("Serve HTTP proxy failed to start on %s:%d (port in use?); see %s"
                               % (bind_host, port, os.path.join(log_dir, "serve-proxy.log")))
        try:
            with urllib.request.urlopen("http://%s:%d/-/healthz" % (bind_host, port), timeout=1) as r:
                if r.status == 200:
                    return c
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("Serve HTTP proxy on %s:%d did not answer within 15 s" % (bind_host, port))


def release_all_gpus(apps, hold_seconds):
    """GPUs of `apps` go free after `hold_seconds` (replicas take a moment to exit): their entries
    are handed to a short-lived process whose exit frees them."""
    holder = None
    if hold_seconds > 0:
        holder = subprocess.Popen(["sleep", "%.3f" % hold_seconds], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
    for name, app in apps.items():
        owner = "serve:%s" % name
        for pl in app.get("placements", []):
            if holder is None:
                simnode.release_gpus(pl["node"], owner)
            else:
                simnode.claim_gpus(pl["node"], pl["gpus"], holder.pid, simnode_used(app), "ray::RayWorkerWrapper", 0, owner)


def simnode_used(app):
    return int(app.get("memoryMiB", 73902))


def stop_controller(timeout=5.0):
    with locked() as box:
        c = box.data.get("controller")
        apps = box.data.get("applications", {})
        box.data = {"controller": None, "applications": {}}
    pid = c.get("pid") if c else None
    if pid and simnode.pid_alive(pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.time() + timeout
        while simnode.pid_alive(pid) and time.time() < deadline:
            time.sleep(0.05)
        if simnode.pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return c, apps
