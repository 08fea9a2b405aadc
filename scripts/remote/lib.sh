# shellcheck shell=bash
# Shared helpers for pdflow's remote scripts (sourced, never run). Every script prints a human
# log on stdout, marks long steps with `::phase <name>` lines (the activity heartbeats them) and
# ends with ONE JSON line on stdout: its result, or {"error": ...} on failure.

PDFLOW_SCRIPT=${PDFLOW_SCRIPT:-$(basename "${0%.sh}")}
PDFLOW_PHASE=start

log() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }

phase() {
  PDFLOW_PHASE=$1
  printf '::phase %s\n' "$1"
}

# ---- JSON rendering (no jq/python needed: inventory must run on bare machines) ----

json_str() {
  local s=${1-}
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  if [[ $s == *[$'\001'-$'\037']* ]]; then s=$(printf '%s' "$s" | tr -d '\001-\037'); fi
  printf '"%s"' "$s"
}

# A number as JSON, or null when $1 is not one.
json_num() {
  if [[ ${1-} =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then printf '%s' "$1"; else printf 'null'; fi
}

json_bool() {
  case ${1-} in true | yes | 1) printf 'true' ;; *) printf 'false' ;; esac
}

# A string or null when empty.
json_str_or_null() {
  if [[ -n ${1-} ]]; then json_str "$1"; else printf 'null'; fi
}

json_str_array() {
  local first=1 x
  printf '['
  for x in "$@"; do
    ((first)) || printf ','
    first=0
    json_str "$x"
  done
  printf ']'
}

# json_obj key1 <rendered json> key2 <rendered json> ...
json_obj() {
  local first=1
  printf '{'
  while (($# >= 2)); do
    ((first)) || printf ','
    first=0
    json_str "$1"
    printf ':%s' "$2"
    shift 2
  done
  printf '}'
}

# Joins already-rendered JSON values into an array.
json_join() {
  local IFS=,
  printf '[%s]' "$*"
}

# ---- errors ----

# Failure: a readable line on stderr, the JSON error line on stdout, exit code $2 (default 1).
die() {
  local msg=$1 code=${2:-1}
  printf 'error: %s\n' "$msg" >&2
  trap - ERR
  printf '%s\n' "$(json_obj script "$(json_str "$PDFLOW_SCRIPT")" phase "$(json_str "$PDFLOW_PHASE")" error "$(json_str "$msg")" exitCode "$code")"
  exit "$code"
}

usage_error() { die "$1" 2; }

# Unexpected failures (set -e) still end with a JSON line that names the command.
on_err() {
  local rc=$1 line=$2 cmd=$3
  die "command failed (exit $rc) at ${PDFLOW_SCRIPT}.sh line $line: $cmd" "$rc"
}
set -E
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR

# ---- flags ----

# need_value "$@" (at a flag) — dies unless the flag has a value after it.
need_value() {
  if (($# < 2)) || [[ $2 == --* ]]; then usage_error "$1 needs a value (e.g. $1 <value>)"; fi
}

# Leading ~ in paths given as flags (they arrive quoted, so the shell did not expand them).
expand_path() {
  local p=$1
  case $p in
    '~') p=$HOME ;;
    '~/'*) p=$HOME/${p#'~/'} ;;
  esac
  printf '%s' "$p"
}

require_abs_or_home() {
  local flag=$1 value=$2
  [[ -n $value ]] || usage_error "$flag is required"
  [[ $value == /* ]] || usage_error "$flag must be an absolute path or start with ~/, got '$value'"
}

check_yes_no() {
  case $2 in yes | no) ;; *) usage_error "$1 must be yes or no, got '$2'" ;; esac
}

# ---- misc ----

# Multi-line text with every line prefixed, for quoting tool output in the log.
indent() { sed 's/^/    /'; }

# The newest line of a file that looks like a JSON object (python helpers write it last).
last_json_line() {
  grep -E '^\{.*\}[[:space:]]*$' "$1" | tail -n 1 || true
}

# Runs "$@" with sudo only when the target directory is not writable by us (real nodes install
# to /usr/local; simulated nodes and user prefixes never need it).
run_maybe_sudo() {
  local target=$1
  shift
  local probe=$target
  while [[ ! -e $probe && $probe != / ]]; do probe=$(dirname "$probe"); done
  if [[ -w $probe ]] || [[ $(id -u) == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "$target is not writable and passwordless sudo is not available; choose a prefix you own"
  fi
}

mkdir_maybe_sudo() { run_maybe_sudo "$1" mkdir -p "$1"; }

# Serialises runs of the same step on one node; a second run waits and then re-checks its marker.
take_lock() {
  local file=$1
  mkdir -p "$(dirname "$file")"
  exec 9>"$file"
  if ! flock -n 9; then
    log "another $PDFLOW_SCRIPT run holds $file; waiting for it"
    flock 9
  fi
}

# ---- source builds (build-ucx.sh, build-nixl.sh) ----

check_ref() {
  [[ -z $1 || $1 =~ ^[A-Za-z0-9][A-Za-z0-9._/+-]*$ ]] || usage_error "--ref must be a tag, branch or commit (letters, digits, . _ / + -), got '$1'"
}

# A short hash of everything that defines a build: source, ref and flags.
build_key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

marker_matches() { [[ -f $1 ]] && grep -q "\"key\":\"$2\"" "$1"; }

# A string field of a marker written by write_marker (compact JSON, one line).
marker_field() { sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" "$1" 2>/dev/null | head -n 1; }

write_marker() {
  printf '%s\n' "$2" | run_maybe_sudo "$1" tee "$1" >/dev/null
}

is_git_url() { [[ $1 == *://* || $1 == git@*:* || $1 == *.git ]]; }

# fetch_source NAME SRC REF ROOT: a clean checkout of REF in ROOT/NAME (git URL or local repo),
# or SRC itself when it is a plain source folder. Sets FETCHED_DIR.
fetch_source() {
  local name=$1 src=$2 ref=$3 root=$4 dir target
  if is_git_url "$src" || [[ -d $src/.git ]]; then
    dir=$root/$name
    mkdir -p "$root"
    if [[ -d $dir/.git ]] && [[ $(git -C "$dir" config --get remote.origin.url || true) == "$src" ]]; then
      log "+ git -C $dir fetch --tags --force origin"
      git -C "$dir" fetch --quiet --tags --force --prune origin || die "git fetch from $src failed; check the URL and the node's network"
    else
      rm -rf "$dir"
      log "+ git clone $src $dir"
      git clone --quiet "$src" "$dir" || die "git clone $src failed; check the URL and the node's network"
    fi
    if [[ -z $ref ]]; then
      target=$(git -C "$dir" rev-parse -q --verify 'refs/remotes/origin/HEAD^{commit}' || git -C "$dir" rev-parse HEAD)
    elif target=$(git -C "$dir" rev-parse -q --verify "refs/remotes/origin/$ref^{commit}"); then
      :
    elif target=$(git -C "$dir" rev-parse -q --verify "$ref^{commit}"); then
      :
    else
      git -C "$dir" fetch --quiet origin "$ref" 2>/dev/null || die "ref '$ref' not found in $src (not a tag, branch or commit there)"
      target=$(git -C "$dir" rev-parse FETCH_HEAD)
    fi
    log "+ git checkout ${ref:-origin/HEAD} ($target)"
    git -C "$dir" -c advice.detachedHead=false checkout --quiet --force --detach "$target"
    git -C "$dir" clean -fdxq
    FETCHED_DIR=$dir
  elif [[ -d $src ]]; then
    [[ -z $ref ]] || usage_error "--ref '$ref' needs a git source, but $src is a folder without .git"
    FETCHED_DIR=$(cd "$src" && pwd)
  else
    usage_error "--src '$src' is neither a git URL nor an existing folder"
  fi
}

# run_step LOGFILE "what" cmd...: runs cmd with its output in the log and in LOGFILE; on failure
# dies with the step and the last lines it printed (the usual place of the real error).
run_step() {
  local file=$1 what=$2 rc=0
  shift 2
  mkdir -p "$(dirname "$file")"
  "$@" 2>&1 | tee "$file" || rc=$?
  if ((rc != 0)); then
    die "$what failed (exit $rc): $(grep -v '^[[:space:]]*$' "$file" | tail -n 3 | tr '\n' ' ' | cut -c1-600)"
  fi
}
