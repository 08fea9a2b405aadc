"""`ray start` / `ray stop` on a simulated node: register the node, run its raylet, stop it."""
import os
import re
import signal
import subprocess
import sys
import time
import uuid

from . import env, state

DEFAULT_PORT = 6379
GCS_RECONNECT_TIMEOUT_S = 60.0  # real gcs_rpc_server_reconnect_timeout_s


class StartError(Exception):
    """A `ray start` failure; the message is what real Ray prints."""


def new_node_id():
    return os.urandom(28).hex()


def parse_address(address):
    a = (address or "").strip()
    for prefix in ("ray://", "gcs://"):
        if a.startswith(prefix):
            a = a[len(prefix):]
    host, _, port = a.partition(":")
    if not host:
        raise StartError("Invalid address %r: expected HOST:PORT" % address)
    if port and not port.isdigit():
        raise StartError("Invalid address %r: the port must be a number" % address)
    return "%s:%s" % (host, port or DEFAULT_PORT)


def current_cluster_file():
    return os.path.join(env.local_ray_dir(), "ray_current_cluster")


def read_current_cluster():
    try:
        with open(current_cluster_file()) as f:
            return f.read().strip() or None
    except OSError:
        return None


def write_current_cluster(address):
    with open(current_cluster_file(), "w") as f:
        f.write(address + "\n")


def clear_current_cluster():
    try:
        os.remove(current_cluster_file())
    except OSError:
        pass


def accelerator_type(model):
    m = re.search(r"\b([A-Z]\d{2,4})\b", model or "")
    return m.group(1) if m else None


def node_resources(ip, is_head, num_gpus, num_cpus, extra):
    hw = env.hardware()
    gpus = float(hw.get("gpus", 0) if num_gpus is None else num_gpus)
    cpus = float(hw.get("cpus", 16) if num_cpus is None else num_cpus)
    ram = float(hw.get("ramGiB", 64)) * 2 ** 30
    obj = min(0.3 * ram, 200e9)
    res = {"CPU": cpus, "memory": round(ram * 0.7), "object_store_memory": round(obj), "node:%s" % ip: 1.0}
    if gpus > 0:
        res["GPU"] = gpus
        acc = accelerator_type(hw.get("gpuModel"))
        if acc:
            res["accelerator_type:%s" % acc] = 1.0
    if is_head:
        res["node:__internal_head__"] = 1.0
    for k, v in (extra or {}).items():
        res[k] = float(v)
    return res


def _spawn_raylet(node_id, cluster_id):
    logs = os.path.join(env.local_ray_dir(), "logs")
    os.makedirs(logs, exist_ok=True)
    out = open(os.path.join(logs, "raylet.out"), "a")
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ray._private.sim.raylet", "--node-id", node_id, "--cluster-id", cluster_id],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    finally:
        out.close()
    return proc.pid


def _register(data, node_id, cluster_id, ip, is_head, resources):
    pid = _spawn_raylet(node_id, cluster_id)
    start = None
    for _ in range(100):
        start = state.proc_start(pid)
        if start is not None:
            break
        time.sleep(0.01)
    data["nodes"][node_id] = {
        "nodeId": node_id, "ip": ip, "simNode": env.node_name(), "stateDir": env.state_dir(), "isHead": is_head,
        "resources": resources, "pid": pid, "pidStart": start, "startedAt": time.time(), "state": "ALIVE",
        "env": env.recorded_env(),
    }
    return pid


def _already_running(data):
    me = state.local_node(data)
    if me is None:
        return None
    c = data.get("cluster") or {}
    return c.get("gcsAddress") or me["ip"]


def start_head(port, num_gpus=None, num_cpus=None, resources=None, node_ip=None, scale=1.0):
    ip = node_ip or env.node_ip()
    address = "%s:%d" % (ip, port)
    with state.transaction() as data:
        running = _already_running(data)
        if running:
            raise StartError("ConnectionError: Ray is trying to start at %s, but is already running at %s. Please specify "
                             "a different port using the `--port` flag of `ray start` command." % (address, running))
        if state.head_alive(data):
            head = data["nodes"][data["cluster"]["headNodeId"]]
            raise StartError("emulated ray supports one Ray cluster per simulated cluster; its head runs on %s (%s). "
                             "Run `ray stop` there first." % (head.get("simNode"), data["cluster"]["gcsAddress"]))
        cluster_id = uuid.uuid4().hex
        node_id = new_node_id()
        # A new head is a new cluster: whatever the old GCS knew is gone.
        data.update({"nodes": {}, "placementGroups": {}, "leases": {}})
        data["cluster"] = {"clusterId": cluster_id, "gcsAddress": address, "headNodeId": node_id,
                           "sessionName": time.strftime("session_%Y-%m-%d_%H-%M-%S_") + "%06d" % (os.getpid() % 1000000),
                           "startedAt": time.time()}
        _register(data, node_id, cluster_id, ip, True, node_resources(ip, True, num_gpus, num_cpus, resources))
    write_current_cluster(address)
    time.sleep(3.0 * scale)  # GCS, dashboard and raylet start-up
    return ip, address, node_id


def start_worker(address, num_gpus=None, num_cpus=None, resources=None, node_ip=None, scale=1.0):
    ip = node_ip or env.node_ip()
    address = parse_address(address)
    deadline = time.time() + max(1.0, 10.0 * scale)
    while True:
        with state.transaction() as data:
            running = _already_running(data)
            if running:
                raise StartError("ConnectionError: Ray is already running on this node (part of the cluster at %s). "
                                 "Run `ray stop` first." % running)
            c = data.get("cluster")
            if state.head_alive(data) and c["gcsAddress"] == address:
                node_id = new_node_id()
                _register(data, node_id, c["clusterId"], ip, False, node_resources(ip, False, num_gpus, num_cpus, resources))
                break
        if time.time() > deadline:
            raise StartError(
                "ConnectionError: Unable to connect to GCS (ray head) at %s. Check that (1) Ray with matching version "
                "started successfully at the specified address, (2) this node can reach the specified address, and (3) "
                "there is no firewall setting preventing access." % address)
        time.sleep(0.2)
    write_current_cluster(address)
    time.sleep(2.0 * scale)
    return ip, address, node_id


def stop(force=False, grace_s=5.0):
    """Stops this node's raylet(s); returns how many Ray processes a real `ray stop` would report."""
    with state.transaction() as data:
        mine = [n for n in data["nodes"].values() if n.get("simNode") == env.node_name() and state.node_alive(n)]
        for n in mine:
            state.mark_dead(n, "EXPECTED_TERMINATION", "received SIGTERM")
    pids = [(n["pid"], n["pidStart"]) for n in mine]
    for pid, _ in pids:
        try:
            os.kill(pid, signal.SIGKILL if force else signal.SIGTERM)
        except OSError:
            pass
    deadline = time.time() + grace_s
    while time.time() < deadline and any(state.process_alive(p, s) for p, s in pids):
        time.sleep(0.05)
    for pid, start in pids:
        if state.process_alive(pid, start):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    clear_current_cluster()
    # A head runs gcs_server, dashboard, raylet, log monitor, ...; a worker fewer.
    return sum(9 if n["isHead"] else 6 for n in mine)
