// Turns one host's facts into findings: each a known trap, the value seen, what the release expects, and one fix.

import { shellQuote } from "../hosts/quote.js";
import {
  cannInstallCommand,
  cannListed,
  compareCann,
  MINDSPEED_MM_REPO,
  pipInstallTorchPair,
} from "../knowledge/releases.js";
import type { HoldingRun } from "../runs/holders.js";
import { argsHint, callHint } from "../text/hint.js";
import type { Finding, HostFacts } from "./facts.js";
import {
  type FindingContext,
  finding,
  fromHostSources,
  pipInstallFor,
  prependSourceToBashrc,
  runLabel,
  withEnvPip,
} from "./finding.js";
import { machineFindings, npuFindings } from "./findings-hardware.js";
import { pythonFindings } from "./findings-python.js";

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
  out.push(...portFindings(facts, ctx));
  return out.map((f) => (f.fix ? { ...f, fix: withEnvPip(fromHostSources(f.fix, ctx), ctx.settings) } : f));
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
    } else if (cannListed(r, c.version) === false) {
      out.push(
        finding(
          "cann-incompatible",
          "error",
          `CANN ${c.version} is not one MindSpeed-MM ${r.tag} is compatible with`,
          c.version,
          `one of ${r.cann.compatible!.join(", ")} (the release notes' compatibility table)`,
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
  if (!w.commit && !w.describe) {
    // The directory is there but is no git checkout of its own (a bare host before install_stack, or files copied in).
    out.push(
      finding(
        "mindspeed-mm-release",
        "warning",
        "The MindSpeed-MM working directory is not a git checkout",
        `${w.workdir} exists but holds no checkout of its own`,
        `MindSpeed-MM ${r.tag} checked out at ${w.workdir}`,
        `run install_stack on this host: it clones ${r.tag} there and installs the stack`,
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

/** The call that ends what a stopped run left running: its process group signalled again, SIGKILL at once. */
const stopAgain = (run: HoldingRun) => callHint("stop_run", { runId: run.runId, graceSeconds: 0 });

/** "60000-60007" for consecutive ports, else "60000, 60005". */
function portList(ports: number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const consecutive = sorted.every((x, i) => i === 0 || x === sorted[i - 1]! + 1);
  return sorted.length > 2 && consecutive ? `${sorted[0]}-${sorted.at(-1)}` : sorted.join(", ");
}

function portFindings(f: HostFacts, ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  const p = f.ports;
  const busy = new Set(p.listening);
  const ownRun = ctx.runs?.masterPort ?? null;
  if (p.masterPortFree === false) {
    let free = p.masterPort + 1;
    while (busy.has(free) && free < 65535) free++;
    // A launch needs its script: the call is whole only when the port came from a known script.
    const relaunch = p.masterPortScript
      ? `launch with master port ${free}: ${callHint("launch_train", { host: f.host, script: p.masterPortScript, masterPort: free })}, or MASTER_PORT=${free} in the launch script`
      : `launch with master port ${free} (launch_train with ${argsHint({ masterPort: free })}), or MASTER_PORT=${free} in the launch script`;
    out.push(
      ownRun?.state === "stopped"
        ? finding(
            "master-port-in-use",
            "error",
            `MASTER_PORT ${p.masterPort} is still held by ${runLabel(ownRun)}: its processes outlived the stop`,
            `port ${p.masterPort} in LISTEN state`,
            "a free MASTER_PORT",
            `${stopAgain(ownRun)}, or ${relaunch}`,
            "The run is stopped in this host's run ledger, but processes of its group (its torchrun) kept running.",
          )
        : ownRun
          ? // The rendezvous of this host's own run: busy while it trains, free again when it ends.
            finding(
              "master-port-in-use-by-run",
              "info",
              `MASTER_PORT ${p.masterPort} is the master port of ${runLabel(ownRun)}`,
              `port ${p.masterPort} in LISTEN state`,
              "a free MASTER_PORT for another run at the same time",
              `for a second run beside it, ${relaunch}`,
            )
          : finding(
              "master-port-in-use",
              "error",
              `MASTER_PORT ${p.masterPort} is already listening`,
              `port ${p.masterPort} in LISTEN state`,
              "a free MASTER_PORT",
              relaunch,
              "An earlier torchrun may still be alive; torchrun fails with EADDRINUSE. The port the run uses is the launch script's or launch_train's, not the shell's.",
            ),
    );
  }
  if (p.hcclPortsInUse.length > 0) {
    const width = p.hcclPortRange[1] - p.hcclPortRange[0] + 1;
    let base = p.hcclPortRange[0] + width;
    while (base + width < 65535 && [...Array(width).keys()].some((i) => busy.has(base + i))) base += width;
    // The ranks of this host's own run listen there while it trains: named, not a conflict to clear.
    const owned = new Map<string, { run: HoldingRun; ports: number[] }>();
    const foreign: number[] = [];
    for (const port of p.hcclPortsInUse) {
      const run = ctx.runs?.hcclPorts?.get(port);
      if (!run) {
        foreign.push(port);
        continue;
      }
      const e = owned.get(run.runId) ?? { run, ports: [] };
      e.ports.push(port);
      owned.set(run.runId, e);
    }
    for (const { run, ports } of owned.values()) {
      const list = `HCCL ${ports.length > 1 ? "ports" : "port"} ${portList(ports)} ${ports.length > 1 ? "are" : "is"}`;
      if (run.state === "stopped") {
        out.push(
          finding(
            "hccl-ports-in-use",
            "error",
            `${list} still held by ${runLabel(run)}: its processes outlived the stop`,
            `listening: ${ports.join(", ")}`,
            `${p.hcclPortRange[0]}-${p.hcclPortRange[1]} free`,
            `${stopAgain(run)}, or export HCCL_IF_BASE_PORT=${base}`,
            "The run is stopped in this host's run ledger, but ranks of its group kept running and keep HCCL's ports.",
          ),
        );
        continue;
      }
      out.push(
        finding(
          "hccl-ports-in-use-by-run",
          "info",
          `${list} in use by ${runLabel(run)}`,
          `listening: ${ports.join(", ")}`,
          `${p.hcclPortRange[0]}-${p.hcclPortRange[1]} free for another run at the same time`,
          `for a second run beside it, launch with HCCL_IF_BASE_PORT=${base}: ${callHint("launch_train", { env: { HCCL_IF_BASE_PORT: String(base) } })}`,
          "The run is in this host's run ledger; its ranks listen on HCCL's host ports from its HCCL_IF_BASE_PORT while it trains.",
        ),
      );
    }
    if (foreign.length > 0)
      out.push(
        finding(
          "hccl-ports-in-use",
          "error",
          "Ports in the HCCL range are taken",
          `listening: ${foreign.join(", ")}`,
          `${p.hcclPortRange[0]}-${p.hcclPortRange[1]} free`,
          `export HCCL_IF_BASE_PORT=${base}`,
          "HCCL binds one port per device from HCCL_IF_BASE_PORT; a taken port fails communicator init.",
        ),
      );
  }
  return out;
}
