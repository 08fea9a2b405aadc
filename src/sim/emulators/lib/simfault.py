"""Shared fault helper of the pdflow sim emulators (bash emulators use it through fault.sh).

Reads <PDFLOW_SIM_STATE>/faults.json, written only by src/sim/faults.ts:
  {"fail": {"prog": {"id": "...", "times": N, "exitCode": C}}, "hang": {"prog": true}, "slow": {"prog": F}}
A consumed failure is one line in <state>/faults.consumed/<id>, appended under a lock, so
concurrent runs never fail more than N times in total.
"""
import fcntl
import json
import os
import sys
import time


def state_dir():
    return os.environ.get("PDFLOW_SIM_STATE") or None


def time_scale():
    try:
        return float(os.environ.get("PDFLOW_SIM_TIME_SCALE", "1"))
    except ValueError:
        return 1.0


def record_run(program, state=None):
    """One line per run in <state>/runs/<program> (SimCluster.countRuns reads it). `state`: another
    node's state folder (code placed on a node by Ray, whose environment is not that node's)."""
    state = state or state_dir()
    if not state:
        return
    os.makedirs(os.path.join(state, "runs"), exist_ok=True)
    with open(os.path.join(state, "runs", program), "a") as f:
        f.write("%.3f %d %s\n" % (time.time(), os.getpid(), os.environ.get("PDFLOW_SIM_NODE", "")))


def _take_failure(state, fail):
    consumed_dir = os.path.join(state, "faults.consumed")
    os.makedirs(consumed_dir, exist_ok=True)
    with open(os.path.join(state, "faults.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = os.path.join(consumed_dir, str(fail["id"]))
        try:
            with open(path) as f:
                used = sum(1 for _ in f)
        except FileNotFoundError:
            used = 0
        if used >= int(fail["times"]):
            return False
        with open(path, "a") as f:
            f.write("%d\n" % os.getpid())
        return True


def check(program, state=None):
    """The fault for this run: ("fail", code) | ("hang", None) | ("slow", factor) | ("none", None)."""
    state = state or state_dir()
    if not state:
        return ("none", None)
    try:
        with open(os.path.join(state, "faults.json")) as f:
            faults = json.load(f)
    except (FileNotFoundError, ValueError):
        return ("none", None)
    fail = (faults.get("fail") or {}).get(program)
    if fail and _take_failure(state, fail):
        return ("fail", int(fail["exitCode"]))
    if (faults.get("hang") or {}).get(program):
        return ("hang", None)
    factor = (faults.get("slow") or {}).get(program)
    if factor:
        return ("slow", float(factor))
    return ("none", None)


def begin(program):
    """For python emulators: record the run, act on fail/hang, return the time factor to apply."""
    record_run(program)
    kind, value = check(program)
    if kind == "fail":
        sys.stderr.write("%s: injected failure (pdflow sim fault), exit %d\n" % (program, value))
        sys.stderr.flush()
        os._exit(value)
    if kind == "hang":
        while True:
            time.sleep(3600)
    return time_scale() * (value if kind == "slow" else 1.0)


if __name__ == "__main__":
    # fault.sh: `python3 simfault.py check PROGRAM` prints "fail C", "hang", "slow F" or "none".
    if len(sys.argv) != 3 or sys.argv[1] != "check":
        sys.stderr.write("usage: simfault.py check PROGRAM\n")
        sys.exit(2)
    kind, value = check(sys.argv[2])
    print(kind if value is None else "%s %s" % (kind, value))
