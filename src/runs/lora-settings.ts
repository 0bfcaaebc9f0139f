// The LoRA rank and alpha trained adapters were made with, read from the configs that trained them: the launch script
// of the recorded run that saved into the adapters' directory, else the configs built for the model on the host that
// save there. A merge scales the adapters by alpha / rank, so it takes them from there rather than assuming the
// recipe's.
import { posix } from "node:path";
import { existingBuild } from "../configs/build-inputs.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { parseLaunchScript } from "./launch-script.js";
import { ledgerDir, readLedger } from "./ledger.js";
import { loraSettingsOf, parseConfigText } from "./run-config.js";

export interface TrainedLora {
  rank: number | null;
  alpha: number | null;
  /** Where they were read: "run <id> (<script>)" or "the configs in <dir>". */
  from: string;
}

const abs = (workdir: string | undefined, p: string) =>
  posix.normalize(p.startsWith("/") || !workdir ? p : posix.join(workdir, p)).replace(/(.)\/+$/, "$1");

async function readText(executor: HostExecutor, path: string): Promise<string | null> {
  try {
    return (await executor.readFile(path, { maxBytes: 4 << 20 })).content;
  } catch {
    return null;
  }
}

/** The rank and alpha a launch script trains with: its flags, or its main YAML's lora_args. Null when unreadable. */
export async function loraOfScript(
  executor: HostExecutor,
  script: string,
  workdir: string | undefined,
): Promise<{ rank: number | null; alpha: number | null } | null> {
  const text = await readText(executor, script);
  if (text === null) return null;
  const info = parseLaunchScript(text);
  let main: unknown;
  if (info.mainConfig) {
    const yaml = await readText(executor, abs(workdir, info.mainConfig));
    try {
      main = yaml !== null ? parseConfigText(info.mainConfig, yaml) : undefined;
    } catch {
      main = undefined;
    }
  }
  return loraSettingsOf(info.flags, main);
}

/**
 * The LoRA settings of the adapters in `adaptersDir` (a save directory, or one of its iter_NNNNNNN / release
 * directories): from the newest recorded run on the host that saved there, else the configs built for `modelId` in
 * <workdir>/configs/<model> when they save there. Null when neither names the directory or says a rank.
 */
export async function trainedLora(
  executor: HostExecutor,
  settings: HostSettings,
  host: string,
  modelId: string,
  adaptersDir: string,
): Promise<TrainedLora | null> {
  const dir = abs(settings.workdir, adaptersDir);
  const dirs = new Set([dir, ...(/^(iter_\d+|release)$/.test(posix.basename(dir)) ? [posix.dirname(dir)] : [])]);
  const runs = await ledgerDir(executor, settings)
    .then((ledger) => readLedger(executor, host, ledger))
    .then((read) => read.entries.map((e) => e.record))
    .catch(() => []);
  const savedThere = runs
    .filter((r) => r.saveDir !== null && dirs.has(abs(r.workdir, r.saveDir)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  for (const run of savedThere) {
    const found = await loraOfScript(executor, run.script, run.workdir);
    if (found && (found.rank !== null || found.alpha !== null))
      return { ...found, from: `run ${run.id} (${run.script})` };
  }
  const built = await existingBuild(executor, settings, modelId).catch(() => null);
  if (built && dirs.has(abs(settings.workdir, built.saveDir))) {
    const found = await loraOfScript(executor, built.script, settings.workdir);
    if (found && (found.rank !== null || found.alpha !== null))
      return { ...found, from: `the configs in ${built.outputDir}` };
  }
  return null;
}
