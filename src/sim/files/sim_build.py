"""In-tree build backend of the ascend-train sim mirrors (PEP 517 / PEP 660)."""
import base64
import hashlib
import json
import os
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _meta():
    with open(os.path.join(HERE, "meta.json"), encoding="utf-8") as f:
        return json.load(f)


def _dist_info_files(meta):
    di = "%s-%s.dist-info" % (meta["name"], meta["version"])
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n" % (meta["name"], meta["version"], meta.get("summary", ""))
    for extra, requires in sorted(meta.get("extras", {}).items()):
        metadata += "Provides-Extra: %s\n" % extra
        metadata += "".join('Requires-Dist: %s; extra == "%s"\n' % (r, extra) for r in requires)
    files = {
        di + "/METADATA": metadata,
        di + "/WHEEL": "Wheel-Version: 1.0\nGenerator: ascend-train-sim\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        di + "/top_level.txt": "\n".join(meta.get("packages", [])) + "\n",
    }
    if meta.get("scripts"):
        files[di + "/entry_points.txt"] = "[console_scripts]\n" + "".join("%s = %s\n" % kv for kv in meta["scripts"].items())
    return di, files


def _write_wheel(wheel_directory, files):
    meta = _meta()
    di, info = _dist_info_files(meta)
    files = dict(files)
    files.update(info)
    name = "%s-%s-py3-none-any.whl" % (meta["name"].replace("-", "_"), meta["version"])
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in sorted(files.items()):
            raw = data.encode("utf-8") if isinstance(data, str) else data
            z.writestr(path, raw)
            digest = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(raw)))
        record.append(di + "/RECORD,,")
        z.writestr(di + "/RECORD", "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    di, info = _dist_info_files(_meta())
    for path, data in info.items():
        full = os.path.join(metadata_directory, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(data)
    return di


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def _pause():
    """ASCEND_SIM_BUILD_SECONDS: how long a build takes (real ones compile and resolve for minutes)."""
    try:
        delay = float(os.environ.get("ASCEND_SIM_BUILD_SECONDS") or 0)
    except ValueError:
        delay = 0
    if delay > 0:
        time.sleep(delay)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _pause()
    files = {}
    for pkg in _meta().get("packages", []):
        for base, _, names in os.walk(os.path.join(ROOT, pkg)):
            for n in names:
                if n.endswith(".pyc"):
                    continue
                full = os.path.join(base, n)
                with open(full, "rb") as f:
                    files[os.path.relpath(full, ROOT)] = f.read()
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _pause()
    meta = _meta()
    return _write_wheel(wheel_directory, {"__editable__.%s-%s.pth" % (meta["name"], meta["version"]): ROOT + "\n"})
