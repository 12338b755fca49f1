"""Wheels for the tests' local package index (see python-index.ts), with no PyPI.

build OUTDIR SPEC_JSON   a tiny wheel: {"name", "version", "files": {path: text}, "requires": [...]}
repack OUTDIR NAME...    wheels of installed distributions and their requirements (markers evaluated
                         for this interpreter), from their RECORD, or top_level.txt for egg-info.

Prints the wheel paths as a JSON list. Runs on Python 3.8+.
"""
import base64
import hashlib
import importlib.metadata as metadata
import json
import os
import re
import sys
import zipfile


def norm(name, sep="_"):
    return re.sub(r"[-_.]+", sep, name).lower()


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def write_wheel(outdir, name, version, files, metadata_text, entry_points=None):
    """files: {archive path: bytes}. Writes WHEEL and RECORD; returns the wheel's path."""
    dist = "%s-%s" % (norm(name), version)
    info = dist + ".dist-info"
    entries = dict(files)
    entries[info + "/METADATA"] = metadata_text.encode()
    entries[info + "/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: patchwright-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    if entry_points:
        entries[info + "/entry_points.txt"] = entry_points.encode()
    record = "".join("%s,%s,%d\n" % (path, digest(data), len(data)) for path, data in sorted(entries.items()))
    record += info + "/RECORD,,\n"
    entries[info + "/RECORD"] = record.encode()
    path = os.path.join(outdir, dist + "-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name_in_zip, data in sorted(entries.items()):
            archive.writestr(zipfile.ZipInfo(name_in_zip, (2020, 1, 1, 0, 0, 0)), data)
    return path


def build(outdir, spec):
    lines = ["Metadata-Version: 2.1", "Name: " + spec["name"], "Version: " + spec["version"]]
    lines += ["Requires-Dist: " + r for r in spec.get("requires", [])]
    files = {path: text.encode() for path, text in spec["files"].items()}
    return [write_wheel(outdir, spec["name"], spec["version"], files, "\n".join(lines) + "\n")]


def installed_files(dist):
    """{archive path: bytes} of an installed distribution's importable files."""
    root = str(dist.locate_file(""))
    files = {}
    if dist.read_text("RECORD") is not None and dist.files:
        paths = [str(f) for f in dist.files]
    else:
        # Debian's egg-info has no RECORD: its top-level packages and modules.
        tops = (dist.read_text("top_level.txt") or norm(dist.metadata["Name"])).split()
        paths = []
        for top in tops:
            if os.path.isdir(os.path.join(root, top)):
                for base, _dirs, names in os.walk(os.path.join(root, top)):
                    paths += [os.path.relpath(os.path.join(base, n), root) for n in names]
            elif os.path.isfile(os.path.join(root, top + ".py")):
                paths.append(top + ".py")
    for path in paths:
        parts = path.replace(os.sep, "/").split("/")
        if ".." in parts or "__pycache__" in parts or path.endswith(".pyc") or ".dist-info" in parts[0] or ".egg-info" in parts[0]:
            continue
        full = os.path.join(root, path)
        if os.path.isfile(full):
            with open(full, "rb") as handle:
                files["/".join(parts)] = handle.read()
    return files


def wanted(requirement):
    """The name of a requirement this interpreter needs (no extras), or None."""
    try:
        from packaging.requirements import Requirement
    except ImportError:
        req_name = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)
        return None if ";" in requirement else req_name
    req = Requirement(requirement)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        return None
    return req.name


def repack(outdir, names):
    done, queue, paths = set(), list(names), []
    while queue:
        name = queue.pop(0)
        if norm(name) in done:
            continue
        done.add(norm(name))
        dist = metadata.distribution(name)
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO")
        paths.append(write_wheel(outdir, dist.metadata["Name"], dist.version, installed_files(dist), text, dist.read_text("entry_points.txt")))
        queue += [n for n in (wanted(r) for r in dist.requires or []) if n is not None]
    return paths


if __name__ == "__main__":
    command, outdir = sys.argv[1], sys.argv[2]
    result = build(outdir, json.loads(sys.argv[3])) if command == "build" else repack(outdir, sys.argv[3:])
    print(json.dumps(result))
