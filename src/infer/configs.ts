// The inference and evaluation files of a trained checkpoint: upstream's inference_*.json / evaluate_*.json and the
// .sh that runs inference_vlm.py / evaluate_vlm.py, built from the family's 7B example with the trained model's
// dimensions and the checkpoint's TP/PP layout filled in. Upstream ships these for a few sizes only and tells users
// to copy the 7B files and edit them by hand; this does that edit. Pure: the caller reads and writes the files.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: bash ${VAR} expansions in generated scripts
import { ToolError } from "../errors.js";
import { cannSetEnvCandidates } from "../hosts/environment.js";
import { shellQuote } from "../hosts/quote.js";
import {
  type Benchmark,
  IMAGE_PROCESSOR_PATH_SIZES,
  INFERENCE_FAMILIES,
  type InferenceFamily,
} from "../knowledge/inference-upstream.js";
import type { ReleaseTag } from "../knowledge/release-tags.js";
import type { ModelEntry } from "../knowledge/types.js";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A family or benchmark upstream has no example for: said to the caller as it stands. */
export class InferenceRefusal extends ToolError {
  override name = "InferenceRefusal";
}

export function inferenceFamily(model: ModelEntry): InferenceFamily {
  const family = INFERENCE_FAMILIES[model.exampleDir];
  if (!family) {
    const covered = Object.keys(INFERENCE_FAMILIES).join(", ");
    throw new InferenceRefusal(
      `${model.id}: no inference_vlm.py example upstream for ${model.exampleDir} that this tool builds from (covered: ${covered}). Export the run with export_model and load it with transformers instead.`,
    );
  }
  return family;
}

/** Deep merge of plain objects; arrays and scalars replace. */
function mergeInto(target: Json, patch: Json): Json {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === "object" && !Array.isArray(v) && target[k] && typeof target[k] === "object")
      mergeInto(target[k] as Json, v as Json);
    else target[k] = clone(v);
  }
  return target;
}

const VIT_KEYS = ["num_layers", "hidden_size", "ffn_hidden_size", "num_attention_heads"] as const;
const PROJECTOR_KEYS = ["input_size", "hidden_size", "ffn_hidden_size"] as const;
const LLM_KEYS = [
  "num_layers",
  "hidden_size",
  "ffn_hidden_size",
  "num_attention_heads",
  "num_query_groups",
  "vocab_size",
  "untie_embeddings_and_output_weights",
  "max_position_embeddings",
  "rope_theta",
] as const;

/** The architecture numbers of the trained model (its training model JSON) copied over the 7B example's. */
function overlayArchitecture(value: Json, trainingModel: Json): void {
  const pairs: [Json, Json, readonly string[]][] = [
    [obj(obj(value.image_encoder).vision_encoder), obj(obj(trainingModel.image_encoder).vision_encoder), VIT_KEYS],
    [
      obj(obj(value.image_encoder).vision_projector),
      obj(obj(trainingModel.image_encoder).vision_projector),
      PROJECTOR_KEYS,
    ],
    [obj(value.text_decoder), obj(trainingModel.text_decoder), LLM_KEYS],
  ];
  for (const [into, from, keys] of pairs) {
    for (const key of keys) if (from[key] !== undefined && key in into) into[key] = clone(from[key]);
  }
  const vit = obj(obj(value.image_encoder).vision_encoder);
  // qwen2.5vl's ViT carries its MLP width twice (intermediate_size mirrors ffn_hidden_size).
  if ("intermediate_size" in vit && vit.ffn_hidden_size !== undefined) vit.intermediate_size = vit.ffn_hidden_size;
  // The ViT's output width is the LLM's hidden size (training configs do not always carry it, or carry a stale one).
  const llmHidden = obj(value.text_decoder).hidden_size;
  if ("llm_hidden_size" in vit && llmHidden !== undefined) vit.llm_hidden_size = llmHidden;
}

export interface InferenceRequest {
  model: ModelEntry;
  release: ReleaseTag;
  kind: "inference" | "evaluate";
  /** The model JSON the checkpoint was trained with (its dimensions are copied). */
  trainingModel: Json;
  tp: number;
  pp: number;
  llmSplit: number[] | null;
  vitSplit: number[] | null;
  /** The original Hugging Face model (tokenizer / processor). */
  hfDir: string;
  /** The Megatron checkpoint directory (holds latest_checkpointed_iteration.txt). */
  loadPath: string;
  /** inference: one image and its prompt. */
  imagePath?: string;
  prompt?: string;
  /** evaluate: the benchmark and its TSV. */
  benchmark?: Benchmark;
  datasetPath?: string;
  resultDir?: string;
}

/** The inference / evaluate JSON: upstream's file for the size where it exists, else the 7B one adapted. */
export function inferenceJson(req: InferenceRequest): Json {
  const family = inferenceFamily(req.model);
  const size = req.model.size?.toLowerCase() ?? req.model.id.split("-").pop()!;
  const value = clone(family.base);
  overlayArchitecture(value, req.trainingModel);
  const td = obj(value.text_decoder);
  const vit = obj(obj(value.image_encoder).vision_encoder);
  if (req.llmSplit) td.pipeline_num_layers = [...req.llmSplit];
  if (req.vitSplit) vit.pipeline_num_layers = [...req.vitSplit];
  obj(value.tokenizer).from_pretrained = req.hfDir;
  if (IMAGE_PROCESSOR_PATH_SIZES[family.exampleDir]?.includes(size))
    value.image_processer_path = `${req.hfDir}/preprocessor_config.json`;
  const patch = family.sizePatches[size]?.[req.kind];
  if (req.kind === "inference") {
    if (patch) mergeInto(value, patch);
    value.image_path = req.imagePath ?? family.demoImage(req.release);
    value.prompts = req.prompt ?? "Describe this image and keep it within 100 words.";
    return value;
  }
  // evaluate_*.json: model_id instead of pipeline_class, split_batch in generation_config, the dataset fields.
  const { pipeline_class: pipeline, image_path: _i, prompts: _p, ...rest } = value;
  const generation = obj(rest.generation_config);
  const reordered: Json = {};
  for (const [k, v] of Object.entries(generation)) {
    reordered[k] = v;
    if (k === "kv_cache") reordered.split_batch = false;
  }
  const out: Json = { model_id: pipeline, ...rest, generation_config: reordered };
  if (patch) mergeInto(out, patch);
  if (!req.benchmark) throw new InferenceRefusal("evaluate: a benchmark is required.");
  out.dataset_path = req.datasetPath ?? `./${family.benchmarks[req.benchmark]}`;
  out.evaluation_dataset = req.benchmark;
  out.evaluation_model = family.evaluationModel;
  out.result_output_path = req.resultDir ?? "./evaluation_outputs/";
  return out;
}

/** The upstream example this size's file stands for, and whether upstream ships it for the size. */
export function upstreamExample(model: ModelEntry, kind: "inference" | "evaluate") {
  const family = inferenceFamily(model);
  const size = model.size?.toLowerCase() ?? model.id.split("-").pop()!;
  const sizes = kind === "inference" ? family.inferenceSizes : family.evaluateSizes;
  const shipped = sizes.includes(size);
  const ref = shipped ? size : "7b";
  return {
    json: `examples/${family.exampleDir}/${kind}_${family.stem}_${ref}.json`,
    script: `examples/${family.exampleDir}/${kind}_${family.stem}_${ref}.sh`,
    shipped,
    name: `${kind}_${family.stem}_${size}`,
  };
}

export interface ScriptOptions {
  kind: "inference" | "evaluate";
  cannRoot: string;
  workdir: string;
  /** The JSON file the script passes as --mm-model. */
  configPath: string;
  loadPath: string;
  tp: number;
  pp: number;
  vocabSize: number;
  seqLength: number;
  /** evaluate: NPUs for data-parallel evaluation (upstream: "NPUS_PER_NODE=8" for multi-card DP). */
  npus?: number;
  masterPort?: number;
}

/** upstream's inference_*.sh / evaluate_*.sh: the same variables and flags, with the checkpoint's layout. */
export function inferenceScript(o: ScriptOptions): string {
  const [cannNew, cannOld] = cannSetEnvCandidates(o.cannRoot);
  const evaluate = o.kind === "evaluate";
  const npus = Math.max(o.tp * o.pp, o.npus ?? 1);
  const env = evaluate
    ? [
        "export CUDA_DEVICE_MAX_CONNECTIONS=1",
        "export ASCEND_SLOG_PRINT_TO_STDOUT=0",
        "export ASCEND_GLOBAL_LOG_LEVEL=3",
        "export TASK_QUEUE_ENABLE=2",
        "export COMBINED_ENABLE=1",
        "export CPU_AFFINITY_CONF=1",
        "export HCCL_CONNECT_TIMEOUT=7200",
        "export HCCL_EXEC_TIMEOUT=7200",
        "export NPU_ASD_ENABLE=0",
        "export ASCEND_LAUNCH_BLOCKING=0",
        "export ACLNN_CACHE_LIMIT=100000",
        "export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True",
        "export TOKENIZERS_PARALLELISM=false",
      ]
    : [
        "export CUDA_DEVICE_MAX_CONNECTIONS=1",
        "export ASCEND_SLOG_PRINT_TO_STDOUT=0",
        "export ASCEND_GLOBAL_LOG_LEVEL=3",
        "export TASK_QUEUE_ENABLE=2",
        "export COMBINED_ENABLE=1",
        "export CPU_AFFINITY_CONF=1",
        "export HCCL_CONNECT_TIMEOUT=1200",
        "export NPU_ASD_ENABLE=0",
        "export ACLNN_CACHE_LIMIT=100000",
        "export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True",
      ];
  const gpt = [
    "--use-mcore-models",
    "--tensor-model-parallel-size ${TP}",
    "--pipeline-model-parallel-size ${PP}",
    "--micro-batch-size ${MBS}",
    "--global-batch-size ${GBS}",
    "--tokenizer-type NullTokenizer",
    `--vocab-size ${o.vocabSize}`,
    `--seq-length ${o.seqLength}`,
    "--make-vocab-size-divisible-by 1",
    "--normalization RMSNorm",
    ...(evaluate ? [] : ["--use-fused-rmsnorm"]),
    "--swiglu",
    ...(evaluate ? [] : ["--use-fused-swiglu"]),
    "--seed 42",
    "--bf16",
    "--load $LOAD_PATH",
    ...(evaluate ? ["--vocab-size 1", "--distributed-timeout-minutes 1000"] : []),
    "--use-flash-attn",
    "--no-load-optim",
    "--no-load-rng",
  ];
  const block = (name: string, args: string[]) =>
    `${name}="\n${args.map((a, i) => `    ${a}${i < args.length - 1 ? " \\" : ""}`).join("\n")}\n"`;
  return [
    "#!/bin/bash",
    `# Equivalent to upstream's ${o.kind}_*.sh, with this checkpoint's layout (TP=${o.tp}, PP=${o.pp}).`,
    `cd ${shellQuote(o.workdir)} || exit 1`,
    `if [ -f ${shellQuote(cannNew!)} ]; then source ${shellQuote(cannNew!)}; else source ${shellQuote(cannOld!)}; fi`,
    "",
    ...env,
    "",
    `NPUS_PER_NODE=${npus}`,
    'MASTER_ADDR="${MASTER_ADDR:-localhost}"',
    `MASTER_PORT=\${MASTER_PORT:-${o.masterPort ?? 6000}}`,
    "NNODES=1",
    "NODE_RANK=0",
    "WORLD_SIZE=$(($NPUS_PER_NODE*$NNODES))",
    "",
    `MM_MODEL=${"${MM_MODEL:-"}${shellQuote(o.configPath)}}`,
    `LOAD_PATH=${"${LOAD_PATH:-"}${shellQuote(o.loadPath)}}`,
    "",
    `TP=${o.tp}`,
    `PP=${o.pp}`,
    "CP=1",
    "MBS=1",
    "GRAD_ACC_STEP=1",
    "DP=$(($WORLD_SIZE/$TP/$PP/$CP))",
    "GBS=$(($MBS*$GRAD_ACC_STEP*$DP))",
    "",
    block("DISTRIBUTED_ARGS", [
      "--nproc_per_node $NPUS_PER_NODE",
      "--nnodes $NNODES",
      "--node_rank $NODE_RANK",
      "--master_addr $MASTER_ADDR",
      "--master_port $MASTER_PORT",
    ]),
    "",
    block("GPT_ARGS", gpt),
    "",
    block("MM_ARGS", ["--mm-model $MM_MODEL"]),
    "",
    block("OUTPUT_ARGS", ["--log-interval 1", "--save-interval 10000", "--eval-interval 10000", "--eval-iters 5000"]),
    "",
    `torchrun $DISTRIBUTED_ARGS ${evaluate ? "evaluate_vlm.py" : "inference_vlm.py"} \\`,
    "    $GPT_ARGS \\",
    "    $MM_ARGS \\",
    "    $OUTPUT_ARGS \\",
    "    --distributed-backend nccl",
    "",
  ].join("\n");
}
