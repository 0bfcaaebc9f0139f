// check_env on a CUDA host (`accelerator: cuda` in the inventory): one bounded probe script (nvidia-smi's table and
// CSV query, a live torch check of CUDA, device count, bf16 and NCCL, the TRL stack's versions, free disk) and the
// findings it leads to, each with one fix, as the Ascend path gives them.
import { z } from "zod";
import { hostPrelude } from "../hosts/environment.js";
import type { HostSettings } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";
import { NEWEST_TRL, type TrlRelease } from "../knowledge/trl.js";
import type { Finding } from "./facts.js";
import { NVIDIA_QUERY_FIELDS, parseNvidiaSmiCsv, parseNvidiaSmiTable } from "./nvidia-smi.js";

export const CudaFactsSchema = z.object({
  driver: z.string().nullable(),
  cudaVersion: z.string().nullable().describe("highest CUDA the driver supports (nvidia-smi banner)"),
  gpus: z.array(
    z.object({ index: z.number(), name: z.string(), memoryTotalMiB: z.number(), memoryUsedMiB: z.number() }),
  ),
  torch: z
    .object({
      version: z.string(),
      cuda: z.string().nullable().describe("CUDA torch was built with (torch.version.cuda)"),
      cudaAvailable: z.boolean(),
      deviceCount: z.number(),
      bf16: z.boolean(),
      nccl: z.string().nullable(),
    })
    .nullable(),
  packages: z.record(z.string(), z.string()).describe("TRL stack versions found (trl, transformers, peft, …)"),
  diskFreeGiB: z.number().nullable(),
  diskPath: z.string().nullable(),
});
export type CudaFacts = z.output<typeof CudaFactsSchema>;

const STACK = ["trl", "transformers", "peft", "accelerate", "datasets", "bitsandbytes"] as const;
const MIN_FREE_DISK_GIB = 50;
/** A GPU with this much memory already in use is taken to be busy with another job. */
const BUSY_MIB = 2048;

const TORCH_CHECK = [
  "import json",
  "try:",
  "    import torch",
  "except Exception as e:",
  '    print(json.dumps({"error": repr(e)})); raise SystemExit(0)',
  "ok = torch.cuda.is_available()",
  "nccl = None",
  "try:",
  '    nccl = ".".join(str(x) for x in torch.cuda.nccl.version())',
  "except Exception:",
  "    pass",
  'print(json.dumps({"version": torch.__version__, "cuda": torch.version.cuda, "cudaAvailable": ok,',
  '    "deviceCount": torch.cuda.device_count() if ok else 0,',
  '    "bf16": bool(ok and torch.cuda.is_bf16_supported()), "nccl": nccl}))',
].join("\n");

const PACKAGES_CHECK = [
  "import json",
  "from importlib import metadata",
  "out = {}",
  `for name in ${JSON.stringify(STACK)}:`,
  "    try:",
  "        out[name] = metadata.version(name)",
  "    except Exception:",
  "        pass",
  "print(json.dumps(out))",
].join("\n");

export function buildCudaProbeScript(settings: HostSettings, opts: { smiTimeoutSec: number; torchTimeoutSec: number }) {
  const where = settings.workdir ?? "$HOME";
  const dir = settings.workdir ? shellQuote(where) : '"$HOME"';
  return [
    hostPrelude(settings, { sourceCann: false, activatePython: true }),
    "echo '@@smi-table'",
    `timeout ${opts.smiTimeoutSec} nvidia-smi 2>&1 || echo "nvidia-smi exit $?"`,
    "echo '@@smi-csv'",
    `timeout ${opts.smiTimeoutSec} nvidia-smi --query-gpu=${NVIDIA_QUERY_FIELDS.join(",")} --format=csv,noheader,nounits 2>&1`,
    "echo '@@torch'",
    `timeout ${opts.torchTimeoutSec} python -c ${shellQuote(TORCH_CHECK)} 2>&1 | tail -n 1`,
    "echo '@@packages'",
    `timeout 30 python -c ${shellQuote(PACKAGES_CHECK)} 2>&1 | tail -n 1`,
    "echo '@@disk'",
    `D=${dir}; while [ -n "$D" ] && [ ! -d "$D" ]; do D=$(dirname "$D"); done; echo "path=$D"; df -Pk "$D" 2>/dev/null | tail -n 1`,
    "",
  ].join("\n");
}

function sections(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let name: string | null = null;
  for (const line of text.split("\n")) {
    const m = /^@@([a-z-]+)$/.exec(line);
    if (m) {
      name = m[1]!;
      out[name] = "";
    } else if (name) out[name] += `${line}\n`;
  }
  return out;
}

function readJson(text: string | undefined): Record<string, unknown> | null {
  const line = (text ?? "").trim().split("\n").pop() ?? "";
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function parseCudaProbe(stdout: string): CudaFacts {
  const s = sections(stdout);
  const table = parseNvidiaSmiTable(s["smi-table"] ?? "");
  const csv = parseNvidiaSmiCsv(s["smi-csv"] ?? "");
  const t = readJson(s.torch);
  const torch =
    t && typeof t.version === "string"
      ? {
          version: t.version,
          cuda: typeof t.cuda === "string" ? t.cuda : null,
          cudaAvailable: t.cudaAvailable === true,
          deviceCount: typeof t.deviceCount === "number" ? t.deviceCount : 0,
          bf16: t.bf16 === true,
          nccl: typeof t.nccl === "string" ? t.nccl : null,
        }
      : null;
  const pk = readJson(s.packages) ?? {};
  const packages = Object.fromEntries(
    Object.entries(pk).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const disk = s.disk ?? "";
  const dfLine = disk.trim().split("\n").pop() ?? "";
  const avail = dfLine.split(/\s+/)[3];
  return {
    driver: table.driver ?? csv.driver,
    cudaVersion: table.cudaVersion,
    // The CSV query is the stable form; the table is read when the query failed.
    gpus: csv.gpus.length > 0 ? csv.gpus : table.gpus,
    torch,
    packages,
    diskFreeGiB: avail && /^\d+$/.test(avail) ? Math.round((Number(avail) / 1024 / 1024) * 10) / 10 : null,
    diskPath: /^path=(.*)$/m.exec(disk)?.[1] ?? null,
  };
}

const finding = (f: Omit<Finding, "expected" | "fix"> & Partial<Pick<Finding, "expected" | "fix">>): Finding => ({
  expected: null,
  fix: null,
  ...f,
});

/** What stands between this host and a TRL run, errors first. */
export function evaluateCudaHost(facts: CudaFacts, release: TrlRelease = NEWEST_TRL): Finding[] {
  const out: Finding[] = [];
  if (!facts.driver) {
    out.push(
      finding({
        id: "nvidia-smi-missing",
        severity: "error",
        title: "nvidia-smi does not answer: no NVIDIA driver in the tools' shell",
        evidence: "no driver version from nvidia-smi",
        expected: "nvidia-smi prints the driver and CUDA version",
        fix: "install the NVIDIA driver (e.g. sudo apt-get install nvidia-driver-570-server) and reboot",
      }),
    );
  } else if (facts.gpus.length === 0) {
    out.push(
      finding({
        id: "gpus-missing",
        severity: "error",
        title: "nvidia-smi lists no GPU",
        evidence: `driver ${facts.driver}, 0 GPUs`,
        expected: "at least one GPU",
        fix: "nvidia-smi -L",
      }),
    );
  }
  for (const g of facts.gpus) {
    if (g.memoryUsedMiB >= BUSY_MIB) {
      out.push(
        finding({
          id: "gpu-busy",
          severity: "warning",
          title: `GPU ${g.index} already has ${g.memoryUsedMiB} MiB in use`,
          evidence: `${g.memoryUsedMiB} / ${g.memoryTotalMiB} MiB on GPU ${g.index} (${g.name})`,
          expected: `under ${BUSY_MIB} MiB in use before a run`,
          fix: "nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv",
        }),
      );
    }
  }
  if (!facts.torch) {
    out.push(
      finding({
        id: "torch-missing",
        severity: "error",
        title: "torch is not importable in the host's Python environment",
        evidence: "import torch failed",
        expected: "torch built with CUDA",
        fix: "pip install torch",
      }),
    );
  } else {
    if (!facts.torch.cudaAvailable) {
      out.push(
        finding({
          id: "torch-no-cuda",
          severity: "error",
          title: "torch does not see CUDA",
          evidence: `torch ${facts.torch.version}, torch.version.cuda ${facts.torch.cuda ?? "None"}, torch.cuda.is_available() False`,
          expected: "a CUDA build of torch whose CUDA the driver supports",
          fix: `pip install torch --index-url https://download.pytorch.org/whl/cu${(facts.cudaVersion ?? "12.8").replace(".", "").slice(0, 3)}`,
        }),
      );
    } else if (facts.torch.deviceCount !== facts.gpus.length && facts.gpus.length > 0) {
      out.push(
        finding({
          id: "torch-device-count",
          severity: "warning",
          title: "torch sees a different number of GPUs than nvidia-smi",
          evidence: `torch ${facts.torch.deviceCount}, nvidia-smi ${facts.gpus.length}`,
          expected: "the same count (check CUDA_VISIBLE_DEVICES)",
          fix: "unset CUDA_VISIBLE_DEVICES",
        }),
      );
    }
    if (facts.torch.cudaAvailable && !facts.torch.bf16) {
      out.push(
        finding({
          id: "bf16-unsupported",
          severity: "warning",
          title: "The GPUs do not support bf16: train in fp16 or fp32",
          evidence: "torch.cuda.is_bf16_supported() False",
          expected: "bf16 (Ampere or newer)",
          fix: "build the script without bf16 (build_configs with trainer trl and bf16: false)",
        }),
      );
    }
    if (facts.torch.cudaAvailable && facts.torch.deviceCount > 1 && !facts.torch.nccl) {
      out.push(
        finding({
          id: "nccl-missing",
          severity: "warning",
          title: "torch reports no NCCL: multi-GPU runs cannot communicate",
          evidence: "torch.cuda.nccl.version() failed",
          expected: "an NCCL version",
          fix: "pip install nvidia-nccl-cu12",
        }),
      );
    }
  }
  const missing = ["trl", "transformers", "peft", "accelerate", "datasets"].filter((p) => !facts.packages[p]);
  if (missing.length > 0) {
    const r = release.requires;
    out.push(
      finding({
        id: "trl-stack-missing",
        severity: "warning",
        title: `Not installed: ${missing.join(", ")} (the script's PEP 723 header also lets uv install them per run)`,
        evidence: Object.entries(facts.packages)
          .map(([k, v]) => `${k} ${v}`)
          .join(", "),
        expected: `trl ${release.trl} with its requirements`,
        fix: `pip install 'trl==${release.trl}' 'transformers>=${r.transformers}' 'peft>=${r.peft}' 'accelerate>=${r.accelerate}' 'datasets>=${r.datasets}'`,
      }),
    );
  } else if (facts.packages.trl !== release.trl) {
    out.push(
      finding({
        id: "trl-version",
        severity: "info",
        title: `trl ${facts.packages.trl} is installed; the scripts pin ${release.trl}`,
        evidence: `trl ${facts.packages.trl}`,
        expected: `trl ${release.trl}`,
        fix: `pip install 'trl==${release.trl}'`,
      }),
    );
  }
  if (facts.diskFreeGiB !== null && facts.diskFreeGiB < MIN_FREE_DISK_GIB) {
    out.push(
      finding({
        id: "disk-low",
        severity: "warning",
        title: `Only ${facts.diskFreeGiB} GiB free where runs write`,
        evidence: `${facts.diskFreeGiB} GiB free on ${facts.diskPath ?? "the workdir"}`,
        expected: `at least ${MIN_FREE_DISK_GIB} GiB for weights and checkpoints`,
        fix: `df -h ${facts.diskPath ?? "."}`,
      }),
    );
  }
  return out;
}
