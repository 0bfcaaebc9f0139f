// Findings about the machine and its NPUs: shm, disk, driver/npu-smi, chip support, bf16, health, busy devices.
import { shellQuote } from "../hosts/quote.js";
import { exampleDirForModel } from "../knowledge/releases.js";
import type { HoldingRun } from "../runs/holders.js";
import { callHint } from "../text/hint.js";
import type { Finding, HostFacts } from "./facts.js";
import { type FindingContext, finding, runLabel } from "./finding.js";

const SHM_ERROR_MB = 1024;
const SHM_WARN_MB = 8 * 1024;
const DISK_ERROR_GB = 30;
const DISK_WARN_GB = 200;
/** HBM use above this share with no process listed means memory is held outside this PID namespace. */
const HBM_HELD_SHARE = 0.2;

export function machineFindings(f: HostFacts): Finding[] {
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

/** "0-7" for consecutive NPU ids, else "0,2,5". */
function npuRange(ids: number[]): string {
  const s = [...ids].sort((a, b) => a - b);
  return s.length > 1 && s[s.length - 1]! - s[0]! === s.length - 1 ? `${s[0]}-${s[s.length - 1]}` : s.join(",");
}

/** The processes on the NPUs, one entry each (the first 12). */
function listHolders(procs: HostFacts["npu"]["processes"]): string {
  const shown = procs
    .slice(0, 12)
    .map((p) => `NPU ${p.npuId}/${p.chipId}: pid ${p.pid}${p.name ? ` ${p.name}` : ""} ${p.memoryMb} MB`)
    .join("; ");
  return shown + (procs.length > 12 ? `; … ${procs.length - 12} more` : "");
}

/** One entry per process: "pid 123 python on NPU 0-7 (134968 MB in all)". */
function byProcess(procs: HostFacts["npu"]["processes"]): string {
  return [...new Set(procs.map((p) => p.pid))]
    .map((pid) => {
      const mine = procs.filter((p) => p.pid === pid);
      const mb = mine.reduce((sum, p) => sum + p.memoryMb, 0);
      const ids = [...new Set(mine.map((p) => p.npuId))];
      return `pid ${pid}${mine[0]!.name ? ` ${mine[0]!.name}` : ""} on NPU ${npuRange(ids)} (${mb} MB in all)`;
    })
    .join("; ");
}

export function npuFindings(f: HostFacts, ctx: FindingContext): Finding[] {
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
  // Processes of this host's own runs are that run, busy training: not strangers to kill.
  const runOf = (pid: number) => ctx.runs?.byPid.get(pid);
  const ownRuns = new Map<string, { run: HoldingRun; procs: typeof n.processes }>();
  for (const p of n.processes) {
    const run = runOf(p.pid);
    if (!run) continue;
    const e = ownRuns.get(run.runId) ?? { run, procs: [] };
    e.procs.push(p);
    ownRuns.set(run.runId, e);
  }
  for (const { run, procs } of ownRuns.values()) {
    const ids = [...new Set(procs.map((p) => p.npuId))];
    const npus = `${ids.length > 1 ? "NPUs" : "NPU"} ${npuRange(ids)} ${ids.length > 1 ? "are" : "is"}`;
    if (run.state === "stopped") {
      // Stopped, but workers of its process group outlived the stop (torchrun gone, a python rank still there).
      out.push(
        finding(
          "npu-held-by-stopped-run",
          "error",
          `${npus} still held by workers of ${runLabel(run)}: they outlived the stop`,
          byProcess(procs),
          "no process on the NPUs before training",
          `${callHint("stop_run", { runId: run.runId, graceSeconds: 0 })}: it signals that run's process group again, SIGKILL at once`,
          "The run is stopped in this host's run ledger, but processes of its group kept running and keep the NPUs and their HBM; the next launch would fail to allocate them. stop_run signals only processes of that run.",
        ),
      );
      continue;
    }
    out.push(
      finding(
        "npu-in-use-by-run",
        "warning",
        `${npus} in use by ${runLabel(run)}`,
        byProcess(procs),
        "the NPUs free before another run starts here",
        `wait for it, or ${callHint("stop_run", { runId: run.runId })}`,
        "The run is in this host's run ledger (launch_train or resume_run started it); a second run on the same NPUs would fail to allocate them.",
      ),
    );
  }
  const strangers = n.processes.filter((p) => !runOf(p.pid));
  if (strangers.length > 0) {
    const pids = [...new Set(strangers.map((p) => p.pid))];
    const hidden = strangers.filter((p) => p.command === null).length;
    out.push(
      finding(
        "npu-busy",
        "error",
        `${pids.length} process(es) hold NPUs`,
        listHolders(strangers),
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
