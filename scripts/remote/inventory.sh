#!/usr/bin/env bash
# What this node has, as raw facts: nvidia-smi's query CSV and banner, the EFA sysfs entries,
# fi_info's output, free disk, Python, venv packages, and what the builds need (commands on PATH,
# headers); with --ucx-prefix and --model, the built UCX's `ucx_info -v` and the model revision in
# the Hugging Face cache (what a record's identity names). Missing pieces are reported, never
# fatal; src/parse reads and judges all of it.
# Usage: inventory.sh [--workdir DIR] [--venv DIR] [--python 3.11] [--ucx-prefix DIR] [--model ORG/NAME --hf-home DIR]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORKDIR=${PDFLOW_WORKDIR:-$HOME/pdflow}
VENV=
PYVER=3
UCX_PREFIX=
MODEL=
HF_HOME_DIR=
while (($#)); do
  case $1 in
    --workdir) need_value "$@"; WORKDIR=$(expand_path "$2"); shift 2 ;;
    --venv) need_value "$@"; VENV=$(expand_path "$2"); shift 2 ;;
    --python) need_value "$@"; PYVER=$2; shift 2 ;;
    --ucx-prefix) need_value "$@"; UCX_PREFIX=$(expand_path "$2"); shift 2 ;;
    --model) need_value "$@"; MODEL=$2; shift 2 ;;
    --hf-home) need_value "$@"; HF_HOME_DIR=$(expand_path "$2"); shift 2 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (inventory.sh takes --workdir, --venv, --python, --ucx-prefix, --model, --hf-home)" ;;
  esac
done
[[ $PYVER =~ ^3(\.[0-9]+)?$ ]] || usage_error "--python must look like 3 or 3.11, got '$PYVER'"
[[ -z $MODEL || $MODEL =~ ^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)?$ ]] || usage_error "--model must be a Hugging Face id like org/name, got '$MODEL'"
SYSFS_IB="${PDFLOW_SYSFS_ROOT:-}/sys/class/infiniband"

# ---- GPUs ----
# Raw tool output only: src/parse (nvidia-smi.ts, fi-info.ts) reads it on the worker.
phase gpus
GPU_QUERY=index,name,memory.total,driver_version,pci.bus_id,uuid
smi_path=$(command -v nvidia-smi 2>/dev/null || true)
smi_rc=null
smi_query=
smi_banner=
if [[ -n $smi_path ]]; then
  rc=0
  smi_query=$(nvidia-smi --query-gpu="$GPU_QUERY" --format=csv,noheader,nounits 2>&1) || rc=$?
  smi_rc=$rc
  smi_banner=$(nvidia-smi 2>&1 | head -n 12 || true)
  log "nvidia-smi --query-gpu=$GPU_QUERY (exit $rc):"
  printf '%s\n' "$smi_query" | indent
else
  log "nvidia-smi: not installed (no NVIDIA driver)"
fi

# ---- EFA ----
phase efa
efa_devices=()
if [[ -d $SYSFS_IB ]]; then
  while IFS= read -r d; do [[ -n $d ]] && efa_devices+=("$d"); done < <(ls -1 "$SYSFS_IB" 2>/dev/null | sort -V)
fi
log "$SYSFS_IB: ${#efa_devices[@]} devices${efa_devices:+ (${efa_devices[0]} ..)}"
fi_bin=$(command -v fi_info 2>/dev/null || true)
if [[ -z $fi_bin && -x /opt/amazon/efa/bin/fi_info ]]; then fi_bin=/opt/amazon/efa/bin/fi_info; fi
fi_version=
fi_efa=
fi_rc=null
if [[ -n $fi_bin ]]; then
  fi_version=$("$fi_bin" --version 2>&1 || true)
  rc=0
  fi_efa=$("$fi_bin" -p efa 2>&1) || rc=$?
  fi_rc=$rc
  log "$fi_bin -p efa: exit $rc, $(printf '%s\n' "$fi_efa" | grep -c 'domain:' || true) domain lines"
else
  log "fi_info: not installed"
fi

# ---- build prerequisites ----
# Facts only (what is on PATH, which headers exist); src/parse/prerequisites.ts judges them.
phase prerequisites
os_id=
os_version=
if [[ -r /etc/os-release ]]; then
  os_id=$(. /etc/os-release && printf '%s' "${ID:-}")
  os_version=$(. /etc/os-release && printf '%s' "${VERSION_ID:-}")
fi
commands_json=()
for c in "python$PYVER" gcc g++ make autoconf automake libtoolize pkg-config git; do
  commands_json+=("$c" "$(json_str_or_null "$(command -v "$c" 2>/dev/null || true)")")
done
# Header search: the compiler's default dirs, the EFA installer's, and CPATH / C_INCLUDE_PATH.
include_dirs=(/usr/include /usr/local/include /opt/amazon/efa/include)
IFS=: read -r -a extra_dirs <<<"${CPATH:-}:${C_INCLUDE_PATH:-}"
for d in "${extra_dirs[@]}"; do [[ -n $d ]] && include_dirs+=("$d"); done
find_header() {
  local d
  for d in "${include_dirs[@]}"; do
    if [[ -f $d/$1 ]]; then printf '%s' "$d/$1"; return 0; fi
  done
  return 0
}
headers_json=()
for h in infiniband/verbs.h infiniband/efadv.h; do
  headers_json+=("$h" "$(json_str_or_null "$(find_header "$h")")")
done
py_include=
py_dev=
if command -v "python$PYVER" >/dev/null 2>&1; then
  py_include=$("python$PYVER" -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)
  [[ -n $py_include && -f $py_include/Python.h ]] && py_dev=$py_include/Python.h
fi
headers_json+=("Python.h" "$(json_str_or_null "$py_dev")")
log "prerequisites on ${os_id:-?} ${os_version}: python$PYVER $(command -v "python$PYVER" >/dev/null 2>&1 && echo yes || echo no), Python.h ${py_dev:-absent}, efadv.h $(find_header infiniband/efadv.h || true)"

# ---- disk ----
phase disk
probe=$WORKDIR
while [[ ! -e $probe && $probe != / ]]; do probe=$(dirname "$probe"); done
read -r disk_total disk_free < <(df -PB1 "$probe" | awk 'NR==2 {print $2, $4}')
log "disk at $WORKDIR (measured on $probe): $((disk_free / 1024 / 1024 / 1024)) GiB free"

# ---- python ----
phase python
py_bin=
for cand in "python$PYVER" python3; do
  if command -v "$cand" >/dev/null 2>&1; then py_bin=$(command -v "$cand"); break; fi
done
py_version=
if [[ -n $py_bin ]]; then
  py_version=$("$py_bin" -c 'import platform; print(platform.python_version())' 2>/dev/null || true)
fi
log "python: ${py_bin:-absent}${py_version:+ ($py_version)}"

venv_json=null
if [[ -n $VENV ]]; then
  if [[ -x $VENV/bin/python ]]; then
    pkgs=$("$VENV/bin/python" - <<'PY' 2>/dev/null || echo '{}'
import importlib.metadata as md, json, platform
names = ["vllm", "flashinfer-python", "ray", "nixl", "torch", "huggingface-hub"]
out = {}
for n in names:
    try:
        out[n] = md.version(n)
    except md.PackageNotFoundError:
        out[n] = None
print(json.dumps({"python": platform.python_version(), "packages": out}))
PY
)
    venv_json=$(json_obj path "$(json_str "$VENV")" exists true info "$pkgs")
    log "venv $VENV: $pkgs"
  else
    venv_json=$(json_obj path "$(json_str "$VENV")" exists false info null)
    log "venv $VENV: absent"
  fi
fi

# ---- the built stack ----
# ucx_info of the UCX pdflow built (NIXL and vLLM load it), and the model snapshot the Hugging
# Face cache resolves "main" to (hf_weights.py downloaded it): raw text, parsed on the worker.
stack_json=null
if [[ -n $UCX_PREFIX || -n $MODEL ]]; then
  phase stack
  ucx_rc=null
  ucx_v=
  if [[ -n $UCX_PREFIX && -x $UCX_PREFIX/bin/ucx_info ]]; then
    rc=0
    ucx_v=$("$UCX_PREFIX/bin/ucx_info" -v 2>&1) || rc=$?
    ucx_rc=$rc
  fi
  revision=
  if [[ -n $MODEL && -n $HF_HOME_DIR ]]; then
    ref=$HF_HOME_DIR/hub/models--${MODEL//\//--}/refs/main
    [[ -r $ref ]] && revision=$(head -c 200 "$ref" | tr -d '[:space:]')
  fi
  log "stack: ucx_info ${UCX_PREFIX:+(exit $ucx_rc) }$(printf '%s' "$ucx_v" | head -n 1); model ${MODEL:-?} revision ${revision:-unknown}"
  stack_json=$(json_obj ucxInfo "$(json_obj exitCode "$ucx_rc" version "$(json_str "$ucx_v")")" model "$(json_str_or_null "$MODEL")" modelRevision "$(json_str_or_null "$revision")")
fi

mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || true)
json_obj \
  script '"inventory"' \
  hostname "$(json_str "$(hostname)")" \
  cpus "$(json_num "$(nproc 2>/dev/null || true)")" \
  memTotalKiB "$(json_num "$mem_kib")" \
  nvidiaSmi "$(json_obj path "$(json_str_or_null "$smi_path")" queryFields "$(json_str "$GPU_QUERY")" exitCode "$smi_rc" query "$(json_str "$smi_query")" banner "$(json_str "$smi_banner")")" \
  efa "$(json_obj sysfsPath "$(json_str "$SYSFS_IB")" sysfsDevices "$(json_str_array "${efa_devices[@]}")")" \
  fiInfo "$(json_obj path "$(json_str_or_null "$fi_bin")" version "$(json_str "$fi_version")" exitCode "$fi_rc" efa "$(json_str "$fi_efa")")" \
  disk "$(json_obj path "$(json_str "$WORKDIR")" measuredAt "$(json_str "$probe")" freeBytes "$(json_num "$disk_free")" totalBytes "$(json_num "$disk_total")")" \
  python "$(json_obj path "$(json_str_or_null "$py_bin")" version "$(json_str_or_null "$py_version")")" \
  venv "$venv_json" \
  stack "$stack_json" \
  prerequisites "$(json_obj os "$(json_obj id "$(json_str "$os_id")" version "$(json_str "$os_version")")" commands "$(json_obj "${commands_json[@]}")" headers "$(json_obj "${headers_json[@]}")")"
echo
