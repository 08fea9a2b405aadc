#!/usr/bin/env bash
# What the GPUs and the EFA devices of this node do during a benchmark point: nvidia-smi's
# utilization, memory, power, SM clock and clock-event (throttle) reasons, and every EFA device's
# rx/tx byte counters, about once an interval, into one CSV file that the worker copies and reads
# (src/parse/gpu-samples.ts, src/analysis/gpu-energy.ts).
# Usage: gpu_sampler.sh start --out FILE [--interval-ms 1000] [--max-seconds 7200]
#        gpu_sampler.sh stop --out FILE
# start runs the sampler in its own session (setsid) and returns at once; a sampler already
# running for FILE is stopped and FILE started afresh. The sampler ends by itself after
# --max-seconds, so a worker that never calls stop leaves nothing running. stop ends it (only a
# process that is the recorded one: same pid, same start time, a command line naming FILE) and
# counts the lines; stopping a sampler that already ended is not an error.
# FILE (one record per line; <ms> is epoch milliseconds when the line was read):
#   meta,<ms>,<key>,<value>                   interval_ms, gpu_fields (";"-separated), host, efa_devices
#   gpu,<ms>,<nvidia-smi CSV row>             one per GPU per interval (--format=csv,noheader,nounits)
#   efa,<ms>,<device>,<rx_bytes>,<tx_bytes>   one per EFA device per interval (ports/1/hw_counters)
# Ends with ONE JSON line: start {"ok","out","pid","gpuFields","efaDevices"};
# stop {"ok","out","exists","wasRunning","lines","gpuLines","efaLines"}.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PDFLOW_SCRIPT=gpu_sampler

ACTION=${1:-}
case $ACTION in
  start | stop | _run) shift ;;
  -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
  *) usage_error "first argument must be start or stop, got '${ACTION}'" ;;
esac
OUT=
INTERVAL_MS=1000
MAX_SECONDS=7200
GPU_FIELDS=
while (($#)); do
  case $1 in
    --out) need_value "$@"; OUT=$(expand_path "$2"); shift 2 ;;
    --interval-ms) need_value "$@"; INTERVAL_MS=$2; shift 2 ;;
    --max-seconds) need_value "$@"; MAX_SECONDS=$2; shift 2 ;;
    --gpu-fields) need_value "$@"; GPU_FIELDS=$2; shift 2 ;; # _run only: what start probed
    -h | --help) sed -n '2,18p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (gpu_sampler.sh takes --out, --interval-ms, --max-seconds)" ;;
  esac
done
require_abs_or_home --out "$OUT"
[[ $INTERVAL_MS =~ ^[0-9]+$ ]] && ((INTERVAL_MS >= 100)) || usage_error "--interval-ms must be a whole number of milliseconds, at least 100, got '$INTERVAL_MS'"
[[ $MAX_SECONDS =~ ^[0-9]+$ ]] && ((MAX_SECONDS >= 1)) || usage_error "--max-seconds must be a whole number of seconds, at least 1, got '$MAX_SECONDS'"
PID_FILE=$OUT.pid
SYSFS_IB="${PDFLOW_SYSFS_ROOT:-}/sys/class/infiniband"
# Newer drivers name the bitmask clocks_event_reasons.active; older ones only clocks_throttle_reasons.active.
BASE_FIELDS=timestamp,index,utilization.gpu,memory.used,power.draw,clocks.sm
REASON_FIELDS=(clocks_event_reasons.active clocks_throttle_reasons.active)

# Epoch milliseconds into REPLY without a fork (bash 5's EPOCHREALTIME; its decimal mark follows the locale).
now_ms() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then
    local t=${EPOCHREALTIME//[!0-9]/}
    REPLY=${t:0:${#t}-3}
  else
    REPLY=$(date +%s%3N)
  fi
}

# Field 22 of /proc/<pid>/stat (start time in clock ticks); empty without /proc.
proc_start() {
  local stat rest
  [[ -r /proc/$1/stat ]] || return 0
  read -r stat <"/proc/$1/stat" || return 0
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  printf '%s' "${20:-}"
}

# Alive and not a zombie (an orphan waits for init to reap it).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local stat rest
  read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
  rest=${stat##*) }
  [[ ${rest%% *} != Z && ${rest%% *} != X ]]
}

# The sampler recorded in PID_FILE, when it still runs as that process: sets SAMPLER_PID.
running_sampler() {
  SAMPLER_PID=
  [[ -f $PID_FILE ]] || return 1
  local pid start cmd
  read -r pid start <"$PID_FILE" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  [[ -z ${start:-} || $(proc_start "$pid") == "$start" ]] || return 1
  if [[ -r /proc/$pid/cmdline ]]; then
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
    [[ $cmd == *gpu_sampler.sh*_run*"$OUT"* ]] || return 1
  fi
  SAMPLER_PID=$pid
}

# Ends the sampler's session (its process group: the loop and nvidia-smi), KILL after 3 s.
stop_sampler() {
  running_sampler || return 1
  local pid=$SAMPLER_PID i
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  return 0
}

efa_devices() {
  EFA_DEVICES=()
  local d
  [[ -d $SYSFS_IB ]] || return 0
  for d in "$SYSFS_IB"/*; do
    [[ -r $d/ports/1/hw_counters/rx_bytes ]] && EFA_DEVICES+=("${d##*/}")
  done
  return 0
}

# The query fields this nvidia-smi accepts (empty without nvidia-smi or any GPU).
probe_gpu_fields() {
  command -v nvidia-smi >/dev/null 2>&1 || return 0
  local f out
  for f in "${REASON_FIELDS[@]}" ''; do
    if out=$(nvidia-smi --query-gpu="$BASE_FIELDS${f:+,$f}" --format=csv,noheader,nounits 2>&1) && [[ -n $out ]]; then
      printf '%s' "$BASE_FIELDS${f:+,$f}"
      return 0
    fi
    log "nvidia-smi --query-gpu=$BASE_FIELDS${f:+,$f}: $(printf '%s' "$out" | head -n 1)" >&2
  done
}

line_count() {
  local n
  n=$(grep -c -- "${1:-}" "$OUT" 2>/dev/null) || true
  printf '%s' "${n:-0}"
}

case $ACTION in
  start)
    stop_sampler && log "stopped the sampler already running for $OUT"
    mkdir -p "$(dirname "$OUT")"
    fields=$(probe_gpu_fields)
    efa_devices
    : >"$OUT"
    rm -f "$PID_FILE"
    log "+ setsid gpu_sampler.sh _run --out $OUT (every ${INTERVAL_MS} ms, at most ${MAX_SECONDS} s; GPU fields: ${fields:-none}; ${#EFA_DEVICES[@]} EFA devices)"
    setsid bash "${BASH_SOURCE[0]}" _run --out "$OUT" --interval-ms "$INTERVAL_MS" --max-seconds "$MAX_SECONDS" \
      ${fields:+--gpu-fields "$fields"} </dev/null >"$OUT.log" 2>&1 &
    for ((i = 0; i < 100; i++)); do
      running_sampler && break
      sleep 0.05
    done
    running_sampler || die "the sampler did not start (log: $(tail -n 3 "$OUT.log" 2>/dev/null | tr '\n' ' '))"
    printf '%s\n' "$(json_obj ok true out "$(json_str "$OUT")" pid "$SAMPLER_PID" gpuFields "$(json_str_or_null "$fields")" efaDevices "${#EFA_DEVICES[@]}")"
    ;;
  stop)
    was=false
    stop_sampler && was=true
    exists=false
    [[ -f $OUT ]] && exists=true
    log "sampler for $OUT: $([[ $was == true ]] && echo stopped || echo 'not running')"
    printf '%s\n' "$(json_obj ok true out "$(json_str "$OUT")" exists "$exists" wasRunning "$was" \
      lines "$(line_count '')" gpuLines "$(line_count '^gpu,')" efaLines "$(line_count '^efa,')")"
    ;;
  _run)
    # The session leader: its pid is the process group nvidia-smi and the loop share.
    trap - ERR
    set +e
    printf '%s %s\n' "$$" "$(proc_start $$)" >"$PID_FILE.tmp" && mv -f "$PID_FILE.tmp" "$PID_FILE"
    efa_devices
    now_ms
    {
      printf 'meta,%s,interval_ms,%s\n' "$REPLY" "$INTERVAL_MS"
      printf 'meta,%s,gpu_fields,%s\n' "$REPLY" "${GPU_FIELDS//,/;}"
      printf 'meta,%s,host,%s\n' "$REPLY" "$(hostname 2>/dev/null || echo unknown)"
      printf 'meta,%s,efa_devices,%s\n' "$REPLY" "${#EFA_DEVICES[@]}"
    } >>"$OUT"
    if [[ -n $GPU_FIELDS ]]; then
      # nvidia-smi loops by itself (-lms); each row gets the time it was read.
      nvidia-smi --query-gpu="$GPU_FIELDS" --format=csv,noheader,nounits -lms "$INTERVAL_MS" 2>&1 |
        while IFS= read -r row; do
          now_ms
          printf 'gpu,%s,%s\n' "$REPLY" "${row%$'\r'}"
        done >>"$OUT" &
    fi
    # The interval as sleep(1) takes it: 1000 -> 1.000.
    pause=$((INTERVAL_MS / 1000)).$(printf '%03d' $((INTERVAL_MS % 1000)))
    end=$((SECONDS + MAX_SECONDS))
    while ((SECONDS < end)); do
      if ((${#EFA_DEVICES[@]} > 0)); then
        now_ms
        for d in "${EFA_DEVICES[@]}"; do
          rx= tx=
          read -r rx 2>/dev/null <"$SYSFS_IB/$d/ports/1/hw_counters/rx_bytes"
          read -r tx 2>/dev/null <"$SYSFS_IB/$d/ports/1/hw_counters/tx_bytes"
          printf 'efa,%s,%s,%s,%s\n' "$REPLY" "$d" "$rx" "$tx"
        done >>"$OUT"
      fi
      sleep "$pause"
    done
    rm -f "$PID_FILE"
    # The whole group: nvidia-smi and the reader loop end with us.
    trap '' TERM
    kill -TERM -- "-$$" 2>/dev/null
    exit 0
    ;;
esac
