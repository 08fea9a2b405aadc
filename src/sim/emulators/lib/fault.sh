# Shared fault helper for bash emulators. Source it, then call `sim_begin PROGRAM`:
# it counts the run in $PDFLOW_SIM_STATE/runs/PROGRAM, exits or hangs when a fault says so,
# and sets SIM_SCALE (PDFLOW_SIM_TIME_SCALE times any "slow" factor) for the emulator's sleeps.
# Without faults.json (the usual case) no python starts.
SIM_LIB_DIR=$(dirname "${BASH_SOURCE[0]}")

sim_begin() {
  local program=$1 verdict
  SIM_SCALE=${PDFLOW_SIM_TIME_SCALE:-1}
  [ -n "${PDFLOW_SIM_STATE:-}" ] || return 0
  mkdir -p "$PDFLOW_SIM_STATE/runs"
  printf '%s %s %s\n' "$(date +%s.%N)" "$$" "${PDFLOW_SIM_NODE:-}" >>"$PDFLOW_SIM_STATE/runs/$program"
  [ -f "$PDFLOW_SIM_STATE/faults.json" ] || return 0
  verdict=$(python3 "$SIM_LIB_DIR/simfault.py" check "$program") || return 0
  case $verdict in
    fail\ *)
      echo "$program: injected failure (pdflow sim fault), exit ${verdict#fail }" >&2
      exit "${verdict#fail }" ;;
    hang)
      exec sleep infinity ;;
    slow\ *)
      SIM_SCALE=$(awk -v a="$SIM_SCALE" -v b="${verdict#slow }" 'BEGIN { print a * b }') ;;
  esac
}

# sim_sleep SECONDS: sleeps SECONDS times SIM_SCALE (fractions allowed).
sim_sleep() {
  sleep "$(awk -v s="$1" -v k="${SIM_SCALE:-1}" 'BEGIN { printf "%.3f", s * k }')"
}
