#!/usr/bin/env bash
# Builds NIXL against a UCX install (meson -Ducx_path, ninja, install) and installs its python
# bindings into the venv, unless this build is already there.
# Usage: build-nixl.sh --src PATH|GIT_URL --ucx-prefix DIR --prefix DIR --venv DIR [--ref REF]
#                      [--build-root DIR] [--jobs N] [--force]
# Skipped ("unchanged") when <prefix>/.pdflow-build.json records the same source, ref, UCX and flags
# and `import nixl` in the venv gives the recorded version.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=
REF=
UCX_PREFIX=
PREFIX=
VENV=
BUILD_ROOT=${PDFLOW_WORKDIR:-$HOME/pdflow}/build
JOBS=$(nproc 2>/dev/null || echo 4)
FORCE=no
while (($#)); do
  case $1 in
    --src) need_value "$@"; SRC=$2; shift 2 ;;
    --ref) need_value "$@"; REF=$2; shift 2 ;;
    --ucx-prefix) need_value "$@"; UCX_PREFIX=$(expand_path "$2"); shift 2 ;;
    --prefix) need_value "$@"; PREFIX=$(expand_path "$2"); shift 2 ;;
    --venv) need_value "$@"; VENV=$(expand_path "$2"); shift 2 ;;
    --build-root) need_value "$@"; BUILD_ROOT=$(expand_path "$2"); shift 2 ;;
    --jobs) need_value "$@"; JOBS=$2; shift 2 ;;
    --force) FORCE=yes; shift ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (build-nixl.sh takes --src, --ref, --ucx-prefix, --prefix, --venv, --build-root, --jobs, --force)" ;;
  esac
done
[[ -n $SRC ]] || usage_error "--src is required: a git URL (e.g. https://github.com/ai-dynamo/nixl.git) or a source folder"
require_abs_or_home --ucx-prefix "$UCX_PREFIX"
require_abs_or_home --prefix "$PREFIX"
require_abs_or_home --venv "$VENV"
require_abs_or_home --build-root "$BUILD_ROOT"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || usage_error "--jobs must be a positive whole number, got '$JOBS'"
check_ref "$REF"

LIBDIR=lib/x86_64-linux-gnu
PLUGIN_DIR=$PREFIX/$LIBDIR/plugins
MARKER=$PREFIX/.pdflow-build.json
PY=$VENV/bin/python
FLAGS=("--prefix=$PREFIX" "--libdir=$LIBDIR" "-Ducx_path=$UCX_PREFIX" "--buildtype=release")

phase check
[[ -x $UCX_PREFIX/bin/ucx_info ]] || die "no UCX at --ucx-prefix $UCX_PREFIX ($UCX_PREFIX/bin/ucx_info is missing); run build-ucx.sh first"
UCX_VERSION=$("$UCX_PREFIX/bin/ucx_info" -v 2>/dev/null | sed -n 's/^# Library version: *//p' | head -n 1)
[[ -n $UCX_VERSION ]] || die "$UCX_PREFIX/bin/ucx_info -v printed no version; rebuild UCX (build-ucx.sh --force)"
[[ -x $PY ]] || die "no venv at --venv $VENV ($PY is missing); run python-env.sh first"
UCX_KEY=$(marker_field "$UCX_PREFIX/.pdflow-build.json" key)
KEY=$(build_key nixl "$SRC" "$REF" "$UCX_VERSION" "$UCX_KEY" "$VENV" "${FLAGS[@]}")

export LD_LIBRARY_PATH="$PREFIX/$LIBDIR:$UCX_PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export NIXL_PLUGIN_DIR=$PLUGIN_DIR
export PKG_CONFIG_PATH="$UCX_PREFIX/lib/pkgconfig:$PREFIX/$LIBDIR/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

# {"version", "plugins"} of the nixl the venv imports, or {"error"}.
nixl_probe() {
  "$PY" - <<'PY' 2>/dev/null || printf '{"error":"python failed"}\n'
import importlib.metadata as md, json
out = {}
try:
    import nixl  # noqa: F401
    out["version"] = md.version("nixl")
except Exception as e:  # noqa: BLE001
    out["error"] = "import nixl failed: %s" % e
else:
    try:
        from nixl._api import nixl_agent, nixl_agent_config
        agent = nixl_agent("pdflow-build-check", nixl_agent_config(backends=[]))
        out["plugins"] = sorted(agent.get_plugin_list())
    except Exception as e:  # noqa: BLE001
        out["plugins"] = None
        out["pluginError"] = str(e)
print(json.dumps(out))
PY
}

result() {
  local status=$1 version=$2 commit=$3 probe=$4
  json_obj script '"build-nixl"' status "$(json_str "$status")" version "$(json_str_or_null "$version")" \
    ref "$(json_str_or_null "$REF")" commit "$(json_str_or_null "$commit")" prefix "$(json_str "$PREFIX")" \
    ucxPrefix "$(json_str "$UCX_PREFIX")" ucxVersion "$(json_str "$UCX_VERSION")" flags "$(json_str_array "${FLAGS[@]}")" \
    venv "$(json_str "$VENV")" python "$probe" pluginDir "$(json_str "$PLUGIN_DIR")" \
    ldLibraryPath "$(json_str_array "$PREFIX/$LIBDIR" "$UCX_PREFIX/lib")" marker "$(json_str "$MARKER")"
  echo
}

take_lock "$BUILD_ROOT/.nixl.lock"
if [[ $FORCE == no ]] && marker_matches "$MARKER" "$KEY"; then
  recorded=$(marker_field "$MARKER" version)
  probe=$(nixl_probe | tail -n 1)
  if [[ $probe == *"\"version\": \"$recorded\""* ]]; then
    log "NIXL $recorded in $PREFIX (UCX $UCX_VERSION) and its bindings in $VENV: unchanged"
    result unchanged "$recorded" "$(marker_field "$MARKER" commit)" "$probe"
    exit 0
  fi
  log "marker says NIXL $recorded but the venv reports $probe: rebuilding"
elif [[ -f $MARKER ]]; then
  log "existing build in $PREFIX differs (source, ref, UCX or flags): rebuilding"
fi

# meson and ninja: the node's, else the venv's (pip install meson ninja, as NIXL's README does).
MESON=$(command -v meson || true)
NINJA=$(command -v ninja || true)
if [[ -z $MESON || -z $NINJA ]]; then
  [[ -x $VENV/bin/meson && -x $VENV/bin/ninja ]] || { log "+ pip install meson ninja pybind11 (into $VENV)"; "$PY" -m pip install meson ninja pybind11; }
  MESON=${MESON:-$VENV/bin/meson}
  NINJA=${NINJA:-$VENV/bin/ninja}
fi

phase fetch
fetch_source nixl "$SRC" "$REF" "$BUILD_ROOT"
SRCDIR=$FETCHED_DIR
COMMIT=$(git -C "$SRCDIR" rev-parse --short=12 HEAD 2>/dev/null || true)
log "NIXL sources: $SRCDIR${COMMIT:+ at $COMMIT}"

phase configure
cd "$SRCDIR"
setup=(setup build "${FLAGS[@]}")
if [[ -d build ]]; then setup+=(--wipe); fi
log "+ meson ${setup[*]}"
run_step "$BUILD_ROOT/logs/nixl-meson.log" "meson setup" "$MESON" "${setup[@]}"
if grep -q 'Run-time dependency ucx found: NO' "$BUILD_ROOT/logs/nixl-meson.log"; then
  die "meson did not find UCX under --ucx-prefix $UCX_PREFIX (lib/pkgconfig/ucx.pc): NIXL would build without its UCX plugin; rebuild UCX there or fix the path"
fi

phase make
log "+ ninja -C build -j $JOBS"
run_step "$BUILD_ROOT/logs/nixl-ninja.log" "ninja" "$NINJA" -C build -j "$JOBS"

phase install
mkdir_maybe_sudo "$PREFIX"
log "+ ninja -C build install"
run_step "$BUILD_ROOT/logs/nixl-install.log" "ninja install" run_maybe_sudo "$PREFIX" "$NINJA" -C build install

phase python
if "$PY" -m pip show nixl >/dev/null 2>&1; then
  log "+ pip uninstall -y nixl (replaced by the bindings of this build)"
  "$PY" -m pip uninstall -y nixl
fi
log "+ pip install $SRCDIR --config-settings=setup-args=-Ducx_path=$UCX_PREFIX"
run_step "$BUILD_ROOT/logs/nixl-pip.log" "pip install of the NIXL bindings" "$PY" -m pip install "$SRCDIR" "--config-settings=setup-args=-Ducx_path=$UCX_PREFIX"

phase verify
probe=$(nixl_probe | tail -n 1)
log "nixl in $VENV: $probe"
VERSION=$(printf '%s' "$probe" | sed -n 's/.*"version": "\([^"]*\)".*/\1/p')
[[ -n $VERSION ]] || die "the nixl bindings do not import in $VENV: $probe"
if [[ $probe == *'"plugins": ['* && $probe != *'"UCX"'* ]]; then
  die "NIXL $VERSION imports but has no UCX backend (plugins: $(printf '%s' "$probe" | sed -n 's/.*"plugins": \(\[[^]]*\]\).*/\1/p')); check $PLUGIN_DIR and the UCX at $UCX_PREFIX"
fi
write_marker "$MARKER" "$(json_obj tool '"nixl"' key "$(json_str "$KEY")" version "$(json_str "$VERSION")" \
  src "$(json_str "$SRC")" ref "$(json_str_or_null "$REF")" commit "$(json_str_or_null "$COMMIT")" \
  ucxPrefix "$(json_str "$UCX_PREFIX")" ucxVersion "$(json_str "$UCX_VERSION")" venv "$(json_str "$VENV")" \
  flags "$(json_str_array "${FLAGS[@]}")" builtAt "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")")"
log "NIXL $VERSION installed in $PREFIX; runtime needs LD_LIBRARY_PATH=$PREFIX/$LIBDIR:$UCX_PREFIX/lib and NIXL_PLUGIN_DIR=$PLUGIN_DIR (ray.sh --nixl-prefix sets them)"
result built "$VERSION" "$COMMIT" "$probe"
