#!/usr/bin/env bash
# Runs the test files under test/<suite> with node's own test runner (Node 20 has no globs).
# Integration tests run one file at a time: each starts real servers and the machine has 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${1:?usage: scripts/test.sh unit|integration|e2e [file filter]}
filter=${2:-}
mapfile -t files < <(find "test/$suite" -name '*.test.ts' | grep -- "$filter" | sort)
if [ ${#files[@]} -eq 0 ]; then echo "no test files in test/$suite matching '$filter'"; exit 1; fi
concurrency=1
[ "$suite" = unit ] && concurrency=2
# Node 20 applies --test-timeout to each file as a whole too: files that set up a simulated cluster
# with real Ray take minutes on 2 cores, so the limit is per file, not per assertion.
exec node --import tsx --test --test-concurrency="$concurrency" --test-timeout="${PDFLOW_TEST_TIMEOUT_MS:-1200000}" "${files[@]}"
