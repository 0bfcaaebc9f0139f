// Resuming a run: the same layout, loading the latest checkpoint of the save directory its record names with the flags
// that make Megatron restore the optimizer, the RNG and the iteration count (no --no-load-optim/--no-load-rng/--finetune).
// Configs rebuilt since the launch are run as they are now, and the plan names the files that changed; a rebuilt
// parallel layout the checkpoint was not saved in is refused.
import { posix } from "node:path";
import { parseDocument } from "yaml";
import { rebuildHint } from "../configs/build-inputs.js";
import { modelOfScript } from "../estimate/launch.js";
import { shellQuote } from "../hosts/quote.js";
import { callHint } from "../text/hint.js";
import { parseLaunchScript, type ResumeEdit, resumeScript } from "./launch-script.js";
import type { Check, PreflightResult } from "./preflight.js";
import { resolveOnHost } from "./preflight.js";
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

const samePath = (a: string, b: string) => posix.normalize(`${a}/`) === posix.normalize(`${b}/`);

/** Where the run saved its checkpoints, as its ledger record names it (absolute: launches record the probed path). */
export const recordedSaveDir = (record: RunRecord): string | null =>
  record.saveDir ? resolveOnHost(record.workdir, record.saveDir) : null;

/**
 * The launch script pointed at the run's own save directory (SAVE_PATH, else --save), for configs rebuilt since it
 * launched to save elsewhere: the pre-flight then checks the checkpoint there, and the resumed run loads it and goes on
 * saving there. Null when the script already saves there, or names no save directory this edit can point (a YAML
 * backend keeps it in its config: buildResume refuses then, naming the rebuild that saves there again).
 */
export function ownSaveDirScript(text: string, saveDir: string, workdir: string): ResumeEdit | null {
  const savesTo = (t: string) => parseLaunchScript(t).savePath;
  const current = savesTo(text);
  if (current === null || samePath(resolveOnHost(workdir, current), saveDir)) return null;
  const quoted = shellQuote(saveDir);
  let out = text.replace(/^(\s*(?:export\s+)?SAVE_PATH=).*$/m, (_m, head: string) => `${head}${quoted}`);
  // A literal --save wins over SAVE_PATH (later flags win): point it too.
  if (savesTo(out) !== saveDir) out = out.replace(/--save\s+(?!\$)\S+/g, () => `--save ${quoted}`);
  return savesTo(out) === saveDir ? { text: out, changes: [`SAVE_PATH=${saveDir}`] } : null;
}

/**
 * The files the run read at launch (its ledger's sha256 of each: script, configs, dataset) that differ now: changed
 * where both name the path; read then and not now, or now and not then. Launch scripts and the ledger's own copies
 * are compared only where both name them: a resumed run's record names its ledger copy of the script, while its
 * hashes name the script it was copied from.
 */
export function filesChangedSinceLaunch(
  launched: Record<string, string>,
  now: Record<string, string>,
  ledgerDir: string,
): { changed: string[]; gone: string[]; added: string[] } {
  const compared = (p: string) => !p.endsWith(".sh") && !p.startsWith(`${ledgerDir.replace(/\/+$/, "")}/`);
  const launchedPaths = Object.keys(launched);
  const nowPaths = Object.keys(now);
  return {
    changed: launchedPaths.filter((p) => now[p] !== undefined && now[p] !== launched[p]),
    gone: launchedPaths.filter((p) => now[p] === undefined && compared(p)),
    added: nowPaths.filter((p) => launched[p] === undefined && compared(p)),
  };
}

/**
 * What a suggested rebuild repeats: the inputs the build recorded next to the script; without a record, the model the
 * run trains, read from its script's name or folder, else its model config's folder (build_configs writes
 * configs/<model id>/), so the call names the model and not a placeholder. Null when none of them names one.
 */
export function rebuildBase(record: RunRecord, pre: PreflightResult): Record<string, unknown> | null {
  if (pre.buildInputs) return pre.buildInputs;
  const main = pre.script?.info.mainConfig;
  const paths = [pre.script?.abs, record.script, main ? resolveOnHost(record.workdir, main) : undefined];
  for (const path of paths) {
    const model = path ? modelOfScript(path) : null;
    if (model) return { model };
  }
  return null;
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
  // The checkpoints are where the run saved them (its record), whatever the configs name now.
  const saveDir = recordedSaveDir(record);
  const save = master.facts?.save ?? null;
  const tracker = save?.tracker ?? null;
  const iteration = tracker && /^\d+$/.test(tracker) ? Number(tracker) : null;
  const add = (c: Omit<Check, "ok">) => checks.push({ ...c, ok: c.level !== "error" });
  const rebuild = rebuildBase(record, pre);
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
  // The pre-flight checked the save directory the script names: resume_run points a script's SAVE_PATH or --save at the
  // run's own (ownSaveDirScript); a YAML backend's config, or a script that saves nowhere, only a rebuild can.
  if (!save || !samePath(save.abs, saveDir)) {
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message:
        `Run ${record.id} saved its checkpoints in ${saveDir}, but ${save ? `the configs now save to ${save.abs}` : "the script now sets no save directory"}` +
        `${config.kind === "yaml" ? ` (in ${pre.script!.info.mainConfig})` : ""}, and resume_run cannot point them back.`,
      fix: `Rebuild the configs to save there again (${rebuildHint(rebuild, master.host, { saveDir, overwrite: true })}), then ${callHint("resume_run", { runId: record.id, host: master.host })}.`,
    });
    return { files: [], scriptPath: record.script, changes: [], iteration, checks };
  }
  // A checkpoint is split for the layout it was saved in: a rebuilt TP/PP/CP cannot load it.
  const was = record.parallel;
  if (was.tp !== config.tp || was.pp !== config.pp || was.cp !== config.cp) {
    const layout = (l: { tp: number; pp: number; cp: number }) => `TP ${l.tp}, PP ${l.pp}, CP ${l.cp}`;
    const relayout = config.pp !== was.pp ? { llmLayerSplit: undefined, vitLayerSplit: undefined, vpp: undefined } : {};
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message:
        `The configs now train in another parallel layout (${layout(config)}) than run ${record.id} saved its ` +
        `checkpoints in (${layout(was)}): its checkpoint cannot be loaded split that way.`,
      fix:
        `Rebuild the configs in the run's layout (${rebuildHint(rebuild, master.host, { ...relayout, tp: was.tp, pp: was.pp, cp: was.cp, overwrite: true })}), ` +
        `then ${callHint("resume_run", { runId: record.id, host: master.host })}; or train the new layout as a new run (${callHint("launch_train", { host: master.host, script: pre.script!.path })}).`,
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
      fix: `Resume the run that wrote it (${callHint("list_runs")} shows the runs), or launch a new run with its own save directory (${rebuildHint(rebuild, master.host, { saveDir: "<new dir>", overwrite: true })}).`,
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
        `save directory (${rebuildHint(rebuild, master.host, { saveDir: `${saveDir.replace(/\/+$/, "")}-restart`, overwrite: true })}).`,
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
        `${rebuildHint(rebuild, master.host, { trainIters: config.trainIters * 2, overwrite: true })}, then ${callHint("resume_run", { runId: record.id })}.`,
    });
    return { files: [], scriptPath: record.script, changes: [], iteration, checks };
  }
  // What the checkpoints hold is what the run's configs said at launch (its record), not what a rebuild says now.
  const savedWithoutOptimizer = record.savesOptimizer === undefined ? config.noSaveOptim : !record.savesOptimizer;
  if (savedWithoutOptimizer && !opts.allowFreshOptimizer) {
    const rebuiltSince = !config.noSaveOptim
      ? " (the configs save it now, since a rebuild, but its checkpoints were written before)"
      : "";
    add({
      id: "resumable",
      host: master.host,
      level: "error",
      message: `The run saved no optimizer/RNG state (--no-save-optim/--no-save-rng)${rebuiltSince}: loading them would fail, and skipping them restarts Adam from zero.`,
      fix:
        "Pass allowFreshOptimizer: true to resume the weights, iteration and LR schedule with a fresh optimizer; build " +
        `runs you want to resume exactly with ${rebuildHint(rebuild, master.host, { saveOptimizer: true, overwrite: true })}.`,
    });
  }
  // What was rebuilt since the launch runs as it is now, on the old checkpoint: the plan names it.
  const since = filesChangedSinceLaunch(record.configHashes, pre.configHashes, opts.ledgerDir);
  const differences = [
    since.changed.length ? `changed: ${since.changed.join(", ")}` : "",
    since.gone.length ? `no longer read: ${since.gone.join(", ")}` : "",
    since.added.length ? `read now, not then: ${since.added.join(", ")}` : "",
  ].filter(Boolean);
  if (differences.length) {
    add({
      id: "resume-changes",
      host: master.host,
      level: "warning",
      message:
        `Since run ${record.id} launched, its files differ (${differences.join("; ")}): the resumed run trains with the ` +
        `script and configs as they are now, from the checkpoint in ${saveDir}.`,
      fix: "To resume the training as launched, put those files back as they were, then call again.",
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
    for (const key of ["no_load_optim", "no_load_rng"]) {
      // Skipped exactly when the checkpoint holds no such state, whatever the config says now.
      if ((doc.getIn([section, key]) === true) !== keepSkips) {
        doc.setIn([section, key], keepSkips);
        changes.push(`${section}.${key}: ${keepSkips}`);
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
