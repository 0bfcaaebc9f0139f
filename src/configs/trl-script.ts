// The TRL training script build_configs writes for CUDA hosts: one self-contained Python file with a PEP 723
// dependency header (what `uv run` reads), pinned to a TRL release, for a model id, a dataset (hub id or file) and
// LoRA, QLoRA or full fine-tuning. `accelerate launch` runs it; every value in it comes from validated input and is
// written as a Python literal.
import { TRL_METHOD_INFO, type TrlMethod, type TrlRelease } from "../knowledge/trl.js";

export type TrlPeft = "lora" | "qlora" | "full";

export interface TrlScriptOptions {
  method: TrlMethod;
  /** Hugging Face model id or a local directory. */
  model: string;
  /** Hugging Face dataset id or a local .json / .jsonl / .parquet / .csv file. */
  dataset: string;
  peft: TrlPeft;
  outputDir: string;
  release: TrlRelease;
  maxSteps: number;
  learningRate?: number;
  perDeviceBatchSize: number;
  gradientAccumulationSteps: number;
  saveSteps: number;
  bf16: boolean;
  /** Repo id to push the result to (needs HF_TOKEN at run time); none: keep it local. */
  hubModelId?: string;
  /** Column renames applied after loading (dataset column → expected column). */
  columnMapping?: Record<string, string>;
  /** LoRA / QLoRA: the adapters' rank (default 16) and alpha (default twice the rank). */
  loraRank?: number;
  loraAlpha?: number;
}

/** The script's LoRA rank when none is asked (alpha twice that, 32). */
export const TRL_LORA_RANK = 16;

/** A Python string literal (JSON's escaping is valid Python for the strings this script holds). */
const py = (s: string) => JSON.stringify(s);

const FILE_FORMATS: Record<string, string> = {
  ".json": "json",
  ".jsonl": "json",
  ".parquet": "parquet",
  ".csv": "csv",
};

/** The `datasets` builder for a local file, or null for a hub id. */
export function localDatasetFormat(dataset: string): string | null {
  if (!dataset.startsWith("/") && !dataset.startsWith("./")) return null;
  const ext = Object.keys(FILE_FORMATS).find((e) => dataset.endsWith(e));
  return ext ? FILE_FORMATS[ext]! : null;
}

function pep723Header(opts: TrlScriptOptions): string[] {
  const r = opts.release.requires;
  const deps = [
    `trl==${opts.release.trl}`,
    `transformers>=${r.transformers}`,
    `accelerate>=${r.accelerate}`,
    `datasets>=${r.datasets}`,
    ...(opts.peft === "full" ? [] : [`peft>=${r.peft}`]),
    ...(opts.peft === "qlora" ? ["bitsandbytes"] : []),
  ];
  return [
    "# /// script",
    '# requires-python = ">=3.9"',
    "# dependencies = [",
    ...deps.map((d) => `#     ${py(d)},`),
    "# ]",
    "# ///",
  ];
}

function loadDatasetLines(opts: TrlScriptOptions): string[] {
  const format = localDatasetFormat(opts.dataset);
  const load = format
    ? `dataset = load_dataset(${py(format)}, data_files=${py(opts.dataset)}, split="train")`
    : `dataset = load_dataset(${py(opts.dataset)}, split="train")`;
  const mapping = Object.entries(opts.columnMapping ?? {});
  return mapping.length > 0
    ? [load, `dataset = dataset.rename_columns({${mapping.map(([a, b]) => `${py(a)}: ${py(b)}`).join(", ")}})`]
    : [load];
}

function configArgs(opts: TrlScriptOptions, lr: number): string[] {
  const args = [
    `output_dir=${py(opts.outputDir)}`,
    `max_steps=${opts.maxSteps}`,
    `learning_rate=${lr}`,
    `per_device_train_batch_size=${opts.perDeviceBatchSize}`,
    `gradient_accumulation_steps=${opts.gradientAccumulationSteps}`,
    "logging_steps=1",
    `save_steps=${opts.saveSteps}`,
    `bf16=${opts.bf16 ? "True" : "False"}`,
    'report_to="none"',
  ];
  if (opts.method === "dpo") args.push("beta=0.1");
  if (opts.method === "grpo") args.push("num_generations=8", "max_completion_length=256");
  if (opts.hubModelId) args.push("push_to_hub=True", `hub_model_id=${py(opts.hubModelId)}`);
  if (opts.peft === "qlora" && opts.method !== "reward") args.push("model_init_kwargs={'quantization_config': bnb}");
  return args;
}

/** The whole script: header, imports, dataset, PEFT config, trainer, train, save. */
export function buildTrlScript(opts: TrlScriptOptions): string {
  const info = TRL_METHOD_INFO[opts.method];
  const lr = opts.learningRate ?? (opts.peft === "full" ? info.loraLearningRate / 10 : info.loraLearningRate);
  const imports = [
    "from datasets import load_dataset",
    `from trl import ${info.config}, ${info.trainer}`,
    ...(opts.peft === "full" ? [] : ["from peft import LoraConfig"]),
    ...(opts.peft === "qlora" ? ["import torch", "from transformers import BitsAndBytesConfig"] : []),
    ...(opts.method === "reward" ? ["from transformers import AutoModelForSequenceClassification, AutoTokenizer"] : []),
  ];
  const peftLines =
    opts.peft === "full"
      ? []
      : [
          "peft_config = LoraConfig(",
          `    r=${opts.loraRank ?? TRL_LORA_RANK},`,
          `    lora_alpha=${opts.loraAlpha ?? 2 * (opts.loraRank ?? TRL_LORA_RANK)},`,
          "    lora_dropout=0.05,",
          '    target_modules="all-linear",',
          `    task_type=${py(opts.method === "reward" ? "SEQ_CLS" : "CAUSAL_LM")},`,
          ")",
        ];
  const bnbLines =
    opts.peft === "qlora"
      ? [
          "bnb = BitsAndBytesConfig(",
          "    load_in_4bit=True,",
          '    bnb_4bit_quant_type="nf4",',
          "    bnb_4bit_compute_dtype=torch.bfloat16,",
          "    bnb_4bit_use_double_quant=True,",
          ")",
        ]
      : [];
  const rewardFn =
    opts.method === "grpo"
      ? [
          "",
          "",
          "def reward_len(completions, **kwargs):",
          '    """Placeholder reward from TRL\'s GRPO quick start (completions near 20 characters): replace with your own."""',
          "    return [-abs(20 - len(completion)) for completion in completions]",
          "",
        ]
      : [];
  const modelLines =
    opts.method === "reward"
      ? [
          `model = AutoModelForSequenceClassification.from_pretrained(${py(opts.model)}, num_labels=1${opts.peft === "qlora" ? ", quantization_config=bnb" : ""})`,
          `tokenizer = AutoTokenizer.from_pretrained(${py(opts.model)})`,
          "model.config.pad_token_id = tokenizer.pad_token_id",
        ]
      : [];
  const trainerArgs = [
    opts.method === "reward" ? "model=model" : `model=${py(opts.model)}`,
    ...(opts.method === "reward" ? ["processing_class=tokenizer"] : []),
    ...(opts.method === "grpo" ? ["reward_funcs=reward_len"] : []),
    "args=training_args",
    "train_dataset=dataset",
    ...(opts.peft === "full" ? [] : ["peft_config=peft_config"]),
  ];
  return [
    ...pep723Header(opts),
    `"""${info.trainer} (${opts.peft}) of ${opts.model} on ${opts.dataset}; TRL ${opts.release.trl}. Docs: ${info.docs}"""`,
    ...imports,
    ...rewardFn,
    "",
    ...loadDatasetLines(opts),
    ...bnbLines,
    ...peftLines,
    ...modelLines,
    `training_args = ${info.config}(`,
    ...configArgs(opts, lr).map((a) => `    ${a},`),
    ")",
    `trainer = ${info.trainer}(`,
    ...trainerArgs.map((a) => `    ${a},`),
    ")",
    "trainer.train()",
    "trainer.save_model(training_args.output_dir)",
    ...(opts.hubModelId ? ["trainer.push_to_hub()"] : []),
    "",
  ].join("\n");
}
