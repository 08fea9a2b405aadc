#!/usr/bin/env bash
# What `pdflow demo` costs: wall time from start to "done" and the peak memory of everything it
# starts (Temporal server, worker, simulated nodes with their Ray and Serve processes), for one or
# more checkouts in one run, so a change is measured against its baseline side by side:
#   bash bench/demo-cost.sh [CHECKOUT...]      (default: this checkout)
# e.g. bash bench/demo-cost.sh /tmp/pdflow-before .   (a `git worktree add /tmp/pdflow-before <rev>`)
# Memory: the sum of the RSS of every process whose command line or environment names the demo's
# folder (the demo's own processes all do: server db, worker runs folder, sim nodes), sampled twice
# a second. Each demo is cleaned up (`pdflow demo --clean`) before the next starts.
set -euo pipefail
checkouts=("$@"); [ ${#checkouts[@]} -gt 0 ] || checkouts=(.)
sum_rss_kb() { # $1: a path the demo's processes carry in argv or environ
  local total=0 pid kb
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    if grep -qs -- "$1" "/proc/$pid/cmdline" || grep -qs -- "$1" "/proc/$pid/environ"; then
      kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true) # gone meanwhile: nothing
      total=$((total + ${kb:-0}))
    fi
  done
  echo "$total"
}
printf '%-40s %10s %14s %s\n' checkout 'wall s' 'peak RSS MiB' result
for co in "${checkouts[@]}"; do
  co=$(cd "$co" && pwd)
  dir=$(mktemp -d /tmp/pdflow-demo-cost-XXXXXX)
  port=$((7400 + RANDOM % 500))
  start=$(date +%s.%N)
  (cd "$co" && node bin/pdflow.js --address "127.0.0.1:$port" demo --dir "$dir" > "$dir.log" 2>&1) & pid=$!
  peak=0
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(sum_rss_kb "$dir"); ((kb > peak)) && peak=$kb
    sleep 0.5
  done
  wait "$pid" && result=ok || result="FAILED (see $dir.log)"
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  (cd "$co" && node bin/pdflow.js --address "127.0.0.1:$port" demo --dir "$dir" --clean > /dev/null 2>&1) || true
  printf '%-40s %10.0f %14.0f %s\n' "$co" "$wall" "$((peak / 1024))" "$result"
done
