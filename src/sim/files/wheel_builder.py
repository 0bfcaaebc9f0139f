import base64
import hashlib
import json
import os
import sys
import zipfile

spec = json.load(sys.stdin)
out = spec["outDir"]
os.makedirs(out, exist_ok=True)
for pkg in spec["packages"]:
    name, version = pkg["name"], pkg["version"]
    di = "%s-%s.dist-info" % (name.replace("-", "_"), version)
    files = dict(pkg["files"])
    files[di + "/METADATA"] = "Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: %s\n" % (name, version, pkg["summary"])
    files[di + "/WHEEL"] = "Wheel-Version: 1.0\nGenerator: ascend-train-sim\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    tops = sorted({p.split("/")[0] for p in pkg["files"]})
    files[di + "/top_level.txt"] = "\n".join(tops) + "\n"
    eps = pkg.get("entryPoints") or {}
    if eps:
        files[di + "/entry_points.txt"] = "".join(
            "[%s]\n%s\n" % (g, "".join("%s = %s\n" % kv for kv in sorted(m.items()))) for g, m in sorted(eps.items()))
    record = []
    path = os.path.join(out, "%s-%s-py3-none-any.whl" % (name.replace("-", "_"), version))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for rel, data in sorted(files.items()):
            raw = data.encode("utf-8")
            info = zipfile.ZipInfo(rel, date_time=(2025, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, raw, zipfile.ZIP_DEFLATED)
            digest = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (rel, digest, len(raw)))
        record.append(di + "/RECORD,,")
        info = zipfile.ZipInfo(di + "/RECORD", date_time=(2025, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        z.writestr(info, "\n".join(record) + "\n", zipfile.ZIP_DEFLATED)
    print(path)
