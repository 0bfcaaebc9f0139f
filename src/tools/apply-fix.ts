// apply_fix: carries out one concrete fix that diagnose_error found (kill the process holding a port or NPU,
// strip CRLF from a script, install pdsh, edit the micro batch or layer split). Without confirm it only returns
// the plan (commands or a diff). Runs the fix's argv on the host, or rewrites the file it edits.

import { z } from "zod";
import { contentDigest } from "../configs/build-inputs.js";
import type { RunContext } from "../diagnosis/context.js";
import {
  ActionSchema,
  actionOut,
  diagnoseRequest,
  SOURCE_MESSAGE,
  SourceSchema,
  sourceCheck,
} from "../diagnosis/request.js";
import type { RunRecord as DiagnosedRun } from "../diagnosis/runs.js";
import type { Finding } from "../diagnosis/types.js";
import { allocConfOf } from "../diagnosis/verdict.js";
import { PathNotAllowedError } from "../hosts/paths.js";
import { shellJoin } from "../hosts/quote.js";
import { findRun } from "../runs/ledger.js";
import { runServicesOf } from "../runs/services.js";
import { argsHint, callHint } from "../text/hint.js";
import { afterStop } from "./stop-run.js";
import { defineTool, type ToolDeps, ToolError } from "./tool.js";

const Output = z.object({
  applied: z.boolean(),
  rule: z.string(),
  fix: z.string(),
  plan: ActionSchema,
  results: z
    .array(z.object({ command: z.string(), exitCode: z.number().nullable(), stdout: z.string(), stderr: z.string() }))
    .describe("What ran (after confirm)."),
  next: z.string().nullable().describe("After a fix applied to a recorded run: how to run it again with the fix"),
});

type Out = z.output<typeof Output>;
type Args = z.output<typeof SourceSchema> & { rule?: string; fix?: string };

/** A path to write in a suggested call: the host's workdir when known, as the files the run owns live there. */
const placeholder = (f: Finding, rel: string) => (f.facts.workdir ? `${f.facts.workdir}/${rel}` : rel);
const SCRIPT = "configs/MODEL/finetune_MODEL.sh";
const MODEL_JSON = "configs/MODEL/model.json";

/** The log source as given (pasted text stands for itself), with the host when it is not a run's. */
function sourceOf(args: Args): Record<string, unknown> {
  const source = args.runId
    ? { runId: args.runId }
    : args.logFiles
      ? { logFiles: args.logFiles }
      : args.logFile
        ? { logFile: args.logFile }
        : { text: "<the same log text>" };
  return args.runId ? source : { host: args.host, ...source };
}

/** The same call with more run context: the log source as given plus `config`. */
function callWith(args: Args, config: Record<string, unknown>): string {
  return callHint("apply_fix", {
    ...sourceOf(args),
    config: { ...args.config, ...config },
    ...(args.rule ? { rule: args.rule } : {}),
    ...(args.fix ? { fix: args.fix } : {}),
  });
}

/** The same log source and config with another fix of the finding. */
function callForFix(args: Args, f: Finding, fix: string, extra: Record<string, unknown> = {}): string {
  return callHint("apply_fix", {
    ...sourceOf(args),
    ...(args.config ? { config: args.config } : {}),
    rule: f.rule,
    fix,
    ...extra,
  });
}

/**
 * The out-of-memory edits of a launch script, one fix per apply_fix call, and the fact diagnose_error records
 * for each (src/diagnosis/context.ts): "yes" when the script already has it.
 */
const OOM_SCRIPT_EDITS = [
  {
    id: "recompute",
    fact: "recompute_in_script",
    what: (_f: Finding) => "full recomputation (--recompute-granularity full)",
  },
  {
    id: "alloc-conf",
    fact: "alloc_conf_in_script",
    what: (f: Finding) => `the allocator's expandable segments (${allocConfOf(f).env}=expandable_segments:True)`,
  },
];

/** A recorded run whose launch script changed after it launched: the launch that shows whether that change helped. */
export interface ChangedSinceLaunch {
  runId: string;
  relaunch: string;
}

/**
 * What the launch script already has of the out-of-memory edits, each checked on its own, and the call for each one
 * it lacks: apply_fix makes one fix per call, so asking again for one the script has names the one still missing.
 * Null when the script was not read, or when neither such a fix was asked for nor is the micro batch already 1.
 */
function oomScriptState(f: Finding, args: Args, scriptPath: string, changed: ChangedSinceLaunch | null): string | null {
  if (f.facts.recompute_in_script === undefined) return null;
  const mbs = f.facts.micro_batch;
  const atOne = mbs !== undefined && Number(mbs) <= 1;
  if (!atOne && !OOM_SCRIPT_EDITS.some((e) => e.id === args.fix)) return null;
  const has = OOM_SCRIPT_EDITS.filter((e) => f.facts[e.fact] === "yes").map((e) => e.what(f));
  const lacks = OOM_SCRIPT_EDITS.filter((e) => f.facts[e.fact] !== "yes");
  const lacking = lacks.map((e) => e.what(f));
  const inScript =
    has.length === 0
      ? `${scriptPath} has neither ${lacking.join(" nor ")}`
      : `${scriptPath} already has ${has.join(" and ")}${lacking.length > 0 ? ` but not ${lacking.join(" nor ")}` : ""}`;
  let text = `${atOne ? "the micro batch is already 1 and " : ""}${inScript}`;
  const open = lacks.filter((e) => f.fixes.some((x) => x.id === e.id && x.action));
  const shut = lacks.filter((e) => !open.includes(e));
  if (open.length > 0) {
    const fixes = open.map((e) => `fix ${e.id}`).join(" and ");
    text += `: that is ${fixes}, a call ${open.length > 1 ? "each" : "of its own"}`;
    text += changed
      ? `. The script has changed since run ${changed.runId} launched (an earlier apply_fix): launch it again to see ` +
        `whether that change helped (${changed.relaunch}), or add ${open.length > 1 ? "them" : "it"} on top with ` +
        open.map((e) => callForFix(args, f, e.id, { again: true })).join(" and ")
      : `: ${open.map((e) => callForFix(args, f, e.id)).join(" and ")}`;
  }
  if (shut.length > 0)
    text += `; apply_fix cannot add ${shut.map((e) => e.id).join(" or ")} to the script in the form it has: edit it by hand`;
  if (open.length === 0) {
    const halve = f.fixes.find((x) => x.id === "halve-micro-batch-edit" && x.action);
    if (atOne)
      text +=
        "; what is left is a layout that fits (diagnose_error's fitting-layout: build_configs and convert_weights) " +
        "or a shorter --seq-length, steps to take by hand";
    else if (halve) text += `; what is left is halving the micro batch: ${callForFix(args, f, halve.id)}`;
    else if (mbs !== undefined) text += `; what is left is --micro-batch-size ${f.facts.new_micro_batch}, set by hand`;
  }
  return `${text}.`;
}

/**
 * Why a finding has no fix apply_fix can make, naming the input that is missing and the call that gives it; null
 * when no input would help (the fixes are steps for a person).
 */
export function missingInput(
  f: Finding,
  args: Args,
  known: RunContext = args.config ?? {},
  changed: ChangedSinceLaunch | null = null,
): string | null {
  const config = known;
  const script = { scriptPath: config.scriptPath ?? placeholder(f, SCRIPT) };
  if (f.rule === "external-signal")
    return "the run was stopped from outside with SIGTERM and shows no error of its own: nothing in it needs a change; resume it (resume_run) or launch it again.";
  if (f.category === "shm_bus_error")
    return (
      "the fix is a larger /dev/shm: the container's --shm-size (docker run --shm-size=64g, or -v /dev/shm:/dev/shm) " +
      "or the host's mount, set by a person as root; apply_fix does not change containers or mounts. Fewer DataLoader " +
      "workers (data.json: dataloader_param.num_workers) is an edit to make by hand."
    );
  if (f.category === "torch_npu_version_mismatch")
    return (
      "reinstalling torch and torch_npu changes the Python environment every run on the host shares, so it is a step " +
      `for a person: ${f.fixes.find((x) => x.id === "reinstall-pair")?.commands?.[0] ?? "pip install torch==… torch_npu==…"}` +
      `${f.facts.pair_basis ? ` (${f.facts.pair_basis})` : ""}, or install_stack.`
    );
  if (f.category === "nan_loss") {
    if (!config.scriptPath)
      return (
        "lowering the learning rate (and switching fp16 to bf16) edits the run's launch script, and this call does not " +
        `name it (config.scriptPath). Give the script that holds --lr: ${callWith(args, { scriptPath: placeholder(f, SCRIPT) })}`
      );
    return `${config.scriptPath} could not be read on ${args.host} or sets no --lr in a form that can be edited in place; lower --lr there by hand and check the data.`;
  }
  if (f.category === "npu_oom") {
    const mbs = f.facts.micro_batch;
    const inScript = config.scriptPath ? oomScriptState(f, args, config.scriptPath, changed) : null;
    if (inScript) return inScript;
    if (mbs !== undefined && Number(mbs) <= 1 && config.scriptPath)
      return (
        `the micro batch is already 1, and ${config.scriptPath} could not be read on ${args.host} or is not a ` +
        "launch script apply_fix edits; full recomputation, the allocator's expandable segments and a layout that " +
        "fits (diagnose_error's fitting-layout) are steps to take by hand."
      );
    if (!config.scriptPath) {
      const what = {
        "alloc-conf": "setting the allocator's expandable segments",
        recompute: "turning on recomputation",
      }[args.fix ?? ""];
      return what
        ? `${what} edits the run's launch script, and this call does not name it (config.scriptPath). Give the script the run was launched with: ${callWith(args, script)}`
        : "halving the micro batch edits the run's launch script, and this call does not name it (config.scriptPath). " +
            `Give the script that holds --micro-batch-size: ${callWith(args, script)}`;
    }
    if (mbs === undefined)
      return (
        `${config.scriptPath} could not be read on ${args.host} or sets no --micro-batch-size (nor MBS=). ` +
        `Name the script the run was launched with: ${callWith(args, { scriptPath: placeholder(f, SCRIPT) })}`
      );
    return `${config.scriptPath} sets the micro batch in a form that cannot be edited in place; set --micro-batch-size ${f.facts.new_micro_batch} there by hand.`;
  }
  const modelJson = { modelJsonPath: config.modelJsonPath ?? placeholder(f, MODEL_JSON) };
  if (f.category === "ckpt_shape_mismatch" && (!config.modelJsonPath || !config.convertedLlmPpLayers))
    return (
      "matching the layer split edits model.json (config.modelJsonPath) to the split the weights were converted with " +
      "(config.convertedLlmPpLayers, the LLM layers per pipeline stage, e.g. [7,7,7,7]); give both: " +
      callWith(args, { ...modelJson, convertedLlmPpLayers: config.convertedLlmPpLayers ?? "LAYERS_PER_STAGE" })
    );
  if (f.category === "empty_pp_stage" && (!config.modelJsonPath || !config.llmPpLayers))
    return (
      "giving every pipeline stage a layer edits model.json (config.modelJsonPath) and needs its split " +
      "(config.llmPpLayers, e.g. [0,8,10,10]); give both: " +
      callWith(args, { ...modelJson, llmPpLayers: config.llmPpLayers ?? "LAYERS_PER_STAGE" })
    );
  return null;
}

/**
 * A recorded run whose file an open edit of the finding would change has changed since the run launched (an earlier
 * apply_fix): that edit is refused without `again`, so a call suggesting it says how to see whether the change helped.
 */
async function changedSinceLaunch(
  deps: ToolDeps,
  args: Args,
  run: DiagnosedRun | undefined,
  f: Finding,
): Promise<ChangedSinceLaunch | null> {
  if (!args.runId || !run) return null;
  const edits = f.fixes.flatMap((x) => (x.action?.kind === "edit" ? [x.action] : []));
  if (edits.length === 0) return null;
  const record = (await findRun(deps.hosts, args.runId, [run.host])).found?.record;
  const edit = edits.find((e) => {
    const launched = record?.configHashes[e.path];
    return launched !== undefined && launched !== contentDigest(e.before);
  });
  return edit ? { runId: args.runId, relaunch: callHint("launch_train", { host: run.host, script: edit.path }) } : null;
}

export default defineTool({
  name: "apply_fix",
  title: "Apply a diagnosed fix",
  description:
    "Carry out a fix that diagnose_error marked with an action, on the same log source and host. Without confirm: true " +
    "it returns the plan (the commands or the file diff) and changes nothing; show it to the user first. `rule` picks " +
    "the finding (default: the best one with an action), `fix` the fix id.",
  toolset: "diagnose",
  kind: "destructive",
  input: SourceSchema.extend({
    rule: z
      .string()
      .min(1)
      .optional()
      .describe("Rule id or category of the finding (default: the best finding with an action)."),
    fix: z.string().min(1).optional().describe("Fix id (default: the finding's first fix with an action)."),
    confirm: z.boolean().default(false).describe("Really change the host. Without it, only the plan is returned."),
    again: z
      .boolean()
      .default(false)
      .describe(
        "Edit a file the run's launch recorded that has changed since (an earlier apply_fix): refused without it, as the run failed with the older file",
      ),
  }).refine(sourceCheck, { message: SOURCE_MESSAGE }),
  output: Output,
  async handle(args, deps): Promise<Out> {
    const { verdict, run } = await diagnoseRequest(args, deps, runServicesOf(deps).lookup);
    const candidates = verdict.findings.filter((f) => !args.rule || f.rule === args.rule || f.category === args.rule);
    if (candidates.length === 0) throw new ToolError(`No finding ${args.rule ? `"${args.rule}" ` : ""}in this log.`);
    const picked = candidates
      .map((f) => ({ f, fix: f.fixes.find((x) => x.action && (!args.fix || x.id === args.fix)) }))
      .find((x) => x.fix);
    if (!picked?.fix?.action) {
      const first = candidates[0]!;
      const changed = await changedSinceLaunch(deps, args, run, first);
      const need = missingInput(first, args, { ...run?.config, ...args.config }, changed);
      throw new ToolError(
        `No applicable fix${args.fix ? ` "${args.fix}"` : ""} for ${first.rule}: ${need ?? "none of its fixes is a change apply_fix can make; diagnose_error lists the steps to take by hand."}`,
      );
    }
    const { f, fix } = picked;
    const action = fix.action!;
    // The run failed with the file its launch recorded; a file changed since (apply_fix already applied, say) would
    // take the same fix twice: the learning rate halved again, the micro batch halved again.
    if (action.kind === "edit" && args.runId && run && !args.again) {
      const record = (await findRun(deps.hosts, args.runId, [run.host])).found?.record;
      const launched = record?.configHashes[action.path];
      if (launched && launched !== contentDigest(action.before))
        throw new ToolError(
          `${action.path} has changed since run ${args.runId} launched (an earlier apply_fix or an edit by hand), and the run failed with the older file: launch it again to see whether the change helped (${callHint("launch_train", { host: run.host, script: action.path })}). To apply ${f.rule}/${fix.id} on top anyway, pass ${argsHint({ again: true })}.`,
        );
    }
    const base = { rule: f.rule, fix: fix.id, plan: actionOut(action), next: null };
    if (!args.confirm) return { ...base, applied: false, results: [] };
    const { executor } = await deps.hosts.get(args.host);
    const results: Out["results"] = [];
    if (action.kind === "commands") {
      for (const argv of action.argv) {
        const r = await executor.run(argv, { timeoutMs: 120_000, signal: deps.signal });
        results.push({ command: shellJoin(argv), exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
        if (r.exitCode !== 0) break;
      }
    } else if (action.kind === "kill") {
      for (const target of action.targets) {
        const command = shellJoin(["kill", String(target.pid)]);
        // The same pid must still run the same command line as in the plan, or nothing is sent.
        const now =
          target.pid > 1
            ? await executor.run(["ps", "-o", "args=", "-p", String(target.pid)], {
                timeoutMs: 15_000,
                maxOutputBytes: 64 * 1024,
                signal: deps.signal,
              })
            : null;
        if (!now || now.stdout.trim().slice(0, 400) !== target.command) {
          results.push({
            command,
            exitCode: null,
            stdout: "",
            stderr: `not sent: PID ${target.pid} no longer runs "${target.command}"`,
          });
          continue;
        }
        const r = await executor.run(["kill", "-TERM", String(target.pid)], { timeoutMs: 15_000, signal: deps.signal });
        results.push({ command, exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
      }
    } else {
      const now = await executor.readFile(action.path, { maxBytes: 1024 * 1024 });
      if (now.content !== action.before)
        throw new ToolError(`${action.path} changed since the plan was made; run apply_fix again.`);
      try {
        await executor.writeFile(action.path, action.after, { exclusive: false });
      } catch (error) {
        if (error instanceof PathNotAllowedError) throw new ToolError(error.message);
        throw error;
      }
      results.push({ command: `edit ${action.path}`, exitCode: 0, stdout: action.diff, stderr: "" });
    }
    const applied = results.every((r) => r.exitCode === 0);
    // A recorded run's fix is in effect at its next start: from the checkpoint the run can be resumed from (none
    // written after a divergence), or a new start when it saved none.
    const record = applied && args.runId && run ? (await findRun(deps.hosts, args.runId, [run.host])).found : null;
    const next = record
      ? await afterStop(deps.hosts, record.record, deps.now, "Run it again with the fix. ", true)
      : null;
    return { ...base, applied, results, next };
  },
  failed: (r) => r.results.some((x) => x.exitCode !== 0),
  summarize(r) {
    const plan =
      r.plan.kind === "kill"
        ? (r.plan.targets ?? []).map((t) => `  $ kill ${t.pid}    # ${t.command}`).join("\n")
        : r.plan.kind === "commands"
          ? (r.plan.commands ?? []).map((c) => `  $ ${c}`).join("\n")
          : (r.plan.diff ?? "");
    if (!r.applied && r.results.length === 0)
      return `Plan for ${r.rule}/${r.fix} (not applied; call again with ${argsHint({ confirm: true })}):\n${plan}`;
    const lines = r.results.map((x) => `  ${x.command} → exit ${x.exitCode}${x.stderr ? `: ${x.stderr.trim()}` : ""}`);
    return `${r.applied ? "Applied" : "Failed"} ${r.rule}/${r.fix}:\n${lines.join("\n")}${r.next ? `\nNext: ${r.next}` : ""}`;
  },
});
