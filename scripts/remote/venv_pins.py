"""Which pins a venv already satisfies. A pin counts as satisfied only when the distribution is at
its version AND every requirement of the extras it asks for (ray[serve,llm]: grpcio, pyarrow,
vllm, ...) is installed at an allowed version, recursively through nested extras; a venv with plain
`ray` is therefore not "unchanged" for ray[serve,llm]. Installed packages the pins depend on that a
constraints file pins to another version (transformers 5 where the file says 4.57.1) are reported
too; packages outside the pins' dependencies (the venv's own setuptools) are not pip's business here.

Usage: venv_pins.py [--constraints FILE] PIN...   (run with the venv's python)
Prints one tab-separated line per finding:
  ok <pin> <version>                the pin is satisfied
  change <pin> <version|-> <why>    pip must install the pin
  constraint <name> <version> <want>  a dependency of the pins, installed at another version than
                                      the constraints file pins
"""
import importlib.metadata as md
import re
import sys

try:  # a fresh venv has no top-level packaging; pip vendors it
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pragma: no cover - depends on the venv
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name


def installed_version(name):
    try:
        return md.version(name)
    except md.PackageNotFoundError:
        return None


def extra_requirements(dist, extra):
    """The requirements of `dist` that only its `extra` brings in (markers evaluated here)."""
    out = []
    for text in md.requires(dist) or []:
        req = Requirement(text)
        if req.marker is None:
            continue
        if req.marker.evaluate({"extra": extra}) and not req.marker.evaluate({"extra": ""}):
            out.append(req)
    return out


def missing_for_extras(dist, extras, seen):
    """Requirements of dist[extras] that are absent or at a version they do not allow."""
    missing = []
    for extra in sorted(extras):
        key = (canonicalize_name(dist), extra)
        if key in seen:
            continue
        seen.add(key)
        for req in extra_requirements(dist, extra):
            have = installed_version(req.name)
            if have is None:
                missing.append("%s (for [%s]) is not installed" % (req.name, extra))
            elif req.specifier and not req.specifier.contains(have, prereleases=True):
                missing.append("%s %s does not satisfy %s (for [%s])" % (req.name, have, req, extra))
            elif req.extras:
                missing.extend(missing_for_extras(req.name, req.extras, seen))
    return missing


def dependency_closure(reqs):
    """Canonical names of the installed distributions the requirements reach (markers evaluated)."""
    seen, walked = set(), set()
    todo = [(r, frozenset(r.extras)) for r in reqs]
    while todo:
        req, extras = todo.pop()
        key = canonicalize_name(req.name)
        if (key, extras) in walked:
            continue
        walked.add((key, extras))
        seen.add(key)
        if installed_version(req.name) is None:
            continue
        for text in md.requires(req.name) or []:
            sub = Requirement(text)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                todo.append((sub, frozenset(sub.extras)))
    return seen


def constraint_pins(path):
    pins = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)$", line)
            if m:
                pins[canonicalize_name(m.group(1))] = (m.group(1), m.group(2))
    return pins


def main(argv):
    constraints = None
    if len(argv) >= 2 and argv[0] == "--constraints":
        constraints, argv = argv[1], argv[2:]
    for pin in argv:
        req = Requirement(pin)
        want = next(iter(req.specifier)).version
        have = installed_version(req.name)
        if have is None:
            print("change\t%s\t-\tnot installed" % pin)
        elif have != want:
            print("change\t%s\t%s\tinstalled %s, pinned %s" % (pin, have, have, want))
        else:
            missing = missing_for_extras(req.name, req.extras, set())
            if missing:
                print("change\t%s\t%s\textras incomplete: %s" % (pin, have, "; ".join(missing)))
            else:
                print("ok\t%s\t%s" % (pin, have))
    if constraints:
        reach = dependency_closure([Requirement(p) for p in argv])
        for key, (name, want) in sorted(constraint_pins(constraints).items()):
            if key not in reach:
                continue
            have = installed_version(name)
            if have is not None and have != want:
                print("constraint\t%s\t%s\t%s" % (name, have, want))


if __name__ == "__main__":
    main(sys.argv[1:])
