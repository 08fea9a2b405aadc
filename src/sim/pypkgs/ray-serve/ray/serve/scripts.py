"""The emulated `serve` CLI: `serve status` and `serve shutdown [-y]` (Ray 2.51 wording)."""
import argparse
import os
import sys

from pdflow_sim import node as simnode


def _yaml(value, indent=0):
    pad = "  " * indent
    lines = []
    for k, v in value.items():
        if isinstance(v, dict):
            if v:
                lines.append("%s%s:" % (pad, k))
                lines.extend(_yaml(v, indent + 1))
            else:
                lines.append("%s%s: {}" % (pad, k))
        elif v is None:
            lines.append("%s%s: null" % (pad, k))
        elif isinstance(v, str):
            lines.append("%s%s: %s" % (pad, k, v if v and ":" not in v and not v.startswith("'") else "'%s'" % v.replace("'", "''")))
        else:
            lines.append("%s%s: %s" % (pad, k, v))
    return lines


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="serve", description="CLI for managing Serve applications on a Ray cluster.")
    sub = p.add_subparsers(dest="cmd")
    default_addr = os.environ.get("RAY_DASHBOARD_ADDRESS", "http://localhost:8265")
    st = sub.add_parser("status", help="Get the current status of all Serve applications on the cluster.")
    st.add_argument("--address", "-a", default=default_addr)
    st.add_argument("--name", "-n", default=None)
    sd = sub.add_parser("shutdown", help="Shuts down Serve on the cluster, deleting all applications.")
    sd.add_argument("--address", "-a", default=default_addr)
    sd.add_argument("--yes", "-y", action="store_true")
    args = p.parse_args(argv)
    if args.cmd is None:
        p.print_help()
        return 2
    simnode.begin("serve")
    from ray.serve._sim import state
    import ray.serve as serve

    if args.cmd == "status":
        data = serve.status().to_dict()
        if args.name:
            app = data["applications"].get(args.name)
            print("\n".join(_yaml({"name": args.name, **(app or {"status": "NOT_STARTED", "message": "",
                                                                 "deployments": {}})})))
            return 0
        if not state.controller_alive():
            print("There are no applications running on this cluster.")
            return 0
        print("\n".join(_yaml(data)))
        return 0
    if not args.yes:
        try:
            answer = input('This will shut down Serve on the cluster at address "%s" and delete all applications '
                           'there. Do you want to continue? [y/N]: ' % args.address)
        except EOFError:
            answer = ""
        if answer.strip().lower() not in ("y", "yes"):
            print("Aborted!")
            return 1
    serve.shutdown()
    print("Sent shutdown request; applications will be deleted asynchronously.")
    return 0


# Console-script name used by the ray dist's `serve` entry point.
cli = main

if __name__ == "__main__":
    sys.exit(main())
