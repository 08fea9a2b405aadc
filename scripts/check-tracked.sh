#!/usr/bin/env bash
# Fails when git tracks a file that .gitignore ignores (e.g. __pycache__/*.pyc that tests rewrite).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d .git ] || [ -f .git ] || exit 0   # not a git checkout (an exported tree): nothing to check
ignored=$(git ls-files -ci --exclude-standard)
if [ -n "$ignored" ]; then
  printf 'tracked files that .gitignore ignores (git rm --cached them):\n%s\n' "$ignored" >&2
  exit 1
fi
