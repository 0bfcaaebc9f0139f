// Diagnosis on CUDA hosts and TRL runs. Out-of-memory fixes for a TRL run (a Python training script on a CUDA host):
// the knobs are the trainer config's per_device_train_batch_size and gradient_accumulation_steps, gradient
// checkpointing, 4-bit QLoRA and torch's CUDA allocator, not Megatron's micro batch, recomputation or TP/PP; the batch
// edit is a concrete action on the script. And on a CUDA host the CUDA path is the right one: cuda_path_on_npu
// (code that took CUDA on an NPU host) is not a finding there; on an Ascend host it is, even when the log alone reads
// as a GPU log.
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { lineDiff } from "./edit.js";
import { GPU_LOG_READING, onGpu } from "./gpu-reading.js";
import type { FixStep, Verdict } from "./types.js";
import { retitleForStack, summarizeFindings } from "./verdict.js";

/**
 * On an Ascend host a log with only CUDA words is still that host's run: the GPU reading made from the log's own stack
 * (GPU_LOG_READING) gives way to the CUDA-path finding below it, and the note says why.
 */
function forAscendHost(verdict: Verdict, host: string): Verdict {
  const read = verdict.findings.filter((f) => f.facts.readAs === GPU_LOG_READING);
  if (read.length === 0) return verdict;
  const kept = verdict.findings.filter((f) => f.facts.readAs !== GPU_LOG_READING);
  return withFindings(
    verdict,
    kept,
    `${host} is an Ascend host: torch's CUDA message there means code took the CUDA path, not that a GPU is missing.`,
  );
}

/** The verdict with these findings (its summary redone) and one more note. */
function withFindings(verdict: Verdict, findings: Verdict["findings"], note: string): Verdict {
  return { ...verdict, findings, summary: summarizeFindings(findings, verdict.stats), notes: [...verdict.notes, note] };
}

/**
 * Drops or re-reads the findings that only make sense on an NPU host when the host is a CUDA host, and says so; on an
 * Ascend host, undoes the GPU reading a log alone suggested.
 */
export function forHostAccelerator(verdict: Verdict, settings: HostSettings | undefined, host: string): Verdict {
  if (settings?.accelerator === "ascend") return forAscendHost(verdict, host);
  if (settings?.accelerator !== "cuda") return verdict;
  // The device that ran out of memory on a CUDA host is a GPU, whatever the category id says.
  const retitled = verdict.findings.filter((f) => retitleForStack(f, "CUDA")).length > 0;
  if (!verdict.findings.some((f) => f.category === "cuda_path_on_npu"))
    return retitled ? { ...verdict, summary: summarizeFindings(verdict.findings, verdict.stats) } : verdict;
  const kept = verdict.findings.flatMap((f) => {
    if (f.category !== "cuda_path_on_npu") return [f];
    const other = onGpu(f);
    return other && !verdict.findings.some((x) => x !== f && x.category === other.category) ? [other] : [];
  });
  return withFindings(
    verdict,
    kept,
    `${host} is a CUDA host: torch taking its CUDA path there is expected, so cuda_path_on_npu is not reported${
      kept.some((f) => f.rule === "gpu-not-visible" || f.rule === "nvidia-driver-missing")
        ? "; its message is read as the GPU or its driver missing"
        : ""
    }.`,
  );
}

/** The cause of an out-of-memory failure in a TRL run, in the trainer's terms. */
export const TRL_OOM_CAUSE =
  "The model, its gradients and optimizer state and the activations of one per-device batch need more GPU memory " +
  "than the card has: the per-device batch or sequence length is too large, activations are kept instead of " +
  "recomputed, or the base model is loaded in 16 bits where 4-bit QLoRA would fit.";

/** The npu_oom rule's fixes that speak of Megatron launch scripts and the NPU allocator. */
export const MEGATRON_OOM_FIXES = new Set(["halve-micro-batch", "recompute", "alloc-conf", "shard-more"]);

/** A failed run is a TRL run when its script is Python (build_configs --trainer trl) or its host is a CUDA host. */
export const isTrlContext = (scriptPath: string | undefined, settings: HostSettings | undefined) =>
  Boolean(scriptPath?.endsWith(".py")) || settings?.accelerator === "cuda";

const BATCH = /^(\s*per_device_train_batch_size=)(\d+),/m;
const ACCUM = /^(\s*gradient_accumulation_steps=)(\d+),/m;

export async function trlOomSteps(
  executor: HostExecutor | undefined,
  scriptPath: string | undefined,
  facts: Record<string, string>,
): Promise<FixStep[]> {
  let text: string | null = null;
  if (executor && scriptPath?.endsWith(".py")) {
    try {
      text = (await executor.readFile(scriptPath, { maxBytes: 1024 * 1024 })).content;
    } catch {
      text = null;
    }
  }
  const where = scriptPath ?? "the training script";
  const steps: FixStep[] = [];
  const batch = text ? Number(BATCH.exec(text)?.[2]) : Number.NaN;
  const accum = text ? Number(ACCUM.exec(text)?.[2]) : Number.NaN;
  if (text && scriptPath && batch > 1 && accum >= 1) {
    const half = Math.floor(batch / 2);
    const after = text
      .replace(BATCH, (_, h: string) => `${h}${half},`)
      .replace(ACCUM, (_, h: string) => `${h}${accum * 2},`);
    facts.per_device_train_batch_size = String(batch);
    steps.push({
      id: "halve-per-device-batch",
      summary:
        `Halve per_device_train_batch_size (${batch} → ${half}) and double gradient_accumulation_steps ` +
        `(${accum} → ${accum * 2}) in ${scriptPath}: the effective batch per GPU stays ${batch * accum}.`,
      action: {
        kind: "edit",
        path: scriptPath,
        before: text,
        after,
        diff: lineDiff(scriptPath, text, after),
        description: `per_device_train_batch_size → ${half}, gradient_accumulation_steps → ${accum * 2}`,
      },
    });
  } else if (!(batch === 1)) {
    steps.push({
      id: "halve-per-device-batch",
      summary:
        "Halve per_device_train_batch_size and double gradient_accumulation_steps in the trainer config: the effective batch stays the same.",
      edits: [`${where}: per_device_train_batch_size=<half>, gradient_accumulation_steps=<double>`],
    });
  }
  if (!text || !/gradient_checkpointing=True/.test(text))
    steps.push({
      id: "gradient-checkpointing",
      summary: "Turn on gradient checkpointing: activations are recomputed in the backward pass instead of kept.",
      edits: [`${where}: gradient_checkpointing=True in the trainer config`],
    });
  if (!text || !/load_in_4bit=True/.test(text))
    steps.push({
      id: "qlora",
      summary:
        "Load the base model in 4 bits and train LoRA adapters on it (QLoRA, bitsandbytes): build_configs with peft qlora.",
      edits: ["build_configs: trainer trl, peft qlora (writes a BitsAndBytesConfig with load_in_4bit=True)"],
    });
  steps.push({
    id: "cuda-alloc-conf",
    summary: "Reduce fragmentation in torch's CUDA caching allocator (the setting torch's own message suggests).",
    env: { PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True" },
  });
  return steps;
}
