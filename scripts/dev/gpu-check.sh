#!/usr/bin/env bash
# The GPU-side node scripts on a real GPU machine, outputs saved as fixtures (issue 10 point 6).
# For a machine with one (or more) NVIDIA GPUs, PyTorch with CUDA and python3, but no Ray and no
# network: run from the repository root,
#
#   OUT=/path/for/outputs WHEELS=/path/to/wheels bash scripts/dev/gpu-check.sh
#
# WHEELS (default ./wheels) holds the wheels to carry there, for that machine's Python (cp312 on
# a current PyTorch image): nixl-0.6.1-cp312-cp312-manylinux_2_28_x86_64.whl (PyPI, 23 MB; it
# bundles UCX 1.19) and nvidia_cuda_runtime_cu12-12.8.90-py3-none-manylinux2014_x86_64...whl
# (NIXL 0.6.1's plugins need libcudart.so.12). Fetch them elsewhere with
#   pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 -d wheels \
#     nixl==0.6.1 nvidia-cuda-runtime-cu12==12.8.90
# numpy must be importable (PyTorch images have it).
#
# What runs: scripts/remote/inventory.sh --workdir /tmp/pdw; nvidia-smi (table, topo -m,
# --query-gpu); scripts/remote/transfer_test.py --strategy pack --num-blocks 1024 --num-layers 8
# --blocks 512 --iters 3 with its two Ray actors as two processes on GPU 0 (scripts/dev/
# ray-standin: Ray's API for these calls, no Ray). Files under $OUT: inventory.out, nvidia-smi.txt,
# topo.txt, query-gpu.csv, transfer-pack.out (each ends with "exit N"), ucx-log-decode.txt (the
# decode actor's UCX_LOG_FILE, from the test's JSON line), transfer-pack.json (that line).
# Exits 0 when every step ran, whatever they printed; the outputs say how they went.
set -uo pipefail
: "${OUT:?set OUT to the folder for the outputs}"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WHEELS=${WHEELS:-$ROOT/wheels}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
say() { printf 'gpu-check: %s\n' "$*" >&2; }

# The wheels go into a folder of their own on PYTHONPATH (nothing installed into the image): the
# nixl wheel for this Python (cpXY tag) and the CUDA runtime wheel.
SITE=$(mktemp -d "${TMPDIR:-/tmp}/pdflow-gpu-check.XXXXXX")/site
if ! "$PY" - "$SITE" "$WHEELS" <<'PYEOF'
import glob, os, sys, zipfile
site, wheels = sys.argv[1], sys.argv[2]
tag = "cp%d%d" % sys.version_info[:2]
want = glob.glob(os.path.join(wheels, "nixl-0.6.1-%s-*.whl" % tag)) + glob.glob(os.path.join(wheels, "nvidia_cuda_runtime_cu12-*.whl"))
if len(want) != 2:
    sys.exit("gpu-check: ERROR: %s must hold nixl-0.6.1-%s-*.whl and one nvidia_cuda_runtime_cu12-*.whl (found %s)" % (wheels, tag, want))
for whl in want:
    with zipfile.ZipFile(whl) as z:  # a wheel is a zip of its site-packages tree
        z.extractall(site)
PYEOF
then
  exit 2
fi
export LD_LIBRARY_PATH="$SITE/nvidia/cuda_runtime/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$SITE:$ROOT/scripts/dev/ray-standin${PYTHONPATH:+:$PYTHONPATH}"
say "wheels unpacked into $SITE; $("$PY" -c 'import nixl._api, importlib.metadata as m; print("nixl", m.version("nixl"))' 2>&1 | tail -1)"

run() {  # run NAME CMD...: stdout and stderr into $OUT/NAME, then "exit N"
  local name=$1; shift
  say "$name: $*"
  "$@" >"$OUT/$name" 2>&1
  echo "exit $?" >>"$OUT/$name"
}

run nvidia-smi.txt nvidia-smi
run topo.txt nvidia-smi topo -m
nvidia-smi --query-gpu=index,name,memory.total,driver_version,pci.bus_id --format=csv,noheader,nounits >"$OUT/query-gpu.csv" 2>&1
run inventory.out bash "$ROOT/scripts/remote/inventory.sh" --workdir /tmp/pdw
run transfer-pack.out "$PY" "$ROOT/scripts/remote/transfer_test.py" --strategy pack \
  --num-blocks 1024 --num-layers 8 --blocks 512 --iters 3

# The JSON line, and the UCX log inside it, as files of their own.
"$PY" - "$OUT" <<'PYEOF'
import json, os, sys
out = sys.argv[1]
lines = [l for l in open(os.path.join(out, "transfer-pack.out"), errors="replace") if l.startswith("{")]
if lines:
    open(os.path.join(out, "transfer-pack.json"), "w").write(lines[-1])
    log = json.loads(lines[-1]).get("ucxLog")
    if log:
        open(os.path.join(out, "ucx-log-decode.txt"), "w").write(log)
PYEOF
say "outputs in $OUT: $(ls "$OUT" | tr '\n' ' ')"
