// convert_weights: plans and runs `mm-convert <Converter> <method> …` with the argument shape of the release, the
// layer split of the training plan, and checks of the HF directory, the output and free disk first. A merge of LoRA
// adapters is also checked against the run that trained them (merge-checks.ts) and ends with the merged checkpoint's
// export_model call.
import { posix } from "node:path";
import { z } from "zod";
import { type ExistingBuild, existingBuild, rebuildHint, variantConfigsDir } from "../configs/build-inputs.js";
import {
  CONVERT_MARKER,
  CONVERT_METHODS,
  type ConvertMarker,
  ConvertRefusal,
  conversionScript,
  conversionVpp,
  convertChecks,
  displayCommand,
  failureReason,
  finishArgv,
  markerPath,
  parseMarker,
  planConversion,
  probeConvertHost,
  progressFromOutput,
  runConversion,
  tailLines,
  verifyOutput,
} from "../convert/index.js";
import { mergeChecks } from "../convert/merge-checks.js";
import { hostPrelude } from "../hosts/environment.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { checkPathText, ensureReadable, ensureWritablePath, onHost, PathNotAllowedError } from "../hosts/paths.js";
import { isReleaseTag } from "../knowledge/release-tags.js";
import { loraOfRun, runsSavedIn, type TrainedLora, trainedLora } from "../runs/lora-settings.js";
import { argsHint, callHint } from "../text/hint.js";
import { LAYOUT_BOUNDS as B, layerSplitInput, loraAlphaInput, loraRankInput, upTo, vppRowsInput } from "./bounds.js";
import { defineTool, ToolError } from "./tool.js";

/** Arguments another tool built from its run record (export_model): their paths are not the caller's to guard. */
const derivedPaths = new WeakSet<object>();
export function withDerivedPaths<T extends object>(args: T): T {
  derivedPaths.add(args);
  return args;
}

const Check = z.object({
  id: z.string(),
  ok: z.boolean(),
  level: z.enum(["error", "warning", "info"]),
  message: z.string(),
  fix: z.string().nullable(),
});

async function readSmall(executor: HostExecutor, path: string, maxBytes: number): Promise<string | null> {
  try {
    return (await executor.readFile(path, { maxBytes })).content;
  } catch {
    return null;
  }
}

/** The release the host's checkout is at, when it sits exactly on a tag. */
async function checkoutRelease(executor: HostExecutor, workdir: string | undefined): Promise<string | undefined> {
  if (!workdir) return undefined;
  const r = await executor.run(["git", "-C", workdir, "describe", "--tags", "--exact-match", "HEAD"], {
    timeoutMs: 15_000,
  });
  const tag = r.stdout.trim();
  return r.exitCode === 0 && isReleaseTag(tag) ? tag : undefined;
}

/** The layout the conversion was given, which the configs that read its output must repeat. */
function sameLayout(args: Record<string, unknown>): Record<string, unknown> {
  const fields = ["release", "variant", "tp", "pp", "ep", "npusPerNode", "nodes", "llmLayerSplit", "vitLayerSplit"];
  fields.push("vpp", "vppLlmLayerSplit", "vppVitLayerSplit");
  return Object.fromEntries(fields.filter((f) => args[f] !== undefined).map((f) => [f, args[f]]));
}

/**
 * What to do with a fresh Megatron checkpoint. Configs already built for the model (their recorded inputs in
 * <workdir>/configs/<model>) that load this directory are ready to launch; ones that load another get the rebuild
 * that points them here, with --overwrite since their files exist; with none, the build to make.
 */
function trainingNext(
  built: ExistingBuild | null,
  settings: HostSettings,
  args: { host: string } & Record<string, unknown>,
  model: string,
  output: string,
  variant: string,
): string {
  if (!built)
    return `Converted into ${output}: build the configs that read it as ckptDir with ${callHint("build_configs", { host: args.host, model, ...sameLayout(args), ckptDir: output })}; it prints the launch_train call for the script it writes.`;
  const builtVariant = typeof built.recorded.variant === "string" ? built.recorded.variant : "";
  if (builtVariant !== variant && settings.workdir) {
    // The configs there train the other kind of run (full vs LoRA) from a base of their own: they stay as they are, and
    // this recipe's configs go beside them, with the same data and schedule, reading this conversion.
    const {
      outputDir: _o,
      ckptDir: _c,
      saveDir: _s,
      variant: _v,
      loraRank: _r,
      loraAlpha: _a,
      ...same
    } = built.recorded;
    const kind = (v: string) => (v ? `"${v}"` : "standard");
    return (
      `Converted into ${output} for the ${kind(variant)} recipe; the configs in ${built.outputDir} are the ${kind(builtVariant)} recipe's and load ${built.ckptDir}: leave them, and build this recipe's beside them with ` +
      `${callHint("build_configs", { ...same, host: args.host, model, ...sameLayout(args), variant: variant || undefined, ckptDir: output, outputDir: variantConfigsDir(settings.workdir, model, variant || "standard") })}; it prints the launch_train call for the script it writes.`
    );
  }
  const loads = posix.normalize(onHost(built.ckptDir, settings) ?? built.ckptDir);
  if (loads === posix.normalize(output))
    return `Converted into ${output}, the checkpoint the configs in ${built.outputDir} load: start training with ${callHint("launch_train", { host: args.host, script: built.script })}.`;
  return (
    `Converted into ${output}; the configs in ${built.outputDir} load ${built.ckptDir}. To train from this conversion, ` +
    `build them again pointing here (--overwrite replaces their files, edits made to them since included): ` +
    `${rebuildHint(built.recorded, args.host, { ...sameLayout(args), ckptDir: output, overwrite: true })}.`
  );
}

export default defineTool({
  name: "convert_weights",
  title: "Convert model weights",
  description:
    "Convert Hugging Face weights into the checkpoint MindSpeed-MM trains from (or back) with `mm-convert <Converter> " +
    "<method>`, using the exact argument shape of the release (nested --cfg.* lists for Megatron converters, flat flags " +
    "for DCP ones) and the same tp / pp / layer split build_configs puts in the model config. Refuses stub methods and " +
    "layer splits the config would reject (with a value that works). Checks the HF directory (config.json numbers match " +
    "the model, safetensors index complete), free disk, and that an existing converted checkpoint is never overwritten " +
    "unless overwrite is true. Without confirm: returns the exact command and the checks, runs nothing. With confirm: " +
    `runs it, streams progress, and writes ${CONVERT_MARKER} (model, release, tp, pp, split) into the output. Next: launch_train.`,
  toolset: "train",
  kind: "destructive",
  input: z.object({
    model: z.string().min(1).describe("Model id (qwen2.5vl-7b), HF repo id or name; see find_model"),
    release: z
      .string()
      .optional()
      .describe("MindSpeed-MM release tag; default the release the host's checkout is at, else the newest"),
    variant: z.string().optional().describe('Recipe variant ("lora", "fsdp" …); default the standard example'),
    host: z.string().default("local").describe("Host from the inventory (see list_hosts)"),
    method: z
      .enum(CONVERT_METHODS)
      .optional()
      .describe(
        "hf_to_mm / hf_to_dcp (default, by converter; hf_to_mm_dcp for FSDP2 recipes that load torch_dist), " +
          "mm_to_hf / dcp_to_hf (back to HF), resplit; LoRA (variant lora): " +
          "lora_hf_to_mm / lora_hf_to_dcp (a PEFT adapter in), lora_mm_to_hf (adapters out), " +
          "merge_mm_lora_dcp_weight_to_base_hf (DCP runs: the adapters merged into the base HF model, scaled by alpha / r), " +
          "merge_base_lora_weight (Megatron runs: the adapters merged into the converted base; export it with mm_to_hf), " +
          "hf_to_mm_ldt (Qwen2.5-VL, v26.1.0: the U-shaped three-virtual-stage split of layerwise disaggregated training), " +
          "moe_expert (v2.3.0+, InternVL3.5 MoE / GLM-4.5V: `mm-convert moe_expert --style merge|split`, HF weights to HF weights in targetDir)",
      ),
    hfDir: z.string().optional().describe("Hugging Face weights directory; default the config's HF path"),
    ckptDir: z
      .string()
      .optional()
      .describe("Converted checkpoint: written by hf_to_*, read by mm_to_hf/dcp_to_hf/resplit; default the config's"),
    targetDir: z
      .string()
      .optional()
      .describe("Output of mm_to_hf / dcp_to_hf (HF weights), resplit, or a merge (the merged model)"),
    loraDir: z
      .string()
      .optional()
      .describe(
        "merge_base_lora_weight: the LoRA run's save directory with the adapters; default the config's save dir",
      ),
    loraRank: loraRankInput
      .optional()
      .describe(
        "With a merge method (merge_base_lora_weight, merge_mm_lora_dcp_weight_to_base_hf): the rank the adapters trained with (lora_r in the training configs); default what the configs of the run that saved them say, else the recipe's",
      ),
    loraAlpha: loraAlphaInput
      .optional()
      .describe(
        "With a merge method: the adapters' lora_alpha (they are added scaled by alpha / rank); default what the configs of the run that saved them say, else the recipe's",
      ),
    ignoreRunLora: z
      .boolean()
      .optional()
      .describe(
        "With a merge: scale by the loraRank / loraAlpha given even where they differ from those the adapters' run recorded (refused otherwise)",
      ),
    tp: upTo(B.tp)
      .optional()
      .describe(
        "Tensor-parallel size of the target; default: the configs built for the model on the host, else the recipe's",
      ),
    pp: upTo(B.pp)
      .optional()
      .describe(
        "Pipeline-parallel size of the target; default: the configs built for the model on the host, else the recipe's",
      ),
    ep: upTo(B.ep).optional().describe("Expert-parallel size of the target (MoE models)"),
    npusPerNode: upTo(B.npusPerNode).optional().describe("NPUs per node the training uses; default the recipe's"),
    nodes: upTo(B.nodes).optional().describe("Nodes the training uses; default the recipe's"),
    llmLayerSplit: layerSplitInput.optional().describe("LLM layers per pipeline stage"),
    vitLayerSplit: layerSplitInput.optional().describe("ViT layers per pipeline stage"),
    vpp: upTo(B.vpp)
      .optional()
      .describe("Virtual pipeline stages per rank (--virtual-pipeline-model-parallel-size), as build_configs got it"),
    vppLlmLayerSplit: vppRowsInput
      .optional()
      .describe("With vpp: LLM layers per virtual stage, one row per virtual stage, one entry per pipeline rank"),
    vppVitLayerSplit: vppRowsInput.optional().describe("With vpp: ViT layers per virtual stage, same shape"),
    saveVitOnly: z
      .boolean()
      .optional()
      .describe(
        "hf_to_mm / hf_to_mm_ldt of Qwen2-VL / Qwen2.5-VL: convert only the ViT and projector (--cfg.save_vit_only)",
      ),
    moeStyle: z
      .enum(["merge", "split"])
      .optional()
      .describe("moe_expert: merge the per-expert weights (default) or split merged ones back"),
    sourceTp: upTo(B.tp).optional().describe("resplit: tp of the source checkpoint (default: from its marker)"),
    sourceLlmLayerSplit: layerSplitInput
      .optional()
      .describe("resplit: LLM split of the source (default: from its marker)"),
    sourceVitLayerSplit: layerSplitInput
      .optional()
      .describe("resplit: ViT split of the source (default: from its marker)"),
    overwrite: z.boolean().default(false).describe("Replace an existing converted checkpoint in the output"),
    timeoutMinutes: z.number().int().min(1).max(1440).default(240).describe("Stop mm-convert after this long"),
    confirm: z.boolean().default(false).describe("Run the conversion. Without it, only the plan and checks come back."),
  }),
  output: z.object({
    host: z.string(),
    model: z.string(),
    release: z.string(),
    variant: z.string(),
    converter: z.string(),
    method: z.string(),
    command: z.string().describe("the command as run (or to be run), in the MindSpeed-MM workdir"),
    argv: z.array(z.string()),
    workdir: z.string().nullable(),
    input: z.string(),
    output: z.string(),
    tp: z.number(),
    pp: z.number(),
    ep: z.number(),
    layerSplit: z.object({ llm: z.array(z.number()).nullable(), vit: z.array(z.number()).nullable() }),
    checks: z.array(Check),
    ready: z.boolean().describe("every check passed"),
    started: z.boolean(),
    converted: z.boolean(),
    alreadyConverted: z
      .boolean()
      .describe("the output already held this very conversion (same source, method, layout): nothing was run"),
    marker: z.string().nullable().describe(`path of ${CONVERT_MARKER} written into the output`),
    durationMs: z.number().nullable(),
    notes: z.array(z.string()),
    next: z.string(),
  }),
  async handle(args, deps) {
    const { executor, settings } = await deps.hosts.get(args.host);
    let step = 0;
    const report = (message: string) => deps.progress({ progress: ++step, message });
    report("planning");
    const release = args.release ?? (await checkoutRelease(executor, settings.workdir));
    // The configs built for the model on the host, read once: they give the layout and the next step.
    const builtRead = new Map<string, Promise<ExistingBuild | null>>();
    const builtFor = (model: string, variant?: string) => {
      const key = variant ?? "\u0000any";
      if (!builtRead.has(key)) builtRead.set(key, existingBuild(executor, settings, model, variant));
      return builtRead.get(key)!;
    };
    // A merge: the recorded run that saved the adapters, and the rank and alpha they trained with.
    let adaptersRun: { id: string; lora: { rank: number | null; alpha: number | null } | null } | null = null;
    let trained: TrainedLora | null = null;
    let plan: ReturnType<typeof planConversion>;
    try {
      plan = planConversion({ ...args, release, workdir: settings.workdir });
      // No layout given: the configs already built for the model on this host decide it, as they will load the result.
      const given = Object.keys(sameLayout(args)).length > 0;
      if (plan.direction === "to-mm" && !given) {
        const built = await builtFor(plan.model.id);
        const layout = built ? sameLayout(built.recorded) : {};
        delete layout.release;
        if (built && Object.keys(layout).length > 0) {
          plan = planConversion({ ...args, ...layout, release, workdir: settings.workdir });
          plan.notes.push(
            `Layout from the configs built in ${built.outputDir} (${Object.entries(layout)
              .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
              .join(", ")}): the checkpoint matches what they load. Pass tp/pp/layer splits to convert for another.`,
          );
        }
      }
      // A merge scales the adapters by alpha / rank: those the run that trained them recorded (else its configs), where
      // not given; merge_base_lora_weight adds them to the base that run loaded, unless another is given.
      if (plan.method.startsWith("merge_")) {
        const adapters = plan.spec.loraDir ?? plan.paths.ckptDir;
        const newest = (await runsSavedIn(executor, settings, args.host, adapters).catch(() => []))[0];
        const newestLora = newest ? await loraOfRun(executor, newest).catch(() => undefined) : undefined;
        adaptersRun = newest && newestLora !== undefined ? { id: newest.id, lora: newestLora } : null;
        trained = await trainedLora(executor, settings, args.host, plan.model.id, adapters);
        const asked = {
          ...(args.loraRank === undefined && trained?.rank != null ? { loraRank: trained.rank } : {}),
          ...(args.loraAlpha === undefined && trained?.alpha != null ? { loraAlpha: trained.alpha } : {}),
        };
        const loaded = trained?.run?.loadDir;
        const base =
          plan.method === "merge_base_lora_weight" && args.ckptDir === undefined && loaded ? { ckptDir: loaded } : {};
        if (Object.keys(asked).length > 0 || base.ckptDir) {
          // (A merge is never "to-mm": no layout from the built configs to keep.)
          plan = planConversion({ ...args, ...asked, ...base, release, workdir: settings.workdir });
          if (Object.keys(asked).length > 0)
            plan.notes.push(
              `LoRA settings from ${trained!.from}: ${Object.entries(asked)
                .map(([k, v]) => `${k} ${v}`)
                .join(", ")}.`,
            );
          if (base.ckptDir)
            plan.notes.push(
              `LoRA base: ${base.ckptDir}, the one run ${trained!.run!.id} trained from (pass ckptDir for another).`,
            );
        }
      }
    } catch (error) {
      if (error instanceof ConvertRefusal) {
        const works =
          error.suggestion !== undefined ? ` A value that would work: ${JSON.stringify(error.suggestion)}.` : "";
        throw new ToolError(`${error.field}: ${error.message}${works}`, {
          field: error.field,
          suggestion: error.suggestion,
        });
      }
      throw error;
    }
    const outField = plan.direction === "to-mm" ? "ckptDir" : "targetDir";
    let output: string;
    try {
      for (const field of ["hfDir", "ckptDir", "targetDir", "loraDir"] as const) {
        const value = args[field];
        if (value !== undefined) checkPathText(value, field);
      }
      output = await ensureWritablePath(executor, settings, args.host, plan.paths.output, outField);
    } catch (error) {
      if (error instanceof PathNotAllowedError) throw new ToolError(error.message, { field: outField });
      throw error;
    }
    // The directories the converter reads, as the caller named them: the read guard refuses them here, before the host
    // is probed or anything reads them (export_model's own, from its run, it has guarded where they were given).
    if (!derivedPaths.has(args)) {
      const reads = {
        hfDir: plan.direction !== "resplit" && plan.direction !== "merge",
        ckptDir: plan.direction !== "to-mm" && plan.direction !== "experts",
        loraDir: plan.direction === "merge",
      };
      for (const field of ["hfDir", "ckptDir", "loraDir"] as const) {
        const value = args[field];
        if (value === undefined || !reads[field]) continue;
        try {
          await ensureReadable(executor, value, field);
        } catch (error) {
          if (error instanceof PathNotAllowedError) throw new ToolError(error.message, { field });
          throw error;
        }
      }
    }

    report("checking the host");
    const prelude = hostPrelude(settings, { sourceCann: settings.sourceCann, activatePython: true });
    const facts = await probeConvertHost(executor, prelude, {
      workdir: settings.workdir,
      hf: plan.direction === "resplit" || plan.direction === "merge" ? undefined : plan.paths.hfDir,
      input: plan.direction === "to-mm" || plan.direction === "experts" ? undefined : plan.paths.ckptDir,
      output,
    }).catch((error: Error) => {
      throw new ToolError(`Cannot inspect ${args.host}: ${error.message}`);
    });
    const hf = facts.hf;
    const [hfConfigText, hfIndexText] = await Promise.all([
      hf?.entries.includes("config.json") ? readSmall(executor, posix.join(hf.real, "config.json"), 1 << 20) : null,
      hf?.entries.includes("model.safetensors.index.json")
        ? readSmall(executor, posix.join(hf.real, "model.safetensors.index.json"), 64 << 20)
        : null,
    ]);
    const outcome = convertChecks({
      plan,
      facts,
      hfConfigText,
      hfIndexText,
      overwrite: args.overwrite,
      pythonEnv: settings.venv ?? settings.conda ?? null,
    });
    // A merge: the adapters, their rank and alpha and the base against the run that trained them.
    const baseMarker =
      plan.method === "merge_base_lora_weight" && facts.input?.marker ? parseMarker(facts.input.marker) : null;
    if (plan.method.startsWith("merge_")) {
      const merge = mergeChecks({
        host: args.host,
        plan,
        base: { path: facts.input?.path ?? plan.paths.ckptDir, marker: baseMarker },
        run: adaptersRun,
        trained: trained && { ...trained, recorded: trained.run !== undefined },
        runBase: trained?.run?.loadDir ? { runId: trained.run.id, dir: trained.run.loadDir } : null,
        given: { loraRank: args.loraRank, loraAlpha: args.loraAlpha, ignoreRunLora: args.ignoreRunLora },
      });
      outcome.checks.push(...merge.checks);
      plan.notes.push(...merge.notes);
    }
    const ready = outcome.checks.every((c) => c.ok);
    // Paths as the host resolved them: "~" and symlinks do not reach mm-convert unexpanded.
    const real = {
      hfDir: hf?.real ?? plan.paths.hfDir,
      ckptDir: plan.direction === "to-mm" ? output : (facts.input?.real ?? plan.paths.ckptDir),
      targetDir: plan.direction === "to-mm" ? undefined : output,
    };
    const canShape = plan.direction !== "resplit" || outcome.extra.sourceLayout || plan.spec.sourceLayout;
    const final = canShape ? finishArgv(plan, { ...outcome.extra, ...real }) : plan;
    const command = final.argv.length ? displayCommand(settings.workdir, final.argv) : "";
    const base = {
      host: args.host,
      model: plan.model.id,
      release: plan.release,
      variant: plan.variant,
      converter: plan.converter.className,
      method: plan.method,
      command,
      argv: final.argv,
      workdir: settings.workdir ?? null,
      input: plan.direction === "to-mm" || plan.direction === "experts" ? real.hfDir : real.ckptDir,
      output,
      tp: plan.tp,
      pp: plan.pp,
      ep: plan.ep,
      layerSplit: plan.layerSplit,
      checks: outcome.checks,
      ready,
      notes: plan.notes,
    };
    const notRun = {
      ...base,
      started: false,
      converted: false,
      alreadyConverted: false,
      marker: null,
      durationMs: null,
    };
    const afterConversion = async () =>
      plan.direction === "to-hf" || plan.direction === "experts"
        ? `HF weights are in ${output}.`
        : plan.direction === "merge"
          ? // The merged checkpoint is a full model in the LoRA base's structure: export_model reads its marker for that.
            `The merged checkpoint is in ${output}: export it to Hugging Face format with ${callHint("export_model", {
              host: args.host,
              checkpointDir: output,
              model: plan.model.id,
              release: plan.release,
              hfDir: baseMarker?.source ?? real.hfDir,
              confirm: true,
            })}.`
          : trainingNext(
              await builtFor(plan.model.id, plan.variant),
              settings,
              args,
              plan.model.id,
              output,
              plan.variant,
            );
    if (!ready) return { ...notRun, next: "Fix the failed checks (each names its fix), then call again." };
    if (outcome.alreadyConverted)
      return { ...notRun, alreadyConverted: true, marker: markerPath(output), next: await afterConversion() };
    if (!args.confirm)
      return { ...notRun, next: `Checks passed. Call again with ${argsHint({ confirm: true })} to convert.` };

    report(`running ${plan.converter.className} ${plan.method}`);
    const script = conversionScript({
      prelude,
      workdir: settings.workdir,
      argv: final.argv,
      output,
      replaceOutput: outcome.replaceOutput,
    });
    const result = await runConversion(executor, script, {
      timeoutMs: args.timeoutMinutes * 60_000,
      signal: deps.signal,
      onStdout: progressFromOutput(report),
    });
    if (result.timedOut || result.exitCode !== 0) {
      const why = failureReason(result, args.timeoutMinutes, deps.signal?.aborted);
      throw new ToolError(
        `mm-convert ${why}: ${command}\n${tailLines(result.stderr || result.stdout)}\n${output} may hold a partial tree; rerun with ${argsHint({ overwrite: true })} to replace it.`,
        { exitCode: result.exitCode, timedOut: result.timedOut },
      );
    }
    const after = await probeConvertHost(executor, prelude, { output }).catch((error: Error) => {
      throw new ToolError(`mm-convert finished but ${output} could not be inspected: ${error.message}`);
    });
    const problem = verifyOutput(plan, after.output);
    if (problem)
      throw new ToolError(`mm-convert exited 0 but the output is not what ${plan.method} writes: ${problem}`);
    const marker: ConvertMarker = {
      tool: "ascend-train convert_weights",
      version: 1,
      model: plan.model.id,
      release: plan.release,
      variant: plan.variant,
      converter: plan.converter.className,
      method: plan.method,
      format: plan.direction === "to-hf" || plan.direction === "experts" ? "hf" : plan.checkpoint,
      tp: plan.tp,
      pp: plan.pp,
      ep: plan.ep,
      layerSplit: plan.layerSplit,
      vpp: conversionVpp(plan),
      source: base.input,
      output,
      command,
      createdAt: deps.now().toISOString(),
    };
    await executor.writeFile(markerPath(output), `${JSON.stringify(marker, null, 2)}\n`, { exclusive: false });
    deps.progress({ progress: ++step, total: step, message: `converted into ${output}` });
    return {
      ...base,
      started: true,
      converted: true,
      alreadyConverted: false,
      marker: markerPath(output),
      durationMs: result.durationMs,
      next: await afterConversion(),
    };
  },
  failed: (r) => !r.ready || (r.started && !r.converted),
  summarize: (r) => {
    const split = r.layerSplit.llm
      ? `, LLM ${JSON.stringify(r.layerSplit.llm)} ViT ${JSON.stringify(r.layerSplit.vit)}`
      : "";
    const head = r.converted
      ? `${r.model} @ ${r.release}: ${r.converter}.${r.method} wrote ${r.output} in ${((r.durationMs ?? 0) / 1000).toFixed(1)} s (tp=${r.tp} pp=${r.pp}${split})`
      : r.alreadyConverted
        ? `${r.model} @ ${r.release}: ${r.output} already holds ${r.converter}.${r.method} of ${r.input} (tp=${r.tp} pp=${r.pp}${split}); nothing to convert`
        : `${r.model} @ ${r.release}: ${r.converter}.${r.method} ${r.ready ? "ready, not run" : "not ready"} (tp=${r.tp} pp=${r.pp}${split})`;
    const failed = r.checks.filter((c) => !c.ok).map((c) => `- ${c.message}${c.fix ? ` Fix: ${c.fix}` : ""}`);
    const notes = r.notes
      .filter((n) => n.startsWith("Layout from the configs") || n.startsWith("LoRA "))
      .map((n) => `note: ${n}`);
    return [head, r.command && `$ ${r.command}`, ...notes, ...failed, r.next].filter(Boolean).join("\n");
  },
});
