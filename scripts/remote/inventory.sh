#!/usr/bin/env bash
# What this node has: GPUs, driver and CUDA, EFA devices, free disk, Python, venv packages.
# Missing pieces (no GPUs, no EFA, no fi_info, no python3) are reported, never fatal.
# Usage: inventory.sh [--workdir DIR] [--venv DIR] [--python 3.11]
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORKDIR=${PDFLOW_WORKDIR:-$HOME/pdflow}
VENV=
PYVER=3
while (($#)); do
  case $1 in
    --workdir) need_value "$@"; WORKDIR=$(expand_path "$2"); shift 2 ;;
    --venv) need_value "$@"; VENV=$(expand_path "$2"); shift 2 ;;
    --python) need_value "$@"; PYVER=$2; shift 2 ;;
    -h | --help) sed -n '2,4p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (inventory.sh takes --workdir, --venv, --python)" ;;
  esac
done
[[ $PYVER =~ ^3(\.[0-9]+)?$ ]] || usage_error "--python must look like 3 or 3.11, got '$PYVER'"
SYSFS_IB="${PDFLOW_SYSFS_ROOT:-}/sys/class/infiniband"
errors=()

# ---- GPUs ----
phase gpus
gpus_json=()
gpu_count=0
gpu_model=
driver=
cuda=
smi_present=false
smi_ok=false
smi_error=
if command -v nvidia-smi >/dev/null 2>&1; then
  smi_present=true
  rc=0
  csv=$(nvidia-smi --query-gpu=index,name,memory.total,driver_version,pci.bus_id --format=csv,noheader,nounits 2>&1) || rc=$?
  if ((rc == 127)); then
    smi_present=false
  elif ((rc != 0)); then
    smi_error="nvidia-smi exited $rc: $(printf '%s' "$csv" | head -n 3 | tr '\n' ' ')"
    errors+=("$smi_error")
  else
    smi_ok=true
    log "nvidia-smi --query-gpu:"
    printf '%s\n' "$csv" | indent
    while IFS=, read -r idx name mem drv bus; do
      idx=${idx// /}
      [[ $idx =~ ^[0-9]+$ ]] || continue
      name=$(printf '%s' "$name" | sed 's/^ *//; s/ *$//')
      mem=${mem// /}
      drv=${drv// /}
      bus=${bus// /}
      gpus_json+=("$(json_obj index "$idx" name "$(json_str "$name")" memoryMiB "$(json_num "$mem")" driver "$(json_str "$drv")" pciBusId "$(json_str "$bus")")")
      gpu_count=$((gpu_count + 1))
      if [[ -z $gpu_model ]]; then gpu_model=$name; fi
      if [[ -z $driver ]]; then driver=$drv; fi
    done <<<"$csv"
    header=$(nvidia-smi 2>/dev/null | head -n 6 || true)
    cuda=$(printf '%s\n' "$header" | sed -n 's/.*CUDA Version: *\([0-9][0-9.]*\).*/\1/p' | head -n 1)
  fi
fi
if [[ $smi_present == false ]]; then log "nvidia-smi: not installed (no NVIDIA driver): 0 GPUs"; fi
log "GPUs: $gpu_count${gpu_model:+ x $gpu_model}${driver:+, driver $driver}${cuda:+, CUDA $cuda}"

# ---- EFA ----
phase efa
efa_devices=()
if [[ -d $SYSFS_IB ]]; then
  while IFS= read -r d; do [[ -n $d ]] && efa_devices+=("$d"); done < <(ls -1 "$SYSFS_IB" 2>/dev/null | sort -V)
fi
log "$SYSFS_IB: ${#efa_devices[@]} devices${efa_devices:+ (${efa_devices[0]} ..)}"
fi_present=false
fi_version=
fi_domains=0
fi_bin=$(command -v fi_info 2>/dev/null || true)
if [[ -z $fi_bin && -x /opt/amazon/efa/bin/fi_info ]]; then fi_bin=/opt/amazon/efa/bin/fi_info; fi
if [[ -n $fi_bin ]]; then
  rc=0
  ver_out=$("$fi_bin" --version 2>&1) || rc=$?
  if ((rc != 127)); then
    fi_present=true
    fi_version=$(printf '%s\n' "$ver_out" | sed -n 's/^libfabric: *//p' | head -n 1)
    rc=0
    efa_out=$("$fi_bin" -p efa 2>&1) || rc=$?
    if ((rc == 0)); then
      # One device per distinct domain base name (rdmapXs0-rdm and rdmapXs0-dgrm are one device).
      fi_domains=$(printf '%s\n' "$efa_out" | sed -n 's/^ *domain: *\(.*\)$/\1/p' | sed 's/-\(rdm\|dgrm\)$//' | sort -u | grep -c . || true)
    else
      log "fi_info -p efa: $(printf '%s' "$efa_out" | head -n 1)"
    fi
  fi
fi
log "fi_info: $([[ $fi_present == true ]] && echo "libfabric ${fi_version:-?}, $fi_domains EFA domains" || echo absent)"

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

mem_kib=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null || true)
json_obj \
  script '"inventory"' \
  hostname "$(json_str "$(hostname)")" \
  cpus "$(json_num "$(nproc 2>/dev/null || true)")" \
  memTotalKiB "$(json_num "$mem_kib")" \
  nvidiaSmi "$(json_obj present "$(json_bool "$smi_present")" ok "$(json_bool "$smi_ok")" error "$(json_str_or_null "$smi_error")")" \
  gpuCount "$gpu_count" \
  gpuModel "$(json_str_or_null "$gpu_model")" \
  driver "$(json_str_or_null "$driver")" \
  cuda "$(json_str_or_null "$cuda")" \
  gpus "$(json_join "${gpus_json[@]}")" \
  efa "$(json_obj sysfsPath "$(json_str "$SYSFS_IB")" sysfsDevices "${#efa_devices[@]}" devices "$(json_str_array "${efa_devices[@]}")" \
    fiInfo "$(json_obj present "$(json_bool "$fi_present")" version "$(json_str_or_null "$fi_version")" efaDomains "$fi_domains")")" \
  disk "$(json_obj path "$(json_str "$WORKDIR")" measuredAt "$(json_str "$probe")" freeBytes "$(json_num "$disk_free")" totalBytes "$(json_num "$disk_total")")" \
  python "$(json_obj path "$(json_str_or_null "$py_bin")" version "$(json_str_or_null "$py_version")")" \
  venv "$venv_json" \
  errors "$(json_str_array "${errors[@]}")"
echo
