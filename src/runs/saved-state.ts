// Whether a run's checkpoints hold the optimizer's state: as its ledger record says (its configs at launch), else, for
// records written before that was kept, read from its launch script (and the main config it names) on its host. stop_run and tail_logs name the resume call that works for what the run saved.
import { posix } from "node:path";
import type { HostRegistry } from "../hosts/registry.js";
import { parseLaunchScript } from "./launch-script.js";
import type { RunRecord } from "./types.js";

/** Whether the run's launch script saves checkpoints without optimizer state (--no-save-optim, no_save_optim: true). */
export async function savesWithoutOptimizer(hosts: HostRegistry, record: RunRecord): Promise<boolean> {
  if (record.savesOptimizer !== undefined) return !record.savesOptimizer;
  try {
    const { executor } = await hosts.get(record.hosts[0]!);
    const script = (await executor.readFile(record.script, { maxBytes: 1024 * 1024 })).content;
    const info = parseLaunchScript(script);
    if (info.flags["no-save-optim"] === true) return true;
    if (!info.mainConfig) return false;
    const main = info.mainConfig.startsWith("/") ? info.mainConfig : posix.join(record.workdir, info.mainConfig);
    const yaml = (await executor.readFile(main, { maxBytes: 1024 * 1024 })).content;
    return /^\s*no_save_optim:\s*true\b/m.test(yaml);
  } catch {
    return false;
  }
}
