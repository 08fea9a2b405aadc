#!/usr/bin/env bash
# pdflow job runner: runs one long command on this node detached from the SSH session, so it
# survives the worker that started it, and lets any later worker find, follow, read or stop it.
#
#   pdflow-job.sh start   <jobdir> -- argv...   start argv (fails if <jobdir> exists); prints status
#   pdflow-job.sh status  <jobdir>              one JSON line: {"state":..,"pid":..,"exitCode":..,"logSize":..}
#   pdflow-job.sh poll    <jobdir> <offset> <max> [<wait-ms>]  the status line, then up to <max> log bytes
#                                               from <offset>; first waits up to <wait-ms> for the job to end
#   pdflow-job.sh tail    <jobdir> <bytes>      the last <bytes> of the log
#   pdflow-job.sh kill    <jobdir> <grace-s>    TERM the job's process group, KILL after the grace period
#   pdflow-job.sh archive <jobdir>              rename <jobdir> to <jobdir>.attempt-N; prints the new path
#   pdflow-job.sh prune   <jobsdir> <days>      remove the folders of jobs that ended over <days> days ago
#                                               (and archived attempts as old); running jobs are kept
#
# <jobdir> holds: log (stdout+stderr), pid (= process group id), pidstart (kernel start time of
# pid, so a reused pid is not mistaken for the job), started (epoch seconds), exit (exit code,
# written atomically when the command ends), cancelled (present when it ended on a signal).
# States: running | exited | lost (pid recorded, no exit code, process gone) | absent | starting.
set -u

die() { printf 'pdflow-job: %s\n' "$*" >&2; exit 2; }

# Field 22 of /proc/<pid>/stat (start time in clock ticks); empty without /proc.
proc_start() {
  local stat rest
  [ -r "/proc/$1/stat" ] || return 0
  read -r stat <"/proc/$1/stat" || return 0
  rest=${stat##*) }
  # shellcheck disable=SC2086
  set -- $rest
  printf '%s' "${20:-}"
}

# The recorded leader is alive and is the same process (not a reused pid, not a zombie).
leader_alive() {
  local dir=$1 pid=$2 want now state stat rest
  if [ -d /proc ] && [ -r /proc/self/stat ]; then
    [ -r "/proc/$pid/stat" ] || return 1
    read -r stat <"/proc/$pid/stat" 2>/dev/null || return 1
    rest=${stat##*) }
    state=${rest%% *}
    [ "$state" = Z ] || [ "$state" = X ] && return 1
    want=$(cat "$dir/pidstart" 2>/dev/null || true)
    now=$(proc_start "$pid")
    [ -z "$want" ] || [ "$want" = "$now" ]
  else
    kill -0 "$pid" 2>/dev/null
  fi
}

# Any live (non-zombie) process in process group $1.
group_alive() {
  local pgid=$1 f stat rest
  if [ -d /proc ] && [ -r /proc/self/stat ]; then
    for f in /proc/[0-9]*/stat; do
      read -r stat <"$f" 2>/dev/null || continue
      rest=${stat##*) }
      # shellcheck disable=SC2086
      set -- $rest
      # $1 state, $2 ppid, $3 pgrp
      [ "${3:-}" = "$pgid" ] && [ "$1" != Z ] && [ "$1" != X ] && return 0
    done
    return 1
  fi
  kill -0 -- "-$pgid" 2>/dev/null
}

json_num() { if [ -n "${1:-}" ]; then printf '%s' "$1"; else printf null; fi; }

log_size() { if [ -f "$1/log" ]; then wc -c <"$1/log" | tr -d ' '; else printf 0; fi; }

status() {
  local dir=$1 pid='' rc='' state age running_for=''
  if [ ! -d "$dir" ]; then printf '{"state":"absent","pid":null,"exitCode":null,"logSize":0}\n'; return 0; fi
  pid=$(cat "$dir/pid" 2>/dev/null || true)
  if [ -f "$dir/exit" ]; then
    state=exited
  elif [ -z "$pid" ]; then
    # `start` creates the folder and waits for the pid file; a folder without one for long is a dead start.
    age=$(( $(date +%s) - $(stat -c %Y "$dir" 2>/dev/null || date +%s) ))
    if [ "$age" -lt 30 ]; then state=starting; else state=lost; fi
  elif leader_alive "$dir" "$pid"; then
    state=running
  elif [ -f "$dir/exit" ]; then
    state=exited # it ended between the two checks
  else
    state=lost
  fi
  [ "$state" = exited ] && rc=$(cat "$dir/exit" 2>/dev/null || true)
  # How long a running job has run (its pid file is written when it starts): a retry uses it to tell a hung job from one to re-attach to.
  [ "$state" = running ] && running_for=$(( $(date +%s) - $(stat -c %Y "$dir/pid" 2>/dev/null || date +%s) ))
  printf '{"state":"%s","pid":%s,"exitCode":%s,"logSize":%s,"runningSeconds":%s}\n' "$state" "$(json_num "$pid")" "$(json_num "$rc")" "$(log_size "$dir")" "$(json_num "$running_for")"
}

# Long poll: returns once the job has ended (or its leader is gone), at most <ms> milliseconds
# later, checking every 20 ms. Builtins only: the tick is a read with a timeout on a pipe that
# nobody writes to, so waiting costs no process per tick.
wait_end() {
  local dir=$1 n=$(( $2 / 20 )) pid tick
  [ "$n" -gt 0 ] || return 0
  exec {tick}<> <(:)
  while [ "$n" -gt 0 ] && [ -d "$dir" ] && [ ! -f "$dir/exit" ]; do
    pid=
    read -r pid <"$dir/pid" 2>/dev/null || true
    if [ -n "$pid" ] && [ -d /proc/self ] && [ ! -e "/proc/$pid" ]; then break; fi
    read -r -t 0.02 -u "$tick" _ || true
    n=$((n - 1))
  done
  exec {tick}>&-
}

run() {
  local dir=$1 rc
  shift
  date +%s >"$dir/started"
  proc_start $$ >"$dir/pidstart"
  printf '%s\n' $$ >"$dir/pid.tmp" && mv -f "$dir/pid.tmp" "$dir/pid"
  # The leader outlives its command to record the exit code, even when the group is signalled.
  trap 'touch "$dir/cancelled"' TERM INT HUP
  "$@" >>"$dir/log" 2>&1 </dev/null
  rc=$?
  printf '%s\n' "$rc" >"$dir/exit.tmp" && mv -f "$dir/exit.tmp" "$dir/exit"
  exit 0
}

start() {
  local dir=$1 i
  shift
  [ "${1:-}" = -- ] || die "usage: start <jobdir> -- argv..."
  shift
  [ $# -gt 0 ] || die "start: no command given"
  mkdir -p "$(dirname "$dir")" || die "cannot create $(dirname "$dir")"
  # mkdir is the lock: of two starts of one job, exactly one creates the folder.
  if ! mkdir "$dir" 2>/dev/null; then status "$dir"; return 0; fi
  : >"$dir/log"
  printf '%q ' "$@" >"$dir/command"
  setsid bash "$self" _run "$dir" "$@" </dev/null >/dev/null 2>&1 &
  for i in $(seq 1 250); do
    [ -f "$dir/pid" ] && break
    sleep 0.02
  done
  status "$dir"
}

kill_job() {
  local dir=$1 grace=${2:-10} pid forced=false i
  pid=$(cat "$dir/pid" 2>/dev/null || true)
  if [ -z "$pid" ]; then printf '{"killed":false,"reason":"no pid"}\n'; return 0; fi
  # Never signal a group whose leader is a different process that reused the pid.
  if [ -r "/proc/$pid/stat" ] && ! leader_alive "$dir" "$pid" && [ -n "$(proc_start "$pid")" ] && [ "$(proc_start "$pid")" != "$(cat "$dir/pidstart" 2>/dev/null)" ]; then
    printf '{"killed":false,"reason":"pid reused"}\n'
    return 0
  fi
  if ! group_alive "$pid"; then printf '{"killed":false,"reason":"gone"}\n'; return 0; fi
  kill -TERM -- "-$pid" 2>/dev/null || true
  for i in $(seq 1 $((grace * 10))); do
    group_alive "$pid" || break
    sleep 0.1
  done
  if group_alive "$pid"; then
    forced=true
    kill -KILL -- "-$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      group_alive "$pid" || break
      sleep 0.1
    done
  fi
  printf '{"killed":true,"forced":%s}\n' "$forced"
}

archive() {
  local dir=$1 n=1
  [ -d "$dir" ] || die "archive: $dir does not exist"
  while [ -e "$dir.attempt-$n" ]; do n=$((n + 1)); done
  mv "$dir" "$dir.attempt-$n" || die "archive: cannot rename $dir"
  printf '%s\n' "$dir.attempt-$n"
}

# find's -mtime +N counts whole days past N: +(days-1) is "at least <days> days old".
older_than_days() { [ "$2" -eq 0 ] || [ -n "$(find "$1" -maxdepth 0 -mtime +"$(($2 - 1))" 2>/dev/null)" ]; }

# Ended = has an exit file (its age is the job's end) or was archived (age: the folder's).
prune() {
  local root=$1 days=$2 d stamp removed=0 kept=0 bytes=0 size
  [[ $days =~ ^[0-9]+$ ]] || die "prune: days '$days' must be a whole number"
  [ -d "$root" ] || { printf '{"removed":0,"kept":0,"freedBytes":0}\n'; return 0; }
  for d in "$root"/*/; do
    d=${d%/}
    [ -d "$d" ] || continue
    case $d in
      *.attempt-[0-9]*) stamp=$d ;;
      *) if [ -f "$d/exit" ]; then stamp=$d/exit; else kept=$((kept + 1)); continue; fi ;;
    esac
    if older_than_days "$stamp" "$days"; then
      size=$(du -sk "$d" 2>/dev/null | cut -f1)
      rm -rf -- "$d" && removed=$((removed + 1)) && bytes=$((bytes + ${size:-0} * 1024))
    else
      kept=$((kept + 1))
    fi
  done
  printf '{"removed":%s,"kept":%s,"freedBytes":%s}\n' "$removed" "$kept" "$bytes"
}

self=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
cmd=${1:-}
[ $# -ge 2 ] || die "usage: pdflow-job.sh start|status|poll|tail|kill|archive <jobdir> ... | prune <jobsdir> <days>"
shift
dir=$1
shift
case "$cmd" in
  start) start "$dir" "$@" ;;
  status) status "$dir" ;;
  poll)
    off=${1:?poll: offset}
    max=${2:?poll: max bytes}
    wait_ms=${3:-0}
    [[ $wait_ms =~ ^[0-9]+$ ]] || die "poll: wait-ms '$wait_ms' must be a whole number"
    wait_end "$dir" "$wait_ms"
    status "$dir"
    [ -f "$dir/log" ] && tail -c +"$((off + 1))" "$dir/log" | head -c "$max"
    exit 0
    ;;
  tail)
    bytes=${1:?tail: bytes}
    [ -f "$dir/log" ] && tail -c "$bytes" "$dir/log"
    exit 0
    ;;
  kill) kill_job "$dir" "${1:-10}" ;;
  archive) archive "$dir" ;;
  prune) prune "$dir" "${1:?prune: days}" ;;
  _run) run "$dir" "$@" ;;
  *) die "unknown command $cmd" ;;
esac
