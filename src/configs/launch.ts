// The launch script: bash equivalent to the upstream finetune_*.sh, with the plan's paths and numbers filled in.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: bash ${VAR} expansions in generated scripts
import { posix } from "node:path";
import { cannSetEnvCandidates, nnalSetEnv } from "../hosts/environment.js";
import { envExports, shellQuote } from "../hosts/quote.js";
import { fmtNumber, megatronArgs } from "./launch-flags.js";
import type { TemplateContext } from "./template.js";

export interface LaunchOptions {
  cannRoot: string;
  workdir?: string;
  npusPerNode: number;
  nodes: number;
  env: Record<string, string>;
  /** File name of the main config (YAML backends) in the output directory. */
  mainConfig?: string;
  /** Files by role for the Megatron JSON backends. */
  dataConfig?: string;
  modelConfig?: string;
}

const block = (name: string, args: string[]) =>
  `${name}="\n${args.map((a, i) => `    ${a}${i < args.length - 1 ? " \\" : ""}`).join("\n")}\n"`;

function header(ctx: TemplateContext, opts: LaunchOptions): string[] {
  const [cannNew, cannOld] = cannSetEnvCandidates(opts.cannRoot);
  const nnal = nnalSetEnv(opts.cannRoot);
  return [
    "#!/bin/bash",
    `# ${ctx.model.id} (${ctx.recipe.variant || "default"}) for MindSpeed-MM ${ctx.recipe.release}; equivalent to ${ctx.recipe.script}.`,
    "set -o pipefail",
    ...(opts.workdir ? [`cd ${shellQuote(opts.workdir)} || exit 1`] : []),
    `if [ -f ${shellQuote(cannNew!)} ]; then source ${shellQuote(cannNew!)}; else source ${shellQuote(cannOld!)}; fi`,
    `if [ -f ${shellQuote(nnal)} ]; then source ${shellQuote(nnal)}; fi`,
    envExports(opts.env),
    "",
    `NPUS_PER_NODE=${opts.npusPerNode}`,
    // Multi-node: run the same script on every node with NODE_RANK (and MASTER_ADDR) set.
    'MASTER_ADDR="${MASTER_ADDR:-localhost}"',
    "MASTER_PORT=${MASTER_PORT:-PORT}",
    `NNODES=${opts.nodes}`,
    "NODE_RANK=${NODE_RANK:-0}",
    "WORLD_SIZE=$(($NPUS_PER_NODE*$NNODES))",
    "",
  ];
}

const DISTRIBUTED = block("DISTRIBUTED_ARGS", [
  "--nproc_per_node $NPUS_PER_NODE",
  "--nnodes $NNODES",
  "--node_rank $NODE_RANK",
  "--master_addr $MASTER_ADDR",
  "--master_port $MASTER_PORT",
]);

const LOG = ["logfile=$(date +%Y%m%d)_$(date +%H%M%S)", "mkdir -p logs"];

// With pipefail the pipe's status is torchrun's when it fails; it is kept past the statistics and is the script's exit
// code, so a run that died (out of memory, a crashed rank) is never recorded as finished.
const TEE = ["    2>&1 | tee logs/train_${logfile}.log", "TRAIN_STATUS=$?"];

const STATS = [
  "STEP_TIME=$(grep \"elapsed time per iteration\" logs/train_${logfile}.log | awk -F 'elapsed time per iteration [(]ms[)]:' '{print $2}' | awk -F '|' '{print $1}' | head -n 150 | tail -n 100 | awk '{sum+=$1} END {if (NR != 0) printf(\"%.1f\", sum/NR)}')",
  'echo "Elapsed Time Per iteration: $STEP_TIME"',
  'if [ -n "$STEP_TIME" ] && [ -n "$GBS" ]; then',
  '    echo "Average Samples per Second: $(awk "BEGIN{printf \\"%.3f\\", $GBS*1000/$STEP_TIME}")"',
  "fi",
  'exit "$TRAIN_STATUS"',
];

export function launchScript(ctx: TemplateContext, opts: LaunchOptions): string {
  const r = ctx.recipe;
  const lines = header(ctx, opts);
  const p = ctx.paths;
  let port = 6000;
  if (r.backend === "megatron" || r.backend === "megatron-fsdp2") {
    const args = megatronArgs(ctx);
    port = args.masterPort;
    // From v2.3.0 InternVL3.5's model code imports internvl.modeling_internvl_chat: the HF directory is linked as
    // ./internvl in the working directory, as the upstream script does.
    if (ctx.model.exampleDir === "internvl3.5" && r.release !== "v2.2.0") {
      lines.push(
        `HF_PATH=${shellQuote(p.hfDir)}`,
        'if [ ! -f "$HF_PATH/modeling_internvl_chat.py" ]; then',
        '    echo "HF_PATH ($HF_PATH) has no modeling_internvl_chat.py: point it at the InternVL3.5 Hugging Face directory." >&2',
        "    exit 1",
        "fi",
        'if [ -L "./internvl" ]; then unlink internvl; fi',
        'ln -s "$HF_PATH" ./internvl',
        "",
      );
    }
    lines.push(
      `MM_DATA=${shellQuote(ctx.fileRef(opts.dataConfig!))}`,
      `MM_MODEL=${shellQuote(ctx.fileRef(opts.modelConfig!))}`,
      'MM_TOOL="./mindspeed_mm/tools/tools.json"',
      `LOAD_PATH=${shellQuote(p.ckptDir)}`,
      `SAVE_PATH=${shellQuote(p.saveDir)}`,
      "",
      `TP=${ctx.tp}`,
      `PP=${ctx.pp}`,
      `CP=${ctx.cp}`,
      `EP=${ctx.ep}`,
      `MBS=${ctx.microBatchSize}`,
      `GRAD_ACC_STEP=${ctx.gradAccSteps}`,
      "DP=$(($WORLD_SIZE/$TP/$PP/$CP))",
      "GBS=$(($MBS*$GRAD_ACC_STEP*$DP))",
      "",
      DISTRIBUTED,
      "",
      block("GPT_ARGS", args.gpt),
      "",
      block("MM_ARGS", ["--mm-data $MM_DATA", "--mm-model $MM_MODEL", "--mm-tool $MM_TOOL"]),
      "",
      block("OUTPUT_ARGS", args.output),
      ...args.extra.flatMap(([name, list]) => ["", block(name, list)]),
      "",
      ...LOG,
      `torchrun $DISTRIBUTED_ARGS ${r.entry} \\`,
      "    $GPT_ARGS \\",
      "    $MM_ARGS \\",
      "    $OUTPUT_ARGS \\",
      ...args.extra.map(([name]) => `    $${name} \\`),
      "    --distributed-backend nccl \\",
      ...args.tail.map((t) => `    ${t} \\`),
      ...TEE,
      ...STATS,
    );
  } else if (r.backend === "fsdp2-yaml" || r.backend === "native-fsdp" || r.backend === "megatron-yaml") {
    lines.push(
      DISTRIBUTED,
      "",
      ...LOG,
      `config_path=${shellQuote(ctx.fileRef(opts.mainConfig!))}`,
      `torchrun $DISTRIBUTED_ARGS ${r.entry} \${config_path} \\`,
      ...(r.backend === "fsdp2-yaml" || r.backend === "megatron-yaml" ? ["    --distributed-backend nccl \\"] : []),
      ...TEE,
      "GBS=$(grep -o \"global batch size: *[0-9]*\" logs/train_${logfile}.log | head -n 1 | awk -F: '{print $2+0}')",
      ...STATS,
    );
  } else {
    // Ming's trainer runs from inside a Ming checkout (examples/ming/* copied in, next to MindSpeed-MM) and reads
    // the Ming processor code from --processor-path; the DeepSeek-OCR trainers run from the MindSpeed-MM root.
    const ming = ctx.model.exampleDir === "ming";
    if (ming) {
      const cdLine = lines.findIndex((l) => l.startsWith("cd "));
      if (cdLine >= 0) lines.splice(cdLine, 1);
      if (opts.workdir) lines.splice(3, 0, `cd ${shellQuote(posix.join(opts.workdir, "..", "Ming"))} || exit 1`);
      lines.push(
        `if [ ! -f ${shellQuote(r.entry)} ]; then echo "Run this from the Ming checkout with examples/ming/* copied into it (see examples/ming/README.md)." >&2; exit 1; fi`,
      );
    }
    lines.push(
      `GBS=${ctx.globalBatchSize}`,
      `DATA_PATH=${shellQuote(p.dataset)}`,
      `DATA_DIR=${shellQuote(p.datasetDir)}`,
      ...(ming ? ['PROCESSOR_PATH="."'] : []),
      `LOAD_PATH=${shellQuote(p.hfDir)}`,
      `SAVE_PATH=${shellQuote(p.saveDir)}`,
      "",
      DISTRIBUTED,
      "",
      block("MODEL_ARGS", [
        "--num-workers 8",
        `--seed ${ctx.model.exampleDir === "deepseekocr2" ? 42 : 1234}`,
        "--no-shuffle",
        `--seq-length ${ctx.seqLength}`,
        `--micro-batch-size ${ctx.microBatchSize}`,
        "--global-batch-size $GBS",
        `--train-iters ${ctx.trainIters}`,
        `--lr ${fmtNumber(ctx.lr)}`,
        "--clip-grad 0",
        "--warmup-ratio 0",
        "--weight-decay 1e-2",
        "--data-path $DATA_PATH",
        "--data-dir $DATA_DIR",
        ...(ming ? ["--processor-path $PROCESSOR_PATH"] : []),
        "--load $LOAD_PATH",
        "--save $SAVE_PATH",
        ...(ming ? [] : ["--log_tps"]),
      ]),
      "",
      ...LOG,
      `torchrun $DISTRIBUTED_ARGS ${r.entry} \\`,
      "    $MODEL_ARGS \\",
      ...TEE,
      ...STATS,
    );
  }
  return `${lines.join("\n").replace("MASTER_PORT=${MASTER_PORT:-PORT}", `MASTER_PORT=\${MASTER_PORT:-${port}}`)}\n`;
}

export function launchScriptName(script: string): string {
  return posix.basename(script);
}
