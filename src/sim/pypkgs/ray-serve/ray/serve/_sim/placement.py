"""Where an emulated Serve LLM application's engine replicas land, and what the application is
to the performance model (mode, counts, TPs, KV transport).

Bundles pin nodes the way the seed's launcher does: {"GPU": 1, "node:<ip>": 0.001} per TP rank
(Ray's per-node resource); without a node resource a replica goes to the first node with
enough free GPUs (STRICT_PACK per replica)."""
from pdflow_sim import node as simnode
from pdflow_sim import transport as simtransport


class Pending(Exception):
    """Not enough free GPUs where the bundles ask for them (Serve keeps waiting)."""

    def __init__(self, message, groups=None):
        super().__init__(message)
        self.groups = groups or []


def ray_nodes():
    """Alive nodes as Ray reports them: [{"name", "host", "gpus"}]; the sim's nodes if Ray cannot say."""
    out = []
    try:
        import ray

        for n in ray.nodes():
            if not n.get("Alive", True):
                continue
            host = n.get("NodeManagerAddress") or n.get("NodeName")
            sim = simnode.node_by_host(host) or {}
            out.append({"name": sim.get("name", host), "host": host,
                        "gpus": int(float((n.get("Resources") or {}).get("GPU", 0)))})
    except Exception:  # noqa: BLE001 - an emulated ray without nodes(): use the sim's record
        out = []
    if not out:
        for n in simnode.nodes():
            out.append({"name": n["name"], "host": n.get("host"), "gpus": int(simnode.hardware(n["name"]).get("gpus", 0))})
    return out


def _replicas(deployment_config):
    dc = deployment_config or {}
    if dc.get("num_replicas") not in (None, "auto"):
        return int(dc["num_replicas"])
    auto = dc.get("autoscaling_config") or {}
    return int(auto.get("min_replicas", auto.get("initial_replicas", 1)) or 1)


def _bundles(cfg):
    tp = int(cfg.engine_kwargs.get("tensor_parallel_size", 1) or 1)
    pg = cfg.placement_group_config or {}
    bundles = pg.get("bundles") or [{"GPU": 1} for _ in range(tp)]
    return tp, bundles


def _pin(bundle, head_host):
    for key in bundle:
        if key == "node:__internal_head__":
            return head_host
        if key.startswith("node:"):
            return key[len("node:"):]
    return None


def plan(role_configs, alive, head_host):
    """role_configs: [(role, LLMConfig)] -> ([placement], resources wanted per replica).

    Raises Pending with Serve's wording when the GPUs are not there."""
    free = {}
    for n in alive:
        busy = simnode.busy_gpus(n["name"])
        free[n["host"]] = [i for i in range(n["gpus"]) if i not in busy]
    by_host = {n["host"]: n for n in alive}
    placements = []
    for role, cfg in role_configs:
        tp, bundles = _bundles(cfg)
        for r in range(_replicas(cfg.deployment_config)):
            need = {}
            for b in bundles:
                gpus = int(float(b.get("GPU", 0)))
                host = _pin(b, head_host)
                need.setdefault(host, 0)
                need[host] += gpus
            if None in need and len(need) == 1:
                host = next((h for h in by_host if len(free.get(h, [])) >= need[None]), None)
                if host is None:
                    raise Pending(_pending_message(cfg, bundles, free))
                need = {host: need[None]}
            for host, count in need.items():
                if host not in by_host or len(free.get(host, [])) < count:
                    raise Pending(_pending_message(cfg, bundles, free))
            for host, count in need.items():
                gpus, free[host] = free[host][:count], free[host][count:]
                placements.append({"node": by_host[host]["name"], "host": host, "gpus": gpus, "role": role,
                                   "replica": r, "tp": tp})
    return placements


def _where_task():
    import os

    import ray

    env = {k: v for k, v in os.environ.items() if k.startswith(("UCX_", "NIXL_", "FI_", "VLLM_"))}
    return ray.util.get_node_ip_address(), [int(g) for g in ray.get_gpu_ids()], env


def ray_supports_placement_groups():
    try:
        import ray
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy  # noqa: F401

        return hasattr(ray.util, "placement_group") and hasattr(ray.util, "get_placement_group")
    except ImportError:
        return False


def pg_name(app_name, role, replica):
    return "SERVE_REPLICA::%s#%s#%d" % (app_name, role, replica)


def ray_plan(app_name, role_configs):
    """One detached placement group per engine replica (what Serve LLM creates), placed by Ray.

    Returns (placements, group names, env by role); raises Pending while a group cannot be placed
    (the groups stay and Ray places them when GPUs free up)."""
    import ray
    from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

    groups, names = [], []
    for role, cfg in role_configs:
        _, bundles = _bundles(cfg)
        strategy = (cfg.placement_group_config or {}).get("strategy", "PACK")
        for r in range(_replicas(cfg.deployment_config)):
            name = pg_name(app_name, role, r)
            try:
                pg = ray.util.get_placement_group(name)
            except ValueError:
                pg = ray.util.placement_group(bundles, strategy=strategy, name=name, lifetime="detached")
            groups.append((role, cfg, r, pg, bundles))
            names.append(name)
    for role, cfg, r, pg, bundles in groups:
        try:
            ray.get(pg.ready(), timeout=0.5)
        except Exception:  # noqa: BLE001 - GetTimeoutError: not placed yet
            try:
                avail = ray.available_resources()
            except Exception:  # noqa: BLE001
                avail = {}
            raise Pending(_pending_text(app_name, role, cfg, bundles, avail), names)
    placements, env_by_role = [], {}
    where = ray.remote(_where_task)
    for role, cfg, r, pg, bundles in groups:
        by_host = {}
        for i, b in enumerate(bundles):
            opts = {"num_cpus": 0, "num_gpus": float(b.get("GPU", 0)),
                    "scheduling_strategy": PlacementGroupSchedulingStrategy(placement_group=pg, placement_group_bundle_index=i)}
            if cfg.runtime_env:
                opts["runtime_env"] = cfg.runtime_env
            ip, gpus, env = ray.get(where.options(**opts).remote(), timeout=60)
            by_host.setdefault(ip, []).extend(gpus)
            env_by_role.setdefault(role, env)
        tp = _bundles(cfg)[0]
        for ip, gpus in by_host.items():
            sim = simnode.node_by_host(ip) or {"name": ip}
            placements.append({"node": sim["name"], "host": ip, "gpus": sorted(gpus), "role": role, "replica": r,
                               "tp": tp, "pg": pg_name(app_name, role, r)})
    return placements, names, env_by_role


def remove_groups(names):
    """Removes the named placement groups (errors ignored: Ray may be gone already)."""
    if not names:
        return
    try:
        import ray

        for name in names:
            try:
                ray.util.remove_placement_group(ray.util.get_placement_group(name))
            except ValueError:
                pass
    except Exception:  # noqa: BLE001 - no Ray cluster to talk to
        pass


def deployment_name(role, cfg):
    return "%s:%s" % ({"llm": "LLMServer", "prefill": "PDPrefillServer", "decode": "PDDecodeServer"}[role], cfg.model_id)


def _pending_text(app_name, role, cfg, bundles, available):
    return ("Deployment '%s' in application '%s' has 1 replicas that have taken more than 30s to be "
            "scheduled. This may be due to waiting for the cluster to auto-scale or for a runtime environment to be "
            "installed. Resources required for each replica: %s, total resources available: %s. Use `ray status` "
            "for more details." % (deployment_name(role, cfg), app_name, bundles,
                                   {k: v for k, v in sorted(available.items()) if k in ("CPU", "GPU") or k.startswith("node:")}))


def _pending_message(cfg, bundles, free):
    total = {"GPU": float(sum(len(v) for v in free.values()))}
    for host, v in free.items():
        total["node:%s" % host] = 1.0
    return ("Deployment 'LLMServer:%s' in application 'default' has 1 replicas that have taken more than 30s to be "
            "scheduled. This may be due to waiting for the cluster to auto-scale or for a runtime environment to be "
            "installed. Resources required for each replica: %s, total resources available: %s. Use `ray status` "
            "for more details." % (cfg.model_id, bundles, total))


def describe(kind, role_configs, placements, env):
    """The deployment as the performance model and /sim/deployment see it."""
    first = role_configs[0][1]
    out = {"modelId": first.model_id, "modelSource": first.model_source,
           "maxModelLen": first.engine_kwargs.get("max_model_len"), "env": dict(env)}
    if kind == "openai":
        cfg = first
        tp, _ = _bundles(cfg)
        out.update({"mode": "collocated", "replicas": _replicas(cfg.deployment_config), "tp": tp,
                    "nodes": sorted({p["node"] for p in placements}), "backend": None, "transport": None})
        return out
    roles = dict(role_configs)
    p_nodes = sorted({p["node"] for p in placements if p["role"] == "prefill"})
    d_nodes = sorted({p["node"] for p in placements if p["role"] == "decode"})
    kv = roles["decode"].engine_kwargs.get("kv_transfer_config") or {}
    backends = (kv.get("kv_connector_extra_config") or {}).get("backends") or ["UCX"]
    backend = str(backends[0]).upper()
    mode = "pd-pack" if p_nodes == d_nodes and len(p_nodes) == 1 else "pd-spread"
    try:
        transport = simtransport.select(backend, p_nodes[0], d_nodes[0], env.get("UCX_TLS"))
    except simtransport.NoTransport as e:
        transport, out["transportError"] = None, str(e)
    out.update({
        "mode": mode, "backend": backend, "transport": transport,
        "prefill": {"num": _replicas(roles["prefill"].deployment_config), "tp": _bundles(roles["prefill"])[0], "nodes": p_nodes},
        "decode": {"num": _replicas(roles["decode"].deployment_config), "tp": _bundles(roles["decode"])[0], "nodes": d_nodes},
    })
    return out
