#!/usr/bin/env bash
# The Ray cluster on this node, through the venv's `ray` CLI. Idempotent: a node already running
# with the same address and settings is left alone ("unchanged").
# Usage: ray.sh start-head   [--port 6379] [--num-gpus N] [--num-cpus N] [--node-ip IP] [common]
#        ray.sh start-worker --address HOST:PORT [--num-gpus N] [--num-cpus N] [--node-ip IP] [common]
#        ray.sh stop [--force] [common]
#        ray.sh status [--address HOST:PORT] [common]
# common: --venv DIR, --ucx-prefix DIR, --nixl-prefix DIR, --env NAME=VALUE (repeatable),
#         --state-dir DIR (where the settings of the last start are kept)
# The raylet inherits the environment (UCX_TLS, UCX_NET_DEVICES, LD_LIBRARY_PATH with the UCX and
# NIXL libraries, ...), so every Ray worker on the node sees it.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PDFLOW_SCRIPT=ray

ACTION=${1:-}
case $ACTION in
  start-head | start-worker | stop | status) shift ;;
  -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
  *) usage_error "first argument must be start-head, start-worker, stop or status, got '${ACTION}'" ;;
esac
WORK=${PDFLOW_WORKDIR:-$HOME/pdflow}
VENV=$WORK/venv
STATE_DIR=$WORK/ray
PORT=6379
ADDRESS=
NUM_GPUS=
NUM_CPUS=
NODE_IP=
FORCE=no
UCX_PREFIX=
NIXL_PREFIX=
ENVS=()
while (($#)); do
  case $1 in
    --venv) need_value "$@"; VENV=$(expand_path "$2"); shift 2 ;;
    --state-dir) need_value "$@"; STATE_DIR=$(expand_path "$2"); shift 2 ;;
    --port) need_value "$@"; PORT=$2; shift 2 ;;
    --address) need_value "$@"; ADDRESS=$2; shift 2 ;;
    --num-gpus) need_value "$@"; NUM_GPUS=$2; shift 2 ;;
    --num-cpus) need_value "$@"; NUM_CPUS=$2; shift 2 ;;
    --node-ip) need_value "$@"; NODE_IP=$2; shift 2 ;;
    --ucx-prefix) need_value "$@"; UCX_PREFIX=$(expand_path "$2"); shift 2 ;;
    --nixl-prefix) need_value "$@"; NIXL_PREFIX=$(expand_path "$2"); shift 2 ;;
    --env) need_value "$@"; ENVS+=("$2"); shift 2 ;;
    --force) FORCE=yes; shift ;;
    *) usage_error "unknown flag '$1' for ray.sh $ACTION" ;;
  esac
done
require_abs_or_home --venv "$VENV"
require_abs_or_home --state-dir "$STATE_DIR"
[[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || usage_error "--port must be 1..65535, got '$PORT'"
[[ -z $NUM_GPUS || $NUM_GPUS =~ ^[0-9]+$ ]] || usage_error "--num-gpus must be a whole number, got '$NUM_GPUS'"
[[ -z $NUM_CPUS || $NUM_CPUS =~ ^[0-9]+$ ]] || usage_error "--num-cpus must be a whole number, got '$NUM_CPUS'"
[[ -z $NODE_IP || $NODE_IP =~ ^[0-9A-Za-z.:-]+$ ]] || usage_error "--node-ip must be an IP address, got '$NODE_IP'"
if [[ -n $ADDRESS ]]; then
  [[ $ADDRESS =~ ^[0-9A-Za-z.-]+(:[0-9]+)?$ ]] || usage_error "--address must be HOST:PORT (e.g. 10.0.0.10:6379), got '$ADDRESS'"
  [[ $ADDRESS == *:* ]] || ADDRESS=$ADDRESS:6379
fi
[[ $ACTION != start-worker || -n $ADDRESS ]] || usage_error "start-worker needs --address HOST:PORT of the head node"
[[ -z $UCX_PREFIX ]] || require_abs_or_home --ucx-prefix "$UCX_PREFIX"
[[ -z $NIXL_PREFIX ]] || require_abs_or_home --nixl-prefix "$NIXL_PREFIX"
for e in "${ENVS[@]}"; do
  [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage_error "--env must be NAME=VALUE with NAME made of letters, digits and _, got '${e%%=*}'"
done

RAY=$VENV/bin/ray
PY=$VENV/bin/python
[[ -x $RAY && -x $PY ]] || die "no ray in the venv $VENV; run python-env.sh --venv $VENV --pin ray==<version> first"

# ---- environment the raylet (and so every Ray worker here) inherits ----
env_keys=()
if [[ -n $UCX_PREFIX ]]; then
  [[ -d $UCX_PREFIX/lib ]] || die "--ucx-prefix $UCX_PREFIX has no lib/ folder; run build-ucx.sh first"
  export LD_LIBRARY_PATH="$UCX_PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PATH="$UCX_PREFIX/bin:$PATH"
  env_keys+=(LD_LIBRARY_PATH PATH)
fi
if [[ -n $NIXL_PREFIX ]]; then
  [[ -d $NIXL_PREFIX/lib/x86_64-linux-gnu ]] || die "--nixl-prefix $NIXL_PREFIX has no lib/x86_64-linux-gnu folder; run build-nixl.sh first"
  export LD_LIBRARY_PATH="$NIXL_PREFIX/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export NIXL_PLUGIN_DIR="$NIXL_PREFIX/lib/x86_64-linux-gnu/plugins"
  env_keys+=(LD_LIBRARY_PATH NIXL_PLUGIN_DIR)
fi
for e in "${ENVS[@]}"; do
  export "${e%%=*}=${e#*=}"
  env_keys+=("${e%%=*}")
done
mapfile -t env_keys < <(printf '%s\n' "${env_keys[@]}" | sort -u | grep . || true)

# What `ray start` gets; a node already running with the same settings is unchanged.
FINGERPRINT_FILE=$STATE_DIR/start.json
fingerprint() {
  local kv=()
  for k in "${env_keys[@]}"; do kv+=("$k=${!k}"); done
  build_key "$ACTION" "$PORT" "$ADDRESS" "$NUM_GPUS" "$NUM_CPUS" "$NODE_IP" "${kv[@]}"
}

# {"connected", "gcsAddress", "localIp", "nodes": [{nodeId, ip, alive, isHead, gpus, cpus}]} from the Ray API.
probe() {
  timeout 120 "$PY" - "${1:-auto}" <<'PY' 2>/dev/null || printf '{"connected": false, "error": "probe failed or timed out"}\n'
import json, sys
out = {"connected": False}
try:
    import ray
    ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False, namespace="pdflow-probe")
    nodes = []
    for n in ray.nodes():
        res = n.get("Resources") or {}
        nodes.append({"nodeId": n["NodeID"], "ip": n["NodeManagerAddress"], "alive": bool(n["Alive"]),
                      "isHead": "node:__internal_head__" in res, "gpus": res.get("GPU", 0), "cpus": res.get("CPU", 0)})
    out.update(connected=True, gcsAddress=ray.get_runtime_context().gcs_address,
               localIp=ray.util.get_node_ip_address(), nodes=nodes)
    ray.shutdown()
except Exception as e:  # noqa: BLE001 - any failure means "not connected", with the reason
    out["error"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(out))
PY
}

# From a probe: this node's live record as "nodeId ip isHead gpus", empty when it is not in the cluster.
local_node() {
  printf '%s' "$1" | "$PY" -c '
import json, sys
p = json.load(sys.stdin)
mine = [n for n in p.get("nodes", []) if n["alive"] and n["ip"] == p.get("localIp")]
if p.get("connected") and mine:
    n = mine[0]
    print(n["nodeId"], n["ip"], "yes" if n["isHead"] else "no", int(n["gpus"]))
'
}
probe_field() { printf '%s' "$1" | "$PY" -c "import json,sys; v=json.load(sys.stdin).get('$2'); print('' if v is None else v)"; }

start_result() {
  local status=$1 probe_out=$2 mine
  mine=$(local_node "$probe_out")
  read -r node_id node_ip _ gpus <<<"$mine"
  json_obj script '"ray"' action "$(json_str "$ACTION")" status "$(json_str "$status")" \
    address "$(json_str_or_null "$(probe_field "$probe_out" gcsAddress)")" nodeIp "$(json_str_or_null "${node_ip:-}")" \
    nodeId "$(json_str_or_null "${node_id:-}")" gpus "$(json_num "${gpus:-}")" env "$(json_str_array "${env_keys[@]}")"
  echo
}

ray_stop() {
  local out args=(stop)
  [[ $FORCE == no ]] || args+=(--force)
  out=$("$RAY" "${args[@]}" 2>&1) || die "ray stop failed: $out"
  log "$out"
  [[ $out != *"Did not find any active Ray processes"* ]]
}

start_node() {
  local want_head=$1 fp probe_out mine status=started
  fp=$(fingerprint)
  phase check
  probe_out=$(probe "${ADDRESS:-auto}")
  mine=$(local_node "$probe_out")
  if [[ -n $mine ]]; then
    read -r _ _ is_head _ <<<"$mine"
    local gcs
    gcs=$(probe_field "$probe_out" gcsAddress)
    if [[ $is_head == "$want_head" && ($want_head == no || $gcs == *":$PORT") ]]; then
      if [[ ! -f $FINGERPRINT_FILE ]] || grep -q "\"key\":\"$fp\"" "$FINGERPRINT_FILE"; then
        log "Ray already runs here as $([[ $want_head == yes ]] && echo head || echo worker) of $gcs with these settings: unchanged"
        mkdir -p "$STATE_DIR"
        printf '%s\n' "$(json_obj key "$(json_str "$fp")" action "$(json_str "$ACTION")")" >"$FINGERPRINT_FILE"
        start_result unchanged "$probe_out"
        return 0
      fi
      log "Ray runs here with other settings (env, GPUs or address): restarting"
    else
      log "Ray runs here but as part of another cluster or role ($gcs): restarting"
    fi
  fi
  phase stop
  if ray_stop; then status=restarted; fi
  phase start
  local args=(start --disable-usage-stats)
  if [[ $want_head == yes ]]; then args+=(--head "--port=$PORT" --dashboard-host=0.0.0.0); else args+=("--address=$ADDRESS"); fi
  if [[ -n $NUM_GPUS ]]; then args+=("--num-gpus=$NUM_GPUS"); fi
  if [[ -n $NUM_CPUS ]]; then args+=("--num-cpus=$NUM_CPUS"); fi
  if [[ -n $NODE_IP ]]; then args+=("--node-ip-address=$NODE_IP"); fi
  log "+ ray ${args[*]}${env_keys:+ (env: ${env_keys[*]})}"
  local out
  if ! out=$("$RAY" "${args[@]}" 2>&1); then
    log "$out"
    if [[ $want_head == no ]]; then die "ray start could not join the head at $ADDRESS: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')— is the head started (ray.sh start-head) and reachable?"; fi
    die "ray start --head failed: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
  fi
  log "$out"
  phase verify
  local deadline=$((SECONDS + 60))
  while :; do
    probe_out=$(probe "${ADDRESS:-auto}")
    mine=$(local_node "$probe_out")
    if [[ -n $mine ]]; then break; fi
    ((SECONDS < deadline)) || die "ray start returned but this node is not alive in the cluster after 60 s: $(probe_field "$probe_out" error)"
    sleep 1
  done
  mkdir -p "$STATE_DIR"
  printf '%s\n' "$(json_obj key "$(json_str "$fp")" action "$(json_str "$ACTION")")" >"$FINGERPRINT_FILE"
  start_result "$status" "$probe_out"
}

case $ACTION in
  start-head) start_node yes ;;
  start-worker) start_node no ;;
  stop)
    phase stop
    status=unchanged
    if ray_stop; then status=stopped; fi
    rm -f "$FINGERPRINT_FILE"
    json_obj script '"ray"' action '"stop"' status "$(json_str "$status")"
    echo
    ;;
  status)
    phase status
    args=(status)
    if [[ -n $ADDRESS ]]; then args+=("--address=$ADDRESS"); fi
    rc=0
    text=$("$RAY" "${args[@]}" 2>&1) || rc=$?
    log "$text"
    probe_out=$(probe "${ADDRESS:-auto}")
    summary=$(printf '%s' "$probe_out" | "$PY" -c '
import json, sys
p = json.load(sys.stdin)
nodes = p.get("nodes", [])
alive = [n for n in nodes if n["alive"]]
print(json.dumps({"connected": p.get("connected", False), "gcsAddress": p.get("gcsAddress"), "error": p.get("error"),
                  "aliveNodes": len(alive), "deadNodes": len(nodes) - len(alive),
                  "totalGpus": sum(n["gpus"] for n in alive), "totalCpus": sum(n["cpus"] for n in alive), "nodes": nodes}))')
    json_obj script '"ray"' action '"status"' rayStatusExitCode "$rc" summary "$summary"
    echo
    ;;
esac
