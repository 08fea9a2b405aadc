#!/usr/bin/env bash
# Builds and installs UCX from source (EFA, CUDA, verbs) unless the prefix already holds this build.
# Usage: build-ucx.sh --src PATH|GIT_URL --prefix DIR [--ref REF] [--with-efa yes|no]
#                     [--cuda auto|no|DIR] [--build-root DIR] [--jobs N] [--force]
# Skipped ("unchanged") when <prefix>/.pdflow-build.json records the same source, ref and flags and
# <prefix>/bin/ucx_info -v reports the recorded version.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=
REF=
PREFIX=
WITH_EFA=yes
CUDA=auto
BUILD_ROOT=${PDFLOW_WORKDIR:-$HOME/pdflow}/build
JOBS=$(nproc 2>/dev/null || echo 4)
FORCE=no
while (($#)); do
  case $1 in
    --src) need_value "$@"; SRC=$2; shift 2 ;;
    --ref) need_value "$@"; REF=$2; shift 2 ;;
    --prefix) need_value "$@"; PREFIX=$(expand_path "$2"); shift 2 ;;
    --with-efa) need_value "$@"; WITH_EFA=$2; shift 2 ;;
    --cuda) need_value "$@"; CUDA=$2; shift 2 ;;
    --build-root) need_value "$@"; BUILD_ROOT=$(expand_path "$2"); shift 2 ;;
    --jobs) need_value "$@"; JOBS=$2; shift 2 ;;
    --force) FORCE=yes; shift ;;
    -h | --help) sed -n '2,6p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (build-ucx.sh takes --src, --ref, --prefix, --with-efa, --cuda, --build-root, --jobs, --force)" ;;
  esac
done
[[ -n $SRC ]] || usage_error "--src is required: a git URL (e.g. https://github.com/openucx/ucx.git) or a source folder"
require_abs_or_home --prefix "$PREFIX"
require_abs_or_home --build-root "$BUILD_ROOT"
check_yes_no --with-efa "$WITH_EFA"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || usage_error "--jobs must be a positive whole number, got '$JOBS'"
check_ref "$REF"

if [[ $CUDA == auto ]]; then
  if [[ -d /usr/local/cuda ]] || nvidia-smi -L >/dev/null 2>&1; then CUDA=/usr/local/cuda; else CUDA=no; fi
fi
[[ $CUDA == no || $CUDA == /* ]] || usage_error "--cuda must be auto, no or an absolute path, got '$CUDA'"

FLAGS=(--enable-shared --disable-static --disable-doxygen-doc --enable-optimizations --enable-cma
  --enable-devel-headers --enable-mt --with-verbs)
if [[ $CUDA == no ]]; then FLAGS+=(--without-cuda); else FLAGS+=("--with-cuda=$CUDA"); fi
if [[ $WITH_EFA == yes ]]; then FLAGS+=(--with-efa); else FLAGS+=(--without-efa); fi
MARKER=$PREFIX/.pdflow-build.json
KEY=$(build_key ucx "$SRC" "$REF" "${FLAGS[@]}")

# The version for this script's own skip check (the JSON carries ucx_info's raw output; pdflow parses it).
ucx_version() {
  local out
  out=$("$PREFIX/bin/ucx_info" -v 2>/dev/null) || return 0
  sed -n 's/^# Library version: *//p' <<<"$out" | head -n 1
}

# `ucx_info -d`, captured whole before it is filtered (a pipe into grep -q can kill ucx_info with
# SIGPIPE and, under pipefail, read as "no srd"); only the lines that name memory domains,
# components, transports, devices and types go into the JSON line (a p5 prints ~100 KB).
ucx_info_devices() {
  local out
  out=$("$PREFIX/bin/ucx_info" -d 2>&1) || true
  grep -E '^#[[:space:]]*(Memory domain|Component|Transport|Device|Type):' <<<"$out" || true
}

result() {
  local status=$1 version=$2 commit=$3
  json_obj script '"build-ucx"' status "$(json_str "$status")" version "$(json_str_or_null "$version")" \
    ref "$(json_str_or_null "$REF")" commit "$(json_str_or_null "$commit")" prefix "$(json_str "$PREFIX")" \
    flags "$(json_str_array "${FLAGS[@]}")" withEfa "$(json_bool "$WITH_EFA")" \
    ldLibraryPath "$(json_str "$PREFIX/lib")" marker "$(json_str "$MARKER")" \
    ucxInfoVersion "$(json_str "$("$PREFIX/bin/ucx_info" -v 2>&1 || true)")" ucxInfoDevices "$(json_str "$(ucx_info_devices)")"
  echo
}

phase check
take_lock "$BUILD_ROOT/.ucx.lock"
if [[ $FORCE == no ]] && marker_matches "$MARKER" "$KEY"; then
  recorded=$(marker_field "$MARKER" version)
  installed=$(ucx_version || true)
  if [[ -n $installed && $installed == "$recorded" ]]; then
    log "UCX $installed in $PREFIX already built from ${REF:-$SRC} with these flags: unchanged"
    result unchanged "$installed" "$(marker_field "$MARKER" commit)"
    exit 0
  fi
  log "marker says UCX $recorded but ucx_info reports '${installed:-nothing}': rebuilding"
elif [[ -f $MARKER ]]; then
  log "existing build in $PREFIX differs (source, ref or flags): rebuilding"
fi

phase fetch
fetch_source ucx "$SRC" "$REF" "$BUILD_ROOT"
SRCDIR=$FETCHED_DIR
COMMIT=$(git -C "$SRCDIR" rev-parse --short=12 HEAD 2>/dev/null || true)
log "UCX sources: $SRCDIR${COMMIT:+ at $COMMIT}"

phase configure
cd "$SRCDIR"
if [[ -x ./autogen.sh && ! -x ./configure ]]; then run_step "$BUILD_ROOT/logs/ucx-autogen.log" "./autogen.sh" ./autogen.sh; fi
log "+ ./configure --prefix=$PREFIX ${FLAGS[*]}"
run_step "$BUILD_ROOT/logs/ucx-configure.log" "UCX ./configure" ./configure "--prefix=$PREFIX" "${FLAGS[@]}"

phase make
log "+ make -j$JOBS"
run_step "$BUILD_ROOT/logs/ucx-make.log" "UCX make" make -j"$JOBS"

phase install
mkdir_maybe_sudo "$PREFIX"
log "+ make install"
run_step "$BUILD_ROOT/logs/ucx-install.log" "UCX make install" run_maybe_sudo "$PREFIX" make install

phase verify
[[ -x $PREFIX/bin/ucx_info ]] || die "make install finished but $PREFIX/bin/ucx_info is missing"
VERSION=$(ucx_version || true)
[[ -n $VERSION ]] || die "$PREFIX/bin/ucx_info -v printed no 'Library version' line"
log "$("$PREFIX/bin/ucx_info" -v)"
write_marker "$MARKER" "$(json_obj tool '"ucx"' key "$(json_str "$KEY")" version "$(json_str "$VERSION")" \
  src "$(json_str "$SRC")" ref "$(json_str_or_null "$REF")" commit "$(json_str_or_null "$COMMIT")" \
  flags "$(json_str_array "${FLAGS[@]}")" builtAt "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")")"
log "UCX $VERSION installed in $PREFIX; use it with LD_LIBRARY_PATH=$PREFIX/lib (ray.sh --ucx-prefix $PREFIX sets it)"
result built "$VERSION" "$COMMIT"
