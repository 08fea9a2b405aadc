"""The long-lived process of a simulated Ray node (`ray start` leaves it running).

Its life is the node's life: `ray stop`, a simulated reboot (which kills every process of the
node) or the loss of the head ends it, and the node then shows dead. It exits on its own when its
record is gone or replaced, or when the head has been unreachable for the GCS reconnect timeout.
"""
import argparse
import signal
import sys
import time

from . import env, node, state


def main(argv=None):
    p = argparse.ArgumentParser(prog="raylet")
    p.add_argument("--node-id", required=True)
    p.add_argument("--cluster-id", required=True)
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("raylet %s started (cluster %s, node %s)" % (args.node_id[:8], args.cluster_id[:8], env.node_name()), flush=True)
    registered_by = time.time() + 10
    head_lost_since = None
    timeout = max(1.0, node.GCS_RECONNECT_TIMEOUT_S * env.time_scale())
    import os

    while True:
        data = state.read()
        me = data["nodes"].get(args.node_id)
        cluster = data.get("cluster") or {}
        if me is None:
            if time.time() > registered_by:
                print("raylet: node record gone; exiting", flush=True)
                return 0
        elif me.get("pid") != os.getpid() or me.get("state") != "ALIVE" or cluster.get("clusterId") != args.cluster_id:
            print("raylet: node stopped or replaced; exiting", flush=True)
            return 0
        elif not me.get("isHead"):
            head = data["nodes"].get(cluster.get("headNodeId"))
            if head and state.process_alive(head.get("pid"), head.get("pidStart")) and head.get("state") == "ALIVE":
                head_lost_since = None
            else:
                head_lost_since = head_lost_since or time.time()
                if time.time() - head_lost_since > timeout:
                    print("raylet: GCS at %s unreachable for %.0fs; exiting" % (cluster.get("gcsAddress"), timeout), flush=True)
                    return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
