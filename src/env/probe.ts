// The one bash script check_env runs per host. It prints marked sections; parse-probe.ts reads them back.
// Every command is bounded (timeout, head -c) so a hung driver or a huge file cannot stall or flood the probe.
import { posix } from "node:path";
import { cannSetEnvCandidates, hostPrelude, nnalSetEnv } from "../hosts/environment.js";
import type { HostSettings } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";

export const SECTION_MARK = "::ascend-train-probe::";

export const SECTIONS = [
  "machine",
  "disk",
  "shm",
  "plain-env",
  "cann-files",
  "driver",
  "firmware",
  "devices",
  "tool-env",
  "workdir",
  "ports",
  "tools",
  "npu-smi",
  "npu-procs",
  "python",
  "torch-live",
  "end",
] as const;
export type SectionName = (typeof SECTIONS)[number];

/** A section as the probe prints it (tests build fake probe output with this). */
export function formatSection(name: SectionName, body: string): string {
  return `${SECTION_MARK}${name}\n${body.endsWith("\n") || body === "" ? body : `${body}\n`}`;
}

export interface ProbeOptions {
  /** Seconds `import torch_npu` may take before it is abandoned. */
  liveTimeoutSec: number;
  /** Seconds `npu-smi info` may take. */
  npuSmiTimeoutSec: number;
}

const LIVE_MARK = "@@live@@";

// Reads package versions without importing them (fast, and works when torch_npu is broken), then imports torch_npu.
const PYTHON_PROBE = `
LIVE_MARK = "${LIVE_MARK}"
import json, os, subprocess, sys
WANTED = ["torch", "torch_npu", "transformers", "accelerate", "peft", "numpy", "mindspeed", "mindspeed_mm",
          "triton_ascend", "apex", "torchvision"]
# Reads *.dist-info / *.egg-info directly: importlib.metadata costs ~0.1 s of imports on every probe.
def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None
def git_head(path):
    try:
        r = subprocess.run(["git", "-C", path, "rev-parse", "HEAD", "--abbrev-ref", "HEAD"],
                           capture_output=True, text=True, timeout=5)
        lines = r.stdout.split() if r.returncode == 0 else []
        return (lines + [None, None])[:2]
    except Exception:
        return [None, None]
found = {}
for entry in sys.path:
    if not entry or not os.path.isdir(entry):
        continue
    try:
        names = sorted(os.listdir(entry))
    except OSError:
        continue
    for d in names:
        if not (d.endswith(".dist-info") or d.endswith(".egg-info")):
            continue
        parts = d[: d.rfind(".")].split("-")
        key = parts[0].lower().replace("-", "_").replace(".", "_")
        if key not in WANTED or key in found:
            continue
        meta = os.path.join(entry, d)
        version = parts[1] if len(parts) > 1 else None
        in_tree = version is None
        if version is None:
            for line in (read(os.path.join(meta, "PKG-INFO")) or read(os.path.join(meta, "METADATA")) or "").splitlines():
                if line.startswith("Version:"):
                    version = line.split(":", 1)[1].strip()
                    break
        if not version:
            continue
        info = {"version": version}
        wheel = read(os.path.join(meta, "WHEEL"))
        if wheel:
            info["tags"] = [l.split(":", 1)[1].strip() for l in wheel.splitlines() if l.startswith("Tag:")]
        src = entry if in_tree else None
        try:
            du = json.loads(read(os.path.join(meta, "direct_url.json")) or "null")
            if du and du.get("url", "").startswith("file://"):
                src = du["url"][len("file://"):]
                info["editable"] = bool(du.get("dir_info", {}).get("editable"))
        except ValueError:
            pass
        if src:
            info["path"] = src
            info.setdefault("editable", in_tree)
            info["commit"], info["branch"] = git_head(src)
        found[key] = info
out = {"python": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable, "prefix": sys.prefix,
       "basePrefix": getattr(sys, "base_prefix", sys.prefix), "machine": os.uname().machine,
       "packages": dict((k, found.get(k)) for k in WANTED)}
print(json.dumps(out))
print(LIVE_MARK)
sys.stdout.flush()
# The live check: importing torch_npu loads CANN's libraries and opens the driver.
if out["packages"].get("torch_npu") is None:
    print("skipped=torch_npu not installed")
    sys.exit(0)
try:
    import torch
    import torch_npu
    print("import=ok")
    print("available=%s" % torch.npu.is_available())
    print("count=%d" % torch.npu.device_count())
    print("cann=%s" % getattr(torch.version, "cann", None))
except BaseException:
    import traceback
    sys.stdout.flush()
    traceback.print_exc(file=sys.stdout)
    sys.exit(1)
`;

const ENV_VARS = [
  "ASCEND_HOME_PATH",
  "ASCEND_TOOLKIT_HOME",
  "ASCEND_OPP_PATH",
  "ATB_HOME_PATH",
  "ASCEND_RT_VISIBLE_DEVICES",
  "ASCEND_VISIBLE_DEVICES",
  "HCCL_IF_BASE_PORT",
  "MASTER_PORT",
  "VIRTUAL_ENV",
  "CONDA_DEFAULT_ENV",
  "CONDA_PREFIX",
];

/** Builds the probe for one host: plain-shell facts first, then the tool prelude, then Python facts. */
export function buildProbeScript(settings: HostSettings, opts: ProbeOptions): string {
  const q = shellQuote;
  const root = settings.cannRoot;
  const [cannNew, cannOld] = cannSetEnvCandidates(root);
  const nnal = nnalSetEnv(root);
  const workdir = settings.workdir ?? "";
  const infoGlobs = [
    `${q(posix.join(root, "cann"))}/*/*_install.info`,
    `${q(posix.join(root, "cann"))}/*_install.info`,
    `${q(posix.join(root, "ascend-toolkit", "latest"))}/*/ascend_toolkit_install.info`,
    `${q(posix.join(root, "ascend-toolkit", "latest"))}/*_install.info`,
  ].join(" ");
  const printEnv = ENV_VARS.map((v) => `printf '%s=%s\\n' ${v} "\${${v}-}"`).join("\n");
  const prelude = hostPrelude(settings, { sourceCann: settings.sourceCann, activatePython: true });

  return `set +e
export LC_ALL=C
MARK=${q(SECTION_MARK)}
sec() { printf '\\n%s%s\\n' "$MARK" "$1"; }
# T SECONDS CMD…: bounded by coreutils/busybox timeout when there is one (busybox lacks -k).
TO=""
if command -v timeout >/dev/null 2>&1; then if timeout -k 1 5 true 2>/dev/null; then TO="timeout -k 2"; else TO="timeout"; fi; fi
T() { if [ -n "$TO" ]; then $TO "$@"; else shift; "$@"; fi; }
WORKDIR=${q(workdir)}

sec machine
printf 'arch=%s\\nkernel=%s\\n' "$(uname -m)" "$(uname -r)"
if [ -r /etc/os-release ]; then (. /etc/os-release; printf 'os=%s\\n' "\${PRETTY_NAME:-$NAME}"); fi
printf 'cpus=%s\\n' "$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)"
grep -E '^(MemTotal|MemAvailable):' /proc/meminfo 2>/dev/null
if [ -f /.dockerenv ]; then echo container=docker
elif [ -f /run/.containerenv ]; then echo container=podman
elif grep -qE 'kubepods|docker|containerd' /proc/1/cgroup 2>/dev/null; then echo container=cgroup; fi
printf 'user=%s\\nhome=%s\\n' "$(id -un 2>/dev/null)" "$HOME"

sec disk
D="\${WORKDIR:-$HOME}"
while [ -n "$D" ] && [ ! -d "$D" ]; do D=$(dirname "$D"); done
printf 'path=%s\\n' "$D"
df -Pk "$D" 2>/dev/null | tail -n 1

sec shm
df -Pk /dev/shm 2>/dev/null | tail -n 1

sec plain-env
${printEnv}

sec cann-files
for f in ${q(cannNew!)} ${q(cannOld!)} ${q(nnal)}; do if [ -f "$f" ]; then echo "present $f"; else echo "absent $f"; fi; done
for f in ${infoGlobs}; do [ -f "$f" ] && { echo "info $f"; head -c 2000 "$f"; echo; }; done

sec driver
for f in /usr/local/Ascend/driver/version.info ${q(posix.join(root, "driver", "version.info"))}; do [ -f "$f" ] && { head -c 4000 "$f"; break; }; done

sec firmware
for f in /usr/local/Ascend/firmware/version.info ${q(posix.join(root, "firmware", "version.info"))}; do [ -f "$f" ] && { head -c 2000 "$f"; break; }; done

sec devices
ls -1 /dev 2>/dev/null | grep -E '^(davinci[0-9]+|davinci_manager|devmm_svm|hisi_hdc)$' | head -n 80

# npu-smi and Python are the slow parts: they run side by side while the rest is read.
TMPD=$(mktemp -d 2>/dev/null || { mkdir -p "/tmp/.at-probe.$$" && echo "/tmp/.at-probe.$$"; })
trap 'rm -rf "$TMPD"' EXIT
NPU_SMI=$(command -v npu-smi 2>/dev/null)
if [ -n "$NPU_SMI" ]; then (T ${opts.npuSmiTimeoutSec} npu-smi info > "$TMPD/npu" 2>&1; echo $? > "$TMPD/npu.rc") & fi

${prelude}

PY=$(command -v python 2>/dev/null || command -v python3 2>/dev/null)
if [ -n "$PY" ]; then (T ${opts.liveTimeoutSec} "$PY" -c ${q(PYTHON_PROBE)} > "$TMPD/py" 2>&1; echo $? > "$TMPD/py.rc") & fi

sec tool-env
${printEnv}

sec workdir
if [ -n "$WORKDIR" ] && [ -d "$WORKDIR" ]; then
  echo "exists=1"
  # Only the workdir's own checkout: git would otherwise answer for a repository around it.
  if [ -e "$WORKDIR/.git" ]; then
    printf 'describe=%s\\n' "$(git -C "$WORKDIR" describe --tags --always 2>/dev/null)"
    printf 'commit=%s\\n' "$(git -C "$WORKDIR" rev-parse HEAD 2>/dev/null)"
    printf 'branch=%s\\n' "$(git -C "$WORKDIR" rev-parse --abbrev-ref HEAD 2>/dev/null)"
  fi
  if [ -d "$WORKDIR/megatron" ]; then
    echo "megatron=1"
    [ -f "$WORKDIR/megatron/core/package_info.py" ] && grep -E '^(MAJOR|MINOR|PATCH) *=' "$WORKDIR/megatron/core/package_info.py" | head -n 3
    [ -e "$WORKDIR/megatron/.git" ] && printf 'megatron_branch=%s\\n' "$(git -C "$WORKDIR/megatron" rev-parse --abbrev-ref HEAD 2>/dev/null)"
  else
    echo "megatron=0"
  fi
elif [ -n "$WORKDIR" ]; then
  echo "exists=0"
fi

sec ports
for f in /proc/net/tcp /proc/net/tcp6; do [ -r "$f" ] && awk 'NR>1 && $4=="0A" { split($2, a, ":"); print a[2] }' "$f"; done | sort -u | head -n 2000

sec tools
for t in pdsh git; do printf '%s=%s\\n' "$t" "$(command -v "$t" 2>/dev/null)"; done

wait

sec npu-smi
if [ -n "$NPU_SMI" ]; then
  printf 'path=%s\\nrc=%s\\n' "$NPU_SMI" "$(cat "$TMPD/npu.rc" 2>/dev/null)"
  head -c 65536 "$TMPD/npu" 2>/dev/null
else
  echo "rc=127"
fi

sec npu-procs
PIDS=$(awk -F'|' 'NF>=6 && $3 ~ /^ *[0-9]+ *$/ { gsub(/ /, "", $3); print $3 }' "$TMPD/npu" 2>/dev/null | sort -un | head -n 200 | tr '\\n' ',' | sed 's/,$//')
[ -n "$PIDS" ] && ps -o pid=,user=,etimes=,args= -p "$PIDS" 2>/dev/null | cut -c1-240

sec python
printf 'path=%s\\n' "$PY"
[ -n "$PY" ] && awk -v m=${LIVE_MARK} '$0 == m { exit } { print }' "$TMPD/py" | head -c 20000

sec torch-live
if [ -n "$PY" ]; then
  if grep -qx ${LIVE_MARK} "$TMPD/py"; then
    printf 'rc=%s\\n' "$(cat "$TMPD/py.rc" 2>/dev/null)"
    awk -v m=${LIVE_MARK} 'f { print } $0 == m { f = 1 }' "$TMPD/py" | tail -c 6000
  else
    echo "skipped=the Python report did not finish"
  fi
fi

sec end
`;
}
