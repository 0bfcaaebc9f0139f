// Turns one host's facts into findings: each a known trap, the value seen, what the release expects, and one fix.
import { shellQuote } from "../hosts/quote.js";
import {
  cannInstallCommand,
  compareCann,
  exampleDirForModel,
  MINDSPEED_MM_REPO,
  pipInstallTorchPair,
} from "../knowledge/releases.js";
import type { Finding, HostFacts } from "./facts.js";
import { type FindingContext, finding, pipInstallFor, prependSourceToBashrc } from "./finding.js";
import { pythonFindings } from "./findings-python.js";

const SHM_ERROR_MB = 1024;
const SHM_WARN_MB = 8 * 1024;
const DISK_ERROR_GB = 30;
const DISK_WARN_GB = 200;
/** HBM use above this share with no process listed means memory is held outside this PID namespace. */
const HBM_HELD_SHARE = 0.2;

export function evaluateHost(facts: HostFacts, ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  if (!facts.probe.ok) {
    out.push(
      finding(
        "probe-incomplete",
        facts.probe.timedOut ? "error" : "warning",
        "The environment probe did not complete",
        facts.probe.error ?? `missing sections: ${facts.probe.missingSections.join(", ")}`,
        "every probe section printed",
        null,
        "Facts from the missing sections are unknown; findings below cover only what was seen.",
      ),
    );
    if (!facts.machine.arch) return out;
  }
  out.push(...machineFindings(facts));
  out.push(...npuFindings(facts, ctx));
  out.push(...cannFindings(facts, ctx));
  out.push(...pythonFindings(facts, ctx));
  out.push(...liveFindings(facts, ctx));
  out.push(...workdirFindings(facts, ctx));
  out.push(...portFindings(facts));
  return out;
}

function machineFindings(f: HostFacts): Finding[] {
  const out: Finding[] = [];
  const { arch, shmTotalMb, diskFreeGb, diskPath } = f.machine;
  if (arch && arch !== "aarch64" && arch !== "x86_64") {
    out.push(
      finding("arch-unsupported", "error", "CPU architecture has no torch_npu wheels", arch, "aarch64 or x86_64", null),
    );
  }
  if (shmTotalMb !== null && shmTotalMb < SHM_WARN_MB) {
    out.push(
      finding(
        "shm-small",
        shmTotalMb < SHM_ERROR_MB ? "error" : "warning",
        shmTotalMb <= 64 ? "/dev/shm is Docker's 64 MB default" : "/dev/shm is small for data-loader workers",
        `/dev/shm ${shmTotalMb} MB`,
        `at least ${SHM_WARN_MB / 1024} GB`,
        "mount -o remount,size=64G /dev/shm",
        "DataLoader workers pass batches through /dev/shm and die with a bus error when it fills. In a container the lasting fix is `--shm-size=64g` on `docker run`.",
      ),
    );
  }
  if (diskFreeGb !== null && diskFreeGb < DISK_WARN_GB) {
    out.push(
      finding(
        "disk-low",
        diskFreeGb < DISK_ERROR_GB ? "error" : "warning",
        "Little free disk at the working directory",
        `${diskFreeGb} GB free at ${diskPath ?? "the working directory"}`,
        `at least ${DISK_WARN_GB} GB (converted weights plus about 60 GB per checkpoint and node)`,
        null,
      ),
    );
  }
  return out;
}

function npuFindings(f: HostFacts, ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  const n = f.npu;
  const arch = f.machine.arch ?? "aarch64";
  if (n.npuSmi === "missing") {
    const inContainer = f.machine.container !== null;
    if (inContainer || n.deviceFiles.length > 0) {
      const devices = (n.deviceFiles.length > 0 ? n.deviceFiles : ["davinci0"]).filter((d) => /^davinci\d+$/.test(d));
      out.push(
        finding(
          "npu-smi-missing",
          "error",
          "npu-smi is not available: the driver is not mounted into this container",
          `npu-smi not found; container=${f.machine.container ?? "unknown"}; device files: ${n.deviceFiles.join(" ") || "none"}`,
          "npu-smi on PATH and /usr/local/Ascend/driver mounted",
          [
            "docker run -it",
            ...devices.map((d) => `--device=/dev/${d}`),
            "--device=/dev/davinci_manager --device=/dev/devmm_svm --device=/dev/hisi_hdc",
            "-v /usr/local/dcmi:/usr/local/dcmi -v /usr/local/sbin/npu-smi:/usr/local/sbin/npu-smi",
            "-v /usr/local/Ascend/driver:/usr/local/Ascend/driver:ro -v /etc/ascend_install.info:/etc/ascend_install.info:ro",
            "--shm-size=64g <image>",
          ].join(" "),
          "Recreate the container with the Ascend driver, npu-smi and the device files passed through.",
        ),
      );
    } else {
      out.push(
        finding(
          "npu-smi-missing",
          "error",
          "npu-smi is not installed: the Ascend NPU driver is missing",
          "npu-smi not found and no /dev/davinci* device files",
          "Ascend HDK driver installed (npu-smi, /usr/local/Ascend/driver)",
          `bash ./Ascend-hdk-910b-npu-driver_*_linux-${arch}.run --full --install-for-all`,
          `Install the driver and firmware (HDK${ctx.release.cann.hdk ? ` ${ctx.release.cann.hdk}` : ""}) first, then reboot.`,
        ),
      );
    }
    return out;
  }
  if (n.npuSmi === "failed" || n.npuSmi === "timeout") {
    const err = n.error ?? "";
    const denied = /permission|not permitted|dcmi.*fail/i.test(err);
    out.push(
      finding(
        "npu-smi-failed",
        "error",
        n.npuSmi === "timeout" ? "npu-smi info hung" : "npu-smi info failed",
        (err.split("\n").find((l) => l.trim() !== "") ?? `npu-smi ${n.npuSmi}`).slice(0, 300),
        "npu-smi info lists the NPUs",
        denied ? "sudo usermod -aG HwHiAiUser $(id -un)" : null,
        denied
          ? "The device files belong to the HwHiAiUser group; log in again after adding the user."
          : "A hung or failing npu-smi usually means the driver is not loaded; check `dmesg | grep -i davinci`.",
      ),
    );
    return out;
  }
  if (n.chipCount === 0) return out;

  if (!["910B", "910_93"].includes(n.chipFamily)) {
    out.push(
      finding(
        "chip-not-supported",
        n.chipFamily === "910A" ? "warning" : "error",
        "MindSpeed-MM trains on Atlas A2/A3 only",
        `${n.chipName} (${n.product})`,
        "Atlas A2 (910B) or Atlas A3 (910_93)",
        null,
      ),
    );
  }
  if (n.bf16 === false) {
    const dir = ctx.model ? exampleDirForModel(ctx.model) : null;
    const target = dir ? `examples/${dir}/*.sh` : "examples/*/*.sh";
    out.push(
      finding(
        "bf16-unsupported",
        "error",
        "This chip has no bf16; the MindSpeed-MM scripts train with --bf16",
        `${n.chipName} (${n.chipFamily})`,
        "a chip with bf16 (910B, 910_93) or fp16 training",
        `cd ${shellQuote(ctx.settings.workdir ?? ".")} && sed -i 's/--bf16/--fp16/g' ${target}`,
        "fp16 needs loss scaling and can diverge where bf16 does not; prefer an A2/A3 host.",
      ),
    );
  }
  for (const chip of n.chips.filter((c) => c.health.toUpperCase() !== "OK")) {
    out.push(
      finding(
        "npu-unhealthy",
        "error",
        `NPU ${chip.npuId} chip ${chip.chipId} reports ${chip.health}`,
        `health=${chip.health} bus=${chip.busId}`,
        "OK",
        `npu-smi set -t reset -i ${chip.npuId} -c ${chip.chipId}`,
        `Read the alarm first: npu-smi info -t health -i ${chip.npuId} -c ${chip.chipId}.`,
      ),
    );
  }
  if (n.chipCount < ctx.settings.npusPerNode) {
    out.push(
      finding(
        "npu-count-low",
        "warning",
        "Fewer NPUs visible than the host is configured for",
        `${n.chipCount} NPU device(s) in npu-smi`,
        `npusPerNode ${ctx.settings.npusPerNode}`,
        null,
        "Either the container sees only some devices or npusPerNode in the inventory is too high.",
      ),
    );
  }
  if (n.processes.length > 0) {
    const pids = [...new Set(n.processes.map((p) => p.pid))];
    const hidden = n.processes.filter((p) => p.command === null).length;
    const byNpu = n.processes
      .slice(0, 12)
      .map((p) => `NPU ${p.npuId}/${p.chipId}: pid ${p.pid}${p.name ? ` ${p.name}` : ""} ${p.memoryMb} MB`)
      .join("; ");
    out.push(
      finding(
        "npu-busy",
        "error",
        `${pids.length} process(es) hold NPUs`,
        byNpu + (n.processes.length > 12 ? `; … ${n.processes.length - 12} more` : ""),
        "no process on the NPUs before training",
        `kill ${pids.join(" ")}`,
        hidden > 0
          ? "Some of these processes are not visible in this PID namespace (another container); run the kill on the host itself or stop that container."
          : "Stale workers of an earlier run keep HBM and make the next launch fail with out-of-memory or HCCL errors.",
      ),
    );
  }
  const busyNpus = new Set(n.processes.map((p) => p.npuId));
  const held = n.chips.filter(
    (c) =>
      !busyNpus.has(c.npuId) &&
      c.hbmTotalMb !== null &&
      c.hbmUsedMb !== null &&
      c.hbmUsedMb > c.hbmTotalMb * HBM_HELD_SHARE,
  );
  if (held.length > 0) {
    out.push(
      finding(
        "hbm-held",
        "warning",
        "HBM in use on NPUs that list no process",
        held.map((c) => `NPU ${c.npuId}/${c.chipId}: ${c.hbmUsedMb}/${c.hbmTotalMb} MB`).join("; "),
        `under ${HBM_HELD_SHARE * 100}% of HBM used when idle`,
        null,
        "Memory is held by a process in another container or by a context that did not exit.",
      ),
    );
  }
  return out;
}

function cannFindings(f: HostFacts, ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  const c = f.cann;
  const arch = f.machine.arch;
  const r = ctx.release;
  if (!c.setEnvPath && !c.effective) {
    out.push(
      finding(
        "cann-missing",
        "error",
        "CANN toolkit is not installed",
        `no set_env.sh under ${c.root}/cann or ${c.root}/ascend-toolkit`,
        `CANN ${r.cann.version} (${r.cann.layout}/ layout)`,
        cannInstallCommand(r, arch, c.root),
        "Install order: toolkit, then kernels (ops), then source set_env.sh, then NNAL.",
      ),
    );
    return out;
  }
  if (!c.effective && c.setEnvPath) {
    if (!c.sourceCann) {
      out.push(
        finding(
          "cann-not-sourced",
          "error",
          "CANN is installed but its environment is not set in the shell the tools use",
          `ASCEND_HOME_PATH is empty (sourceCann: false for this host)`,
          `ASCEND_HOME_PATH set by ${c.setEnvPath}`,
          prependSourceToBashrc(c.setEnvPath),
          `Non-interactive shells (ssh host cmd) stop at the interactivity guard of ~/.bashrc, so the line goes first. Alternatively set \`sourceCann: true\` for this host in ascend-train.yaml so every tool sources it. For the current shell: source ${c.setEnvPath}`,
        ),
      );
    } else {
      out.push(
        finding(
          "cann-set-env-broken",
          "error",
          "Sourcing CANN's set_env.sh does not set ASCEND_HOME_PATH",
          `${c.setEnvPath} sourced, ASCEND_HOME_PATH still empty`,
          "ASCEND_HOME_PATH set after sourcing",
          cannInstallCommand(r, arch, c.root),
          "The install is incomplete or the latest/ link is broken; reinstalling the toolkit repairs it.",
        ),
      );
    }
  }
  if (c.version) {
    const vsMin = compareCann(c.version, r.cann.minimum);
    const vsRec = compareCann(c.version, r.cann.version);
    if (vsMin !== null && vsMin < 0) {
      out.push(
        finding(
          "cann-too-old",
          "error",
          `CANN ${c.version} is older than MindSpeed-MM ${r.tag} supports`,
          c.version,
          `${r.cann.version} (at least ${r.cann.minimum})`,
          cannInstallCommand(r, arch, c.root),
        ),
      );
    } else if (vsRec !== null && vsRec !== 0 && sameLine(c.version, r.cann.version) === false) {
      out.push(
        finding(
          "cann-version",
          "warning",
          `CANN ${c.version} is not the version MindSpeed-MM ${r.tag} was validated with`,
          c.version,
          r.cann.version,
          cannInstallCommand(r, arch, c.root),
        ),
      );
    }
  }
  if (!c.nnal.present) {
    out.push(
      finding(
        "nnal-missing",
        "warning",
        "NNAL (ATB) is not installed",
        `${c.nnal.setEnvPath} absent`,
        "NNAL installed next to the toolkit (fused operators, libatb.so)",
        `source ${c.setEnvPath ?? `${c.root}/${r.cann.layout}/set_env.sh`} && bash ./Ascend-cann-nnal_${c.version ?? r.cann.version}_linux-${arch === "x86_64" ? "x86_64" : "aarch64"}.run --install --install-path=${c.root} --quiet`,
        "Install NNAL after sourcing the toolkit's set_env.sh, or libatb.so is not found later.",
      ),
    );
  } else if (!c.nnal.sourced && c.effective) {
    out.push(
      finding(
        "nnal-not-sourced",
        "warning",
        "NNAL is installed but ATB_HOME_PATH is not set in the tool shell",
        "ATB_HOME_PATH is empty",
        `ATB_HOME_PATH set by ${c.nnal.setEnvPath}`,
        c.sourceCann
          ? `source ${c.setEnvPath ?? `${c.root}/${r.cann.layout}/set_env.sh`} && bash ./Ascend-cann-nnal_${c.version ?? r.cann.version}_linux-${arch === "x86_64" ? "x86_64" : "aarch64"}.run --install --install-path=${c.root} --quiet`
          : prependSourceToBashrc(c.setEnvPath ?? `${c.root}/${r.cann.layout}/set_env.sh`, c.nnal.setEnvPath),
        c.sourceCann
          ? "The tools source it, yet it sets nothing: NNAL was installed before the toolkit env was sourced (reinstall it)."
          : "Non-interactive shells only run the top of ~/.bashrc, before its interactivity guard.",
      ),
    );
  }
  return out;
}

/** Same release line (8.3.RC1 vs 8.3.RC2 count as one line for the matrix). */
function sameLine(a: string, b: string): boolean {
  const [am, an] = a.split(".");
  const [bm, bn] = b.split(".");
  return am === bm && an === bn;
}

function liveFindings(f: HostFacts, ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  const l = f.live;
  if (!l.ran) return out;
  const pair = pipInstallTorchPair(ctx.release, f.machine.arch);
  if (!l.importOk || l.error) {
    if (l.errorKind === "module-missing") return out; // reported by the package findings
    if (l.errorKind === "timeout") {
      out.push(
        finding(
          "torch-npu-import-slow",
          "warning",
          "import torch_npu did not finish in time",
          "timed out",
          "import within the probe's limit",
          null,
        ),
      );
      return out;
    }
    const setEnv = f.cann.setEnvPath;
    const fix =
      l.errorKind === "cann-libs-missing"
        ? setEnv
          ? prependSourceToBashrc(setEnv)
          : cannInstallCommand(ctx.release, f.machine.arch, f.cann.root)
        : l.errorKind === "undefined-symbol"
          ? pipInstallFor(f, ctx)
          : pair;
    const why: Record<string, string> = {
      "cann-libs-missing": "torch_npu cannot find CANN's libraries: set_env.sh was not sourced in this shell.",
      "undefined-symbol": "torch_npu was built for another CANN than the one installed.",
      autoload:
        "torch ≥2.5 auto-loads torch_npu and the load failed; run with TORCH_DEVICE_BACKEND_AUTOLOAD=0 to see the cause.",
      other: "See the error text.",
    };
    out.push(
      finding(
        "torch-npu-import-failed",
        "error",
        "import torch_npu fails",
        l.error ?? "import failed",
        "import torch_npu succeeds",
        fix,
        why[l.errorKind ?? "other"],
      ),
    );
    return out;
  }
  if (l.available === false) {
    out.push(
      finding(
        "npu-not-available",
        "error",
        "torch.npu.is_available() is False",
        `is_available=False, device_count=${l.deviceCount ?? "?"}`,
        "True",
        f.npu.visibleDevices !== null ? "unset ASCEND_RT_VISIBLE_DEVICES" : "sudo usermod -aG HwHiAiUser $(id -un)",
        f.npu.visibleDevices !== null
          ? `ASCEND_RT_VISIBLE_DEVICES=${f.npu.visibleDevices} hides devices.`
          : "The user cannot open /dev/davinci*; they belong to the HwHiAiUser group.",
      ),
    );
  } else if (l.deviceCount !== null && f.npu.chipCount > 0 && l.deviceCount !== f.npu.chipCount) {
    const limited = f.npu.visibleDevices !== null;
    const expectedCount = limited ? f.npu.visibleDevices!.split(",").filter(Boolean).length : f.npu.chipCount;
    if (l.deviceCount !== expectedCount) {
      out.push(
        finding(
          "npu-count-mismatch",
          "error",
          "torch sees a different number of NPUs than npu-smi",
          `torch.npu.device_count()=${l.deviceCount}, npu-smi lists ${f.npu.chipCount}`,
          `${expectedCount}`,
          limited ? "unset ASCEND_RT_VISIBLE_DEVICES" : null,
        ),
      );
    }
  }
  if (l.torchCann && f.cann.version && !sameLine(l.torchCann, f.cann.version)) {
    out.push(
      finding(
        "torch-npu-cann-mismatch",
        "warning",
        "torch_npu was built against another CANN than the one installed",
        `torch.version.cann=${l.torchCann}, installed CANN ${f.cann.version}`,
        f.cann.version,
        pipInstallFor(f, ctx),
      ),
    );
  }
  return out;
}

function workdirFindings(f: HostFacts, ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  const w = f.mindspeedMm;
  const r = ctx.release;
  if (!w.workdir) {
    out.push(
      finding(
        "workdir-unset",
        "info",
        "No MindSpeed-MM working directory configured for this host",
        "workdir not set",
        "workdir: <path of the MindSpeed-MM checkout> in ascend-train.yaml",
        null,
      ),
    );
    return out;
  }
  const wd = shellQuote(w.workdir);
  if (!w.exists) {
    out.push(
      finding(
        "mindspeed-mm-missing",
        "error",
        "The MindSpeed-MM checkout does not exist",
        `${w.workdir} not found`,
        `MindSpeed-MM ${r.tag} checked out at ${w.workdir}`,
        `git clone --branch ${r.tag} ${MINDSPEED_MM_REPO} ${wd}`,
      ),
    );
    return out;
  }
  if (w.describe && !w.describe.startsWith(r.tag)) {
    out.push(
      finding(
        "mindspeed-mm-release",
        "warning",
        `The MindSpeed-MM checkout is not at ${r.tag}`,
        `git describe: ${w.describe}${w.branch ? ` (branch ${w.branch})` : ""}`,
        r.tag,
        `cd ${wd} && git fetch --tags origin && git checkout ${r.tag}`,
      ),
    );
  }
  const megatronFix = `git clone --depth 1 --branch ${r.megatron.branch} ${r.megatron.repo} /tmp/Megatron-LM && rm -rf ${wd}/megatron && cp -r /tmp/Megatron-LM/megatron ${wd}/`;
  if (!w.megatron.present) {
    out.push(
      finding(
        "megatron-missing",
        "error",
        "Megatron's megatron/ directory is not in the MindSpeed-MM checkout",
        `${w.workdir}/megatron absent`,
        `megatron/ from Megatron-LM ${r.megatron.branch}`,
        megatronFix,
      ),
    );
  } else if (w.megatron.version && w.megatron.version !== r.megatron.version) {
    out.push(
      finding(
        "megatron-version",
        "warning",
        "The megatron/ copy is from another Megatron-LM branch",
        `megatron core ${w.megatron.version}`,
        `${r.megatron.version} (${r.megatron.branch})`,
        megatronFix,
      ),
    );
  }
  return out;
}

function portFindings(f: HostFacts): Finding[] {
  const out: Finding[] = [];
  const p = f.ports;
  const busy = new Set(p.listening);
  if (p.masterPortFree === false) {
    let free = p.masterPort + 1;
    while (busy.has(free) && free < 65535) free++;
    out.push(
      finding(
        "master-port-in-use",
        "error",
        `MASTER_PORT ${p.masterPort} is already listening`,
        `port ${p.masterPort} in LISTEN state`,
        "a free MASTER_PORT",
        `export MASTER_PORT=${free}`,
        "An earlier torchrun may still be alive; torchrun fails with EADDRINUSE.",
      ),
    );
  }
  if (p.hcclPortsInUse.length > 0) {
    const width = p.hcclPortRange[1] - p.hcclPortRange[0] + 1;
    let base = p.hcclPortRange[0] + width;
    while (base + width < 65535 && [...Array(width).keys()].some((i) => busy.has(base + i))) base += width;
    out.push(
      finding(
        "hccl-ports-in-use",
        "error",
        "Ports in the HCCL range are taken",
        `listening: ${p.hcclPortsInUse.join(", ")}`,
        `${p.hcclPortRange[0]}-${p.hcclPortRange[1]} free`,
        `export HCCL_IF_BASE_PORT=${base}`,
        "HCCL binds one port per device from HCCL_IF_BASE_PORT; a taken port fails communicator init.",
      ),
    );
  }
  return out;
}
