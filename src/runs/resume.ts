// Resuming a run: the same layout and configs, loading the latest checkpoint of its save directory with the flags
// that make Megatron restore the optimizer, the RNG and the iteration count (no --no-load-optim/--no-load-rng/--finetune).
import { posix } from "node:path";
import { parseDocument } from "yaml";
import { rebuildHint } from "../configs/build-inputs.js";
import { shellQuote } from "../hosts/quote.js";
import { callHint } from "../text/hint.js";
import { resumeScript } from "./launch-script.js";
import type { Check, PreflightResult } from "./preflight.js";
import type { RunRecord } from "./types.js";

/** Variables launch_train sets itself per run; a resumed run gets fresh ones. */
const PER_RUN = new Set([
  "MASTER_ADDR",
  "MASTER_PORT",
  "NNODES",
  "NODE_RANK",
  "ASCEND_TRAIN_RUN_ID",
  "HOSTFILE",
  "HCCL_SOCKET_IFNAME",
  "GLOO_SOCKET_IFNAME",
]);

/** The caller's environment of the original run, without per-run and redacted values. */
export function carriedEnv(record: RunRecord): {
  env: Record<string, string>;
  redacted: string[];
} {
  const env: Record<string, string> = {};
  const redacted: string[] = [];
  for (const [k, v] of Object.entries(record.env)) {
    if (PER_RUN.has(k)) continue;
    if (v === "***") redacted.push(k);
    else env[k] = v;
  }
  return { env, redacted };
}

export interface ResumeFiles {
  /** Files to write on every node before the start (absolute path → content). */
  files: { path: string; text: string }[];
  /** The script the resumed run executes. */
  scriptPath: string;
  changes: string[];
  iteration: number | null;
  checks: Check[];
}

export function buildResume(
  record: RunRecord,
  pre: PreflightResult,
  opts: {
    newRunId: string;
    ledgerDir: string;
    allowFreshOptimizer: boolean;
    mainConfigText: string | null;
    /** The iteration where the run's loss first went NaN/inf (its log), when it did. */
    divergedAt?: number | null;
  },
): ResumeFiles {
  const checks: Check[] = [];
  const master = pre.nodes[0]!;
  const config = pre.config!;
  const save = master.facts?.save ?? null;
  const saveDir = save?.abs ?? record.saveDir;
  const tracker = save?.tracker ?? null;
  const iteration = tracker && /^\d+$/.test(tracker) ? Number(tracker) : null;
  const add = (c: Omit<Check, "ok">) => checks.push({ ...c, ok: c.level !== "error" });
  if (!saveDir) {
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message: `Run ${record.id} saved no checkpoints (no save directory).`,
      fix: "Launch a new run instead.",
    });
    return { files: [], scriptPath: record.script, changes: [], iteration, checks };
  }
  // Runs of the same configs share a save directory: the latest checkpoint there must have been written while this
  // run ran, or resuming would continue another run's training under this one's name.
  const writtenAt = save?.trackerMtime ?? null;
  const started = Date.parse(record.createdAt) / 1000;
  const ended = record.stoppedAt ? Date.parse(record.stoppedAt) / 1000 : null;
  if (writtenAt !== null && (writtenAt < started - 5 || (ended !== null && writtenAt > ended + 60))) {
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message:
        `The latest checkpoint in ${saveDir} (iteration ${tracker}) was written at ${new Date(writtenAt * 1000).toISOString()}, ` +
        `outside run ${record.id} (${record.createdAt} to ${record.stoppedAt ?? "now"}): another run of the same configs wrote it.`,
      fix: `Resume the run that wrote it (${callHint("list_runs")} shows the runs), or launch a new run with its own save directory (${rebuildHint(pre.buildInputs ?? null, master.host, { saveDir: "<new dir>", overwrite: true })}).`,
    });
    return { files: [], scriptPath: record.script, changes: [], iteration, checks };
  }
  // A checkpoint saved after the loss went NaN carries the divergence on: resuming from it trains nothing.
  const divergedAt = opts.divergedAt ?? null;
  if (divergedAt !== null && iteration !== null && iteration >= divergedAt) {
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message:
        `The checkpoint resume would load (iteration ${iteration}) was saved after the run's loss turned NaN/inf at ` +
        `iteration ${divergedAt}: resuming would continue a diverged model.`,
      fix:
        `Find the cause first (${callHint("diagnose_error", { runId: record.id })}); then write an iteration saved before ` +
        `${divergedAt} into ${posix.join(saveDir, "latest_checkpointed_iteration.txt")} and resume, or train again in a new ` +
        `save directory (${rebuildHint(pre.buildInputs ?? null, master.host, { saveDir: `${saveDir.replace(/\/+$/, "")}-restart`, overwrite: true })}).`,
    });
    return { files: [], scriptPath: record.script, changes: [], iteration, checks };
  }
  // A run whose last checkpoint is its last iteration has nothing left to train: resuming would start and end at once.
  if (iteration !== null && config.trainIters !== null && iteration >= config.trainIters) {
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message: `Run ${record.id} finished: its checkpoint is at iteration ${iteration}, the last of its ${config.trainIters}; resuming would train nothing.`,
      fix:
        `Use it (${callHint("evaluate_model", { runId: record.id })}, ${callHint("export_model", { runId: record.id, confirm: true })}), or train it further: ` +
        `${rebuildHint(pre.buildInputs ?? null, master.host, { trainIters: config.trainIters * 2, overwrite: true })}, then ${callHint("resume_run", { runId: record.id })}.`,
    });
    return { files: [], scriptPath: record.script, changes: [], iteration, checks };
  }
  const savedWithoutOptimizer = config.noSaveOptim;
  if (savedWithoutOptimizer && !opts.allowFreshOptimizer) {
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message:
        "The run saved no optimizer/RNG state (--no-save-optim/--no-save-rng): loading them would fail, and skipping them restarts Adam from zero.",
      fix:
        "Pass allowFreshOptimizer: true to resume the weights, iteration and LR schedule with a fresh optimizer; build " +
        `runs you want to resume exactly with ${rebuildHint(pre.buildInputs ?? null, master.host, { saveOptimizer: true, overwrite: true })}.`,
    });
  }
  const keepSkips = savedWithoutOptimizer && opts.allowFreshOptimizer;
  const files: { path: string; text: string }[] = [];
  const changes: string[] = [];
  const scriptName = posix.basename(record.script).replace(/\.sh$/, "");
  const scriptPath = posix.join(opts.ledgerDir, `${opts.newRunId}.${scriptName}.resume.sh`);
  let text = pre.script!.text;
  const main = pre.script!.info.mainConfig;
  if (config.kind === "yaml" && main && opts.mainConfigText !== null) {
    // YAML backends: load/no_load_* live in the config; the resumed run gets an edited copy.
    const doc = parseDocument(opts.mainConfigText);
    const section = doc.has("gpt_args") ? "gpt_args" : "training";
    doc.setIn([section, "load"], saveDir);
    changes.push(`${section}.load: ${saveDir}`);
    for (const key of keepSkips ? [] : ["no_load_optim", "no_load_rng"]) {
      if (doc.getIn([section, key]) === true) {
        doc.setIn([section, key], false);
        changes.push(`${section}.${key}: false`);
      }
    }
    if (doc.getIn([section, "finetune"]) === true) {
      doc.setIn([section, "finetune"], false);
      changes.push(`${section}.finetune: false`);
    }
    const yamlPath = posix.join(opts.ledgerDir, `${opts.newRunId}.${posix.basename(main)}`);
    files.push({ path: yamlPath, text: doc.toString() });
    const escaped = main.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    text = text.replace(new RegExp(`(['"]?)${escaped}\\1`, "g"), shellQuote(yamlPath));
  } else {
    const edit = resumeScript(text, saveDir, keepSkips, shellQuote);
    text = edit.text;
    changes.push(...edit.changes);
  }
  files.push({ path: scriptPath, text });
  return { files, scriptPath, changes, iteration, checks };
}
