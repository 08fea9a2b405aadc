#!/usr/bin/env python3
"""Builds real, pip-installable pure-python wheels for the emulated packages, quickly and offline.

A package source is a folder with a pkg.json {name, version, requires?: [..], scripts?: {cmd: "mod:func"},
summary?} next to its importable top-level packages/modules; every file in the folder except
pkg.json (and caches) goes into the wheel at the same relative path.

  mkwheel.py house PKGS_DIR OUT_DIR          one wheel per PKGS_DIR/<dist>/pkg.json
  mkwheel.py one PKG_DIR OUT_DIR [--version V] [--extra ARCNAME=FILE ...]

Also imported by the in-tree build backend of the fake NIXL source (build_wheel below).
"""
import base64
import hashlib
import json
import os
import re
import sys
import zipfile

SKIP_DIRS = {"__pycache__", ".git", ".mypy_cache", ".pytest_cache"}
SKIP_FILES = {"pkg.json", ".DS_Store"}
# Zip timestamps are fixed so a rebuild of unchanged sources gives the same bytes.
EPOCH = (2025, 10, 1, 0, 0, 0)


def norm_name(name):
    return re.sub(r"[-_.]+", "_", name)


def wheel_name(name, version):
    return "%s-%s-py3-none-any.whl" % (norm_name(name), version)


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _files(src):
    out = []
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for f in sorted(files):
            if f in SKIP_FILES or f.endswith((".pyc", ".pyo")):
                continue
            full = os.path.join(root, f)
            out.append((os.path.relpath(full, src).replace(os.sep, "/"), full))
    return out


def build_wheel_from(meta, files, out_dir, extra=None):
    """meta: pkg.json dict; files: [(arcname, path)]; extra: {arcname: bytes}. Returns the wheel path."""
    name, version = meta["name"], str(meta["version"])
    dist_info = "%s-%s.dist-info" % (norm_name(name), version)
    lines = [
        "Metadata-Version: 2.1",
        "Name: %s" % name,
        "Version: %s" % version,
        "Summary: %s" % meta.get("summary", "pdflow simulator stand-in for %s" % name),
    ]
    lines += ["Requires-Dist: %s" % r for r in meta.get("requires", [])]
    contents = []
    for arc, path in files:
        with open(path, "rb") as f:
            contents.append((arc, f.read(), os.access(path, os.X_OK)))
    for arc, data in sorted((extra or {}).items()):
        contents.append((arc, data, False))
    contents.append((dist_info + "/METADATA", ("\n".join(lines) + "\n").encode(), False))
    contents.append((dist_info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: pdflow-sim-mkwheel\nRoot-Is-Purelib: true\nTag: py3-none-any\n", False))
    scripts = meta.get("scripts") or {}
    if scripts:
        ep = "[console_scripts]\n" + "".join("%s = %s\n" % (k, v) for k, v in sorted(scripts.items()))
        contents.append((dist_info + "/entry_points.txt", ep.encode(), False))
    top = sorted({arc.split("/")[0].removesuffix(".py") for arc, _, _ in contents if not arc.startswith(dist_info)})
    contents.append((dist_info + "/top_level.txt", ("\n".join(top) + "\n").encode(), False))
    record = "".join("%s,%s,%d\n" % (arc, _record_hash(data), len(data)) for arc, data, _ in contents)
    record += "%s/RECORD,,\n" % dist_info
    contents.append((dist_info + "/RECORD", record.encode(), False))

    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, wheel_name(name, version))
    tmp = target + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data, executable in contents:
            info = zipfile.ZipInfo(arc, EPOCH)
            info.external_attr = (0o755 if executable else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    os.replace(tmp, target)
    return target


def load_meta(pkg_dir):
    with open(os.path.join(pkg_dir, "pkg.json")) as f:
        meta = json.load(f)
    for key in ("name", "version"):
        if not meta.get(key):
            raise SystemExit("%s/pkg.json: '%s' is missing" % (pkg_dir, key))
    return meta


def build_one(pkg_dir, out_dir, version=None, extra=None):
    meta = load_meta(pkg_dir)
    if version:
        meta["version"] = version
    return build_wheel_from(meta, _files(pkg_dir), out_dir, extra)


def build_house(pkgs_dir, out_dir):
    built = []
    for d in sorted(os.listdir(pkgs_dir)):
        pkg = os.path.join(pkgs_dir, d)
        if os.path.isfile(os.path.join(pkg, "pkg.json")):
            built.append(build_one(pkg, out_dir))
    return built


def main(argv):
    if len(argv) >= 3 and argv[0] == "house":
        for w in build_house(argv[1], argv[2]):
            print(w)
        return 0
    if len(argv) >= 3 and argv[0] == "one":
        version, extra, rest = None, {}, argv[3:]
        while rest:
            if rest[0] == "--version" and len(rest) > 1:
                version, rest = rest[1], rest[2:]
            elif rest[0] == "--extra" and len(rest) > 1 and "=" in rest[1]:
                arc, path = rest[1].split("=", 1)
                with open(path, "rb") as f:
                    extra[arc] = f.read()
                rest = rest[2:]
            else:
                sys.stderr.write("mkwheel: unknown argument %r\n" % rest[0])
                return 2
        print(build_one(argv[1], argv[2], version, extra))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
