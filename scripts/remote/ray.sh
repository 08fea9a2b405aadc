#!/usr/bin/env bash
# The Ray cluster on this node, through the venv's `ray` CLI. Idempotent: a node already running
# with the same address and settings is left alone ("unchanged").
# Usage: ray.sh start-head   [--port 6379] [--dashboard-port 8265] [ports] [node] [common]
#        ray.sh start-worker --address HOST:PORT [ports] [node] [common]
#        ray.sh stop [common]
#        ray.sh status [--address HOST:PORT] [common]
# ports:  --dashboard-agent-port 52365 --client-server-port 10001 (Ray's defaults)
# node:   --num-gpus N, --num-cpus N, --node-name NAME (a Ray label pdflow-node=NAME),
#         --node-ip IP (default: the address this node's sshd was reached on, from SSH_CONNECTION)
# common: --venv DIR, --ucx-prefix DIR, --nixl-prefix DIR, --env NAME=VALUE (repeatable),
#         --state-dir DIR (the settings and session of the last start)
# Ray runs in its own session (`setsid ray start --block`), so cancelling the job that started
# it never kills the raylet, and `stop` ends exactly that session: this node's Ray, not every
# Ray process of the machine as `ray stop` would. The raylet inherits the environment (HF_HOME,
# UCX_TLS, LD_LIBRARY_PATH with the UCX and NIXL libraries, ...), so every replica sees it.
# The JSON line carries `ray.nodes()` raw ("nodes"); pdflow judges it (src/parse/ray-nodes.ts).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PDFLOW_SCRIPT=ray

ACTION=${1:-}
case $ACTION in
  start-head | start-worker | stop | status) shift ;;
  -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
  *) usage_error "first argument must be start-head, start-worker, stop or status, got '${ACTION}'" ;;
esac
WORK=${PDFLOW_WORKDIR:-$HOME/pdflow}
VENV=$WORK/venv
STATE_DIR=$WORK/ray
PORT=6379
DASHBOARD_PORT=8265
AGENT_PORT=52365
CLIENT_PORT=10001
ADDRESS=
NUM_GPUS=
NUM_CPUS=
NODE_IP=
NODE_NAME=
UCX_PREFIX=
NIXL_PREFIX=
ENVS=()
while (($#)); do
  case $1 in
    --venv) need_value "$@"; VENV=$(expand_path "$2"); shift 2 ;;
    --state-dir) need_value "$@"; STATE_DIR=$(expand_path "$2"); shift 2 ;;
    --port) need_value "$@"; PORT=$2; shift 2 ;;
    --dashboard-port) need_value "$@"; DASHBOARD_PORT=$2; shift 2 ;;
    --dashboard-agent-port) need_value "$@"; AGENT_PORT=$2; shift 2 ;;
    --client-server-port) need_value "$@"; CLIENT_PORT=$2; shift 2 ;;
    --address) need_value "$@"; ADDRESS=$2; shift 2 ;;
    --num-gpus) need_value "$@"; NUM_GPUS=$2; shift 2 ;;
    --num-cpus) need_value "$@"; NUM_CPUS=$2; shift 2 ;;
    --node-ip) need_value "$@"; NODE_IP=$2; shift 2 ;;
    --node-name) need_value "$@"; NODE_NAME=$2; shift 2 ;;
    --ucx-prefix) need_value "$@"; UCX_PREFIX=$(expand_path "$2"); shift 2 ;;
    --nixl-prefix) need_value "$@"; NIXL_PREFIX=$(expand_path "$2"); shift 2 ;;
    --env) need_value "$@"; ENVS+=("$2"); shift 2 ;;
    --force) shift ;; # accepted for older callers: stop always ends the session
    *) usage_error "unknown flag '$1' for ray.sh $ACTION" ;;
  esac
done
require_abs_or_home --venv "$VENV"
require_abs_or_home --state-dir "$STATE_DIR"
for pv in "--port:$PORT" "--dashboard-port:$DASHBOARD_PORT" "--dashboard-agent-port:$AGENT_PORT" "--client-server-port:$CLIENT_PORT"; do
  v=${pv#*:}
  [[ $v =~ ^[0-9]+$ ]] && ((v > 0 && v < 65536)) || usage_error "${pv%%:*} must be 1..65535, got '$v'"
done
[[ -z $NUM_GPUS || $NUM_GPUS =~ ^[0-9]+$ ]] || usage_error "--num-gpus must be a whole number, got '$NUM_GPUS'"
[[ -z $NUM_CPUS || $NUM_CPUS =~ ^[0-9]+$ ]] || usage_error "--num-cpus must be a whole number, got '$NUM_CPUS'"
[[ -z $NODE_NAME || $NODE_NAME =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || usage_error "--node-name must be letters, digits, . _ -, got '$NODE_NAME'"
if [[ -z $NODE_IP && -n ${SSH_CONNECTION:-} ]]; then
  # "client-ip client-port server-ip server-port": the server side is this node as its peers reach it.
  read -r _ _ NODE_IP _ <<<"$SSH_CONNECTION"
fi
[[ -z $NODE_IP || $NODE_IP =~ ^[0-9A-Fa-f.:]+$ ]] || usage_error "--node-ip must be an IP address, got '$NODE_IP'"
if [[ -n $ADDRESS ]]; then
  [[ $ADDRESS =~ ^[0-9A-Za-z.-]+(:[0-9]+)?$ ]] || usage_error "--address must be HOST:PORT (e.g. 10.0.0.10:6379), got '$ADDRESS'"
  [[ $ADDRESS == *:* ]] || ADDRESS=$ADDRESS:$PORT
fi
[[ $ACTION != start-worker || -n $ADDRESS ]] || usage_error "start-worker needs --address HOST:PORT of the head node"
[[ -z $UCX_PREFIX ]] || require_abs_or_home --ucx-prefix "$UCX_PREFIX"
[[ -z $NIXL_PREFIX ]] || require_abs_or_home --nixl-prefix "$NIXL_PREFIX"
for e in "${ENVS[@]}"; do
  [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage_error "--env must be NAME=VALUE with NAME made of letters, digits and _, got '${e%%=*}'"
done

RAY=$VENV/bin/ray
PY=$VENV/bin/python
[[ -x $RAY && -x $PY ]] || die "no ray in the venv $VENV; run python-env.sh --venv $VENV --pin 'ray[serve,llm]==<version>' first"

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
  env_keys+=(LD_LIBRARY_PATH)
fi
for e in "${ENVS[@]}"; do
  export "${e%%=*}=${e#*=}"
  env_keys+=("${e%%=*}")
done
mapfile -t env_keys < <(printf '%s\n' "${env_keys[@]}" | sort -u | grep . || true)

# The head's dashboard (state API): on the head, this node; on a worker, the --address host.
if [[ -n $ADDRESS ]]; then DASHBOARD=${ADDRESS%:*}:$DASHBOARD_PORT; else DASHBOARD=${NODE_IP:-127.0.0.1}:$DASHBOARD_PORT; fi
SESSION_FILE=$STATE_DIR/session.json
START_LOG=$STATE_DIR/ray-start.log
FINGERPRINT_FILE=$STATE_DIR/start.json
fingerprint() {
  local kv=()
  for k in "${env_keys[@]}"; do kv+=("$k=${!k}"); done
  build_key "$ACTION" "$PORT" "$DASHBOARD_PORT" "$AGENT_PORT" "$CLIENT_PORT" "$ADDRESS" "$NUM_GPUS" "$NUM_CPUS" "$NODE_IP" "$NODE_NAME" "${kv[@]}"
}

# {"connected", "dashboard", "nodes": [...]}: Ray's state API (`ray list nodes --detail`, served by
# the head's dashboard) as Ray returns it, or {"connected": false, "error"}. Needs no driver, so
# it answers at once when nothing runs and works from a node not (yet) in the cluster.
probe() {
  timeout 60 "$PY" - "$1" <<'PY' 2>/dev/null || printf '{"connected": false, "error": "probe failed or timed out"}\n'
import json, sys, urllib.request
out = {"connected": False, "dashboard": sys.argv[1]}
try:
    url = "http://%s/api/v0/nodes?limit=10000&detail=1" % sys.argv[1]
    with urllib.request.urlopen(url, timeout=20) as r:
        body = json.loads(r.read().decode())
    if not body.get("result"):
        raise RuntimeError(body.get("msg") or "the state API answered result=false")
    out.update(connected=True, nodes=body["data"]["result"]["result"])
except Exception as e:  # noqa: BLE001 - any failure means "not connected", with the reason
    out["error"] = "%s: %s (Ray's dashboard at %s)" % (type(e).__name__, getattr(e, "reason", e), sys.argv[1])
print(json.dumps(out))
PY
}

# 0 when host:port refuses a TCP connection at once; a timeout (5 s) or a bad address is not a refusal.
gcs_refused() {
  local host=${1%:*} port=${1##*:} rc=0
  [[ $port =~ ^[0-9]+$ && -n $host && $host != "$1" ]] || return 1
  timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$host" "$port" 2>/dev/null || rc=$?
  ((rc == 1))
}

# From a probe: this node's live record as "nodeId ip isHead gpus", empty when it is not in the cluster.
local_node() {
  printf '%s' "$1" | "$PY" -c '
import json, sys
p, ip, name = json.load(sys.stdin), sys.argv[1], sys.argv[2]
def mine(n):
    if n.get("state") != "ALIVE":
        return False
    if name:
        return (n.get("labels") or {}).get("pdflow-node") == name
    return n.get("node_ip") == ip
hits = [n for n in p.get("nodes", []) if mine(n)]
if p.get("connected") and hits:
    n = hits[0]
    print(n["node_id"], n["node_ip"], "yes" if n.get("is_head_node") else "no", int((n.get("resources_total") or {}).get("GPU", 0)))
' "$NODE_IP" "$NODE_NAME"
}
probe_field() { printf '%s' "$1" | "$PY" -c "import json,sys; v=json.load(sys.stdin).get('$2'); print('' if v is None else v)"; }

# Pids of the processes in the session recorded by the last start (empty when none lives).
session_pids() {
  local sid
  [[ -f $SESSION_FILE ]] || return 0
  sid=$(marker_field "$SESSION_FILE" sid)
  [[ $sid =~ ^[0-9]+$ ]] || return 0
  # /proc/<pid>/stat: "pid (comm) state ppid pgrp session ..."; comm may hold spaces.
  for st in /proc/[0-9]*/stat; do
    local line rest
    line=$(cat "$st" 2>/dev/null) || continue
    rest=${line##*) }
    read -r _ _ _ s _ <<<"$rest"
    if [[ $s == "$sid" ]]; then
      line=${st#/proc/}
      printf '%s\n' "${line%/stat}"
    fi
  done
}

# Ends this node's Ray: TERM to its session, KILL to what is left after 15 s. 0 when something ran.
stop_session() {
  local pids
  mapfile -t pids < <(session_pids)
  if ((${#pids[@]} == 0)); then rm -f "$SESSION_FILE"; return 1; fi
  log "stopping this node's Ray session $(marker_field "$SESSION_FILE" sid) (${#pids[@]} processes)"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 15))
  while ((SECONDS < deadline)); do
    mapfile -t pids < <(session_pids)
    ((${#pids[@]})) || break
    sleep 0.5
  done
  mapfile -t pids < <(session_pids)
  if ((${#pids[@]})); then
    log "still running after 15 s: SIGKILL to ${#pids[@]} processes"
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$SESSION_FILE"
  return 0
}

start_result() {
  local status=$1 probe_out=$2 mine
  mine=$(local_node "$probe_out")
  read -r node_id node_ip _ gpus <<<"$mine"
  json_obj script '"ray"' action "$(json_str "$ACTION")" status "$(json_str "$status")" \
    address "$(json_str "${ADDRESS:-${node_ip:-${NODE_IP:-127.0.0.1}}:$PORT}")" nodeIp "$(json_str_or_null "${node_ip:-}")" \
    nodeName "$(json_str_or_null "$NODE_NAME")" nodeId "$(json_str_or_null "${node_id:-}")" gpus "$(json_num "${gpus:-}")" \
    env "$(json_str_array "${env_keys[@]}")"
  echo
}

# Serve and Serve LLM run on every node (replicas import ray.serve.llm): a plain `ray` install
# starts, but no deployment could ever run on it.
check_serve_llm() {
  local out
  out=$("$PY" -c 'from ray import serve; import ray.serve.llm' 2>&1) && return 0
  local err
  err=$(printf '%s\n' "$out" | grep -v '^[[:space:]]' | tail -n 1)
  die "the venv $VENV has ray without its serve/llm extras ($err); install ray[serve,llm]==$("$PY" -c 'import ray; print(ray.__version__)' 2>/dev/null || echo '<version>') (provision's python-env step pins it)"
}

start_node() {
  local want_head=$1 fp probe_out mine status=started
  fp=$(fingerprint)
  phase check
  check_serve_llm
  probe_out=$(probe "$DASHBOARD")
  mine=$(local_node "$probe_out")
  if [[ -n $mine ]]; then
    read -r _ _ is_head _ <<<"$mine"
    local gcs
    gcs=${ADDRESS:-${NODE_IP:-?}:$PORT}
    if [[ $is_head == "$want_head" ]] && [[ -n $(session_pids) ]]; then
      if marker_matches "$FINGERPRINT_FILE" "$fp"; then
        log "Ray already runs here as $([[ $want_head == yes ]] && echo head || echo worker) of $gcs with these settings: unchanged"
        start_result unchanged "$probe_out"
        return 0
      fi
      log "Ray runs here with other settings (env, GPUs, ports or address): restarting"
    else
      log "Ray runs here but as part of another cluster or role ($gcs), or was not started by pdflow: restarting"
    fi
  fi
  phase stop
  if stop_session; then status=restarted; fi
  phase start
  local args=(start --block --disable-usage-stats "--dashboard-agent-listen-port=$AGENT_PORT")
  if [[ $want_head == yes ]]; then
    args+=(--head "--port=$PORT" --dashboard-host=0.0.0.0 "--dashboard-port=$DASHBOARD_PORT" "--ray-client-server-port=$CLIENT_PORT")
  else
    args+=("--address=$ADDRESS")
  fi
  if [[ -n $NUM_GPUS ]]; then args+=("--num-gpus=$NUM_GPUS"); fi
  if [[ -n $NUM_CPUS ]]; then args+=("--num-cpus=$NUM_CPUS"); fi
  if [[ -n $NODE_IP ]]; then args+=("--node-ip-address=$NODE_IP"); fi
  if [[ -n $NODE_NAME ]]; then args+=("--labels=pdflow-node=$NODE_NAME"); fi
  log "+ setsid ray ${args[*]}${env_keys:+ (env: ${env_keys[*]})}"
  mkdir -p "$STATE_DIR"
  rm -f "$FINGERPRINT_FILE"
  local pid attempt=1 lock_fd
  # Ray nodes that share a host's temp folder (the simulated cluster, containers sharing /tmp)
  # share the head's session folder, where each raylet takes the first free socket name: two
  # starting at once take the same one and the second dies ("bind: Address already in use"),
  # after which `ray start` waits 30 s and fails. One start at a time per temp folder: a lock
  # there, held until Ray says this node started (never inherited by Ray itself).
  mkdir -p "${RAY_TMPDIR:-/tmp}"
  exec {lock_fd}>"${RAY_TMPDIR:-/tmp}/pdflow-ray-start.lock"
  flock -w 300 "$lock_fd" || log "waited 300 s for another ray start on this host; starting anyway"
  launch() {
    setsid "$RAY" "${args[@]}" </dev/null >"$START_LOG" 2>&1 {lock_fd}>&- &
    pid=$!
    printf '%s\n' "$(json_obj sid "$(json_str "$pid")" pid "$(json_str "$pid")")" >"$SESSION_FILE"
  }
  launch
  phase verify
  local deadline=$((SECONDS + 240))
  probe_out='{"connected": false, "error": "ray start has not finished"}'
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      # Ray gives a raylet 30 s (fixed) to register with the GCS; a busy machine can miss that.
      if ((attempt < 3)) && grep -q 'timed out during startup' "$START_LOG"; then
        log "ray start: the raylet did not register within Ray's 30 s (busy machine or GCS); trying again ($((attempt + 1))/3)"
        stop_session || true
        attempt=$((attempt + 1))
        launch
        continue
      fi
      log "$(tail -n 30 "$START_LOG")"
      local tail3
      tail3=$(grep -v '^\s*$' "$START_LOG" | tail -n 3 | tr '\n' ' ')
      if [[ $want_head == no ]]; then die "ray start could not join the head at $ADDRESS: ${tail3}— is the head started (ray.sh start-head) and reachable?"; fi
      die "ray start --head failed: ${tail3}(full log: $START_LOG)"
    fi
    if grep -q 'Ray runtime started' "$START_LOG"; then
      if [[ -n ${lock_fd:-} ]]; then exec {lock_fd}>&-; lock_fd=; fi
      probe_out=$(probe "$DASHBOARD")
      mine=$(local_node "$probe_out")
      if [[ -n $mine ]]; then break; fi
    fi
    if ((SECONDS >= deadline)); then
      log "$(tail -n 30 "$START_LOG")"
      stop_session || true
      die "ray start did not bring this node into the cluster within 240 s: $(probe_field "$probe_out" error) (full log: $START_LOG)"
    fi
    sleep 1
  done
  log "$(grep -v '^\s*$' "$START_LOG" | head -n 40)"
  write_marker "$FINGERPRINT_FILE" "$(json_obj key "$(json_str "$fp")")"
  start_result "$status" "$probe_out"
}

case $ACTION in
  start-head) start_node yes ;;
  start-worker) start_node no ;;
  stop)
    phase stop
    status=unchanged
    if stop_session; then status=stopped; fi
    rm -f "$FINGERPRINT_FILE"
    json_obj script '"ray"' action '"stop"' status "$(json_str "$status")"
    echo
    ;;
  status)
    phase status
    args=(status)
    if [[ -n $ADDRESS ]]; then args+=("--address=$ADDRESS"); fi
    rc=0
    # Nothing listening on the GCS's port (the head rebooted, Ray is not back): `ray status` would
    # retry for about half a minute before saying so.
    if [[ -n $ADDRESS ]] && gcs_refused "$ADDRESS"; then
      rc=1
      text="nothing listens on Ray's GCS port at $ADDRESS (connection refused)"
    else
      text=$("$RAY" "${args[@]}" 2>&1) || rc=$?
    fi
    log "$text"
    probe_out=$(probe "$DASHBOARD")
    json_obj script '"ray"' action '"status"' rayStatusExitCode "$rc" probe "$probe_out"
    echo
    ;;
esac
