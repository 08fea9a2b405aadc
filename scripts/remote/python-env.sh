#!/usr/bin/env bash
# A venv with the pinned Python stack, and the model files this node needs in the HF cache.
# Usage: python-env.sh --venv DIR --pin NAME[EXTRAS]==VERSION [--pin ...] [--constraints FILE]
#                      [--python 3.11] [--model ID] [--weights full|tokenizer] [--hf-home DIR] [--revision REV]
# A pin is "unchanged" only when it is at its version with every requirement of its extras installed
# and nothing installed contradicts the constraints file; pip installs with `-c FILE`. Weights: full
# (a GPU node: what vLLM loads) or tokenizer (the CPU head); the disk is checked first (hf_weights.py).
# HF_TOKEN, if needed, comes from the env.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV=
PYVER=3
PINS=()
CONSTRAINTS=
WEIGHTS=full
MODEL=
REVISION=
HF_HOME_DIR=${HF_HOME:-$HOME/.cache/huggingface}
while (($#)); do
  case $1 in
    --venv) need_value "$@"; VENV=$(expand_path "$2"); shift 2 ;;
    --python) need_value "$@"; PYVER=$2; shift 2 ;;
    --pin) need_value "$@"; PINS+=("$2"); shift 2 ;;
    --constraints) need_value "$@"; CONSTRAINTS=$(expand_path "$2"); shift 2 ;;
    --weights) need_value "$@"; WEIGHTS=$2; shift 2 ;;
    --model) need_value "$@"; MODEL=$2; shift 2 ;;
    --revision) need_value "$@"; REVISION=$2; shift 2 ;;
    --hf-home) need_value "$@"; HF_HOME_DIR=$(expand_path "$2"); shift 2 ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (python-env.sh takes --venv, --python, --pin, --constraints, --model, --weights, --revision, --hf-home)" ;;
  esac
done
require_abs_or_home --venv "$VENV"
require_abs_or_home --hf-home "$HF_HOME_DIR"
[[ -z $CONSTRAINTS || -f $CONSTRAINTS ]] || usage_error "--constraints $CONSTRAINTS: no such file (it is uploaded with the scripts, under constraints/)"
[[ $WEIGHTS == full || $WEIGHTS == tokenizer ]] || usage_error "--weights must be full or tokenizer, got '$WEIGHTS'"
[[ $PYVER =~ ^3(\.[0-9]+)?$ ]] || usage_error "--python must look like 3 or 3.11, got '$PYVER'"
PIN_RE='^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9,._-]+\])?==([A-Za-z0-9][A-Za-z0-9.+!_-]*)$'
for p in "${PINS[@]}"; do
  [[ $p =~ $PIN_RE ]] || usage_error "--pin must be NAME==VERSION or NAME[EXTRA,...]==VERSION (e.g. ray[serve,llm]==2.51.0), got '$p'"
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
HERE=$(dirname "${BASH_SOURCE[0]}")
constraint_args=()
constraint_count=0
if [[ -n $CONSTRAINTS ]]; then
  constraint_args=(-c "$CONSTRAINTS")
  # Build-isolation envs (flashinfer-python 0.2.14.post1 is an sdist whose backend asks for torch)
  # get the same pins, instead of today's torch on top of the venv's.
  export PIP_CONSTRAINT=$CONSTRAINTS
  constraint_count=$(grep -cE '^[A-Za-z0-9][A-Za-z0-9._-]*==' "$CONSTRAINTS" || true)
  log "constraints: $CONSTRAINTS ($constraint_count pinned versions)"
fi
# One line per finding (venv_pins.py): ok/change per pin, constraint per contradicted pin.
pin_status() { "$PY" "$HERE/venv_pins.py" ${CONSTRAINTS:+--constraints "$CONSTRAINTS"} "${PINS[@]}"; }
to_install=()
installed=()
unchanged=()
replaced=()
violations=()
declare -A have_before=()
if ((${#PINS[@]})); then
  while IFS=$'\t' read -r kind a b c; do
    case $kind in
      ok) unchanged+=("$a"); log "$a: unchanged ($b)" ;;
      change)
        to_install+=("$a"); have_before[$a]=$b
        log "$a: ${c}" ;;
      constraint) violations+=("$a $b (constraints: $c)"); log "$a $b: the constraints file pins $c" ;;
    esac
  done < <(pin_status)
fi
# Installed versions that contradict the constraints (an earlier unconstrained install): pip
# reinstalls every pin under the constraints, which moves them back.
if ((${#violations[@]})) && ((${#to_install[@]} == 0)); then
  to_install=("${PINS[@]}")
  unchanged=()
fi
if ((${#to_install[@]})); then
  log "+ pip install ${constraint_args[*]} ${to_install[*]}"
  "$PY" -m pip install "${constraint_args[@]}" "${to_install[@]}" || die "pip install ${to_install[*]} failed (see the pip output above)"
  left=()
  while IFS=$'\t' read -r kind a b c; do
    case $kind in
      change) left+=("$a: $c") ;;
      constraint) left+=("$a $b, the constraints file pins $c") ;;
    esac
  done < <(pin_status)
  ((${#left[@]} == 0)) || die "after pip install: $(IFS=';'; echo "${left[*]}")"
  for p in "${to_install[@]}"; do
    installed+=("$p")
    b=${have_before[$p]:-}
    if [[ -n $b && $b != - ]]; then [[ $p =~ $PIN_RE ]]; replaced+=("${BASH_REMATCH[1]} $b"); fi
  done
fi

# ---- model weights ----
model_json=null
if [[ -n $MODEL ]]; then
  phase model
  if ! "$PY" -c 'import huggingface_hub' 2>/dev/null; then
    log "+ pip install ${constraint_args[*]} huggingface_hub (to download the weights)"
    "$PY" -m pip install "${constraint_args[@]}" huggingface_hub || die "pip install huggingface_hub failed"
    installed+=("huggingface_hub==$("$PY" -c 'import huggingface_hub; print(huggingface_hub.__version__)')")
  fi
  mkdir -p "$HF_HOME_DIR"
  free_bytes=$(df -PB1 "$HF_HOME_DIR" | awk 'NR==2 {print $4}')
  out=$(mktemp)
  log "model $MODEL ($WEIGHTS) into HF_HOME=$HF_HOME_DIR"
  rc=0
  HF_HOME="$HF_HOME_DIR" "$PY" "$HERE/hf_weights.py" "$MODEL" "$REVISION" "$WEIGHTS" "$free_bytes" "$out" || rc=$?
  if ((rc == 3)); then
    msg=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["error"])' "$out" || true)
    rm -f "$out"
    die "${msg:-not enough disk for the weights of $MODEL (the numbers are above)}" 3
  fi
  ((rc == 0)) || { rm -f "$out"; die "could not get the weights of $MODEL (see the error above); check the id, HF_TOKEN for gated models, and the disk"; }
  model_json=$(cat "$out")
  rm -f "$out"
fi

json_obj script '"python-env"' \
  venv "$(json_obj path "$(json_str "$VENV")" python "$(json_str "$PY_VERSION")" created "$(json_bool "$venv_created")")" \
  installed "$(json_str_array "${installed[@]}")" \
  unchanged "$(json_str_array "${unchanged[@]}")" \
  replaced "$(json_str_array "${replaced[@]}")" \
  constraints "$(if [[ -n $CONSTRAINTS ]]; then json_obj file "$(json_str "$CONSTRAINTS")" pins "$constraint_count"; else echo null; fi)" \
  model "$model_json"
echo
