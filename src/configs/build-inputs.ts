// The inputs a build_configs call was given, recorded next to the files it wrote, so that a hint which re-runs
// build_configs (a new save directory, say) carries every one of them and changes only what it names.
import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { HostExecutor } from "../hosts/executor.js";
import { callHint } from "../text/hint.js";
import { resolveTrainingPlan } from "./plan.js";
import type { TrainingParams } from "./types.js";

export const BUILD_INPUTS_FILE = "build-configs.inputs.json";
/** Next to it: a digest of each file as the build wrote it, so that a later rebuild can tell edits made since. */
export const BUILD_WRITTEN_FILE = "build-configs.written.json";

export const contentDigest = (text: string) => createHash("sha256").update(text).digest("hex");

/** The digest of every file the last build wrote into `outputDir`, by file name; empty when none was recorded. */
export async function readWrittenDigests(executor: HostExecutor, outputDir: string): Promise<Record<string, string>> {
  try {
    const text = (await executor.readFile(posix.join(outputDir, BUILD_WRITTEN_FILE), { maxBytes: 65536 })).content;
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
  } catch {
    return {};
  }
}

/** Records the digests of the files a build just wrote, keeping those of other files recorded in the same directory. */
export async function recordWrittenDigests(
  executor: HostExecutor,
  outputDir: string,
  files: readonly { name: string; text: string }[],
): Promise<void> {
  const digests = {
    ...(await readWrittenDigests(executor, outputDir)),
    ...Object.fromEntries(files.map((f) => [f.name, contentDigest(f.text)])),
  };
  await executor.writeFile(posix.join(outputDir, BUILD_WRITTEN_FILE), `${JSON.stringify(digests, null, 2)}\n`, {
    exclusive: false,
    mode: 0o640,
  });
}

/** The stamp in an edited copy's name: 20261203-101500. */
export const editStamp = (now: Date) => now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");

/**
 * Before a rebuild replaces `path` (recorded as `name` by an earlier build), copies it to `<path>.edited-<stamp>` when
 * it was changed since that build wrote it (apply_fix, a person); returns the copy, or null when nothing needed keeping.
 */
export async function keepEdits(
  executor: HostExecutor,
  file: { name: string; path: string; old: string | null | undefined; new: string; mode: number },
  digests: Record<string, string>,
  stamp: string,
): Promise<string | null> {
  const { old } = file;
  if (old === null || old === undefined || old === file.new) return null;
  const recorded = digests[file.name];
  if (recorded === undefined || recorded === contentDigest(old)) return null;
  const copy = `${file.path}.edited-${stamp}`;
  await executor.writeFile(copy, old, { exclusive: true, mode: file.mode });
  return copy;
}

/** Fields never carried into a re-run: the switch to replace files is the hint's own choice. */
const NOT_CARRIED = new Set(["overwrite"]);

/** The given inputs worth repeating: set, and not equal to the schema's default. */
export function inputsToRecord(
  args: Record<string, unknown>,
  defaults: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).filter(
      ([field, value]) =>
        value !== undefined &&
        !NOT_CARRIED.has(field) &&
        (field === "host" || field === "model" || JSON.stringify(value) !== JSON.stringify(defaults[field])),
    ),
  );
}

export async function recordBuildInputs(
  executor: HostExecutor,
  outputDir: string,
  inputs: Record<string, unknown>,
): Promise<void> {
  await executor.writeFile(posix.join(outputDir, BUILD_INPUTS_FILE), `${JSON.stringify(inputs, null, 2)}\n`, {
    exclusive: false,
    mode: 0o640,
  });
}

/** The recorded inputs of the build that wrote `scriptAbs`, or null when none were recorded or they cannot be read. */
export async function readBuildInputs(
  executor: HostExecutor,
  scriptAbs: string,
): Promise<Record<string, unknown> | null> {
  try {
    const text = (await executor.readFile(posix.join(posix.dirname(scriptAbs), BUILD_INPUTS_FILE), { maxBytes: 65536 }))
      .content;
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const record = parsed as Record<string, unknown>;
    return typeof record.model === "string" && typeof record.host === "string" ? record : null;
  } catch {
    return null;
  }
}

/** A build_configs output found on a host: where its files are, the checkpoint its configs load, its launch script. */
export interface ExistingBuild {
  outputDir: string;
  /** The checkpoint directory the configs load, as written in them (relative paths are the workdir's). */
  ckptDir: string;
  /** Where the run the configs start saves, as written in them (relative paths are the workdir's). */
  saveDir: string;
  script: string;
  recorded: Record<string, unknown>;
}

/** Where the configs of a recipe variant other than the default one go beside it: <workdir>/configs/<model>-<variant>. */
export const variantConfigsDir = (workdir: string, modelId: string, variant: string) =>
  posix.join(workdir, "configs", `${modelId}-${variant}`);

/**
 * The build of `modelId` in its default directory (<workdir>/configs/<model>), read back from its recorded inputs and
 * planned again the way build_configs planned it; null when there is none or it cannot be planned any more. With
 * `variant`, the build of that recipe variant: the default directory's when it is that variant's, else the one in
 * <workdir>/configs/<model>-<variant> (where full and LoRA configs sit side by side), else the default directory's.
 */
export async function existingBuild(
  executor: HostExecutor,
  settings: { workdir?: string; cannRoot?: string },
  modelId: string,
  variant?: string,
): Promise<ExistingBuild | null> {
  if (!settings.workdir) return null;
  const fallback = await buildIn(executor, settings, modelId, posix.join(settings.workdir, "configs", modelId));
  if (variant === undefined || (fallback && (fallback.recorded.variant ?? "") === variant)) return fallback;
  const beside = variant
    ? await buildIn(executor, settings, modelId, variantConfigsDir(settings.workdir, modelId, variant))
    : null;
  return beside && (beside.recorded.variant ?? "") === variant ? beside : fallback;
}

async function buildIn(
  executor: HostExecutor,
  settings: { workdir?: string; cannRoot?: string },
  modelId: string,
  outputDir: string,
): Promise<ExistingBuild | null> {
  const recorded = await readBuildInputs(executor, posix.join(outputDir, "any"));
  if (!recorded || recorded.model !== modelId) return null;
  try {
    const plan = resolveTrainingPlan(modelId, recorded.release as string | undefined, {
      ...(recorded as TrainingParams),
      outputDir,
      cannRoot: settings.cannRoot,
      workdir: settings.workdir,
    });
    const script = plan.files.find((f) => f.role === "launch-script");
    if (!script) return null;
    return {
      outputDir,
      ckptDir: plan.paths.ckptDir,
      saveDir: plan.paths.saveDir,
      script: posix.join(outputDir, script.name),
      recorded,
    };
  } catch {
    return null;
  }
}

/**
 * A build_configs call that repeats the recorded build with `changes` on top. Without a record, the host and a
 * placeholder model at least make it a complete command.
 */
export function rebuildHint(
  recorded: Record<string, unknown> | null,
  host: string,
  changes: Record<string, unknown>,
): string {
  const base = recorded ?? { host, model: "<model>" };
  return callHint("build_configs", { ...base, host, ...changes });
}

/** The build inputs a conversion shares: the model, its release and variant, the HF folder it reads, where it writes. */
const CONVERT_INPUTS = ["model", "release", "variant", "hfDir", "ckptDir"] as const;

/**
 * A convert_weights call for the model a build recorded (its release, variant and Hugging Face directory too), with
 * `args` (the layout, the output) on top. Without a record, `model` or a placeholder makes it a complete command.
 */
export function convertHint(
  recorded: Record<string, unknown> | null,
  host: string,
  args: Record<string, unknown>,
  model?: string | null,
): string {
  const same = Object.fromEntries(
    CONVERT_INPUTS.filter((k) => recorded?.[k] !== undefined).map((k) => [k, recorded![k]]),
  );
  return callHint("convert_weights", { host, model: model ?? "<model>", ...same, ...args });
}
