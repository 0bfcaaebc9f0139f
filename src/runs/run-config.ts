// What a launch amounts to, from the script and the config files it names: paths, parallelism, checkpoint
// settings, and whether the files agree with each other. Pure: the caller reads the files.
import { parse as parseYaml } from "yaml";
import type { LaunchScriptInfo } from "./launch-script.js";

export interface ConfigIssue {
  level: "error" | "warning";
  message: string;
  fix: string;
}

export interface RunConfig {
  kind: "megatron-json" | "yaml" | "unknown";
  tp: number;
  pp: number;
  cp: number;
  loadPath: string | null;
  savePath: string | null;
  ckptFormat: string;
  saveInterval: number | null;
  trainIters: number | null;
  noSaveOptim: boolean;
  noLoadOptim: boolean;
  /** Paths the run reads (dataset files, tokenizer / HF dir) that must exist on every node. */
  inputs: string[];
  llmSplit: number[] | null;
  /** Virtual pipeline: stages per rank and the LLM layers of each virtual stage (pipeline_num_layers rows). */
  vpp: { size: number; llm: number[][] } | null;
  /** The run trains LoRA adapters (--lora-target-modules, lora_args, training.lora.enable). */
  lora: boolean;
  /** The adapters' rank and alpha as the configs write them (--lora-r / --lora-alpha, lora_args); null when unsaid. */
  loraRank: number | null;
  loraAlpha: number | null;
  issues: ConfigIssue[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const numOr = (v: unknown): number | null =>
  typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : null;
const flat = (v: unknown): number[] | null =>
  Array.isArray(v) ? (v.flat(3) as unknown[]).map(Number).filter((n) => Number.isFinite(n)) : null;
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

export function parseConfigText(name: string, text: string): unknown {
  return /\.ya?ml$/i.test(name) ? parseYaml(text) : JSON.parse(text);
}

function dataInputs(data: Obj): string[] {
  const dp = obj(data.dataset_param ?? data);
  const pre = obj(dp.preprocess_parameters);
  const basic = dp.basic_parameters;
  const out: string[] = [];
  if (typeof pre.model_name_or_path === "string") out.push(pre.model_name_or_path);
  if (Array.isArray(basic)) {
    for (const b of basic) if (typeof obj(b).data_path === "string") out.push(obj(b).data_path as string);
  } else {
    const ds = obj(basic).dataset;
    if (typeof ds === "string") out.push(...ds.split(",").filter(Boolean));
  }
  return out;
}

function checkModel(
  model: Obj,
  info: { tp: number; pp: number },
  flags: Record<string, string | true>,
  issues: ConfigIssue[],
): number[] | null {
  const td = obj(model.text_decoder);
  const vit = obj(obj(model.image_encoder).vision_encoder);
  const rebuild =
    "Rebuild the configs with build_configs using the same tp/pp and layer split, or fix the file by hand.";
  let llmSplit: number[] | null = null;
  for (const [part, cfg, allowZero] of [
    ["text_decoder", td, false],
    ["vision_encoder", vit, true],
  ] as const) {
    const raw = cfg.pipeline_num_layers;
    // VPP: one row per virtual stage; a rank holds the sum of its column.
    const split =
      Array.isArray(raw) && raw.length > 0 && raw.every((r) => Array.isArray(r))
        ? (raw as unknown[][])[0]!.map((_, i) => (raw as unknown[][]).reduce((a, r) => a + (Number(r[i]) || 0), 0))
        : flat(raw);
    const layers = numOr(cfg.num_layers);
    if (!split || split.length === 0) continue;
    if (part === "text_decoder") llmSplit = split;
    if (info.pp > 1 && split.length !== info.pp) {
      issues.push({
        level: "error",
        message: `${part}.pipeline_num_layers has ${split.length} stages but the script sets pipeline-model-parallel-size ${info.pp}.`,
        fix: rebuild,
      });
    }
    if (layers !== null && sum(split) !== layers) {
      issues.push({
        level: "error",
        message: `${part}.pipeline_num_layers [${split.join(",")}] sums to ${sum(split)}, not num_layers ${layers}.`,
        fix: rebuild,
      });
    }
    if (!allowZero && info.pp > 1 && split.some((n) => n < 1)) {
      issues.push({
        level: "error",
        message: `${part}.pipeline_num_layers [${split.join(",")}] gives a pipeline stage no layers (Megatron fails with learning_rate=None).`,
        fix: "Give every LLM pipeline stage at least one layer.",
      });
    }
  }
  const vocab = numOr(td.vocab_size);
  const flagVocab = numOr(flags["vocab-size"]);
  if (vocab !== null && flagVocab !== null && vocab !== flagVocab) {
    issues.push({
      level: "error",
      message: `The script passes --vocab-size ${flagVocab} but the model config has text_decoder.vocab_size ${vocab}.`,
      fix: rebuild,
    });
  }
  const seq = numOr(td.seq_length);
  const flagSeq = numOr(flags["seq-length"]);
  if (seq !== null && flagSeq !== null && seq !== flagSeq) {
    issues.push({
      level: "warning",
      message: `The script passes --seq-length ${flagSeq} but the model config has text_decoder.seq_length ${seq}.`,
      fix: "Use the same sequence length in both.",
    });
  }
  for (const key of ["num_query_groups", "num_attention_heads"] as const) {
    const n = numOr(td[key]);
    if (n !== null && n % info.tp !== 0) {
      issues.push({
        level: "error",
        message: `text_decoder.${key} ${n} is not divisible by tensor-model-parallel-size ${info.tp}.`,
        fix: `Choose a tp that divides ${n}.`,
      });
    }
  }
  return llmSplit;
}

const rowsOf = (v: unknown): number[][] | null =>
  Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r))
    ? (v as unknown[][]).map((r) => r.map((n) => Number(n)))
    : null;

/**
 * Virtual pipeline (VPP) as MindSpeed-MM checks it at start-up: --virtual-pipeline-model-parallel-size equal to the
 * number of pipeline_num_layers rows (validate_args_patch.py), each row one entry per pipeline rank and the ViT rows
 * as many (vlm_model.py), pp >= 2, and no --num-layers-per-virtual-pipeline-stage (refused as deprecated).
 */
function checkVirtualPipeline(
  model: Obj,
  pp: number,
  flags: Record<string, string | true>,
  gradAccSteps: number | null,
  issues: ConfigIssue[],
): { size: number; llm: number[][] } | null {
  const rebuild = "Rebuild the configs with build_configs using the same pp and vpp, or fix the file by hand.";
  if (flags["num-layers-per-virtual-pipeline-stage"] !== undefined) {
    issues.push({
      level: "error",
      message:
        "The script passes --num-layers-per-virtual-pipeline-stage, which MindSpeed-MM refuses as deprecated (AssertionError at start-up).",
      fix: "Pass --virtual-pipeline-model-parallel-size N with N rows of pipeline_num_layers in the model config instead.",
    });
  }
  const size = numOr(flags["virtual-pipeline-model-parallel-size"]);
  const llm = rowsOf(obj(model.text_decoder).pipeline_num_layers);
  const vit = rowsOf(obj(obj(model.image_encoder).vision_encoder).pipeline_num_layers);
  const vpp = size !== null && size > 1;
  if (!vpp) {
    if (llm) {
      issues.push({
        level: "error",
        message: `text_decoder.pipeline_num_layers has ${llm.length} rows (one per virtual stage) but the script passes no --virtual-pipeline-model-parallel-size; the model then reads ${llm.length} stages against pipeline-model-parallel-size ${pp} and stops.`,
        fix: `Add --virtual-pipeline-model-parallel-size ${llm.length} to the script, or give one flat list per pipeline stage. ${rebuild}`,
      });
    }
    return null;
  }
  if (pp < 2) {
    issues.push({
      level: "error",
      message: `--virtual-pipeline-model-parallel-size ${size} needs a pipeline, but pipeline-model-parallel-size is ${pp}.`,
      fix: rebuild,
    });
  } else if (pp === 2 && flags["no-overlap-p2p-communication"] === true) {
    // validate_args_patch.py: without overlapped P2P the interleaved schedule needs pp > 2.
    issues.push({
      level: "error",
      message:
        "--no-overlap-p2p-communication with VPP needs pipeline-model-parallel-size > 2 (MindSpeed-MM refuses pp=2).",
      fix: "Drop --no-overlap-p2p-communication or use pp >= 3.",
    });
  }
  // Megatron's interleaved schedule takes the micro-batches of a step in groups of pp.
  if (pp >= 2 && gradAccSteps !== null && gradAccSteps % pp !== 0) {
    issues.push({
      level: "error",
      message: `GRAD_ACC_STEP=${gradAccSteps} micro-batches per step is not a multiple of pipeline-model-parallel-size ${pp}, which the interleaved (VPP) schedule needs.`,
      fix: `Set GRAD_ACC_STEP to a multiple of ${pp} (e.g. ${Math.max(pp, Math.ceil(gradAccSteps / pp) * pp)}).`,
    });
  }
  if (!llm || llm.length !== size) {
    issues.push({
      level: "error",
      message: `--virtual-pipeline-model-parallel-size ${size} needs text_decoder.pipeline_num_layers as ${size} rows (one per virtual stage); the model config has ${llm ? `${llm.length} rows` : "a flat list"}.`,
      fix: rebuild,
    });
    return null;
  }
  for (const [part, rows] of [
    ["text_decoder", llm],
    ["vision_encoder", vit],
  ] as const) {
    if (!rows) continue;
    if (rows.length !== size) {
      issues.push({
        level: "error",
        message: `${part}.pipeline_num_layers has ${rows.length} rows but --virtual-pipeline-model-parallel-size is ${size}.`,
        fix: rebuild,
      });
    }
    const bad = rows.findIndex((r) => r.length !== pp);
    if (bad >= 0) {
      issues.push({
        level: "error",
        message: `${part}.pipeline_num_layers row ${bad} has ${rows[bad]!.length} entries but pipeline-model-parallel-size is ${pp}: one per pipeline rank.`,
        fix: rebuild,
      });
    }
  }
  return { size, llm };
}

/**
 * The LoRA rank and alpha a launch trains with, as its files write them: the script's --lora-r / --lora-alpha
 * (Megatron JSON recipes, LORA_ARGS) or the main YAML's lora_args.lora_r / lora_alpha (the unified YAML), the YAML
 * winning where both say. Null for what neither says.
 */
export function loraSettingsOf(
  flags: Record<string, string | true>,
  main?: unknown,
): { rank: number | null; alpha: number | null } {
  const args = obj(obj(main).lora_args);
  const whole = (v: unknown) => {
    const n = numOr(v);
    return n !== null && Number.isInteger(n) && n > 0 ? n : null;
  };
  return {
    rank: whole(args.lora_r) ?? whole(flags["lora-r"]),
    alpha: whole(args.lora_alpha) ?? whole(flags["lora-alpha"]),
  };
}

/** A run's LoRA settings as its ledger record keeps them: null for a full fine-tune. */
export type RunLora = { rank: number | null; alpha: number | null } | null;

/** What a launch's configs train: LoRA adapters (with their rank and alpha as written, null where unsaid) or not. */
export function loraOfConfig(cfg: Pick<RunConfig, "lora" | "loraRank" | "loraAlpha">): RunLora {
  return cfg.lora || cfg.loraRank !== null ? { rank: cfg.loraRank, alpha: cfg.loraAlpha } : null;
}

export interface ConfigFiles {
  data?: unknown;
  model?: unknown;
  main?: unknown;
}

export function describeRun(info: LaunchScriptInfo, files: ConfigFiles): RunConfig {
  const issues: ConfigIssue[] = [];
  const f = info.flags;
  const bool = (name: string) => f[name] === true;
  const cfg: RunConfig = {
    kind: info.mainConfig ? "yaml" : info.modelConfig || info.dataConfig ? "megatron-json" : "unknown",
    tp: info.tp,
    pp: info.pp,
    cp: info.cp,
    loadPath: info.loadPath,
    savePath: info.savePath,
    ckptFormat: typeof f["ckpt-format"] === "string" ? f["ckpt-format"] : "torch",
    saveInterval: numOr(f["save-interval"]),
    trainIters: numOr(f["train-iters"]),
    noSaveOptim: bool("no-save-optim"),
    noLoadOptim: bool("no-load-optim"),
    inputs: [],
    llmSplit: null,
    vpp: null,
    lora: f["lora-target-modules"] !== undefined || f["lora-r"] !== undefined,
    loraRank: null,
    loraAlpha: null,
    issues,
  };
  if (cfg.kind === "megatron-json") {
    if (files.data !== undefined) cfg.inputs.push(...dataInputs(obj(files.data)));
    if (files.model !== undefined) {
      cfg.llmSplit = checkModel(obj(files.model), cfg, f, issues);
      cfg.vpp = checkVirtualPipeline(obj(files.model), cfg.pp, f, numOr(info.vars.GRAD_ACC_STEP), issues);
    }
  } else if (cfg.kind === "yaml" && files.main !== undefined) {
    const main = obj(files.main);
    const gpt = obj(main.gpt_args);
    const training = obj(main.training);
    const section = Object.keys(gpt).length > 0 ? gpt : training;
    cfg.tp = numOr(gpt.tensor_model_parallel_size) ?? cfg.tp;
    cfg.pp = numOr(gpt.pipeline_model_parallel_size) ?? cfg.pp;
    cfg.cp = numOr(gpt.context_parallel_size) ?? cfg.cp;
    if (typeof section.load === "string") cfg.loadPath = section.load;
    if (typeof section.save === "string") cfg.savePath = section.save;
    cfg.ckptFormat =
      (typeof gpt.ckpt_format === "string" && gpt.ckpt_format) ||
      (typeof training.save_format === "string" && training.save_format) ||
      (Object.keys(training).length > 0 ? "dcp" : cfg.ckptFormat);
    cfg.saveInterval = numOr(section.save_interval) ?? cfg.saveInterval;
    cfg.trainIters = numOr(section.train_iters) ?? cfg.trainIters;
    cfg.noSaveOptim = section.no_save_optim === true;
    cfg.noLoadOptim = section.no_load_optim === true;
    cfg.inputs.push(...dataInputs(obj(main.data)));
    const model = obj(main.model);
    for (const key of ["init_from_hf_path", "model_name_or_path"]) {
      if (typeof model[key] === "string") cfg.inputs.push(model[key] as string);
    }
    cfg.llmSplit = checkModel(model, cfg, {}, issues);
    cfg.lora = main.lora_args !== undefined || obj(training.lora).enable === true;
  }
  const lora = loraSettingsOf(f, cfg.kind === "yaml" ? files.main : undefined);
  cfg.loraRank = lora.rank;
  cfg.loraAlpha = lora.alpha;
  cfg.inputs = [...new Set(cfg.inputs)];
  return cfg;
}
