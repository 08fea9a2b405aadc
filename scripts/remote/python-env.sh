#!/usr/bin/env bash
# A venv with the pinned Python stack, and the model weights pre-downloaded into the HF cache.
# Usage: python-env.sh --venv DIR --pin NAME==VERSION [--pin ...] [--python 3.11] [--model ID]
#                      [--hf-home DIR] [--revision REV]
# Installs only the pins that are not already at their version ("unchanged" otherwise); skips the
# download when the snapshot is already in the cache. HF_TOKEN, if needed, comes from the env.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV=
PYVER=3
PINS=()
MODEL=
REVISION=
HF_HOME_DIR=${HF_HOME:-$HOME/.cache/huggingface}
while (($#)); do
  case $1 in
    --venv) need_value "$@"; VENV=$(expand_path "$2"); shift 2 ;;
    --python) need_value "$@"; PYVER=$2; shift 2 ;;
    --pin) need_value "$@"; PINS+=("$2"); shift 2 ;;
    --model) need_value "$@"; MODEL=$2; shift 2 ;;
    --revision) need_value "$@"; REVISION=$2; shift 2 ;;
    --hf-home) need_value "$@"; HF_HOME_DIR=$(expand_path "$2"); shift 2 ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (python-env.sh takes --venv, --python, --pin, --model, --revision, --hf-home)" ;;
  esac
done
require_abs_or_home --venv "$VENV"
require_abs_or_home --hf-home "$HF_HOME_DIR"
[[ $PYVER =~ ^3(\.[0-9]+)?$ ]] || usage_error "--python must look like 3 or 3.11, got '$PYVER'"
PIN_RE='^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9,._-]+\])?==([A-Za-z0-9][A-Za-z0-9.+!_-]*)$'
for p in "${PINS[@]}"; do
  [[ $p =~ $PIN_RE ]] || usage_error "--pin must be NAME==VERSION (e.g. vllm==0.11.0), got '$p'"
done
if [[ -n $MODEL && ! $MODEL =~ ^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
  usage_error "--model must be a Hugging Face repo id like openai/gpt-oss-120b, got '$MODEL'"
fi
[[ -z $REVISION || $REVISION =~ ^[A-Za-z0-9][A-Za-z0-9._/-]*$ ]] || usage_error "--revision must be a branch, tag or commit, got '$REVISION'"

# ---- interpreter and venv ----
# One pip at a time per venv: a second run (a retry, a new pipeline) waits for the first.
take_lock "$VENV.lock"
phase venv
PY_BIN=
for cand in "python$PYVER" python3; do
  if command -v "$cand" >/dev/null 2>&1; then
    v=$("$cand" -c 'import platform; print(platform.python_version())' 2>/dev/null || true)
    if [[ $v == "$PYVER" || $v == "$PYVER".* ]]; then PY_BIN=$(command -v "$cand"); break; fi
  fi
done
[[ -n $PY_BIN ]] || die "no python $PYVER on this node (python3 is $(python3 --version 2>&1 || echo absent)); install python$PYVER (with its venv module) or choose --python"
PY=$VENV/bin/python
venv_created=false
if [[ -x $PY ]]; then
  have=$("$PY" -c 'import platform; print(platform.python_version())')
  [[ $have == "$PYVER" || $have == "$PYVER".* ]] || die "the venv $VENV has python $have, not $PYVER; remove it or choose another --venv"
  log "venv $VENV exists (python $have)"
else
  log "+ $PY_BIN -m venv $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY_BIN" -m venv "$VENV" || die "$PY_BIN -m venv failed; on Debian/Ubuntu install python$PYVER-venv"
  venv_created=true
fi
PY_VERSION=$("$PY" -c 'import platform; print(platform.python_version())')

# ---- packages ----
phase packages
# name -> installed version (empty when absent), from the venv's own metadata.
# A pin with extras (ray[serve,llm]) counts as installed only when every requirement of those
# extras is installed too: plain `ray` is not `ray[serve,llm]`.
installed_versions() {
  "$PY" - "$@" <<'PY'
import importlib.metadata as md, re, sys
def have(dist):
    try:
        md.version(dist)
        return True
    except md.PackageNotFoundError:
        return False
for spec in sys.argv[1:]:
    name, _, extras = spec.partition("[")
    extras = {e.strip() for e in extras.rstrip("]").split(",") if e.strip()}
    try:
        version = md.version(name)
    except md.PackageNotFoundError:
        print(spec, "-")
        continue
    missing = []
    for req in md.requires(name) or []:
        m = re.search(r'extra\s*==\s*"([^"]+)"', req)
        if m and m.group(1) in extras and "python_version" not in req:
            dist = re.split(r"[\s<>=!~;\[(]", req, 1)[0]
            if not have(dist):
                missing.append(dist)
    # "-" for "not at any version": read splits on runs of blanks, so an empty field would vanish.
    print(spec, version if not missing else "-", " ".join(sorted(set(missing))))
PY
}
names=()
for p in "${PINS[@]}"; do
  [[ $p =~ $PIN_RE ]]
  names+=("${BASH_REMATCH[1]}${BASH_REMATCH[2]}")
done
declare -A before=()
declare -A lacking=()
if ((${#names[@]})); then
  while read -r n v rest; do
    [[ $v != - ]] || v=
    before[$n]=$v
    lacking[$n]=${rest:-}
  done < <(installed_versions "${names[@]}")
fi
to_install=()
installed=()
unchanged=()
replaced=()
for p in "${PINS[@]}"; do
  [[ $p =~ $PIN_RE ]]
  n=${BASH_REMATCH[1]}${BASH_REMATCH[2]}
  want=${BASH_REMATCH[3]}
  have=${before[$n]:-}
  if [[ $have == "$want" ]]; then
    unchanged+=("$p")
    log "$n $have: unchanged"
  else
    to_install+=("$p")
    if [[ -n $have ]]; then replaced+=("$n $have"); fi
    log "$n: ${have:-absent${lacking[$n]:+ (extras lack ${lacking[$n]})}} -> $want"
  fi
done
if ((${#to_install[@]})); then
  log "+ pip install ${to_install[*]}"
  "$PY" -m pip install "${to_install[@]}" || die "pip install ${to_install[*]} failed (see the pip output above)"
  while read -r n v rest; do
    [[ $v != - ]] || v=
    for p in "${to_install[@]}"; do
      [[ $p =~ $PIN_RE ]]
      if [[ ${BASH_REMATCH[1]}${BASH_REMATCH[2]} == "$n" ]]; then
        [[ $v == "${BASH_REMATCH[3]}" ]] || die "after pip install, $n is '${v:-absent}'${rest:+ (missing ${rest})}, not ${BASH_REMATCH[3]}"
        installed+=("$p")
      fi
    done
  done < <(installed_versions "${names[@]}")
fi

# ---- model weights ----
model_json=null
if [[ -n $MODEL ]]; then
  phase model
  if ! "$PY" -c 'import huggingface_hub' 2>/dev/null; then
    log "+ pip install huggingface_hub (to download the weights)"
    "$PY" -m pip install huggingface_hub || die "pip install huggingface_hub failed"
    installed+=("huggingface_hub==$("$PY" -c 'import huggingface_hub; print(huggingface_hub.__version__)')")
  fi
  mkdir -p "$HF_HOME_DIR"
  out=$(mktemp)
  log "model $MODEL into HF_HOME=$HF_HOME_DIR"
  HF_HOME="$HF_HOME_DIR" "$PY" - "$MODEL" "$REVISION" "$out" <<'PY' || { rm -f "$out"; die "could not get the weights of $MODEL (see the error above); check the id, HF_TOKEN for gated models, and the disk"; }
import json, sys
from huggingface_hub import snapshot_download
repo, revision, out = sys.argv[1], sys.argv[2] or None, sys.argv[3]
try:
    path, downloaded = snapshot_download(repo, revision=revision, local_files_only=True), False
    print("already in the cache: %s" % path)
except Exception:
    print("downloading %s ..." % repo, flush=True)
    path, downloaded = snapshot_download(repo, revision=revision), True
    print("downloaded to %s" % path)
with open(out, "w") as f:
    json.dump({"id": repo, "path": path, "downloaded": downloaded}, f)
PY
  model_json=$(cat "$out")
  rm -f "$out"
fi

json_obj script '"python-env"' \
  venv "$(json_obj path "$(json_str "$VENV")" python "$(json_str "$PY_VERSION")" created "$(json_bool "$venv_created")")" \
  installed "$(json_str_array "${installed[@]}")" \
  unchanged "$(json_str_array "${unchanged[@]}")" \
  replaced "$(json_str_array "${replaced[@]}")" \
  model "$model_json"
echo
