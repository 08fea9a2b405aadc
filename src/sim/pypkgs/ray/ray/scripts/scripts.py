"""The `ray` command of the emulated Ray: start (--head / --address), stop, status, --version."""
import argparse
import json
import os
import sys
import time

from ray._private.sim import env, node, state, status
from ray._version import version

HEAD_NEXT_STEPS = """
Next steps
  To add another node to this Ray cluster, run
    ray start --address='{address}'

  To connect to this Ray cluster:
    import ray
    ray.init()

  To submit a Ray job using the Ray Jobs CLI:
    RAY_API_SERVER_ADDRESS='http://{ip}:8265' ray job submit --working-dir . -- python my_script.py

  See https://docs.ray.io/en/latest/cluster/running-applications/job-submission/index.html
  for more information on submitting Ray jobs to the Ray cluster.

  To terminate the Ray runtime, run
    ray stop

  To view the status of the cluster, use
    ray status

  To monitor and debug Ray, view the dashboard at
    {ip}:8265

  If connection to the dashboard fails, check your firewall settings and network configuration."""

USAGE_STATS = ("Usage stats collection is enabled. To disable this, add `--disable-usage-stats` to the command that starts "
               "the cluster, or run the following command: `ray disable-usage-stats` before starting the cluster. See "
               "https://docs.ray.io/en/master/cluster/usage-stats.html for more details.")


def _fail(msg, code=1):
    sys.stderr.write(msg.rstrip() + "\n")
    sys.stderr.flush()
    return code


def _known(parser, argv):
    args, extra = parser.parse_known_args(argv)
    if extra:
        raise SystemExit(_fail("Usage: ray %s [OPTIONS]\nTry 'ray %s --help' for help.\n\nError: No such option: %s"
                               % (parser.prog.split()[-1], parser.prog.split()[-1], extra[0]), 2))
    return args


def cmd_start(argv, scale):
    p = argparse.ArgumentParser(prog="ray start")
    p.add_argument("--head", action="store_true")
    p.add_argument("--address")
    p.add_argument("--port", type=int, default=node.DEFAULT_PORT)
    p.add_argument("--num-cpus", type=float)
    p.add_argument("--num-gpus", type=float)
    p.add_argument("--resources")
    p.add_argument("--labels")
    p.add_argument("--node-ip-address")
    p.add_argument("--dashboard-host")
    p.add_argument("--dashboard-port", type=int)
    p.add_argument("--include-dashboard")
    p.add_argument("--disable-usage-stats", action="store_true")
    p.add_argument("--block", action="store_true")
    p.add_argument("--object-store-memory")
    p.add_argument("--memory")
    p.add_argument("--temp-dir")
    p.add_argument("--min-worker-port")
    p.add_argument("--max-worker-port")
    p.add_argument("--ray-client-server-port")
    p.add_argument("-v", "--verbose", action="store_true")
    a = _known(p, argv)
    extra = None
    if a.resources:
        try:
            extra = json.loads(a.resources)
            assert isinstance(extra, dict)
        except (ValueError, AssertionError):
            return _fail("Error: --resources must be a JSON dictionary, got %s" % a.resources, 2)
    if a.head == bool(a.address):
        return _fail("Error: pass either --head (to start a new cluster) or --address=<head-ip>:<port> (to join one).", 2)
    if not a.disable_usage_stats:
        print(USAGE_STATS)
        print()
    try:
        if a.head:
            ip, address, _ = node.start_head(a.port, a.num_gpus, a.num_cpus, extra, a.node_ip_address, scale)
        else:
            ip, address, _ = node.start_worker(a.address, a.num_gpus, a.num_cpus, extra, a.node_ip_address, scale)
    except node.StartError as e:
        return _fail(str(e))
    print("Local node IP: %s" % ip)
    print()
    print("--------------------")
    print("Ray runtime started.")
    print("--------------------")
    if a.head:
        print(HEAD_NEXT_STEPS.format(address=address, ip=ip))
    else:
        print()
        print("To terminate the Ray runtime, run")
        print("  ray stop")
    sys.stdout.flush()
    if a.block:
        print("--block")
        print("This command will now block forever until terminated by a signal.")
        sys.stdout.flush()
        while True:
            time.sleep(1)
            if state.local_node(state.read()) is None:
                return _fail("Some Ray subprocesses exited unexpectedly: raylet")
    return 0


def cmd_stop(argv, scale):
    p = argparse.ArgumentParser(prog="ray stop")
    p.add_argument("-f", "--force", action="store_true")
    p.add_argument("-g", "--grace-period", type=float, default=16)
    p.add_argument("-v", "--verbose", action="store_true")
    a = _known(p, argv)
    n = node.stop(force=a.force, grace_s=min(a.grace_period, 5.0))
    time.sleep(0.5 * scale)
    if n == 0:
        print("Did not find any active Ray processes.")
    else:
        print("Stopped all %d Ray processes." % n)
    return 0


def cmd_status(argv, scale):
    p = argparse.ArgumentParser(prog="ray status")
    p.add_argument("--address")
    p.add_argument("-v", "--verbose", action="store_true")
    a = _known(p, argv)
    address = a.address or os.environ.get("RAY_ADDRESS") or node.read_current_cluster()
    if not address or address == "auto":
        return _fail("ConnectionError: Could not find any running Ray instance. Please specify the one to connect to by "
                     "setting `--address` flag or `RAY_ADDRESS` environment variable.")
    try:
        address = node.parse_address(address)
    except node.StartError as e:
        return _fail(str(e), 2)
    with state.transaction() as data:
        c = data.get("cluster")
        ok = bool(c) and c["gcsAddress"] == address and state.head_alive(data)
        text = status.render(data, a.verbose) if ok else ""
    if not ok:
        time.sleep(min(5.0, 5.0 * scale))
        return _fail("ConnectionError: Could not connect to Ray GCS at %s: it did not respond. Check that the Ray head "
                     "node is running (`ray start --head`)." % address)
    print(text)
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["--version"], ["-V"]):
        print("ray, version %s" % version)
        return 0
    if not argv or argv[0] in ("-h", "--help"):
        print("Usage: ray [OPTIONS] COMMAND [ARGS]...\n\nCommands:\n  start   Start Ray processes manually on the local machine.\n"
              "  status  Print cluster status, including autoscaling info.\n  stop    Stop Ray processes manually on the local machine.")
        return 0
    commands = {"start": cmd_start, "stop": cmd_stop, "status": cmd_status}
    cmd = commands.get(argv[0])
    if cmd is None:
        return _fail("Usage: ray [OPTIONS] COMMAND [ARGS]...\nTry 'ray --help' for help.\n\nError: No such command '%s'." % argv[0], 2)
    try:
        scale = env.begin("ray")
        return cmd(argv[1:], scale)
    except env.SimEnvError as e:
        return _fail(str(e))


if __name__ == "__main__":
    sys.exit(main())
