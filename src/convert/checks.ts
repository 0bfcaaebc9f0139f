// The checks before a conversion runs, judged from the plan and the host facts. Pure.
export type { Add, CheckInput, ConvertCheck } from "./check-types.js";

import { isReleaseTag, RELEASE_TAGS } from "../knowledge/release-tags.js";
import { argsHint } from "../text/hint.js";
import type { ConvertArgSpec } from "./args.js";
import type { Add, CheckInput, ConvertCheck } from "./check-types.js";
import { checkLoraAdapter, checkSource, describeMarker } from "./checks-source.js";
import { checkHfConfig, checkWeightFiles, type HfFinding, hfConfigFacts } from "./hf-check.js";
import { type ConvertMarker, parseMarker } from "./marker.js";
import type { ConvertPlan } from "./plan.js";
import type { DirFacts } from "./probe.js";

export interface CheckOutcome {
  checks: ConvertCheck[];
  /** Argument details learned from the host. */
  extra: Partial<ConvertArgSpec>;
  /** The output holds an earlier conversion that overwrite will replace. */
  replaceOutput: boolean;
  /** The output already holds this very conversion (its marker records the same source, method and layout). */
  alreadyConverted: boolean;
}

/** Space a conversion needs relative to its input: shards are re-saved once, plus replicated norms and padding. */
export const DISK_FACTOR = 1.2;

const human = (kb: number) =>
  kb >= 1024 * 1024
    ? `${(kb / 1024 / 1024).toFixed(1)} GiB`
    : kb >= 1024
      ? `${Math.round(kb / 1024)} MiB`
      : `${kb} KiB`;
const within = (a: string, b: string) => a === b || a.startsWith(`${b.replace(/\/$/, "")}/`);

/** Output of an earlier conversion (possibly an interrupted one): what overwrite may replace. */
export function looksConverted(d: DirFacts, hfTarget: boolean): boolean {
  if (d.marker || d.tracker || d.dcpMetadata) return true;
  return d.entries.some(
    (e) =>
      e === "release" ||
      /^iter_\d+$/.test(e) ||
      e.startsWith("mp_rank_") ||
      e.endsWith(".distcp") ||
      (hfTarget && (e === "config.json" || e.endsWith(".safetensors") || e === "model.safetensors.index.json")),
  );
}

export function convertChecks(input: CheckInput): CheckOutcome {
  const { plan, facts } = input;
  const checks: ConvertCheck[] = [];
  const extra: Partial<ConvertArgSpec> = {};
  const add = (c: Omit<ConvertCheck, "ok">) => checks.push({ ...c, ok: c.level !== "error" });

  add(
    facts.mmConvert
      ? { id: "mm-convert", level: "info", message: `mm-convert: ${facts.mmConvert}`, fix: null }
      : {
          id: "mm-convert",
          level: "error",
          message: `mm-convert is not on PATH${input.pythonEnv ? ` in ${input.pythonEnv}` : ""}.`,
          fix: "Install MindSpeed-MM into the host's Python environment (pip install -e . in the checkout), or run install_stack.",
        },
  );

  const tag = facts.checkoutTag;
  if (tag && isReleaseTag(tag) && tag !== plan.release) {
    add({
      id: "release",
      level: "error",
      message: `The MindSpeed-MM checkout is at ${tag}, the command is shaped for ${plan.release}.`,
      fix: `Pass release: "${tag}" (or check out ${plan.release}).`,
    });
  } else {
    add({
      id: "release",
      level: tag === plan.release ? "info" : "warning",
      message:
        tag === plan.release
          ? `Checkout at ${tag}.`
          : `The checkout is ${tag ? `at ${tag}, not a release this tool knows` : "not at a release tag"}; arguments follow ${plan.release}.`,
      fix: null,
    });
  }

  if (plan.direction !== "resplit" && plan.direction !== "merge") checkHf(input, add, extra);
  if (plan.direction !== "to-mm" && plan.direction !== "experts") checkSource(input, add, extra);
  const output = checkOutput(input, add);
  if (output !== "same") checkDisk(input, output === "replace", add);
  return { checks, extra, replaceOutput: output === "replace", alreadyConverted: output === "same" };
}

/** The virtual-pipeline layout a Megatron conversion writes (and records in its marker); null for others. */
export function conversionVpp(plan: ConvertPlan): { size: number; llm: number[][] } | null {
  const vpp = plan.spec.layout?.vpp;
  return plan.checkpoint === "megatron" && plan.direction !== "to-hf" && vpp
    ? { size: vpp.llm.length, llm: vpp.llm }
    : null;
}

/** The source directory a conversion reads, as the host resolved it (what its marker records). */
function conversionSource(input: CheckInput): string | undefined {
  const { plan, facts } = input;
  return plan.direction === "to-mm" || plan.direction === "experts" ? facts.hf?.real : facts.input?.real;
}

/** A marker that records exactly this conversion: same source, converter, method, release and layout. */
function isSameConversion(marker: ConvertMarker, input: CheckInput): boolean {
  const { plan } = input;
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  return (
    marker.model === plan.model.id &&
    marker.release === plan.release &&
    marker.variant === plan.variant &&
    marker.converter === plan.converter.className &&
    marker.method === plan.method &&
    marker.tp === plan.tp &&
    marker.pp === plan.pp &&
    marker.ep === plan.ep &&
    same(marker.layerSplit, plan.layerSplit) &&
    same(marker.vpp, conversionVpp(plan)) &&
    marker.source === conversionSource(input)
  );
}

function checkHf(input: CheckInput, add: Add, extra: Partial<ConvertArgSpec>): void {
  const { plan, facts } = input;
  const hf = facts.hf!;
  const model = plan.model;
  const download = model.hfRepo
    ? `huggingface-cli download ${model.hfRepo} --local-dir ${hf.path}`
    : `download ${model.displayName} into ${hf.path}`;
  if (!hf.exists || !hf.isDir) {
    add({
      id: "hf-dir",
      level: "error",
      message: `${hf.path} ${hf.exists ? "is not a directory" : "does not exist"} on the host.`,
      fix: `Download the weights (${download}) or pass hfDir.`,
    });
    return;
  }
  if (plan.method === "lora_hf_to_mm" || plan.method === "lora_hf_to_dcp") {
    checkLoraAdapter(hf, add);
    return;
  }
  if (input.hfConfigText === null) {
    add({ id: "hf-dir", level: "error", message: `${hf.path} has no config.json.`, fix: `Re-download: ${download}.` });
    return;
  }
  let config: unknown;
  try {
    config = JSON.parse(input.hfConfigText);
  } catch (error) {
    add({
      id: "hf-dir",
      level: "error",
      message: `${hf.path}/config.json is not valid JSON (${(error as Error).message}).`,
      fix: `Re-download: ${download}.`,
    });
    return;
  }
  const numbers = hfConfigFacts(config);
  const findings: HfFinding[] = checkHfConfig(model, numbers, hf.path);
  extra.tiedEmbeddings = numbers.tiedEmbeddings;
  if (plan.direction === "to-mm" || plan.direction === "experts") {
    const weights = checkWeightFiles({ entries: hf.entries, indexText: input.hfIndexText }, hf.path);
    findings.push(...weights.findings);
    extra.newWeightKeys = weights.newWeightKeys;
    // filter_vit_keys keeps keys starting with "visual"; the newer names put the ViT under model.visual.*.
    if (plan.spec.saveVitOnly && weights.newWeightKeys) {
      findings.push({
        level: "error",
        message: `${hf.path} names the ViT model.visual.* (newer transformers keys); --cfg.save_vit_only keeps only keys starting with "visual", so nothing would be converted.`,
      });
    }
    if (
      weights.newWeightKeys &&
      plan.converter.className === "Qwen2_5_VLConverter" &&
      RELEASE_TAGS.indexOf(plan.release) < RELEASE_TAGS.indexOf("v2.3.0")
    ) {
      findings.push({
        level: "warning",
        message: `${hf.path} uses the newer transformers key names (model.language_model.*), which the ${plan.release} converter predates.`,
      });
    }
  }
  const errors = findings.filter((f) => f.level === "error");
  for (const f of findings.filter((f) => f.level === "warning"))
    add({ id: "hf-dir", level: "warning", message: f.message, fix: null });
  if (errors.length > 0) {
    for (const f of errors)
      add({ id: "hf-dir", level: "error", message: f.message, fix: `Fix ${hf.path} (${download}).` });
    return;
  }
  const size = hf.sizeKb !== null ? `, ${human(hf.sizeKb)}` : "";
  add({
    id: "hf-dir",
    level: "info",
    message: `${hf.path}: ${numbers.modelType ?? "model"} with ${numbers.llmLayers} LLM layers${numbers.vitLayers ? `, ${numbers.vitLayers} ViT layers` : ""}${size}.`,
    fix: null,
  });
}

/** What the output directory means for the conversion: written fresh, replaced, already this conversion, or refused. */
function checkOutput(input: CheckInput, add: Add): "fresh" | "replace" | "same" | "refused" {
  const { plan, facts } = input;
  const out = facts.output;
  const busy = facts.busy ?? [];
  if (busy.length > 0) {
    const pids = busy.map((b) => b.split(" ")[0]);
    add({
      id: "output",
      level: "error",
      message: `An mm-convert is still writing into ${out.path} (pid ${pids.join(", ")}: ${busy[0]!.slice(pids[0]!.length + 1, 160).trim()}); a second conversion there would mix two outputs.`,
      fix: `Wait until it ends (or stop it: kill ${pids.join(" ")}), then call again; ${argsHint({ overwrite: true })} replaces a partial tree it leaves.`,
    });
    return "refused";
  }
  for (const other of [facts.hf, facts.input]) {
    if (!other) continue;
    if (within(out.real, other.real) || within(other.real, out.real)) {
      add({
        id: "output",
        level: "error",
        message: `The output ${out.path} overlaps the input ${other.path}.`,
        fix: "Choose an output directory outside the input (and not containing it).",
      });
      return "refused";
    }
  }
  if (out.exists && !out.isDir) {
    add({
      id: "output",
      level: "error",
      message: `${out.path} exists and is not a directory.`,
      fix: "Choose another output path.",
    });
    return "refused";
  }
  if (!out.exists || out.entries.length === 0) {
    add({
      id: "output",
      level: "info",
      message: `${out.path} ${out.exists ? "is empty" : "will be created"}.`,
      fix: null,
    });
    return "fresh";
  }
  const marker = out.marker ? parseMarker(out.marker) : null;
  if (!looksConverted(out, plan.direction === "to-hf" || plan.direction === "experts")) {
    add({
      id: "output",
      level: "error",
      message: `${out.path} holds other files (${out.entries.slice(0, 5).join(", ")}${out.entries.length > 5 ? ", …" : ""}), not an earlier conversion.`,
      fix: "Choose an empty or new output directory.",
    });
    return "refused";
  }
  const what = marker
    ? describeMarker(marker)
    : out.tracker
      ? `tracker ${out.tracker}`
      : "an earlier (possibly partial) conversion";
  if (!input.overwrite && marker && isSameConversion(marker, input)) {
    add({
      id: "output",
      level: "info",
      message: `${out.path} already holds this conversion (${what}); nothing to convert.`,
      fix: null,
    });
    return "same";
  }
  if (!input.overwrite) {
    add({
      id: "output",
      level: "error",
      message: `${out.path} already holds a converted checkpoint (${what}); not overwriting it.`,
      fix: `Pass ${argsHint({ overwrite: true })} to replace it, or choose another output directory.`,
    });
    return "refused";
  }
  add({
    id: "output",
    level: "warning",
    message: `${out.path} holds ${what}; it will be deleted and rewritten.`,
    fix: null,
  });
  return "replace";
}

function checkDisk(input: CheckInput, replacing: boolean, add: Add): void {
  const { plan, facts } = input;
  const hf = facts.hf;
  const basis =
    plan.direction === "resplit"
      ? facts.input?.sizeKb
      : plan.direction === "to-mm"
        ? hf?.sizeKb
        : ((hf?.entries.some((e) => e.endsWith(".safetensors")) ? hf.sizeKb : null) ?? facts.input?.sizeKb);
  if (basis === null || basis === undefined) {
    add({ id: "disk", level: "warning", message: "Cannot size the input; free disk not compared.", fix: null });
    return;
  }
  const need = Math.ceil(basis * DISK_FACTOR);
  const free = facts.freeKb === null ? null : facts.freeKb + (replacing ? (facts.output.sizeKb ?? 0) : 0);
  if (free === null) {
    add({ id: "disk", level: "warning", message: `Needs about ${human(need)}; free space unknown.`, fix: null });
  } else if (free < need) {
    add({
      id: "disk",
      level: "error",
      message: `The output needs about ${human(need)} (${DISK_FACTOR} x ${human(basis)}); ${human(free)} free where ${facts.output.path} goes.`,
      fix: "Free space there or choose an output directory on a larger filesystem.",
    });
  } else {
    add({ id: "disk", level: "info", message: `Needs about ${human(need)}; ${human(free)} free.`, fix: null });
  }
}
