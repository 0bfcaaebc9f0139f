// estimate_memory: will a fine-tune fit? Peak device memory per rank for a model, recipe and parallel layout on a
// chip, broken down, with the layouts that fit; and, given a running log, the time per iteration, ETA and NPU-hours.
// Reads the knowledge base, and a log on a host only when one is named.
import { z } from "zod";
import { parseNpuSmiInfo } from "../env/npu-smi.js";
import {
  ESTIMATE_BOUNDS as B,
  estimateChosenLayout,
  hbmFromChips,
  LORA_VARIANT,
  layoutLine,
  stateOnlyOverflow,
  unknownChip,
} from "../estimate/index.js";
import { type TimeEstimate, timeFromLog } from "../estimate/time.js";
import type { HostExecutor } from "../hosts/executor.js";
import { UnknownHostError } from "../hosts/registry.js";
import { tailLines } from "../logs/index.js";
import { noSuchRunOrLog } from "../runs/ledger.js";
import { runServicesOf } from "../runs/services.js";
import { RunIdSchema } from "../runs/types.js";
import { argsHint, callHint } from "../text/hint.js";
import { atMost, upTo } from "./bounds.js";
import { defineTool, type ToolDeps, ToolError } from "./tool.js";

const layerSplit = z
  .array(z.number().int().min(0).max(B.layersPerStage, atMost(B.layersPerStage, "layers per stage")))
  .max(B.pp);

const Breakdown = z.object({
  weightsGiB: z.number(),
  gradientsGiB: z.number(),
  optimizerGiB: z.number(),
  llmActivationsGiB: z.number(),
  vitActivationsGiB: z.number(),
  logitsGiB: z.number(),
  allowanceGiB: z.number(),
});

/** Parallel sizes and batching, as in every layout this tool reports. */
const ParallelSizesOut = {
  tp: z.number(),
  pp: z.number(),
  cp: z.number(),
  ep: z.number(),
  dp: z.number(),
  microBatchSize: z.number(),
  microBatches: z.number(),
};

const Candidate = z.object({
  ...ParallelSizesOut,
  llmLayerSplit: z.array(z.number()),
  vitLayerSplit: z.array(z.number()).nullable(),
  peakGiBPerRank: z.number(),
  marginGiB: z.number(),
  fits: z.boolean(),
  throughputScore: z.number(),
  why: z.string(),
});

const Time = z.object({
  iterationsSeen: z.number(),
  currentIteration: z.number(),
  totalIterations: z.number(),
  secondsPerIteration: z.number(),
  tokensPerSecond: z.number().nullable(),
  remainingIterations: z.number(),
  etaSeconds: z.number(),
  npuHoursTotal: z.number(),
  npuHoursRemaining: z.number(),
  measuredMaxAllocatedMiB: z.number().nullable(),
});

const LOG_LINES = 400;

async function readLog(args: { host: string; logFile?: string; runId?: string }, deps: ToolDeps): Promise<string[]> {
  let host = args.host;
  let logFile = args.logFile;
  if (args.runId !== undefined) {
    const run = await runServicesOf(deps).locateLog(args.runId, { hosts: deps.hosts });
    if (!run) throw new ToolError(noSuchRunOrLog(args.runId));
    ({ host, logFile } = run);
  }
  let executor: HostExecutor;
  try {
    ({ executor } = await deps.hosts.get(host));
  } catch (error) {
    if (error instanceof UnknownHostError) throw new ToolError(error.message);
    throw new ToolError(`Cannot reach host ${host}: ${(error as Error).message}`);
  }
  const window = await tailLines(executor, logFile!, LOG_LINES);
  return window.lines;
}

/** HBM per NPU as the host's npu-smi prints it. */
async function hostHbmGiB(host: string, deps: ToolDeps): Promise<number> {
  let executor: HostExecutor;
  try {
    ({ executor } = await deps.hosts.get(host));
  } catch (error) {
    if (error instanceof UnknownHostError) throw new ToolError(error.message);
    throw new ToolError(`Cannot reach host ${host}: ${(error as Error).message}`);
  }
  const r = await executor.run(["npu-smi", "info"], { timeoutMs: 30_000, maxOutputBytes: 256 * 1024 });
  const hbm = r.exitCode === 0 ? hbmFromChips(parseNpuSmiInfo(r.stdout).chips) : undefined;
  if (hbm === undefined) throw new ToolError(`npu-smi info on ${host} printed no HBM size; pass chip or hbmGib.`);
  return hbm;
}

type Layout = Pick<z.infer<typeof Candidate>, "tp" | "pp" | "microBatchSize" | "llmLayerSplit" | "vitLayerSplit">;

/** The host the default stands for: a next call leaves it out, as the caller did. */
const DEFAULT_HOST = "local";

/**
 * The arguments build_configs and convert_weights take for a layout this tool reports: the host asked about, the same
 * model, release and recipe, the parallel sizes and splits, and the nodes its NPU count needs (TP stays inside a node).
 */
function layoutArgs(
  r: { host: string; model: string; release: string; variant: string; layout: { npusPerNode: number } },
  pick: Layout,
  npus: number,
): Record<string, unknown> {
  const npusPerNode = Math.min(npus, r.layout.npusPerNode);
  return {
    ...(r.host !== DEFAULT_HOST ? { host: r.host } : {}),
    model: r.model,
    release: r.release,
    ...(r.variant ? { variant: r.variant } : {}),
    nodes: Math.ceil(npus / npusPerNode),
    npusPerNode,
    tp: pick.tp,
    pp: pick.pp,
    ...(pick.pp > 1 ? { llmLayerSplit: pick.llmLayerSplit } : {}),
    ...(pick.pp > 1 && pick.vitLayerSplit ? { vitLayerSplit: pick.vitLayerSplit } : {}),
    microBatchSize: pick.microBatchSize,
  };
}

const duration = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
};

export default defineTool({
  name: "estimate_memory",
  title: "Estimate memory and time",
  description:
    "Will a fine-tune fit? For a model (id or name), release, recipe variant (lora), NPU count, TP/PP/CP/EP, micro batch, " +
    "sequence length and chip (910B3 64 GB by default, 910B4 32 GB, 910_93): the peak device memory per rank broken into " +
    "weights, gradients, optimizer state, LLM and ViT activations, logits and a stated allowance for the runtime and HCCL, " +
    "the verdict with its margin, and the layouts that fit on those NPUs, best expected throughput first (fewest pipeline " +
    "bubbles and least TP traffic; a margin under 5% of HBM last), with the layer split build_configs and " +
    "convert_weights use. Given no layout (no tp, pp, ep or split), the estimate is of the first of those, the best; " +
    "given one, of that layout. Given a running log " +
    "(runId, or host and logFile) it adds seconds per iteration, tokens per second, the ETA and NPU-hours. " +
    "Next: build_configs and convert_weights with the chosen tp, pp and llmLayerSplit.",
  toolset: "train",
  kind: "read",
  input: z
    .object({
      model: z.string().min(1).describe("Model id (qwen2.5vl-7b), HF repo id or name; see find_model"),
      release: z.string().optional().describe("MindSpeed-MM release; default: the newest that has the model"),
      variant: z.string().optional().describe("Recipe variant ('lora', 'fsdp' …); default the standard example"),
      npus: upTo(B.npus, "above the largest Ascend clusters, of about 16k NPUs")
        .optional()
        .describe(`Total NPUs, at most ${B.npus}; default the example's nodes × NPUs per node`),
      npusPerNode: upTo(B.npusPerNode, "an Atlas 800T A3 node has 16, an A2 node 8")
        .optional()
        .describe(`NPUs per node, at most ${B.npusPerNode} (TP stays inside a node); default the example's`),
      tp: upTo(B.tp)
        .optional()
        .describe("Tensor parallel size; default: with no layout given, the best that fits (else the example's)"),
      pp: upTo(B.pp)
        .optional()
        .describe("Pipeline parallel size; default: with no layout given, the best that fits (else the example's)"),
      cp: upTo(B.cp).optional().describe("Context parallel size"),
      ep: upTo(B.ep).optional().describe("Expert parallel size (MoE models)"),
      microBatchSize: upTo(B.microBatchSize).optional().describe("Micro batch size; default the example's (1)"),
      globalBatchSize: upTo(B.globalBatchSize)
        .optional()
        .describe(`Global batch size, at most ${B.globalBatchSize}; sets the microbatches per step`),
      seqLength: upTo(B.seqLength).optional().describe("Sequence length in tokens; default the example's"),
      llmLayerSplit: layerSplit.optional().describe(`LLM layers per pipeline stage (each at most ${B.layersPerStage})`),
      vitLayerSplit: layerSplit.optional().describe(`ViT layers per pipeline stage (each at most ${B.layersPerStage})`),
      chip: z
        .string()
        .regex(/^[A-Za-z0-9_ ]{1,32}$/)
        .optional()
        .describe("npu-smi chip name: 910B1, 910B2, 910B3 (default), 910B4, 910_93"),
      hbmGib: z.number().positive().max(1024, atMost(1024)).optional().describe("HBM per NPU in GiB, instead of chip"),
      hbmFromHost: z.boolean().default(false).describe("Read HBM per NPU from npu-smi on host instead of chip"),
      lora: z.boolean().optional().describe("LoRA fine-tune (rank 8) instead of full"),
      loraRank: upTo(B.loraRank)
        .optional()
        .describe("LoRA rank, with variant 'lora' (or lora: true); without them refused, as build_configs refuses it"),
      recompute: z
        .enum(["none", "selective", "full"])
        .optional()
        .describe("Activation recompute; default none for Megatron, full for FSDP2"),
      images: z
        .number()
        .int()
        .min(0)
        .max(B.images, atMost(B.images))
        .optional()
        .describe("Images or video frames per sample (default 1)"),
      imageMaxPixels: upTo(B.imageMaxPixels, "8192 × 8192")
        .optional()
        .describe(`Largest image in pixels (image_max_pixels; default 262144, at most ${B.imageMaxPixels})`),
      trainVision: z
        .boolean()
        .optional()
        .describe(
          "Train the vision tower and projector (true) or freeze both (false); default as upstream's model JSON: frozen for Qwen-VL and GLM, projector trained for InternVL, both trained for DeepSeek-VL2",
        ),
      reuseFp32Param: z
        .boolean()
        .optional()
        .describe(
          "MindSpeed --reuse-fp32-param (fp32 master shares the bf16 weights); default: as the recipe's script",
        ),
      swapAttention: z
        .boolean()
        .optional()
        .describe("MindSpeed --swap-attention (attention activations to host); default: as the recipe's script"),
      limit: upTo(50).default(8).describe("Fitting layouts to list"),
      host: z
        .string()
        .min(1)
        .default(DEFAULT_HOST)
        .describe("Host holding logFile (for the time estimate) or hbmFromHost; the next calls name it"),
      logFile: z.string().min(1).optional().describe("A training log, for the time estimate"),
      runId: RunIdSchema.optional().describe("A run launched by launch_train, for the time estimate"),
      trainIters: upTo(B.trainIters)
        .optional()
        .describe(`Iterations to estimate the time for, at most ${B.trainIters}; default the log's total`),
    })
    .superRefine((a, ctx) => {
      // A chip names the HBM: one the table does not know is a wrong value, refused here in the door's words (with
      // hbmGib, the HBM given, the chip is only a label).
      const unknown = a.chip !== undefined && a.hbmGib === undefined ? unknownChip(a.chip, "hbmGib") : null;
      if (unknown) ctx.addIssue({ code: "custom", path: ["chip"], message: unknown });
    }),
  output: z.object({
    host: z.string(),
    model: z.string(),
    release: z.string(),
    variant: z.string(),
    loraRank: z.number().nullable().describe("the LoRA rank estimated; null for a full fine-tune"),
    layoutFrom: z
      .enum(["asked", "best", "example"])
      .describe(
        "where the estimated layout came from: asked (tp, pp, ep or a split given); best (none given: the best that fits, layouts' first); example (none given and none fits: the recipe's)",
      ),
    exampleLayout: z
      .object({ tp: z.number(), pp: z.number() })
      .describe("the recipe's example layout, what build_configs writes when given no tp or pp"),
    backend: z.string(),
    chip: z.string(),
    hbmGiB: z.number(),
    fits: z.boolean(),
    peakGiBPerRank: z.number(),
    tensorsGiB: z.number().describe("peak without the allowance: comparable to 'max allocated'"),
    marginGiB: z.number(),
    peakStage: z.number(),
    breakdown: Breakdown,
    stages: z.array(
      z.object({
        stage: z.number(),
        llmLayers: z.number(),
        vitLayers: z.number(),
        peakGiB: z.number(),
        breakdown: Breakdown,
      }),
    ),
    layout: z.object({
      npus: z.number(),
      npusPerNode: z.number(),
      ...ParallelSizesOut,
      globalBatchSize: z.number(),
      seqLength: z.number(),
      llmLayerSplit: z.array(z.number()),
      vitLayerSplit: z.array(z.number()).nullable(),
    }),
    layoutProblems: z.array(z.string()),
    layouts: z.array(Candidate).describe("layouts that fit on the same NPUs, best expected throughput first"),
    nearest: z
      .object({ npus: z.number(), moreNpus: z.boolean(), layout: Candidate })
      .nullable()
      .describe("when the asked layout does not fit: the best that does, on more NPUs if need be"),
    assumptions: z.array(z.string()),
    stateOnlyOverflow: z
      .string()
      .nullable()
      .describe("when weights, gradients and optimizer state alone exceed HBM: why no activation option helps"),
    sources: z.array(z.string()),
    time: Time.nullable(),
  }),
  async handle(args, deps) {
    const { hbmGib, hbmFromHost, ...rest } = args;
    const hostHbm = hbmFromHost && hbmGib === undefined ? await hostHbmGiB(args.host, deps) : undefined;
    const report = estimateChosenLayout({ ...rest, hbmGiB: hbmGib ?? hostHbm });
    let time: TimeEstimate | null = null;
    if (args.logFile !== undefined || args.runId !== undefined) {
      const lines = await readLog(args, deps);
      time = timeFromLog(lines, {
        npus: report.layout.npus,
        seqLength: report.layout.seqLength,
        trainIters: args.trainIters,
      });
    }
    const e = report.estimate;
    return {
      host: args.host,
      model: report.model,
      release: report.release,
      variant: report.variant,
      loraRank: report.loraRank,
      layoutFrom: report.layoutFrom,
      exampleLayout: report.example,
      backend: report.backend,
      chip: report.chip,
      hbmGiB: report.hbmGiB,
      fits: e.fits && report.layoutProblems.length === 0,
      peakGiBPerRank: e.peakGiBPerRank,
      tensorsGiB: e.tensorsGiB,
      marginGiB: e.marginGiB,
      peakStage: e.peakStage,
      breakdown: e.breakdown,
      stages: e.stages.map((s) => ({
        stage: s.stage,
        llmLayers: s.llmLayers,
        vitLayers: s.vitLayers,
        peakGiB: s.peakGiB,
        breakdown: s.breakdown,
      })),
      layout: report.layout,
      layoutProblems: report.layoutProblems,
      layouts: report.layouts,
      nearest: report.nearest,
      assumptions: e.assumptions,
      stateOnlyOverflow: e.fits ? null : stateOnlyOverflow(e),
      sources: report.sources,
      time,
    };
  },
  failed: (r) => !r.fits,
  summarize: (r) => {
    const b = r.breakdown;
    const l = r.layout;
    const lines = [
      `${r.model} (${r.backend}, ${r.release}${r.variant ? `, ${r.variant}` : ""}) on ${l.npus} × ${r.chip} (${r.hbmGiB} GiB): TP ${l.tp}, PP ${l.pp}, CP ${l.cp}, EP ${l.ep}, DP ${l.dp}, micro batch ${l.microBatchSize}, seq ${l.seqLength}`,
      `Peak per rank ${r.peakGiBPerRank} GiB (stage ${r.peakStage}) — ${r.fits ? `fits, margin ${r.marginGiB} GiB` : `does NOT fit (${(-r.marginGiB).toFixed(1)} GiB over)`}`,
      `  weights ${b.weightsGiB}  gradients ${b.gradientsGiB}  optimizer ${b.optimizerGiB}  activations LLM ${b.llmActivationsGiB} / ViT ${b.vitActivationsGiB}  logits ${b.logitsGiB}  allowance ${b.allowanceGiB}`,
    ];
    const ex = r.exampleLayout;
    if (r.layoutFrom === "best" && (ex.tp !== l.tp || ex.pp !== l.pp))
      lines.push(
        `Layout: none given, so the best that fits (listed first below); the recipe's example is ${argsHint({ tp: ex.tp, pp: ex.pp })}.`,
      );
    if (r.stateOnlyOverflow) lines.push(`Why: ${r.stateOnlyOverflow}.`);
    for (const p of r.layoutProblems) lines.push(`Layout problem: ${p}`);
    if (r.layouts.length > 0) {
      lines.push(`Layouts that fit on ${l.npus} NPUs, best first:`);
      for (const c of r.layouts) lines.push(`  ${layoutLine(c)} — ${c.why}`);
    } else lines.push(`No layout fits on ${l.npus} NPUs.`);
    if (r.nearest?.moreNpus) lines.push(`Nearest that fits: ${layoutLine(r.nearest.layout, r.nearest.npus)}.`);
    const pick = r.fits ? { layout: l, npus: l.npus } : r.nearest;
    if (r.loraRank !== null && r.variant !== LORA_VARIANT) {
      // build_configs would write the full fine-tune of this recipe, which needs far more memory than estimated here.
      lines.push(
        `Next: ${r.model} has no LoRA recipe at ${r.release}${r.variant ? ` for variant ${r.variant}` : ""}, so build_configs would write a full fine-tune, not the LoRA one estimated here; ${callHint("find_model", { query: r.model })} lists its recipes, and estimate_memory without LoRA sizes a full one.`,
      );
    } else if (pick) {
      const layout = layoutArgs(r, pick.layout, pick.npus);
      const { microBatchSize, ...split } = layout;
      // The rank estimated is the rank the configs write (the base conversion does not depend on it).
      const lora = r.loraRank !== null ? { loraRank: r.loraRank } : {};
      lines.push(
        `Next: ${callHint("build_configs", { ...layout, ...lora })}, then ${callHint("convert_weights", { ...split, confirm: true })}.`,
      );
    }
    if (r.time) {
      const t = r.time;
      lines.push(
        `Time: ${t.secondsPerIteration} s/iteration${t.tokensPerSecond !== null ? `, ${t.tokensPerSecond} tokens/s` : ""}; iteration ${t.currentIteration}/${t.totalIterations}, ETA ${duration(t.etaSeconds)}; ${t.npuHoursTotal} NPU-hours for the run (${t.npuHoursRemaining} left)` +
          (t.measuredMaxAllocatedMiB !== null
            ? `; measured max allocated ${(t.measuredMaxAllocatedMiB / 1024).toFixed(1)} GiB vs estimated ${r.tensorsGiB} GiB of tensors`
            : ""),
      );
    }
    return lines.join("\n");
  },
});
