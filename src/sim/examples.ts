// Example configs and launch scripts of the simulated MindSpeed-MM checkout, built from the facts (§a.3, §c).
import { UPSTREAM_MLLM_ATTR } from "../knowledge/mllm-attr.js";

import type { ReleaseTag } from "../knowledge/release-tags.js";

interface VlmSize {
  size: string;
  layers: number;
  heads: number;
  kv: number;
  hidden: number;
  ffn: number;
  vocab: number;
  tp: number;
  llmPp: number[];
  vitPp: number[];
  gradAcc: number;
  npus: number;
}

const QWEN25VL: VlmSize[] = [
  {
    size: "3b",
    layers: 36,
    heads: 16,
    kv: 2,
    hidden: 2048,
    ffn: 11008,
    vocab: 151936,
    tp: 1,
    llmPp: [36],
    vitPp: [32],
    gradAcc: 32,
    npus: 8,
  },
  {
    size: "7b",
    layers: 28,
    heads: 28,
    kv: 4,
    hidden: 3584,
    ffn: 18944,
    vocab: 152064,
    tp: 1,
    llmPp: [12, 16],
    vitPp: [32, 0],
    gradAcc: 48,
    npus: 8,
  },
  {
    size: "32b",
    layers: 64,
    heads: 40,
    kv: 8,
    hidden: 5120,
    ffn: 27648,
    vocab: 152064,
    tp: 2,
    llmPp: [1, 9, 9, 9, 9, 9, 9, 9],
    vitPp: [32, 0, 0, 0, 0, 0, 0, 0],
    gradAcc: 96,
    npus: 8,
  },
  {
    size: "72b",
    layers: 80,
    heads: 64,
    kv: 8,
    hidden: 8192,
    ffn: 29568,
    vocab: 152064,
    tp: 2,
    llmPp: [6, 11, 11, 11, 11, 11, 11, 8],
    vitPp: [32, 0, 0, 0, 0, 0, 0, 0],
    gradAcc: 96,
    npus: 16,
  },
];

const QWEN2VL_7B: VlmSize = {
  size: "7b",
  layers: 28,
  heads: 28,
  kv: 4,
  hidden: 3584,
  ffn: 18944,
  vocab: 152064,
  tp: 1,
  llmPp: [1, 10, 10, 7],
  vitPp: [32, 0, 0, 0],
  gradAcc: 96,
  npus: 8,
};

function modelJson(modelId: string, vitId: string, lmId: string, s: VlmSize): string {
  const model = {
    model_id: modelId,
    img_context_token_id: 151655,
    vision_start_token_id: 151652,
    image_encoder: {
      vision_encoder: {
        model_id: vitId,
        num_layers: 32,
        hidden_size: 1280,
        num_attention_heads: 16,
        patch_size: 14,
        spatial_merge_size: 2,
        temporal_patch_size: 2,
        freeze: true,
        pipeline_num_layers: s.vitPp,
        bf16: true,
      },
      vision_projector: { model_id: "lnmlp", freeze: true, input_size: 1280, hidden_size: s.hidden },
    },
    text_decoder: {
      model_id: lmId,
      num_layers: s.layers,
      pipeline_num_layers: s.llmPp,
      hidden_size: s.hidden,
      ffn_hidden_size: s.ffn,
      num_attention_heads: s.heads,
      num_query_groups: s.kv,
      group_query_attention: true,
      vocab_size: s.vocab,
      seq_length: 1024,
      max_position_embeddings: 128000,
      rope_theta: 1000000.0,
      position_embedding_type: "mrope",
      mrope_section: [16, 24, 24],
      untie_embeddings_and_output_weights: s.size !== "3b",
    },
    text_encoder: null,
    video_encoder: null,
  };
  return `${JSON.stringify(model, null, 4)}\n`;
}

function dataJson(hfDir: string, collate: string, template: string): string {
  const data = {
    dataset_param: {
      dataset_type: "huggingface",
      preprocess_parameters: {
        model_name_or_path: hfDir,
        use_fast_tokenizer: true,
        split_special_tokens: false,
        image_max_pixels: 262144,
        image_min_pixels: 0,
        video_max_pixels: 16384,
        video_min_pixels: 0,
        video_fps: 2.0,
        video_maxlen: 64,
      },
      basic_parameters: {
        template,
        dataset_dir: "./data",
        dataset: "./data/mllm_format_llava_instruct_data.json",
        cache_dir: "./data/cache_dir",
        train_on_prompt: false,
        mask_history: false,
        preprocessing_batch_size: 1000,
        preprocessing_num_workers: 16,
        max_samples: null,
        tool_format: null,
      },
      attr: { ...UPSTREAM_MLLM_ATTR },
    },
    dataloader_param: {
      dataloader_mode: "sampler",
      drop_last: true,
      sampler_type: "BaseRandomBatchSampler",
      collate_param: { model_name: collate, ignore_pad_token_for_loss: true },
      pin_memory: true,
      shuffle: true,
    },
  };
  return `${JSON.stringify(data, null, 4)}\n`;
}

function finetuneSh(release: ReleaseTag, dir: string, s: VlmSize, hfName: string): string {
  const cannEnv = release.startsWith("v26")
    ? "/usr/local/Ascend/cann/set_env.sh"
    : "/usr/local/Ascend/ascend-toolkit/set_env.sh";
  const pp = s.llmPp.length;
  return `#!/bin/bash
source ${cannEnv}
source /usr/local/Ascend/nnal/atb/set_env.sh
export CUDA_DEVICE_MAX_CONNECTIONS=1
export ASCEND_SLOG_PRINT_TO_STDOUT=0
export ASCEND_GLOBAL_LOG_LEVEL=3
export TASK_QUEUE_ENABLE=2
export COMBINED_ENABLE=1
export CPU_AFFINITY_CONF=1
export HCCL_CONNECT_TIMEOUT=1200
export NPU_ASD_ENABLE=0
export ASCEND_LAUNCH_BLOCKING=0
export ACLNN_CACHE_LIMIT=100000

NPUS_PER_NODE=${s.npus}
MASTER_ADDR=localhost
MASTER_PORT=6000
NNODES=1
NODE_RANK=0
WORLD_SIZE=$(($NPUS_PER_NODE*$NNODES))

MM_DATA="./examples/${dir}/data_${s.size}.json"
MM_MODEL="./examples/${dir}/model_${s.size}.json"
MM_TOOL="./mindspeed_mm/tools/tools.json"
LOAD_PATH="ckpt/mm_path/${hfName}"
SAVE_PATH="save_dir"

TP=${s.tp}
PP=${pp}
CP=1
MBS=1
GRAD_ACC_STEP=${s.gradAcc}
DP=$(($WORLD_SIZE/$TP/$PP/$CP))
GBS=$(($MBS*$GRAD_ACC_STEP*$DP))

DISTRIBUTED_ARGS="
    --nproc_per_node $NPUS_PER_NODE \\
    --nnodes $NNODES \\
    --node_rank $NODE_RANK \\
    --master_addr $MASTER_ADDR \\
    --master_port $MASTER_PORT
"

GPT_ARGS="
    --use-mcore-models \\
    --tensor-model-parallel-size $TP \\
    --pipeline-model-parallel-size $PP \\
    --context-parallel-size $CP \\
    --context-parallel-algo ulysses_cp_algo \\
    --micro-batch-size $MBS \\
    --global-batch-size $GBS \\
    --tokenizer-type NullTokenizer \\
    --vocab-size ${s.vocab} \\
    --seq-length 1024 \\
    --make-vocab-size-divisible-by 1 \\
    --normalization RMSNorm \\
    --swiglu \\
    --lr 1.0e-5 \\
    --lr-decay-style cosine \\
    --weight-decay 0 \\
    --train-iters 10000 \\
    --lr-warmup-fraction 0.1 \\
    --clip-grad 0.0 \\
    --adam-beta1 0.9 \\
    --adam-beta2 0.999 \\
    --seed 42 \\
    --bf16 \\
    --load $LOAD_PATH \\
    --variable-seq-lengths \\
    --use-distributed-optimizer \\
    --no-load-optim \\
    --no-load-rng \\
    --no-save-optim \\
    --no-save-rng \\
    --num-workers 8 \\
    --distributed-timeout-minutes 20 \\
    --ckpt-format torch
"

MM_ARGS="
    --mm-data $MM_DATA \\
    --mm-model $MM_MODEL \\
    --mm-tool $MM_TOOL
"

OUTPUT_ARGS="
    --log-interval 1 \\
    --save-interval 10000 \\
    --eval-interval 10000 \\
    --eval-iters 5000 \\
    --save $SAVE_PATH \\
    --log-tps
"
logfile=$(date +%Y%m%d)_$(date +%H%M%S)
mkdir -p logs
torchrun $DISTRIBUTED_ARGS pretrain_vlm.py \\
    $GPT_ARGS \\
    $MM_ARGS \\
    $OUTPUT_ARGS \\
    --distributed-backend nccl 2>&1 | tee logs/train_\${logfile}.log
`;
}

const QWEN3VL_8B_YAML = `HF_MODEL_LOAD_PATH: &HF_MODEL_LOAD_PATH ./ckpt/hf_path/Qwen3-VL-8B-Instruct
MM_MODEL_LOAD_PATH: &MM_MODEL_LOAD_PATH ./ckpt/mm_path/Qwen3-VL-8B-Instruct
DATASET_PATH: &DATASET_PATH ./data/mllm_format_llava_instruct_data.json
FSDP2_PATH: &FSDP2_PATH ./examples/qwen3vl/fsdp2_config.yaml
SAVE_PATH: &SAVE_PATH save_dir

gpt_args:
  context_parallel_size: 1
  use_torch_fsdp2: true
  fsdp2_config_path: *FSDP2_PATH
  ckpt_format: torch_dcp
  micro_batch_size: 1
  global_batch_size: 8
  lr: 1.0e-5
  lr_decay_style: cosine
  lr_warmup_fraction: 0.1
  train_iters: 10000
  log_interval: 1
  save_interval: 10000
  save: *SAVE_PATH
  log_tps: true
  load: *MM_MODEL_LOAD_PATH
  vocab_size: 152064
  seq_length: 1024

data:
  dataset_param:
    dataset_type: huggingface
    preprocess_parameters:
      model_name_or_path: *HF_MODEL_LOAD_PATH
    basic_parameters:
      template: qwen3_vl_nothink
      dataset_dir: ./data
      dataset: *DATASET_PATH
      cache_dir: ./data/cache_dir
  dataloader_param:
    dataloader_mode: sampler
    collate_param:
      model_name: qwen3vl

model:
  model_id: qwen3_vl
  init_from_hf_path: *HF_MODEL_LOAD_PATH
  image_encoder:
    vision_encoder:
      model_id: qwen3vit
      num_layers: 27
      hidden_size: 1152
      num_attention_heads: 16
      freeze: true
    vision_projector:
      model_id: lnmlp
      freeze: true
  text_decoder:
    model_id: qwen3lm
    num_layers: 36
    hidden_size: 4096
    num_attention_heads: 32
    num_query_groups: 8
`;

/** examples/ of a release: only the directories that exist at that tag (facts §a.2). */
export function exampleFiles(release: ReleaseTag): Record<string, string> {
  const files: Record<string, string> = {};
  for (const s of QWEN25VL) {
    const sizes =
      release === "v2.1.0" && s.size === "7b" ? { ...s, llmPp: [1, 10, 10, 7], vitPp: [32, 0, 0, 0], gradAcc: 96 } : s;
    const hfName = `Qwen2.5-VL-${s.size.toUpperCase()}-Instruct`;
    files[`examples/qwen2.5vl/model_${s.size}.json`] = modelJson("qwen2_5vl", "qwen2vit", "qwen2_5_lm", sizes);
    files[`examples/qwen2.5vl/data_${s.size}.json`] = dataJson(`./ckpt/hf_path/${hfName}`, "qwen2vl", "qwen2vl");
    files[`examples/qwen2.5vl/finetune_qwen2_5_vl_${s.size}.sh`] = finetuneSh(release, "qwen2.5vl", sizes, hfName);
  }
  if (release !== "v26.1.0") {
    files["examples/qwen2vl/model_7b.json"] = modelJson("qwen2vl", "qwen2vit", "qwen2lm", QWEN2VL_7B);
    files["examples/qwen2vl/data_7b.json"] = dataJson("./ckpt/hf_path/Qwen2-VL-7B-Instruct", "qwen2vl", "qwen2vl");
    files["examples/qwen2vl/finetune_qwen2vl_7b.sh"] = finetuneSh(
      release,
      "qwen2vl",
      QWEN2VL_7B,
      "Qwen2-VL-7B-Instruct",
    );
  }
  if (release.startsWith("v26")) {
    files["examples/qwen3vl/qwen3vl_full_sft_8B.yaml"] = QWEN3VL_8B_YAML;
    files["examples/qwen3vl/fsdp2_config.yaml"] =
      "sharding_size: auto\nreshard_after_forward: true\nparam_dtype: bf16\nreduce_dtype: fp32\ncast_forward_inputs: true\n";
    files["examples/qwen3vl/finetune_qwen3vl_8B.sh"] =
      `#!/bin/bash\nsource /usr/local/Ascend/cann/set_env.sh\nexport CUDA_DEVICE_MAX_CONNECTIONS=2\nexport PYTORCH_NPU_ALLOC_CONF=expandable_segments:True\nexport TOKENIZERS_PARALLELISM=false\nNPUS_PER_NODE=8\nMASTER_ADDR=localhost\nMASTER_PORT=6000\nNNODES=1\nNODE_RANK=0\nmkdir -p logs\ntorchrun --nproc_per_node $NPUS_PER_NODE --nnodes $NNODES --node_rank $NODE_RANK --master_addr $MASTER_ADDR --master_port $MASTER_PORT pretrain_transformers.py examples/qwen3vl/qwen3vl_full_sft_8B.yaml --distributed-backend nccl 2>&1 | tee logs/train_$(date +%Y%m%d_%H%M%S).log\n`;
  }
  return files;
}
