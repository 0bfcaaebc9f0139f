// Megatron argument blocks (GPT_ARGS / OUTPUT_ARGS / extras) equivalent to each family's upstream finetune script.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: bash ${VAR} expansions in generated scripts
import type { TemplateContext } from "./template.js";

export interface ArgBlocks {
  gpt: string[];
  output: string[];
  /** Extra named blocks (MLA_ARGS, MOE_ARGS, DPO_ARGS), in order. */
  extra: [string, string[]][];
  /** Arguments after --distributed-backend nccl. */
  tail: string[];
  masterPort: number;
}

/** 1e-5 -> "1.0e-5": the upstream spelling, which Megatron's float parser reads. */
export function fmtNumber(n: number): string {
  if (n !== 0 && Math.abs(n) < 1e-3) {
    const [mant, exp] = n.toExponential().split("e");
    return `${mant!.includes(".") ? mant : `${mant}.0`}e${exp}`;
  }
  return String(n);
}

const PARALLEL = [
  "--tensor-model-parallel-size ${TP}",
  "--pipeline-model-parallel-size ${PP}",
  "--context-parallel-size ${CP}",
];
const NO_OPTIM = ["--no-load-optim", "--no-load-rng", "--no-save-optim", "--no-save-rng"];

/** The output flags; the user's save interval, when given, replaces the recipe's for saving only. */
function output(ctx: TemplateContext, interval: number, format: string | null, logTps: boolean): string[] {
  return [
    "--log-interval 1",
    `--save-interval ${ctx.saveInterval ?? interval}`,
    `--eval-interval ${interval}`,
    "--eval-iters 5000",
    "--save $SAVE_PATH",
    ...(format ? [`--ckpt-format ${format}`] : []),
    ...(logTps ? ["--log-tps"] : []),
  ];
}

function qwenArgs(ctx: TemplateContext): ArgBlocks {
  const size = ctx.model.id.split("-").pop()!;
  const vocab = ctx.model.arch?.llm.vocab ?? 152064;
  const r = ctx.recipe;
  const newer = r.release !== "v2.1.0";
  // v2.3.0 added the distributed timeout to the standard scripts.
  const from23 = r.release !== "v2.1.0" && r.release !== "v2.2.0";
  const qwen25 = ctx.model.exampleDir === "qwen2.5vl";
  const small = size === "2b" || size === "3b";
  const fsdp = r.variant === "fsdp";
  const dpo = r.variant === "dpo";
  const gpt = [
    "--use-mcore-models",
    ...PARALLEL,
    ...(newer && !dpo ? ["--context-parallel-algo ulysses_cp_algo"] : []),
    "--micro-batch-size ${MBS}",
    "--global-batch-size ${GBS}",
    "--tokenizer-type NullTokenizer",
    `--vocab-size ${vocab}`,
    `--seq-length ${ctx.seqLength}`,
    "--make-vocab-size-divisible-by 1",
    "--normalization RMSNorm",
    "--use-fused-rmsnorm",
    "--swiglu",
    "--use-fused-swiglu",
    ...(newer && !fsdp ? ["--no-masked-softmax-fusion"] : []),
    `--lr ${fmtNumber(ctx.lr)}`,
    "--lr-decay-style cosine",
    "--weight-decay 0",
    `--train-iters ${ctx.trainIters}`,
    "--lr-warmup-fraction 0.1",
    "--clip-grad 0.0",
    "--adam-beta1 0.9",
    "--adam-beta2 0.999",
    ...(qwen25 && size === "7b" && newer ? [] : ["--no-gradient-accumulation-fusion"]),
    "--seed 42",
    "--bf16",
    "--load $LOAD_PATH",
    // v2.1.0: the Qwen2.5-VL 3B/7B/32B scripts ran without flash attention; 2B/3B had variable lengths on.
    ...(newer || !qwen25 || size === "72b" ? ["--use-flash-attn"] : []),
    ...(small && newer ? [] : ["--variable-seq-lengths"]),
    ...(fsdp ? [] : ["--use-distributed-optimizer"]),
    // The DPO script (one for both sizes) reuses fp32 parameters.
    ...((size === "72b" || dpo) && !qwen25 ? ["--reuse-fp32-param"] : []),
    ...(qwen25 && size === "72b" && !fsdp && !from23 ? ["--swap-attention"] : []),
    ...NO_OPTIM,
    "--num-workers 8",
    ...(fsdp
      ? [
          "--untie-embeddings-and-output-weights",
          "--use-torch-fsdp2",
          `--fsdp2-config-path ${ctx.fileRef("fsdp2_config.yaml")}`,
          "--use-cpu-initialization",
          "--init-model-with-meta-device",
          ...(r.release === "v2.2.0" ? [] : ["--no-initialization"]),
          "--distributed-timeout-minutes 60",
        ]
      : dpo || !from23
        ? []
        : ["--distributed-timeout-minutes 20"]),
  ];
  const lora = r.variant === "lora" ? r.lora : undefined;
  const extra: [string, string[]][] = lora
    ? [
        [
          "LORA_ARGS",
          [
            `--lora-r ${lora.r}`,
            `--lora-alpha ${lora.alpha}`,
            `--lora-dropout ${lora.dropout}`,
            `--lora-target-modules ${lora.targetModules.join(" ")}`,
          ],
        ],
      ]
    : dpo
      ? [
          [
            "DPO_ARGS",
            [
              "--dpo-beta 0.1",
              "--dpo-loss-type sigmoid",
              "--dpo-label-smoothing 0.0",
              "--pref-ftx 0.0",
              "--ref-model $LOAD_PATH",
            ],
          ],
        ]
      : [];
  return {
    gpt,
    output: output(
      ctx,
      10000,
      newer ? (fsdp ? "torch_dist" : "torch") : null,
      r.release !== "v2.1.0" && r.release !== "v2.2.0" && !dpo,
    ),
    extra,
    tail: dpo ? ["--lora-target-modules linear_qkv linear_proj linear_fc1 linear_fc2"] : [],
    masterPort: 6000,
  };
}

function internvlArgs(ctx: TemplateContext, deepseek: boolean): ArgBlocks {
  const vocab = ctx.model.arch?.llm.vocab ?? 151674;
  const release = ctx.recipe.release;
  // v2.1.0 pairs with Megatron core_r0.8.0: no --ckpt-format, no MLA/permute-fusion flags; remote code trusted.
  const r21 = release === "v2.1.0";
  const logTps = release !== "v2.1.0" && release !== "v2.2.0";
  const gpt = [
    ...PARALLEL,
    ...(deepseek ? ["--expert-model-parallel-size ${EP}"] : []),
    "--micro-batch-size ${MBS}",
    "--global-batch-size ${GBS}",
    `--seq-length ${ctx.seqLength}`,
    "--tokenizer-type NullTokenizer",
    `--vocab-size ${vocab}`,
    "--position-embedding-type rope",
    `--rotary-base ${deepseek ? 10000 : 1000000}`,
    "--swiglu",
    "--no-masked-softmax-fusion",
    `--lr ${fmtNumber(ctx.lr)}`,
    "--min-lr 0.0",
    `--train-iters ${ctx.trainIters}`,
    "--lr-decay-style cosine",
    "--weight-decay 0.05",
    "--clip-grad 1.0",
    "--adam-beta1 0.9",
    "--adam-beta2 0.999",
    "--no-gradient-accumulation-fusion",
    ...(deepseek ? [] : NO_OPTIM),
    "--use-distributed-optimizer",
    ...(deepseek ? [] : ["--use-flash-attn"]),
    "--bf16",
    "--load $LOAD_PATH",
    ...(deepseek ? ["--normalization RMSNorm", "--use-fused-rmsnorm"] : []),
    ...(ctx.model.id === "internvl2.5-4b" && !r21 ? [] : ["--variable-seq-lengths"]),
    ...(deepseek ? NO_OPTIM : ["--normalization RMSNorm"]),
    "--num-workers 4",
    ...(ctx.model.id === "internvl2.5-78b" ? ["--enable-dummy-optimizer"] : []),
    ...(ctx.model.id === "internvl3-78b" ? ["--unaligned-linear"] : []),
    ...(r21 ? ["--trust-remote-code"] : []),
  ];
  const extra: [string, string[]][] = deepseek
    ? [
        [
          "MLA_ARGS",
          [
            "--multi-head-latent-attention",
            ...(r21 ? [] : ["--multi-latent-attention"]),
            "--qk-rope-head-dim 64",
            "--qk-nope-head-dim 128",
            "--kv-lora-rank 512",
            "--v-head-dim 128",
            "--qk-layernorm",
          ],
        ],
        [
          "MOE_ARGS",
          r21
            ? [
                "--moe-grouped-gemm",
                "--moe-permutation-async-comm",
                "--moe-token-dispatcher-type alltoall",
                "--use-fused-moe-token-permute-and-unpermute",
              ]
            : ["--moe-permutation-async-comm", "--moe-token-dispatcher-type alltoall", "--moe-permute-fusion"],
        ],
      ]
    : [];
  return { gpt, output: output(ctx, 5000, r21 ? null : "torch", logTps), extra, tail: [], masterPort: 6000 };
}

/**
 * finetune_deepseekv3_vl.sh: the same script at every release (v2.1.0 adds --trust-remote-code and has no
 * --ckpt-format): sequence parallel, MLA with a q-LoRA rank, grouped-GEMM MoE with fused permute, YaRN rope scaling.
 */
function deepseekV3Args(ctx: TemplateContext): ArgBlocks {
  const r21 = ctx.recipe.release === "v2.1.0";
  const gpt = [
    ...PARALLEL,
    "--expert-model-parallel-size ${EP}",
    "--sequence-parallel",
    "--micro-batch-size ${MBS}",
    "--global-batch-size ${GBS}",
    `--seq-length ${ctx.seqLength}`,
    "--tokenizer-type NullTokenizer",
    "--vocab-size 129280",
    "--position-embedding-type rope",
    "--rotary-base 10000",
    "--swiglu",
    "--no-masked-softmax-fusion",
    `--lr ${fmtNumber(ctx.lr)}`,
    "--min-lr 0.0",
    `--train-iters ${ctx.trainIters}`,
    "--lr-decay-style cosine",
    "--weight-decay 0.05",
    "--clip-grad 1.0",
    "--adam-beta1 0.9",
    "--adam-beta2 0.999",
    "--no-gradient-accumulation-fusion",
    "--use-distributed-optimizer",
    "--bf16",
    "--load $LOAD_PATH",
    "--variable-seq-lengths",
    "--normalization RMSNorm",
    "--use-fused-rmsnorm",
    ...NO_OPTIM,
    "--num-workers 4",
    "--use-flash-attn",
    ...(r21 ? ["--trust-remote-code"] : []),
  ];
  const extra: [string, string[]][] = [
    [
      "MLA_ARGS",
      [
        "--multi-head-latent-attention",
        "--q-lora-rank 1536",
        "--qk-rope-head-dim 64",
        "--qk-nope-head-dim 128",
        "--kv-lora-rank 512",
        "--v-head-dim 128",
        "--qk-layernorm",
      ],
    ],
    [
      "ROPE_ARGS",
      [
        "--rope-scaling-beta-fast 32",
        "--rope-scaling-beta-slow 1",
        "--rope-scaling-factor 40",
        "--rope-scaling-mscale 1.0",
        "--rope-scaling-mscale-all-dim 1.0",
        "--rope-scaling-original-max-position-embeddings 4096",
        "--rope-scaling-type yarn",
      ],
    ],
    [
      "MOE_ARGS",
      [
        "--moe-grouped-gemm",
        "--moe-permutation-async-comm",
        "--moe-token-dispatcher-type alltoall",
        "--use-fused-moe-token-permute-and-unpermute",
      ],
    ],
  ];
  return { gpt, output: output(ctx, 5000, r21 ? null : "torch", false), extra, tail: [], masterPort: 6000 };
}

/** finetune_internvl2_<size>.sh (v2.1.0 / v2.2.0): one script per size, the 76B one without the fused RoPE/RMSNorm. */
function internvl2Args(ctx: TemplateContext): ArgBlocks {
  const size = ctx.model.id.split("-").pop()!;
  const r21 = ctx.recipe.release === "v2.1.0";
  const big = size === "76b";
  const rotary = size === "2b" ? 100000 : big ? 500000 : 1000000;
  const gpt = [
    ...PARALLEL,
    "--micro-batch-size ${MBS}",
    "--global-batch-size ${GBS}",
    `--seq-length ${ctx.seqLength}`,
    "--tokenizer-type NullTokenizer",
    `--vocab-size ${big ? 128258 : 92553}`,
    "--position-embedding-type rope",
    `--rotary-base ${rotary}`,
    "--swiglu",
    "--no-masked-softmax-fusion",
    `--lr ${fmtNumber(ctx.lr)}`,
    "--min-lr 0.0",
    `--train-iters ${ctx.trainIters}`,
    "--lr-decay-style cosine",
    "--weight-decay 0.05",
    "--clip-grad 1.0",
    "--adam-beta1 0.9",
    "--adam-beta2 0.999",
    "--no-gradient-accumulation-fusion",
    "--use-distributed-optimizer",
    "--bf16",
    "--load $LOAD_PATH",
    "--use-flash-attn",
    ...(big ? [] : ["--use-fused-rotary-pos-emb"]),
    ...(size === "2b" && !r21 ? [] : ["--variable-seq-lengths"]),
    ...(big ? [] : ["--normalization RMSNorm", "--use-fused-rmsnorm"]),
    ...NO_OPTIM,
    "--num-workers 4",
    ...(size === "26b" || big ? ["--enable-dummy-optimizer"] : []),
    ...(r21 && !big ? ["--trust-remote-code"] : []),
  ];
  return { gpt, output: output(ctx, 5000, r21 ? null : "torch", false), extra: [], tail: [], masterPort: 6000 };
}

function glm41Args(ctx: TemplateContext): ArgBlocks {
  const base = qwenArgs(ctx);
  // The script passes the padded Qwen-style vocabulary (151936), not the tokenizer's 151552.
  const gpt = base.gpt
    .filter((a) => a !== "--no-masked-softmax-fusion" && !a.startsWith("--distributed-timeout-minutes"))
    .map((a) => (a.startsWith("--context-parallel-algo") ? "--context-parallel-algo megatron_cp_algo" : a))
    .map((a) => (a.startsWith("--vocab-size") ? "--vocab-size 151936" : a));
  return { ...base, gpt, masterPort: 6700 };
}

function fsdp2JsonArgs(ctx: TemplateContext): ArgBlocks {
  const release = ctx.recipe.release;
  const ivl35 = ctx.model.exampleDir === "internvl3.5";
  // InternVL3.5's loss flag: per token at v2.2.0, per sample at v2.3.0, the trainer default from v26.0.0.
  const magistral = ctx.model.exampleDir === "magistral-2509";
  const fsdp2File =
    ctx.recipe.configFiles
      .find((f) => /fsdp2.*\.yaml$/.test(f))
      ?.split("/")
      .pop() ?? "fsdp2_config.yaml";
  const lora = ctx.recipe.variant === "lora" ? ctx.recipe.lora : undefined;
  // Qwen3-VL's JSON scripts (v2.2.0 / v2.3.0): per-token loss; meta-device init for the MoE sizes from v2.3.0.
  const q3 = ctx.model.exampleDir === "qwen3vl";
  const lossFlag =
    (ivl35 && release === "v2.2.0") || q3
      ? ["--calculate-per-token-loss"]
      : ivl35 && release === "v2.3.0"
        ? ["--calculate-per-sample-loss"]
        : [];
  const late =
    q3 && release === "v2.2.0"
      ? []
      : q3
        ? [...(ctx.model.id === "qwen3vl-8b" ? [] : ["--init-model-with-meta-device"]), "--log-tps"]
        : ivl35 && release === "v2.2.0"
          ? []
          : ["--init-model-with-meta-device", "--log-tps"];
  const gpt = [
    "--use-mcore-models",
    ...PARALLEL,
    "--context-parallel-algo ulysses_cp_algo",
    "--micro-batch-size ${MBS}",
    "--global-batch-size ${GBS}",
    "--tokenizer-type NullTokenizer",
    `--vocab-size ${magistral ? 131072 : 152064}`,
    `--seq-length ${ctx.seqLength}`,
    "--make-vocab-size-divisible-by 1",
    "--normalization RMSNorm",
    "--use-fused-rmsnorm",
    "--swiglu",
    "--use-fused-swiglu",
    "--no-masked-softmax-fusion",
    `--lr ${fmtNumber(ctx.lr)}`,
    "--lr-decay-style cosine",
    "--weight-decay 0",
    `--train-iters ${ctx.trainIters}`,
    "--lr-warmup-fraction 0.1",
    "--clip-grad 0.0",
    "--adam-beta1 0.9",
    "--adam-beta2 0.999",
    "--no-gradient-accumulation-fusion",
    "--seed 42",
    "--load $LOAD_PATH",
    "--use-flash-attn",
    ...NO_OPTIM,
    "--num-workers 8",
    "--use-torch-fsdp2",
    "--untie-embeddings-and-output-weights",
    "--ckpt-format torch_dcp",
    `--fsdp2-config-path ${ctx.fileRef(fsdp2File)}`,
    "--optimizer-selection fused_torch_adamw",
    "--use-cpu-initialization",
    ...lossFlag,
    ...late,
  ];
  const glm = ctx.model.exampleDir === "glm4.5v";
  return {
    gpt,
    output: output(ctx, 10000, glm || q3 ? null : "torch_dcp", false),
    extra: lora
      ? [
          [
            "LORA_ARGS",
            [
              `--lora-r ${lora.r}`,
              `--lora-alpha ${lora.alpha}`,
              `--lora-dropout ${lora.dropout}`,
              `--lora-target-modules ${lora.targetModules.join(" ")}`,
            ],
          ],
        ]
      : [],
    tail: [],
    masterPort: 6000,
  };
}

export function megatronArgs(ctx: TemplateContext): ArgBlocks {
  const blocks = familyArgs(ctx);
  if (!ctx.vpp) return blocks;
  // finetune_internvl2_8B_vpp.sh: the virtual stages per rank right after the pipeline size. MindSpeed-MM refuses
  // --num-layers-per-virtual-pipeline-stage (validate_args_patch.py: "deprecated"), so only the size is passed.
  const at = blocks.gpt.indexOf("--pipeline-model-parallel-size ${PP}");
  const gpt = [...blocks.gpt];
  gpt.splice(at + 1, 0, `--virtual-pipeline-model-parallel-size ${ctx.vpp.size}`);
  return { ...blocks, gpt };
}

function familyArgs(ctx: TemplateContext): ArgBlocks {
  switch (ctx.model.exampleDir) {
    case "qwen2vl":
    case "qwen2.5vl":
      return qwenArgs(ctx);
    case "glm4.1v":
      return glm41Args(ctx);
    case "internvl2":
      return internvl2Args(ctx);
    case "internvl2.5":
    case "internvl3":
      return internvlArgs(ctx, false);
    case "deepseekvl2":
      return ctx.model.id === "deepseekvl2-671b" ? deepseekV3Args(ctx) : internvlArgs(ctx, true);
    default:
      return fsdp2JsonArgs(ctx);
  }
}
