#!/usr/bin/env python3
"""Deploy, check and tear down a Ray Serve LLM app (vLLM engines) on the running Ray cluster,
the way the seed's launch_gptoss.py does. Run it on the Ray head node.

  serve_app.py deploy --mode collocated --replicas 2 --tp 4 [--node IP]
  serve_app.py deploy --mode pd-pack|pd-spread --p-num 1 --p-tp 4 --d-num 1 --d-tp 4 [--backend UCX|LIBFABRIC]
                      [--prefill-node IP] [--decode-node IP]
      common: [--model-id gptoss] [--model-source openai/gpt-oss-120b] [--max-model-len 16000]
              [--env KEY=VALUE ...] [--port 8000] [--host IP] [--timeout 900] [--app-name default]
  serve_app.py status   [--port 8000] [--host IP] [--model-id gptoss] [--probe] [--dashboard HOST:8265]
  serve_app.py shutdown [--timeout 120] [--free-mib 1024]

PD apps use build_pd_openai_app with NixlConnector (kv_both) and the chosen NIXL backend; every
engine's GPUs are pinned with placement-group bundles {"GPU": 1, "node:<ip>": 0.001} (prefill on
the prefill node, decode on the decode node: the same node for pd-pack). Environment such as
UCX_TLS goes to the replicas through runtime_env. `deploy` returns once GET /v1/models lists the
model (healthy) or the timeout passes (failed); the app keeps running (Serve is detached).
`shutdown` shuts Serve down through its Python API (serve.shutdown(), then checks that Serve's
controller is gone) and waits until nvidia-smi on every GPU node shows the memory back near zero
(checked through a Ray task on each node).

Human log first (`::phase <name>` lines), then ONE JSON line:
  deploy/status: {"status": "healthy"|"failed"|"deploying"|"absent", "url", "deployment": {...},
                  "seconds", "serveStatus", "message", "error"}
                 status also: "ray": "connected"|"unreachable" (its GCS is gone, e.g. the head
                 rebooted) or null (not known). With --dashboard, Serve's state comes from the
                 head's dashboard (Serve's REST API) and no Ray driver joins the cluster.
  shutdown:      {"status": "stopped"|"failed", "gpusFree": bool|null, "gpuMemoryUsedMiB": {ip: [MiB per GPU]},
                  "seconds", "error"}
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

MODES = ("collocated", "pd-pack", "pd-spread")


def phase(name):
    print("::phase %s" % name, flush=True)


def emit(obj, code):
    sys.stdout.flush()
    sys.stderr.flush()
    print(json.dumps(obj), flush=True)
    # serve.run may still block in its thread after a timeout: leave without waiting for it.
    os._exit(code)


def short_error(e):
    """Type and message of an error; a remote task's traceback shortened to its last line."""
    text = str(e).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        text = "%s (%s)" % (lines[-1].strip(), lines[0].strip()[:200])
    return "%s: %s" % (type(e).__name__, text)


def parse_env(items, parser):
    out = {}
    for item in items or []:
        key, eq, value = item.partition("=")
        if not eq or not key or not key.replace("_", "").isalnum():
            parser.error("--env %r: use KEY=VALUE, e.g. --env UCX_TLS=tcp" % item)
        out[key] = value
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description="Ray Serve LLM app: deploy | status | shutdown")
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("deploy")
    d.add_argument("--mode", required=True, choices=MODES)
    d.add_argument("--model-id", default="gptoss", help="served model name")
    d.add_argument("--model-source", default="openai/gpt-oss-120b")
    d.add_argument("--replicas", type=int, default=1, help="collocated: engine replicas")
    d.add_argument("--tp", type=int, default=None, help="collocated: tensor-parallel size per replica")
    d.add_argument("--node", default=None, help="collocated: pin every replica to this node (its pdflow-node label, or IP)")
    d.add_argument("--p-num", type=int, default=1)
    d.add_argument("--p-tp", type=int, default=None)
    d.add_argument("--d-num", type=int, default=1)
    d.add_argument("--d-tp", type=int, default=None)
    d.add_argument("--backend", default="UCX", type=str.upper, choices=["UCX", "LIBFABRIC"])
    d.add_argument("--prefill-node", default=None, help="PD: node for prefill: its pdflow-node label or IP (default: first GPU node)")
    d.add_argument("--decode-node", default=None, help="PD: node for decode: its pdflow-node label or IP (default: same for pd-pack, second GPU node for pd-spread)")
    d.add_argument("--max-model-len", type=int, default=16000)
    d.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    d.add_argument("--ingress-replicas", type=int, default=16)
    d.add_argument("--proxy-replicas", type=int, default=16)
    d.add_argument("--app-name", default="default")
    d.add_argument("--proxy-location", default="HeadOnly", choices=["HeadOnly", "EveryNode"],
                   help="where Serve runs HTTP proxies (default HeadOnly: clients and benchmarks talk to the head)")
    for q in (d, sub.add_parser("status")):
        q.add_argument("--port", type=int, default=8000)
        q.add_argument("--host", default=None, help="address clients use (default: this node's Ray IP)")
        q.add_argument("--address", default="auto", help="Ray address")
    st = sub.choices["status"]
    st.add_argument("--model-id", default=None)
    st.add_argument("--probe", action="store_true", help="also send a 2-token completion (healthy only if it answers)")
    st.add_argument("--dashboard", default=None, metavar="HOST:PORT",
                    help="read Serve's state from the head's dashboard (Serve's REST API) instead of a Ray driver")
    d.add_argument("--timeout", type=float, default=900.0, help="seconds to wait until healthy")
    d.add_argument("--poll-seconds", type=float, default=1.0)
    s = sub.add_parser("shutdown")
    s.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the GPUs to be free")
    s.add_argument("--free-mib", type=int, default=1024, help="a GPU using at most this much memory counts as free")
    s.add_argument("--address", default="auto")
    s.add_argument("--skip-gpu-check", action="store_true")
    a = p.parse_args(argv)
    if a.cmd == "deploy":
        a.env_vars = parse_env(a.env, p)
        if a.mode == "collocated":
            a.tp = a.tp or 1
            if a.replicas < 1 or a.tp < 1:
                p.error("--replicas %d --tp %d: both must be >= 1" % (a.replicas, a.tp))
        else:
            a.p_tp, a.d_tp = a.p_tp or 1, a.d_tp or 1
            if min(a.p_num, a.p_tp, a.d_num, a.d_tp) < 1:
                p.error("--p-num/--p-tp/--d-num/--d-tp must all be >= 1")
            if a.p_tp > a.d_tp:
                p.error("--p-tp %d > --d-tp %d: prefill TP must be <= decode TP (NixlConnector in vLLM 0.11 cannot "
                        "pull from a larger prefill TP); lower --p-tp or raise --d-tp" % (a.p_tp, a.d_tp))
    return a


# ---------------------------------------------------------------------------------------------
# deploy


def _ip_key(ip):
    parts = ip.split(".")
    return [int(p) for p in parts] if len(parts) == 4 and all(p.isdigit() for p in parts) else [ip]


def gpu_nodes(ray):
    """Alive GPU nodes in address order (ray.nodes() has no order), so "the first GPU node" is stable."""
    nodes = [n for n in ray.nodes() if n.get("Alive") and float((n.get("Resources") or {}).get("GPU", 0)) > 0]
    return sorted(nodes, key=lambda n: _ip_key(n["NodeManagerAddress"]))


def pick_node(nodes, wanted, index, what):
    if wanted:
        for n in nodes:
            # The cluster file's node name (ray.sh labels every node pdflow-node=<name>), or Ray's own
            # address/host name for the node: never the SSH host, which may be a bastion's or public name.
            if wanted in ((n.get("Labels") or n.get("labels") or {}).get("pdflow-node"), n.get("NodeManagerAddress"), n.get("NodeName"), n.get("NodeManagerHostname")):
                return n
        raise ValueError("%s %s is not an alive GPU node of the Ray cluster (GPU nodes: %s)"
                         % (what, wanted, ", ".join(n["NodeManagerAddress"] for n in nodes) or "none"))
    if len(nodes) <= index:
        raise ValueError("%s: the Ray cluster has %d alive GPU node(s), %d needed (check `ray status`)"
                         % (what, len(nodes), index + 1))
    return nodes[index]


def node_gpus(n):
    return int(float(n["Resources"].get("GPU", 0)))


def base_env(args):
    env = {}
    if args.mode != "collocated":
        if args.backend == "LIBFABRIC":
            env["LD_LIBRARY_PATH"] = "/opt/amazon/efa/lib:" + os.environ.get("LD_LIBRARY_PATH", "")
        else:
            env["UCX_TLS"] = os.environ.get("UCX_TLS", "all")
    env.update(args.env_vars)
    return env


def llm_config(LLMConfig, args, tp, replicas, node_ip, env, kv):
    engine = {"max_model_len": args.max_model_len, "tensor_parallel_size": tp}
    if kv:
        engine["kv_transfer_config"] = {"kv_connector": "NixlConnector", "kv_role": "kv_both",
                                        "kv_connector_extra_config": {"backends": [args.backend]}}
    bundle = {"GPU": 1}
    if node_ip:
        bundle["node:%s" % node_ip] = 0.001
    cfg = {
        "model_loading_config": {"model_id": args.model_id, "model_source": args.model_source},
        "engine_kwargs": engine,
        "deployment_config": {"autoscaling_config": {"min_replicas": replicas, "max_replicas": replicas}},
        "placement_group_config": {"bundles": [dict(bundle) for _ in range(tp)]},
        "experimental_configs": {"stream_batching_interval_ms": 0},
    }
    if env:
        cfg["runtime_env"] = {"env_vars": dict(env)}
    return LLMConfig(**cfg)


def build_app(ray, args, env):
    from ray.serve.llm import LLMConfig, build_openai_app, build_pd_openai_app

    nodes = gpu_nodes(ray)
    desc = {"mode": args.mode, "appName": args.app_name, "modelId": args.model_id, "modelSource": args.model_source,
            "maxModelLen": args.max_model_len, "env": env, "port": args.port}
    if args.mode == "collocated":
        need = args.replicas * args.tp
        node = None
        if args.node:
            node = pick_node(nodes, args.node, 0, "--node")
        elif nodes and need <= node_gpus(nodes[0]):
            node = nodes[0]  # the seed pins collocated replicas to the first GPU node
        if node and need > node_gpus(node):
            raise ValueError("%d replicas x TP %d = %d GPUs do not fit on node %s (%d GPUs)"
                             % (args.replicas, args.tp, need, node["NodeManagerAddress"], node_gpus(node)))
        ip = node["NodeManagerAddress"] if node else None
        desc.update({"replicas": args.replicas, "tp": args.tp, "nodes": [ip] if ip else "any"})
        cfg = llm_config(LLMConfig, args, args.tp, args.replicas, ip, env, kv=False)
        ingress = {"autoscaling_config": {"min_replicas": args.ingress_replicas, "max_replicas": args.ingress_replicas}}
        if ip:
            ingress["placement_group_bundles"] = [{"CPU": 1, "node:%s" % ip: 0.001}]
        return build_openai_app({"llm_configs": [cfg], "ingress_deployment_config": ingress}), desc
    p_node = pick_node(nodes, args.prefill_node, 0, "prefill node")
    if args.mode == "pd-pack":
        d_node = pick_node(nodes, args.decode_node or p_node["NodeManagerAddress"], 0, "decode node")
        if d_node is not p_node and d_node["NodeManagerAddress"] != p_node["NodeManagerAddress"]:
            raise ValueError("pd-pack puts prefill and decode on one node: --decode-node must equal --prefill-node")
        need = args.p_num * args.p_tp + args.d_num * args.d_tp
        if need > node_gpus(p_node):
            raise ValueError("pd-pack needs %d GPUs (%d x TP%d + %d x TP%d) on node %s, which has %d"
                             % (need, args.p_num, args.p_tp, args.d_num, args.d_tp, p_node["NodeManagerAddress"], node_gpus(p_node)))
    else:
        others = [n for n in nodes if n["NodeManagerAddress"] != p_node["NodeManagerAddress"]]
        d_node = pick_node(others, args.decode_node, 0, "decode node (a GPU node other than the prefill node)")
        for n, num, tp, role in ((p_node, args.p_num, args.p_tp, "prefill"), (d_node, args.d_num, args.d_tp, "decode")):
            if num * tp > node_gpus(n):
                raise ValueError("%s needs %d GPUs (%d x TP%d) on node %s, which has %d"
                                 % (role, num * tp, num, tp, n["NodeManagerAddress"], node_gpus(n)))
    p_ip, d_ip = p_node["NodeManagerAddress"], d_node["NodeManagerAddress"]
    desc.update({"backend": args.backend, "prefill": {"num": args.p_num, "tp": args.p_tp, "node": p_ip},
                 "decode": {"num": args.d_num, "tp": args.d_tp, "node": d_ip}})
    p_cfg = llm_config(LLMConfig, args, args.p_tp, args.p_num, p_ip, env, kv=True)
    d_cfg = llm_config(LLMConfig, args, args.d_tp, args.d_num, d_ip, env, kv=True)
    proxy = {"autoscaling_config": {"min_replicas": args.proxy_replicas, "max_replicas": args.proxy_replicas},
             "max_ongoing_requests": 100000}
    ingress = {"autoscaling_config": {"min_replicas": args.ingress_replicas, "max_replicas": args.ingress_replicas}}
    if args.mode == "pd-pack":
        proxy["placement_group_bundles"] = [{"CPU": 1, "node:%s" % p_ip: 0.001}]
        ingress["placement_group_bundles"] = [{"CPU": 1, "node:%s" % p_ip: 0.001}]
    app = build_pd_openai_app({"prefill_config": p_cfg, "decode_config": d_cfg,
                               "proxy_deployment_config": proxy, "ingress_deployment_config": ingress})
    return app, desc


def models_ok(url, model_id, timeout=5.0):
    """(True, "") when GET /v1/models lists model_id; else (False, why)."""
    try:
        with urllib.request.urlopen(url + "/v1/models", timeout=timeout) as r:
            data = json.loads(r.read().decode())
        ids = [m.get("id") for m in data.get("data", [])]
        if model_id is None or model_id in ids:
            return True, ""
        return False, "/v1/models lists %s, not %s" % (ids, model_id)
    except urllib.error.HTTPError as e:
        return False, "/v1/models answered HTTP %d" % e.code
    except (urllib.error.URLError, OSError, ValueError) as e:
        return False, "/v1/models: %s" % (getattr(e, "reason", None) or e)


def completion_ok(url, model_id, timeout=60.0):
    """(True, "") when a 2-token completion comes back; else (False, why). Serve can report an app
    RUNNING whose engines died (a node that rebooted before the GCS noticed): only a request tells."""
    body = json.dumps({"model": model_id, "prompt": "ping", "max_tokens": 2, "temperature": 0.0}).encode()
    req = urllib.request.Request(url + "/v1/completions", data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = json.loads(r.read().decode())
        if data.get("choices"):
            return True, ""
        return False, "a 2-token completion came back without choices"
    except urllib.error.HTTPError as e:
        return False, "a 2-token completion answered HTTP %d: %s" % (e.code, e.read().decode("utf-8", "replace")[:200])
    except (urllib.error.URLError, OSError, ValueError) as e:
        return False, "a 2-token completion failed: %s" % (getattr(e, "reason", None) or e)


def status_text(status):
    """ApplicationStatus is a str Enum in Ray: its value, not "ApplicationStatus.RUNNING"."""
    return str(getattr(status, "value", status))


def app_status(serve, name):
    """(status, message) of application `name`; status "NOT_STARTED" while Serve does not list it
    yet, None when serve.status() itself fails (then only /v1/models can tell)."""
    try:
        st = serve.status()
    except Exception as e:  # noqa: BLE001
        return None, "serve.status(): %s" % e
    app = st.applications.get(name)
    if app is None:
        return "NOT_STARTED", ""
    # The application's message only names the deployments that failed ("Failed to update the
    # deployments [...]"); each deployment's own message says why (a replica's constructor error).
    parts = [app.message] if app.message else []
    parts += ["%s: %s" % (dname, brief_message(d.message)) for dname, d in app.deployments.items() if getattr(d, "message", "")]
    return status_text(app.status), "; ".join(parts)


def brief_message(message):
    """A deployment message without its traceback: its first line and, when longer, its last (the
    exception), e.g. "The deployment failed to start 3 times in a row. ... RuntimeError: ..."."""
    lines = [line.strip() for line in str(message).splitlines() if line.strip()]
    if len(lines) <= 2:
        return " ".join(lines)
    return "%s ... %s" % (lines[0], lines[-1])


def cmd_deploy(args):
    t0 = time.time()
    out = {"status": "failed", "url": None, "deployment": None, "seconds": 0.0, "serveStatus": None, "message": "", "error": None}
    try:
        phase("ray_init")
        import ray
        from ray import serve

        env = base_env(args)
        ray.init(address=args.address, runtime_env={"env_vars": env} if env else None, logging_level="WARNING")
        host = args.host or ray.util.get_node_ip_address()
        out["url"] = url = "http://%s:%d" % (host, args.port)
        app, desc = build_app(ray, args, env)
        out["deployment"] = desc
        print("Deploying %s: %s" % (args.mode, json.dumps(desc)), flush=True)
        phase("deploy")
        serve.start(proxy_location=args.proxy_location, http_options={"host": "0.0.0.0", "port": args.port})
        failure = {}

        def run():
            try:
                serve.run(app, name=args.app_name, route_prefix="/", blocking=False)
            except BaseException as e:  # noqa: BLE001 - reported by the main thread
                failure["error"] = "%s: %s" % (type(e).__name__, e)

        threading.Thread(target=run, name="serve.run", daemon=True).start()
        phase("wait_healthy")
        deadline = t0 + args.timeout
        last_print = 0.0
        why = ""
        while True:
            ok, why = models_ok(url, args.model_id)
            status, message = app_status(serve, args.app_name)
            out["serveStatus"], out["message"] = status, message
            if ok and status in (None, "RUNNING"):
                out["status"] = "healthy"
                break
            if failure or status == "DEPLOY_FAILED":
                # serve.run's own error names no cause; Serve's status messages do.
                serve_said = "application %s: %s%s" % (args.app_name, status or "unknown", ": " + message if message else "")
                out["error"] = "%s; %s" % (failure["error"], serve_said) if failure.get("error") else serve_said
                break
            if time.time() >= deadline:
                out["error"] = ("not healthy after %.0f s: Serve status %s: %s"
                                % (args.timeout, status or "unknown", message[:600] if message else why))
                break
            if time.time() - last_print >= 15:
                print("waiting for %s/v1/models (Serve: %s) %s" % (url, status or "starting", message[:300]), flush=True)
                last_print = time.time()
            time.sleep(args.poll_seconds)
    except Exception as e:  # noqa: BLE001 - every failure ends in the JSON line
        out["error"] = short_error(e)
    out["seconds"] = round(time.time() - t0, 3)
    print(("✓ %s is healthy at %s after %.1f s" % (args.mode, out["url"], out["seconds"])) if out["status"] == "healthy"
          else "✗ deploy failed: %s" % out["error"], flush=True)
    emit(out, 0 if out["status"] == "healthy" else 1)


# ---------------------------------------------------------------------------------------------
# status


def gcs_refuses(address):
    """Raises ConnectionError at once when nothing listens on the GCS's port (the head rebooted and
    Ray is not back): ray.init would retry for about half a minute before saying so."""
    import socket

    host, sep, port = (address or "").rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto" or a name ray.init resolves itself
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except ConnectionRefusedError:
        raise ConnectionError("nothing listens on Ray's GCS port at %s (connection refused)" % address)
    except OSError:
        return  # a timeout or an unreachable route: let ray.init say what it finds


def serve_apps_from_dashboard(dashboard, timeout=20.0):
    """Serve's applications as the head's dashboard serves them (Serve's REST API, GET
    /api/serve/applications/): {name: {"status", "message"}}, empty when no Serve controller runs
    (as serve.status() has it).
    Starts no Ray driver (a driver per check would join the cluster, and its job table, each time).
    Raises ConnectionRefusedError when nothing listens on the dashboard's port; other errors as
    urllib raises them."""
    try:
        with urllib.request.urlopen("http://%s/api/serve/applications/" % dashboard, timeout=timeout) as r:
            details = json.loads(r.read().decode())
    except urllib.error.URLError as e:
        if isinstance(e.reason, ConnectionRefusedError):
            raise e.reason
        raise
    return {name: {"status": str(a.get("status")), "message": a.get("message") or ""}
            for name, a in (details.get("applications") or {}).items()}


def judge_apps(out, apps, url, args):
    """Fills the status from Serve's applications (the first one is the deployment)."""
    out["deployment"] = {"applications": apps}
    if not apps:
        return
    name, app = next(iter(apps.items()))
    out["serveStatus"], out["message"] = app["status"], app["message"]
    ok, why = models_ok(url, args.model_id)
    if ok and app["status"] == "RUNNING" and args.probe and args.model_id:
        ok, why = completion_ok(url, args.model_id)
    if ok and app["status"] == "RUNNING":
        out["status"] = "healthy"
    elif app["status"] in ("DEPLOYING", "NOT_STARTED"):
        out["status"] = "deploying"
    else:
        out["status"] = "failed"
        out["error"] = "Serve status %s%s" % (app["status"], "" if ok else "; " + why)


def status_from_dashboard(args, out):
    host = args.host or args.dashboard.rpartition(":")[0]
    out["url"] = url = "http://%s:%d" % (host, args.port)
    try:
        apps = serve_apps_from_dashboard(args.dashboard)
    except ConnectionRefusedError:
        # The dashboard is gone: with the GCS (the head rebooted), or alone (Ray still runs).
        out["status"] = "failed"
        try:
            gcs_refuses(args.address)
        except ConnectionError as e:
            out["ray"], out["error"] = "unreachable", "%s; nothing listens on the dashboard at %s either" % (e, args.dashboard)
            return
        out["error"] = "nothing listens on Ray's dashboard at %s (Ray's GCS at %s answers)" % (args.dashboard, args.address)
        return
    except urllib.error.HTTPError as e:
        out["ray"], out["status"] = "connected", "failed"
        out["error"] = "the dashboard's Serve API answered HTTP %d: %s" % (e.code, e.read().decode("utf-8", "replace")[:300])
        return
    out["ray"] = "connected"
    judge_apps(out, apps, url, args)


def cmd_status(args):
    t0 = time.time()
    out = {"status": "absent", "url": None, "deployment": None, "seconds": 0.0, "serveStatus": None, "message": "", "error": None,
           "ray": None}
    try:
        if args.dashboard:
            status_from_dashboard(args, out)
        else:
            import ray
            from ray import serve

            out["ray"] = "unreachable"
            gcs_refuses(args.address)
            ray.init(address=args.address, logging_level="WARNING")
            out["ray"] = "connected"
            host = args.host or ray.util.get_node_ip_address()
            out["url"] = url = "http://%s:%d" % (host, args.port)
            st = serve.status()
            judge_apps(out, {name: {"status": status_text(a.status), "message": a.message} for name, a in st.applications.items()}, url, args)
    except Exception as e:  # noqa: BLE001
        out["status"] = "failed"
        out["error"] = short_error(e)
    out["seconds"] = round(time.time() - t0, 3)
    print("Serve: %s %s" % (out["status"], out["error"] or ""), flush=True)
    # A query: its JSON says what it found ("failed" included); a non-zero exit would only hide it.
    emit(out, 0)


# ---------------------------------------------------------------------------------------------
# shutdown


def _gpu_memory():
    """Runs on one node (a Ray task): memory.used per GPU from nvidia-smi, MiB."""
    import ray

    ip = ray.util.get_node_ip_address()
    r = subprocess.run(["nvidia-smi", "--query-gpu=index,memory.used", "--format=csv,noheader,nounits"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("nvidia-smi on %s exited %d: %s" % (ip, r.returncode, (r.stderr or r.stdout).strip()[:300]))
    used = [int(float(line.split(",")[1])) for line in r.stdout.strip().splitlines() if "," in line]
    return ip, used


SERVE_CONTROLLER = ("SERVE_CONTROLLER_ACTOR", "serve")  # Ray Serve's controller: actor name, namespace


def serve_running(ray):
    """Whether Serve's controller actor lives in the cluster this driver is connected to."""
    try:
        ray.get_actor(SERVE_CONTROLLER[0], namespace=SERVE_CONTROLLER[1])
        return True
    except ValueError:
        return False


def serve_shutdown(ray, timeout):
    """Serve shut down through its Python API, then checked: the controller must be gone. (The
    `serve shutdown` CLI goes through the dashboard; when it cannot reach it, it logs an error
    and exits 0, and the replicas keep their GPUs.) Then whatever is left in Serve's namespace
    goes too: a controller that died (killed, or lost with its node) leaves its replicas and
    proxies running, holding their GPUs, and serve.shutdown() no longer knows them."""
    from ray import serve

    if not serve_running(ray):
        print("Serve is not running: nothing to shut down", flush=True)
    else:
        serve.shutdown()
        deadline = time.time() + timeout
        while serve_running(ray):
            if time.time() >= deadline:
                raise RuntimeError("serve.shutdown() returned but Serve's controller still runs after %.0f s" % timeout)
            time.sleep(1.0)
        print("Serve shut down (controller gone)", flush=True)
    kill_serve_leftovers(ray)


def kill_serve_leftovers(ray):
    """Kills the live actors of Serve's namespace (orphaned replicas and proxies); returns how many."""
    try:
        from ray.util.state import list_actors

        actors = list_actors(filters=[("state", "=", "ALIVE")], limit=10000, raise_on_missing_output=False)
    except Exception as e:  # noqa: BLE001 (no state API: nothing more we can do from here)
        print("could not list Ray's actors (%s): leftover Serve actors are not checked" % short_error(e), flush=True)
        return 0
    killed = 0
    for a in actors:
        if getattr(a, "ray_namespace", None) != SERVE_CONTROLLER[1] or not getattr(a, "name", None):
            continue
        try:
            ray.kill(ray.get_actor(a.name, namespace=SERVE_CONTROLLER[1]), no_restart=True)
            killed += 1
        except Exception as e:  # noqa: BLE001 (gone in between)
            print("leftover Serve actor %s: %s" % (a.name, short_error(e)), flush=True)
    if killed:
        print("killed %d leftover Serve actor(s) (replicas or proxies of a controller that died)" % killed, flush=True)
    return killed


def cmd_shutdown(args):
    t0 = time.time()
    out = {"status": "failed", "gpusFree": None, "gpuMemoryUsedMiB": {}, "seconds": 0.0, "error": None}
    try:
        phase("serve_shutdown")
        import ray

        ray.init(address=args.address, logging_level="WARNING")
        serve_shutdown(ray, args.timeout)
        if args.skip_gpu_check:
            out["status"] = "stopped"
        else:
            phase("gpus_free")
            probe = ray.remote(num_cpus=0)(_gpu_memory)
            deadline = t0 + args.timeout
            while True:
                nodes = gpu_nodes(ray)
                refs = [probe.options(resources={"node:%s" % n["NodeManagerAddress"]: 0.001}).remote() for n in nodes]
                used = dict(ray.get(refs, timeout=120))
                out["gpuMemoryUsedMiB"] = used
                busy = {ip: m for ip, m in used.items() if any(x > args.free_mib for x in m)}
                if not busy:
                    out["gpusFree"] = True
                    out["status"] = "stopped"
                    break
                if time.time() >= deadline:
                    out["gpusFree"] = False
                    out["error"] = ("GPUs still in use %.0f s after Serve shut down: %s (MiB per GPU); look for leftover "
                                    "vLLM/Ray worker processes with nvidia-smi on those nodes"
                                    % (args.timeout, ", ".join("%s %s" % (ip, m) for ip, m in busy.items())))
                    break
                time.sleep(2.0)
    except Exception as e:  # noqa: BLE001
        out["error"] = short_error(e)
    out["seconds"] = round(time.time() - t0, 3)
    print(("✓ Serve shut down; GPUs free" if out["status"] == "stopped" else "✗ shutdown: %s" % out["error"]), flush=True)
    emit(out, 0 if out["status"] == "stopped" else 1)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    {"deploy": cmd_deploy, "status": cmd_status, "shutdown": cmd_shutdown}[args.cmd](args)


if __name__ == "__main__":
    main()
