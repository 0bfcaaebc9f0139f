// plan_finetune: the fine-tune steps for (model, dataset, host) in order, each marked with what the host already has.
// Host reads only: the check_env probe, existence of the weight/checkpoint directories (one `test` script), the
// config files and the dataset's first bytes (readFile) with whether its first images exist, the run ledger. Changes
// nothing.
import { posix } from "node:path";
import { z } from "zod";
import { checkDatasetMedia, type MediaRoot, missingMediaMessage } from "../configs/dataset-media.js";
import { checkRecordAgainstAttr, datasetFamilyOf, firstRecordText } from "../configs/dataset-probe.js";
import { PlanError, resolveModel, resolveTrainingPlan, type TrainingPlan } from "../configs/index.js";
import { DATASET_FORMATS, type DatasetFamily } from "../datasets/formats.js";
import { checkEnvironment } from "../env/check.js";
import { hbmFromChips, memoryAdvice } from "../estimate/index.js";
import { exportOfRun } from "../export/exported.js";
import { type HostExecutor, HostFileError } from "../hosts/executor.js";
import { ensureReadable } from "../hosts/paths.js";
import { shellQuote } from "../hosts/quote.js";
import { benchmarkData, scoreHint } from "../infer/benchmarks.js";
import { inferenceFamily } from "../infer/configs.js";
import { QWEN_BENCHMARKS } from "../knowledge/inference-upstream.js";
import { parseLaunchScript } from "../runs/launch-script.js";
import { findRun } from "../runs/ledger.js";
import { listRecordedRuns, type RunSummary } from "../runs/list.js";
import { launchMasterPort } from "../runs/preflight.js";
import { argsHint, callHint } from "../text/hint.js";
import { alignColumns } from "../text/table.js";
import buildConfigs from "./build-configs.js";
import checkEnv from "./check-env.js";
import convertWeights from "./convert-weights.js";
import evaluateModel from "./evaluate-model.js";
import exportModel from "./export-model.js";
import installStack from "./install-stack.js";
import launchTrain from "./launch-train.js";
import prepareDataset from "./prepare-dataset.js";
import runInference from "./run-inference.js";
import tailLogs from "./tail-logs.js";
import { defineTool, ToolError } from "./tool.js";
import validateDataset from "./validate-dataset.js";

/** The tools a plan names, by name: their inputs decide which suggested arguments are kept. */
const PLANNED_TOOLS = new Map<string, { input: z.ZodObject }>(
  [
    checkEnv,
    installStack,
    prepareDataset,
    validateDataset,
    convertWeights,
    buildConfigs,
    launchTrain,
    tailLogs,
    exportModel,
    runInference,
    evaluateModel,
  ].map((t) => [t.name, t as { input: z.ZodObject }]),
);

const STATUSES = ["done", "todo", "skip", "blocked", "later", "unknown"] as const;
type Status = (typeof STATUSES)[number];

const Step = z.object({
  tool: z.string(),
  status: z
    .enum(STATUSES)
    .describe(
      "done/skip: nothing to do; todo: call it; blocked: needs the person first; later: after training finishes; unknown: could not tell",
    ),
  detail: z.string(),
  args: z.record(z.string(), z.unknown()).describe("Suggested arguments (only fields the tool accepts)"),
  available: z.boolean().describe("Whether this server has the tool"),
});
type StepOut = z.output<typeof Step>;

/** Findings install_stack can fix (the Python/CANN stack); other errors need the person. */
const STACK_FINDING = /^(python|torch|torch-npu|mindspeed|mindspeed-mm|megatron|transformers|numpy|cann|nnal)-/;
const ACTIVE = new Set(["queued", "starting", "running", "stalled"]);
/** prepare_dataset checks every record and image it writes: a second pass over its output adds nothing. */
const VALIDATED_BY_PREPARE = "prepare_dataset validates every record and image it writes";

type Settled<T> = { ok: true; value: T } | { ok: false; error: string };
const settle = <T>(work: Promise<T>): Promise<Settled<T>> =>
  work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: (error as Error)?.message ?? String(error) }),
  );

/** The question run_inference asks of sample images found near the dataset after training. */
export const SAMPLE_PROMPT = "Describe this image.";

/** The benchmark TSVs evaluate_model reads for the model (its inference family's, else upstream Qwen's names). */
function benchmarkFiles(modelId: string) {
  try {
    return inferenceFamily(resolveModel(modelId)).benchmarks;
  } catch {
    return QWEN_BENCHMARKS;
  }
}

interface AfterTraining {
  /** Question sets run_inference wrote for the run (`<workdir>/.ascend-train/inference/<run>/*`). */
  inferences: string[];
  /** Up to two images near the dataset, for run_inference. */
  images: string[];
}

/** One round trip: the run's question sets and up to two sample images from the dataset's directory (bounded). */
async function afterTrainingState(
  executor: HostExecutor,
  dataset: string | undefined,
  inferenceDir: string | null,
): Promise<AfterTraining> {
  const script = [
    ...(inferenceDir
      ? [
          `for d in ${shellQuote(inferenceDir)}/*/; do [ -d "$d" ] && echo "inference $d"; done 2>/dev/null | head -n 50`,
        ]
      : []),
    ...(dataset
      ? [
          `find ${shellQuote(posix.dirname(dataset))} -maxdepth 2 -type f \\( -name '*.jpg' -o -name '*.jpeg' -o -name '*.png' \\) 2>/dev/null | sort | head -n 2 | sed 's/^/image /'`,
        ]
      : []),
    "exit 0",
  ].join("\n");
  const r = await executor.run(["sh", "-c", script], { timeoutMs: 20_000, maxOutputBytes: 64 * 1024 });
  const lines = r.stdout.split("\n");
  const pick = (tag: string) => lines.filter((l) => l.startsWith(`${tag} `)).map((l) => l.slice(tag.length + 1));
  return { images: pick("image"), inferences: pick("inference") };
}

/** full: a non-empty directory; empty: exists with nothing in it; missing. One round trip for every path. */
async function pathStates(executor: HostExecutor, paths: string[]): Promise<Map<string, "full" | "empty" | "missing">> {
  const script = paths
    .map((p) => {
      const q = shellQuote(p);
      return `if [ -n "$(ls -A ${q} 2>/dev/null | head -n 1)" ]; then echo full; elif [ -e ${q} ]; then echo empty; else echo missing; fi`;
    })
    .join("\n");
  const run = await executor.runScript(script, { timeoutMs: 30_000 });
  const lines = run.stdout.trim().split("\n");
  if (run.exitCode !== 0 || lines.length !== paths.length) throw new Error(`path check failed: ${run.stderr.trim()}`);
  return new Map(paths.map((p, i) => [p, lines[i] as "full" | "empty" | "missing"]));
}

async function readOrNull(executor: HostExecutor, path: string, maxBytes: number): Promise<string | null> {
  try {
    return (await executor.readFile(path, { maxBytes })).content;
  } catch (error) {
    if (error instanceof HostFileError && error.code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Where prepare_dataset should write a converted copy of `input`: the host's data folder (`<workdir>/data`, where
 * MindSpeed-MM's examples keep it; else the input's folder), named as MindSpeed-MM names converted data
 * (`mllm_format_<name>.json`) in the family's record format and container, never the input itself.
 */
function convertedDatasetPath(input: string, workdir: string | null, family: string): string {
  const spec = Object.hasOwn(DATASET_FORMATS, family) ? DATASET_FORMATS[family as DatasetFamily] : undefined;
  const record = spec?.record ?? "mllm";
  const container = spec?.container ?? "json";
  const dir = workdir ? posix.join(workdir, "data") : posix.dirname(input);
  const name = posix
    .basename(input)
    .replace(/\.jsonl?$/i, "")
    .replace(new RegExp(`^${record}_format_`), "");
  const path = posix.join(dir, `${record}_format_${name}.${container}`);
  const inputOnHost = input.startsWith("/") || !workdir ? posix.normalize(input) : posix.join(workdir, input);
  return path === inputOnHost ? posix.join(dir, `${record}_format_${name}_converted.${container}`) : path;
}

interface DatasetFit {
  /** How the first record's keys miss the data config (empty: they fit). */
  problems: string[];
  /** The first records' images not under the dataset_dir build_configs would write, with the call that fixes it. */
  media: string | null;
}

/** How the dataset's first record fits the data config, and whether its images are where the run would look. */
async function datasetFit(
  executor: HostExecutor,
  plan: TrainingPlan,
  path: string,
  ctx: { host: string; dataset: string; workdir: string | null },
): Promise<DatasetFit | "missing" | "unreadable"> {
  let chunk: string | null;
  try {
    chunk = await readOrNull(executor, path, 256 * 1024);
  } catch {
    return "unreadable";
  }
  if (chunk === null) return "missing";
  if (!plan.datasetAttr) return { problems: [], media: null };
  const text = firstRecordText(chunk);
  if (!text) return { problems: ["does not start with a JSON object or an array of objects"], media: null };
  let problems: string[];
  try {
    problems = checkRecordAgainstAttr(JSON.parse(text), plan.datasetAttr).map((p) => `${p.field}: ${p.message}`);
  } catch (error) {
    return { problems: [`first record is not valid JSON (${(error as Error).message})`], media: null };
  }
  if (problems.length > 0) return { problems, media: null };
  // The dataset_dir build_configs writes by default (the dataset's directory), resolved from the workdir.
  const dir = plan.paths.datasetDir;
  if (!dir.startsWith("/") && !ctx.workdir) return { problems, media: null };
  const family = datasetFamilyOf(resolveModel(plan.model).exampleDir);
  const root: MediaRoot = {
    file: path,
    dir,
    dirAbs: dir.startsWith("/") ? posix.normalize(dir) : posix.join(ctx.workdir!, dir),
    fallbackCwd: family && DATASET_FORMATS[family].usesAttr ? ctx.workdir : null,
    attr: plan.datasetAttr,
  };
  const check = await checkDatasetMedia(executor, root, { chunk, workdir: ctx.workdir }).catch(() => null);
  if (!check || check.missing.length === 0) return { problems, media: null };
  const build = callHint("build_configs", {
    host: ctx.host,
    model: plan.model,
    dataset: ctx.dataset,
    datasetDir: check.foundUnder ?? "/path/to/images-root",
  });
  const fix = check.foundUnder
    ? `they are under ${check.foundUnder}: ${build}`
    : `put the images under ${root.dirAbs}, or give build_configs the folder they are relative to: ${build}`;
  return { problems, media: `${missingMediaMessage(check, root)} Before training, ${fix}` };
}

/**
 * The head line's next step: the tool to call; where it is this tool again (no dataset given, one found at the configs'
 * default path), what it needs and the whole call, since "next: plan_finetune" alone reads as the same call again.
 */
function nextInWords(next: { tool: string; args: Record<string, unknown> } | null, host: string): string {
  if (!next) return "nothing left to do";
  if (next.tool !== "plan_finetune") return `next: ${next.tool}`;
  return `next: plan with the dataset found on ${host} at build_configs' default path: ${callHint(next.tool, next.args)}`;
}

export default defineTool({
  name: "plan_finetune",
  title: "Plan a fine-tune",
  description:
    "For a model, a dataset and a host: the ordered fine-tune steps (check_env, install_stack, prepare_dataset, " +
    "validate_dataset, convert_weights, build_configs, launch_train, tail_logs, then after training export_model, " +
    "run_inference next to the base model (the first training record's question about its image, or sample images near " +
    "the dataset), and optionally evaluate_model on the benchmarks whose data the host holds), each marked done, todo, skip, blocked, later " +
    "or unknown from what the host already has (stack OK? dataset in the right layout? weights converted? configs " +
    "written? a run active? a finished run exported?), with suggested arguments. Call first; then call the steps marked todo in order.",
  toolset: "train",
  kind: "read",
  input: z.object({
    model: z.string().min(1).describe("Model id or Hugging Face name, e.g. qwen2.5vl-7b"),
    dataset: z
      .string()
      .min(1)
      .optional()
      .describe("Training data on the host (MLLM JSON / JSONL, or a file to convert)"),
    host: z.string().min(1).default("local").describe("Host from the inventory (see list_hosts)"),
    release: z.string().optional().describe("MindSpeed-MM release (default: the newest with a recipe for the model)"),
    masterPort: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .optional()
      .describe(
        "MASTER_PORT the run will use, as given to launch_train (default: the host's MASTER_PORT, else the launch script's)",
      ),
  }),
  output: z.object({
    model: z.string(),
    release: z.string(),
    host: z.string(),
    next: z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()) }).nullable(),
    steps: z.array(Step),
    memory: z
      .object({
        summary: z.string(),
        fits: z.boolean(),
        peakGiBPerRank: z.number(),
        hbmGiB: z.number(),
        proposed: z
          .object({ npus: z.number(), tp: z.number(), pp: z.number(), llmLayerSplit: z.array(z.number()) })
          .nullable(),
      })
      .nullable()
      .describe("estimate_memory for the recipe's layout on this host's HBM, and the layout to use"),
  }),
  async handle(args, deps) {
    const { executor, settings } = await deps.hosts.get(args.host);
    const workdir = settings.workdir ?? null;
    let plan: TrainingPlan;
    try {
      const outputDir = workdir ? posix.join(workdir, "configs", resolveModel(args.model).id) : undefined;
      plan = resolveTrainingPlan(args.model, args.release, {
        outputDir,
        dataset: args.dataset,
        cannRoot: settings.cannRoot,
        workdir: workdir ?? undefined,
      });
    } catch (error) {
      if (error instanceof PlanError) throw new ToolError(`${error.field}: ${error.message}`);
      throw error;
    }
    const abs = (p: string) => (p.startsWith("/") ? p : workdir ? posix.join(workdir, p) : null);
    const hfDir = abs(plan.paths.hfDir);
    const ckptDir = abs(plan.paths.ckptDir);
    const outputDir = abs(plan.paths.outputDir);
    const dirs = [hfDir, ckptDir].filter((p): p is string => p !== null);
    // The dataset is read with readFile and, for its images, with a command: the read guard refuses it here, in
    // readFile's words, before anything of it is read.
    if (args.dataset) await ensureReadable(executor, args.dataset, "dataset");

    deps.progress({ progress: 0, total: 1, message: `inspecting ${args.host}` });
    const texts = Promise.all(
      plan.files.map((f) =>
        outputDir ? readOrNull(executor, posix.join(outputDir, f.name), 4 * 1024 * 1024) : Promise.resolve(null),
      ),
    );
    // The port the run will use: the configs' launch script as written on the host (else as planned), as launch_train
    // reads it, unless given.
    const scriptAt = plan.files.findIndex((f) => f.role === "launch-script");
    const masterPort = texts
      .catch(() => [])
      .then((t) => {
        const text = t[scriptAt] ?? plan.files[scriptAt]?.text;
        const info = text ? parseLaunchScript(text) : null;
        return launchMasterPort(info, { ...info?.exports, ...settings.env }, args.masterPort);
      });
    const [env, dirState, configs, data, runs, port] = await Promise.all([
      settle(
        masterPort.then((p) =>
          checkEnvironment(
            { host: args.host, model: plan.model, release: plan.release, masterPort: p, timeoutMs: 90_000 },
            deps,
          ),
        ),
      ),
      settle(pathStates(executor, dirs)),
      settle(
        texts.then((t) =>
          t.map((text, i) => (text === null ? "missing" : text === plan.files[i]!.text ? "same" : "differs")),
        ),
      ),
      args.dataset
        ? settle(
            datasetFit(executor, plan, abs(args.dataset) ?? args.dataset, {
              host: args.host,
              dataset: args.dataset,
              workdir,
            }),
          )
        : Promise.resolve(null),
      settle(listRecordedRuns(deps, { host: args.host, active: false, limit: 20 })),
      masterPort,
    ]);
    // No dataset given: the configs' default path may already hold one (`sim init` lays its sample out there).
    const defaultDataset = args.dataset ? null : abs(plan.paths.dataset);
    const defaultFound =
      defaultDataset !== null && (await readOrNull(executor, defaultDataset, 1).catch(() => null)) !== null;
    deps.progress({ progress: 1, total: 1, message: "planned" });

    const step = (tool: string, status: Status, detail: string, candidate: Record<string, unknown> = {}): StepOut => {
      const def = PLANNED_TOOLS.get(tool);
      const shape = (def?.input as z.ZodObject | undefined)?.shape ?? {};
      // Only fields the tool accepts, with values it accepts: suggestions must be callable as they are.
      const argsFor = Object.fromEntries(
        Object.entries(candidate).filter(
          ([k, v]) => v !== undefined && k in shape && (shape[k] as z.ZodType).safeParse(v).success,
        ),
      );
      const suggested = def
        ? argsFor
        : Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
      return { tool, status, detail, args: suggested, available: Boolean(def) };
    };
    const host = args.host;
    const steps: StepOut[] = [];

    // Environment and stack. The planned master port, when a run of the host's ledger already listens on it: the
    // next free one above it, for the launch.
    const listening = new Set(env.ok ? (env.value.ports?.listening ?? []) : []);
    let besidePort: number | null = null;
    if (env.ok && env.value.findings.some((f) => f.id === "master-port-in-use-by-run")) {
      besidePort = port + 1;
      while (listening.has(besidePort) && besidePort < 65535) besidePort++;
    }
    const launchPort = besidePort ?? args.masterPort;
    if (!env.ok) {
      steps.push(step("check_env", "unknown", `probe failed: ${env.error}`, { host, model: plan.model }));
      steps.push(step("install_stack", "unknown", "depends on check_env", { host, release: plan.release }));
    } else {
      const errors = env.value.findings.filter((f) => f.severity === "error");
      const stack = errors.filter((f) => STACK_FINDING.test(f.id));
      const other = errors.filter((f) => !STACK_FINDING.test(f.id));
      const list = (fs: typeof errors) => fs.map((f) => `${f.title}${f.fix ? ` (fix: ${f.fix})` : ""}`).join("; ");
      // The host's own run on the NPUs is no problem of the host: named, not blocking. On the port the new run would
      // use, it names the port a run beside it can take.
      const busy = env.value.findings.filter((f) => f.id === "npu-in-use-by-run").map((f) => `; ${f.title}`);
      const portOfRun = env.value.findings.find((f) => f.id === "master-port-in-use-by-run");
      if (portOfRun && besidePort !== null)
        busy.push(
          `; ${portOfRun.title}: a new run beside it needs another, e.g. ${callHint("launch_train", { masterPort: besidePort })}`,
        );
      steps.push(
        other.length
          ? step("check_env", "blocked", `needs the person: ${list(other)}`, { host, model: plan.model })
          : step("check_env", "done", `no blocking problem on ${host} for ${plan.release}${busy.join("")}`, {
              host,
              model: plan.model,
            }),
      );
      steps.push(
        stack.length
          ? step("install_stack", "todo", list(stack), { host, release: plan.release })
          : step("install_stack", "skip", `the stack matches MindSpeed-MM ${plan.release}`, {
              host,
              release: plan.release,
            }),
      );
    }

    // A run of these configs: launched from their script, or resumed from such a run however far back in the ledger
    // (resume_run runs an edited copy of the script from the ledger directory, and names the run it continues).
    const ofTheseConfigs = (r: RunSummary): boolean =>
      outputDir !== null && [r.script, r.launchedFrom].some((s) => s.startsWith(`${outputDir}/`));
    // One that finished: the steps before it are done, whatever the files look like now.
    const finished = runs.ok
      ? runs.value.runs.find((r) => r.state === "finished" && r.saveDir && ofTheseConfigs(r))
      : undefined;
    // One that is training now: it reads the dataset its configs name.
    const ours = runs.ok ? runs.value.runs.find((r) => ACTIVE.has(r.state) && ofTheseConfigs(r)) : undefined;
    const trainedOn = finished ? `${finished.runId} trained on` : ours ? `${ours.runId} is training on` : null;

    // Dataset.
    const family = resolveModel(plan.model).exampleDir;
    // A prepare_dataset suggestion is a whole call: the input and where to write its converted copy.
    const convertedTo = (input: string) => ({ input, output: convertedDatasetPath(input, workdir, family) });
    const dataArgs = { host, ...(args.dataset ? convertedTo(args.dataset) : {}), path: args.dataset, family };
    // No dataset given but one at the configs' default path: the next call plans with it (which reads how it fits).
    let replanStep: StepOut | null = null;
    if ((!args.dataset || !data) && trainedOn) {
      const trained = `${trainedOn} the dataset its configs name`;
      steps.push(step("prepare_dataset", "done", trained, dataArgs));
      steps.push(step("validate_dataset", "done", trained, dataArgs));
    } else if (!args.dataset || !data) {
      const noDataset = defaultFound
        ? `no dataset given; ${defaultDataset} is on ${host} (build_configs' default path, where sim init puts its sample): plan with ${argsHint({ dataset: defaultDataset })}`
        : `no dataset given: plan with ${argsHint({ dataset: "/path/to/data.json" })}`;
      const found = defaultFound ? { ...convertedTo(defaultDataset), path: defaultDataset } : {};
      steps.push(step("prepare_dataset", "unknown", noDataset, { ...dataArgs, ...found }));
      if (defaultFound) replanStep = steps.at(-1)!;
      steps.push(step("validate_dataset", "unknown", noDataset, { ...dataArgs, ...found }));
    } else if (!data.ok || data.value === "unreadable") {
      const why = data.ok ? "cannot be read as a file (a directory?)" : data.error;
      steps.push(step("prepare_dataset", "todo", `${args.dataset} ${why}; convert it to one MLLM JSON file`, dataArgs));
      steps.push(step("validate_dataset", "skip", VALIDATED_BY_PREPARE, dataArgs));
    } else if (data.value === "missing") {
      steps.push(step("prepare_dataset", "blocked", `${args.dataset} does not exist on ${host}`, dataArgs));
      steps.push(step("validate_dataset", "blocked", `${args.dataset} does not exist on ${host}`, dataArgs));
    } else if (data.value.problems.length > 0) {
      steps.push(
        step(
          "prepare_dataset",
          "todo",
          `first record does not fit the data config: ${data.value.problems.join("; ")}`,
          dataArgs,
        ),
      );
      steps.push(step("validate_dataset", "skip", VALIDATED_BY_PREPARE, dataArgs));
    } else if (data.value.media) {
      // The keys fit; the images are not where the run would open them: not a conversion, a folder to name.
      steps.push(
        step(
          "prepare_dataset",
          "skip",
          `the first record's keys fit the data config, but ${data.value.media}`,
          dataArgs,
        ),
      );
      steps.push(
        trainedOn
          ? step("validate_dataset", "done", `${trainedOn} it`, dataArgs)
          : step(
              "validate_dataset",
              "todo",
              "check every record and image (give imageDir: the folder the images are relative to)",
              dataArgs,
            ),
      );
    } else {
      steps.push(step("prepare_dataset", "skip", "the first record already fits the data config", dataArgs));
      steps.push(
        trainedOn
          ? step("validate_dataset", "done", `${trainedOn} it`, dataArgs)
          : step("validate_dataset", "todo", "check every record and image before training", dataArgs),
      );
    }

    // Weights.
    const convertArgs = {
      host,
      model: plan.model,
      release: plan.release,
      hfDir: plan.paths.hfDir,
      ckptDir: plan.paths.ckptDir,
    };
    if (plan.paths.ckptDir === plan.paths.hfDir) {
      steps.push(step("convert_weights", "skip", "this recipe loads the Hugging Face weights directly", convertArgs));
    } else if (!dirState.ok || !ckptDir || !hfDir) {
      steps.push(
        step(
          "convert_weights",
          "unknown",
          dirState.ok ? `${host} has no workdir to resolve ${plan.paths.ckptDir}` : dirState.error,
          convertArgs,
        ),
      );
    } else if (dirState.value.get(ckptDir) === "full") {
      steps.push(step("convert_weights", "done", `converted checkpoint present at ${ckptDir}`, convertArgs));
    } else {
      const hf =
        dirState.value.get(hfDir) === "full" ? `from ${hfDir}` : `Hugging Face weights are not at ${hfDir} yet`;
      steps.push(step("convert_weights", "todo", `no converted checkpoint at ${ckptDir}; ${hf}`, convertArgs));
    }

    // Configs.
    const configArgs = { host, model: plan.model, release: plan.release, dataset: args.dataset };
    if (!configs.ok || !outputDir) {
      steps.push(step("build_configs", "unknown", configs.ok ? `${host} has no workdir` : configs.error, configArgs));
    } else if (configs.value.every((s) => s === "same")) {
      steps.push(step("build_configs", "done", `configs in ${outputDir} match the plan`, configArgs));
    } else if (configs.value.every((s) => s !== "missing")) {
      steps.push(
        step(
          "build_configs",
          "done",
          `configs present in ${outputDir} (they differ from the default plan)`,
          configArgs,
        ),
      );
    } else {
      const missing = plan.files.filter((_, i) => configs.value[i] === "missing").map((f) => f.name);
      steps.push(step("build_configs", "todo", `missing in ${outputDir}: ${missing.join(", ")}`, configArgs));
    }

    // Runs.
    if (!runs.ok) {
      steps.push(step("launch_train", "unknown", `run ledger: ${runs.error}`, { host }));
      steps.push(step("tail_logs", "unknown", "depends on launch_train", { host }));
    } else {
      const active = runs.value.runs.filter((r) => ACTIVE.has(r.state));
      if (ours) {
        steps.push(step("launch_train", "done", `${ours.runId} is ${ours.state} (${ours.reason})`, { host }));
        steps.push(step("tail_logs", "todo", `follow ${ours.runId}`, { host, runId: ours.runId }));
      } else if (active.length) {
        const r = active[0]!;
        steps.push(
          step(
            "launch_train",
            "blocked",
            `${r.runId} is ${r.state} on ${host} and holds the NPUs; stop_run it or wait` +
              (besidePort !== null ? `; a run beside it (on other NPUs) takes MASTER_PORT ${besidePort}` : ""),
            { host, masterPort: launchPort },
          ),
        );
        steps.push(step("tail_logs", "todo", `see how ${r.runId} is doing`, { host, runId: r.runId }));
      } else if (finished) {
        steps.push(step("launch_train", "done", `${finished.runId} finished (${finished.reason})`, { host }));
        steps.push(step("tail_logs", "done", `its loss curve and last checkpoint`, { host, runId: finished.runId }));
      } else {
        steps.push(
          step(
            "launch_train",
            "todo",
            besidePort !== null
              ? `no run of these configs on the host; MASTER_PORT ${port} is taken by a run of its ledger: launch on ${besidePort}`
              : "no active run on the host",
            { host, masterPort: launchPort },
          ),
        );
        steps.push(step("tail_logs", "todo", "after launch_train, with its run id", { host }));
      }
    }

    // After training: export, answer a training record's question (or sample images near the dataset) next to the base
    // model, and (optionally) evaluate the run's latest checkpoint on the benchmarks whose data the host holds.
    if (!finished?.saveDir) {
      const why = runs.ok ? "after a run of these configs finishes" : "depends on the run ledger";
      const status: Status = runs.ok ? "later" : "unknown";
      steps.push(step("export_model", status, `${why}: its checkpoint to Hugging Face format`, { host }));
      steps.push(
        step(
          "run_inference",
          status,
          `${why}: answer the first training record's question about its image, next to the base model (pass images for your own)`,
          { host, compareBase: true },
        ),
      );
      steps.push(step("evaluate_model", "skip", "optional, after a run finishes: benchmark scores", { host }));
    } else {
      const runId = finished.runId;
      const inferenceDir = workdir ? posix.join(workdir, ".ascend-train/inference", runId) : null;
      // The export of the run's latest checkpoint wherever export_model wrote it (its ledger record notes a chosen
      // target directory, else the default beside the save directory); the benchmarks' data where evaluate_model
      // reads it (the workdir).
      const [after, exported, data] = await Promise.all([
        settle(afterTrainingState(executor, args.dataset, inferenceDir)),
        settle(
          findRun(deps.hosts, runId, [host]).then(({ found }) => (found ? exportOfRun(executor, found.record) : null)),
        ),
        workdir ? benchmarkData(executor, workdir, benchmarkFiles(plan.model)) : Promise.resolve(null),
      ]);
      const inferences = after.ok ? after.value.inferences : [];
      const images = after.ok ? after.value.images : [];
      if (!exported.ok)
        steps.push(step("export_model", "unknown", `cannot look for exports: ${exported.error}`, { host, runId }));
      else if (exported.value)
        steps.push(step("export_model", "done", `${runId} exported to ${exported.value}`, { host, runId }));
      else
        steps.push(
          step("export_model", "todo", `${runId} finished; export ${finished.saveDir} to Hugging Face format`, {
            host,
            runId,
          }),
        );
      // Without images near the dataset, run_inference asks about the image of the run's first training record.
      const inferArgs = images.length
        ? { host, runId, prompt: SAMPLE_PROMPT, images, compareBase: true }
        : { host, runId, compareBase: true };
      steps.push(
        step(
          "run_inference",
          inferences.length ? "done" : "todo",
          inferences.length
            ? `${runId} answered ${inferences.length} question set(s) (${inferences.at(-1)}); again with other images: pass images`
            : images.length
              ? `answer ${images.length} sample image(s) with ${runId} and with the base model`
              : `answer a training record's question about its image with ${runId} and with the base model (pass images for your own)`,
          inferArgs,
        ),
      );
      steps.push(
        finished.scores.length
          ? step(
              "evaluate_model",
              "done",
              finished.scores.map((x) => `${x.benchmark} ${x.metric} ${x.score}`).join(", "),
              { host, runId },
            )
          : step("evaluate_model", "skip", `optional: ${scoreHint(data, { runId }, benchmarkFiles(plan.model))}`, {
              host,
              runId,
            }),
      );
    }

    // The next call is one that can be made as suggested: a step whose arguments its tool accepts as they are (a
    // prepare_dataset with no dataset anywhere cannot be), or plan_finetune again with the dataset found.
    const callable = (s: StepOut) => PLANNED_TOOLS.get(s.tool)?.input.safeParse(s.args).success ?? true;
    const first = steps.find(
      (s) =>
        (s.status === "todo" || s.status === "blocked" || s.status === "unknown") && (s === replanStep || callable(s)),
    );
    const replan = {
      tool: "plan_finetune",
      args: {
        host,
        model: plan.model,
        dataset: defaultDataset,
        ...(args.release ? { release: args.release } : {}),
        ...(args.masterPort ? { masterPort: args.masterPort } : {}),
      },
    };
    const advice = memoryAdvice({
      model: plan.model,
      release: plan.release,
      hbmGiB: env.ok ? hbmFromChips(env.value.npu?.chips) : undefined,
    });
    const memory = advice && {
      summary: advice.summary,
      fits: advice.fits,
      peakGiBPerRank: advice.peakGiBPerRank,
      hbmGiB: advice.hbmGiB,
      proposed: advice.proposed && {
        npus: advice.proposed.npus,
        tp: advice.proposed.tp,
        pp: advice.proposed.pp,
        llmLayerSplit: advice.proposed.llmLayerSplit,
      },
    };
    return {
      model: plan.model,
      release: plan.release,
      host,
      next: !first ? null : first === replanStep ? replan : { tool: first.tool, args: first.args },
      steps,
      memory,
    };
  },
  summarize: (r) =>
    [
      `${r.model} @ ${r.release} on ${r.host}; ${nextInWords(r.next, r.host)}`,
      ...alignColumns(
        r.steps.map((s, i) => [
          `${i + 1}.`,
          s.tool,
          s.status,
          `${s.detail}${s.available ? "" : " [tool not on this server]"}`,
        ]),
        ["right"],
      ),
      ...(r.memory ? [`Memory: ${r.memory.summary}`] : []),
    ].join("\n"),
});
