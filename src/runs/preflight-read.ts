// Pre-flight, reading: the launch script and the configs it names, read on the master node and parsed into one
// description of the run (layout, paths, lengths). Nothing is probed or checked here beyond "can it be read".
import { posix } from "node:path";
import { readBuildInputs } from "../configs/build-inputs.js";
import type { HostExecutor } from "../hosts/executor.js";
import { explainRelativeMiss, PathNotAllowedError } from "../hosts/paths.js";
import { argsHint } from "../text/hint.js";
import { type LaunchScriptInfo, parseLaunchScript } from "./launch-script.js";
import type { Add, NodeContext } from "./preflight-types.js";
import { withScriptEdits } from "./rebuild-inputs.js";
import { type ConfigFiles, describeRun, parseConfigText, type RunConfig } from "./run-config.js";

export function resolveOnHost(workdir: string, path: string): string {
  return path.startsWith("/") ? posix.normalize(path) : posix.join(workdir, path);
}

/**
 * Why the launch script is not there, and the fix: a relative path names the workdir it was read from, and the path
 * probably meant when one exists (build_configs is suggested only when no script is found either way).
 */
async function missingScript(
  master: NodeContext,
  script: string,
  abs: string,
): Promise<{ message: string; fix: string }> {
  const miss = await explainRelativeMiss(
    master.executor,
    master.host,
    { workdir: master.workdir, ssh: master.settings.ssh },
    script,
  );
  const message = miss
    ? `The launch script ${abs} does not exist on ${master.host}: ${miss.rule}.${miss.meant ? ` ${miss.meant}` : ""}`
    : `The launch script ${abs} does not exist on ${master.host}.`;
  const fix = miss?.corrected
    ? `Call again with ${argsHint({ script: miss.corrected })}.`
    : "Run build_configs first (it writes the launch script), or pass the path of an existing script.";
  return { message, fix };
}

/** The file's text; null when it cannot be read; the read guard's refusal when it may not be (nothing was read). */
async function readText(executor: HostExecutor, path: string): Promise<string | null | PathNotAllowedError> {
  try {
    return (await executor.readFile(path, { maxBytes: 4 * 1024 * 1024 })).content;
  } catch (error) {
    if (error instanceof PathNotAllowedError) return error;
    return null;
  }
}

/** The guard's refusal as a check: its words, and its fix (how to allow the directory). */
function refusal(error: PathNotAllowedError): { message: string; fix: string } {
  if (error.parts) return { message: error.parts.problem, fix: error.parts.fix };
  return { message: error.message, fix: "Choose a file inside the directories ascend-train may read." };
}

export interface LaunchInputs {
  script: { path: string; abs: string; text: string; info: LaunchScriptInfo };
  /** The config files the script names (data, model, main), as written in it. */
  configPaths: string[];
  config: RunConfig;
  /** The inputs of the build_configs call that wrote the script, when it recorded them. */
  buildInputs: Record<string, unknown> | null;
}

/**
 * Reads the script (or takes `scriptText`, a resumed run's edited copy) and its configs on the master. Returns null,
 * with an error check added, when there is no script or it is not a MindSpeed-MM launch script.
 */
export async function readLaunchInputs(
  master: NodeContext,
  script: string,
  scriptText: string | undefined,
  add: Add,
): Promise<LaunchInputs | null> {
  const abs = resolveOnHost(master.workdir, script);
  const text = scriptText ?? (await readText(master.executor, abs));
  if (text instanceof PathNotAllowedError) {
    add({ id: "script", host: master.host, level: "error", ...refusal(text) });
    return null;
  }
  if (text === null) {
    add({ id: "script", host: master.host, level: "error", ...(await missingScript(master, script, abs)) });
    return null;
  }
  const info = parseLaunchScript(text);
  const read = { path: script, abs, text, info };
  if (!info.entry) {
    add({
      id: "script",
      host: master.host,
      level: "error",
      message: `${abs} has no torchrun line: it does not look like a MindSpeed-MM launch script.`,
      fix: "Pass the finetune script written by build_configs.",
    });
    return { script: read, configPaths: [], config: describeRun(info, {}), buildInputs: null };
  }
  const files: ConfigFiles = {};
  const configPaths = [info.dataConfig, info.modelConfig, info.mainConfig].filter((p): p is string => Boolean(p));
  for (const [key, p] of [
    ["data", info.dataConfig],
    ["model", info.modelConfig],
    ["main", info.mainConfig],
  ] as const) {
    if (!p) continue;
    const t = await readText(master.executor, resolveOnHost(master.workdir, p));
    if (t instanceof PathNotAllowedError) {
      add({ id: "configs", host: master.host, level: "warning", ...refusal(t) });
      continue;
    }
    if (t === null) continue;
    try {
      files[key] = parseConfigText(p, t);
    } catch (error) {
      add({
        id: "configs",
        host: master.host,
        level: "error",
        message: `${p} cannot be parsed: ${(error as Error).message.split("\n")[0]}`,
        fix: "Rebuild the configs with build_configs.",
      });
    }
  }
  const config = describeRun(info, files);
  for (const issue of config.issues) add({ id: "configs-agree", host: master.host, ...issue });
  const recorded = await readBuildInputs(master.executor, abs);
  // What a suggested rebuild repeats: the recorded build with the script's edits since (a fix applied stays).
  const buildInputs = recorded ? withScriptEdits(recorded, read.text, master.settings) : null;
  return { script: read, configPaths, config, buildInputs };
}
