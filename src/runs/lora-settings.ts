// The LoRA rank and alpha trained adapters were made with, read from the configs that trained them: the ledger record
// of the run that saved into the adapters' directory (what its configs said at launch), else its launch script, else
// the configs built for the model on the host that save there. A merge scales the adapters by alpha / rank, so it takes
// them from there rather than assuming the recipe's. Whether a run trained LoRA at all comes from the same places,
// never from what the folder it loaded from holds now.
import { posix } from "node:path";
import { existingBuild } from "../configs/build-inputs.js";
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { parseLaunchScript } from "./launch-script.js";
import { ledgerDir, readLedger } from "./ledger.js";
import { describeRun, loraOfConfig, loraSettingsOf, parseConfigText, type RunLora } from "./run-config.js";
import type { RunRecord } from "./types.js";

export interface TrainedLora {
  rank: number | null;
  alpha: number | null;
  /** Where they were read: "run <id> (<script>)" or "the configs in <dir>". */
  from: string;
  /** The recorded run that trained the adapters, when they came from one: its id and the base it loaded. */
  run?: { id: string; loadDir: string | null };
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

async function readScript(executor: HostExecutor, script: string, workdir: string | undefined) {
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
  return { info, main };
}

/** The rank and alpha a launch script trains with: its flags, or its main YAML's lora_args. Null when unreadable. */
export async function loraOfScript(
  executor: HostExecutor,
  script: string,
  workdir: string | undefined,
): Promise<{ rank: number | null; alpha: number | null } | null> {
  const read = await readScript(executor, script, workdir);
  return read ? loraSettingsOf(read.info.flags, read.main) : null;
}

/**
 * Whether a recorded run trained LoRA adapters and with which rank and alpha: its record (kept at launch), else, for a
 * record written before that, its launch script as it reads now. Undefined when neither says.
 */
export async function loraOfRun(
  executor: HostExecutor,
  record: Pick<RunRecord, "lora" | "script" | "workdir">,
): Promise<RunLora | undefined> {
  if (record.lora !== undefined) return record.lora;
  const read = await readScript(executor, record.script, record.workdir);
  if (!read) return undefined;
  const cfg = describeRun(read.info, { main: read.main });
  const settings = loraSettingsOf(read.info.flags, read.main);
  return loraOfConfig({ lora: cfg.lora, loraRank: settings.rank, loraAlpha: settings.alpha });
}

/** The recorded runs on the host that saved into `dir` (a save directory or one of its iteration directories), newest first. */
export async function runsSavedIn(
  executor: HostExecutor,
  settings: HostSettings,
  host: string,
  dir: string,
): Promise<RunRecord[]> {
  const at = abs(settings.workdir, dir);
  const dirs = new Set([at, ...(/^(iter_\d+|release)$/.test(posix.basename(at)) ? [posix.dirname(at)] : [])]);
  const runs = await ledgerDir(executor, settings)
    .then((ledger) => readLedger(executor, host, ledger))
    .then((read) => read.entries.map((e) => e.record))
    .catch(() => [] as RunRecord[]);
  return runs
    .filter((r) => r.saveDir !== null && dirs.has(abs(r.workdir, r.saveDir)))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
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
  for (const run of await runsSavedIn(executor, settings, host, adaptersDir)) {
    const found = await loraOfRun(executor, run);
    if (found && (found.rank !== null || found.alpha !== null))
      return {
        ...found,
        from: `run ${run.id} (${run.lora !== undefined ? "its ledger record" : run.script})`,
        run: { id: run.id, loadDir: run.loadDir === null ? null : abs(run.workdir, run.loadDir) },
      };
  }
  const built = await existingBuild(executor, settings, modelId, "lora").catch(() => null);
  if (built && dirs.has(abs(settings.workdir, built.saveDir))) {
    const found = await loraOfScript(executor, built.script, settings.workdir);
    if (found && (found.rank !== null || found.alpha !== null))
      return { ...found, from: `the configs in ${built.outputDir}` };
  }
  return null;
}
