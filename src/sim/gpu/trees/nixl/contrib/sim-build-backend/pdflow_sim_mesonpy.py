"""In-tree PEP 517 backend of the simulated NIXL source (stands in for meson-python).

Packages src/api/python (the emulated `nixl` package) into a wheel, adding nixl/_sim_build.json:
what the build directory's `meson setup` found (UCX path and version, plugins), so the installed
bindings know which UCX they were built against, as the real compiled bindings do.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mkwheel  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PKG = os.path.join(ROOT, "src", "api", "python")


def _setup_args(config_settings):
    raw = (config_settings or {}).get("setup-args", [])
    items = [raw] if isinstance(raw, str) else list(raw)
    out = {}
    for item in items:
        for tok in item.split():
            if tok.startswith("-D") and "=" in tok:
                k, v = tok[2:].split("=", 1)
                out[k] = v
    return out


def _build_info(config_settings):
    info = {}
    cfg = os.path.join(ROOT, "build", "meson-private", "sim-config.json")
    if os.path.isfile(cfg):
        with open(cfg) as f:
            conf = json.load(f)
        info = {"nixlPrefix": conf.get("prefix"), "ucxPath": conf.get("options", {}).get("ucx_path") or None,
                "ucxVersion": (conf.get("deps", {}).get("ucx") or {}).get("version"), "plugins": conf.get("plugins", [])}
    args = _setup_args(config_settings)
    if args.get("ucx_path"):
        info["ucxPath"] = args["ucx_path"]
    return info


def _meta():
    with open(os.path.join(PKG, "pkg.json")) as f:
        return json.load(f)


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    meta = _meta()
    d = os.path.join(metadata_directory, "%s-%s.dist-info" % (mkwheel.norm_name(meta["name"]), meta["version"]))
    os.makedirs(d, exist_ok=True)
    lines = ["Metadata-Version: 2.1", "Name: %s" % meta["name"], "Version: %s" % meta["version"]]
    lines += ["Requires-Dist: %s" % r for r in meta.get("requires", [])]
    with open(os.path.join(d, "METADATA"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return os.path.basename(d)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    scale = float(os.environ.get("PDFLOW_SIM_TIME_SCALE", "1") or 1)
    sys.stderr.write("+ meson setup %s %s/.mesonpy-build -Dbuildtype=release -Db_ndebug=if-release --native-file=%s/.mesonpy-native-file.ini\n"
                     % (ROOT, ROOT, ROOT))
    sys.stderr.write("+ meson compile\n[1/4] Compiling C++ object src/bindings/python/_bindings.cpython-311-x86_64-linux-gnu.so.p/nixl_bindings.cpp.o\n")
    time.sleep(1.5 * scale)
    sys.stderr.write("[4/4] Linking target src/bindings/python/_bindings.cpython-311-x86_64-linux-gnu.so\n")
    files = mkwheel._files(PKG)
    extra = {"nixl/_sim_build.json": json.dumps(_build_info(config_settings), indent=2).encode()}
    path = mkwheel.build_wheel_from(_meta(), files, wheel_directory, extra)
    return os.path.basename(path)
