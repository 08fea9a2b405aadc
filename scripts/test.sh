#!/usr/bin/env bash
# Runs the test files under test/<suite> with node's own test runner (Node 20 has no globs).
# Integration tests run one file at a time, each in its own runner (it starts real servers and the
# machine has 2 cores), and the wall time of each file is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: scripts/test.sh unit|integration|e2e [file filter]}
filter=${2:-}
mapfile -t files < <(find "test/$suite" -name '*.test.ts' | grep -- "$filter" | sort)
if [ ${#files[@]} -eq 0 ]; then echo "no test files in test/$suite matching '$filter'"; exit 1; fi
# Node 20 applies --test-timeout to each file as a whole too: files that set up a simulated cluster
# with real Ray take minutes on 2 cores, so the limit is per file, not per assertion.
timeout_ms=${PDFLOW_TEST_TIMEOUT_MS:-1200000}
if [ "$suite" = unit ]; then
  exec node --import tsx --test --test-concurrency=2 --test-timeout="$timeout_ms" "${files[@]}"
fi
failed=()
times=()
logs=$(mktemp -d /tmp/pdflow-test-logs-XXXXXX)
trap 'rm -rf "$logs"' EXIT
for f in "${files[@]}"; do
  start=$(date +%s)
  log="$logs/$(basename "$f").log"
  if ! node --import tsx --test --test-concurrency=1 --test-timeout="$timeout_ms" "$f" 2>&1 | tee "$log"; then failed+=("$f"); fi
  times+=("$(( $(date +%s) - start )) s  $f")
done
echo "# wall time per file:"
printf '#   %s\n' "${times[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  # A CI log keeps its tail: repeat each failed test's report (its "not ok" line and YAML block,
  # with the error and stack) there, so the reason is on record and not only the file's name.
  for f in "${failed[@]}"; do
    echo "# ---- failures in $f ----"
    awk '/^ *not ok /{on=1; n=0} on{print; if (++n >= 120 || /^ *\.\.\.$/) on=0}' "$logs/$(basename "$f").log" | head -n 400
  done
  echo "# FAILED files: ${failed[*]}"
  exit 1
fi
