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
for f in "${files[@]}"; do
  start=$(date +%s)
  if ! node --import tsx --test --test-concurrency=1 --test-timeout="$timeout_ms" "$f"; then failed+=("$f"); fi
  times+=("$(( $(date +%s) - start )) s  $f")
done
echo "# wall time per file:"
printf '#   %s\n' "${times[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "# FAILED files: ${failed[*]}"
  exit 1
fi
