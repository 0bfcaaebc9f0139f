// Resolves host names to executors, one per host, created on first use and kept for reuse. An unknown name is refused
// with where the inventory was looked for, an inventory one directory down if there is one, and how to make a host.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { AuditedExecutor, AuditLog } from "./audit.js";
import type { HostExecutor } from "./executor.js";
import { type HostSettings, type Inventory, inventoryPaths, loadInventory } from "./inventory.js";
import { guardReads, guardWrites } from "./paths.js";
import { shellQuote } from "./quote.js";

export class UnknownHostError extends Error {
  override name = "UnknownHostError";
}

const INVENTORY_NAME = "ascend-train.yaml";
/** Directory entries looked at for an inventory one level down: enough for any checkout, cheap for a huge directory. */
const MAX_SUBDIRECTORIES_SCANNED = 1000;

/** Subdirectories of `cwd` holding an ascend-train.yaml (where `sim init` ran, say), one level only, sorted by name. */
export function inventoriesOneLevelDown(cwd = process.cwd()): string[] {
  let names: string[];
  try {
    names = readdirSync(cwd).slice(0, MAX_SUBDIRECTORIES_SCANNED);
  } catch {
    return [];
  }
  return names
    .filter((name) => {
      try {
        return statSync(join(cwd, name, INVENTORY_NAME)).isFile();
      } catch {
        return false;
      }
    })
    .sort((a, b) => a.localeCompare(b));
}

/** How to use an inventory one directory down, or "" when there is none (or ASCEND_TRAIN_CONFIG already picks one). */
function inventoryBelowHint(cwd: string): string {
  if (process.env.ASCEND_TRAIN_CONFIG) return "";
  const below = inventoriesOneLevelDown(cwd);
  const first = below[0];
  if (first === undefined) return "";
  const found = below.map((dir) => join(dir, INVENTORY_NAME)).join(", ");
  return (
    ` ${found} ${below.length === 1 ? "is" : "are"} one directory down: to use ${below.length === 1 ? "it" : "the first"}, ` +
    `cd ${shellQuote(first)}, or set ASCEND_TRAIN_CONFIG=${shellQuote(join(first, INVENTORY_NAME))}.`
  );
}

/**
 * Where the host inventory is looked for, when none was found: the ASCEND_TRAIN_CONFIG file, else ascend-train.yaml in
 * the current directory, then the per-user file; an inventory one directory down with the way to use it; and how
 * `sim init` makes a simulated host.
 */
export function noInventoryGuidance(cwd = process.cwd()): string {
  const explicit = process.env.ASCEND_TRAIN_CONFIG;
  const [first, second] = inventoryPaths(cwd);
  const where = explicit
    ? `No host inventory: ASCEND_TRAIN_CONFIG names ${resolve(cwd, explicit)}, which does not exist.`
    : `No host inventory: hosts are read from ${first}, else ${second}, or from the file ASCEND_TRAIN_CONFIG names.`;
  const into = explicit
    ? "ASCEND_TRAIN_CONFIG's file"
    : `the ${INVENTORY_NAME} of the directory it runs in (here ${first}); a server started elsewhere reads that file when ASCEND_TRAIN_CONFIG names it`;
  return `${where}${inventoryBelowHint(cwd)} npx ascend-train sim init lays out a simulated host "sim" and adds it to ${into}.`;
}

export interface HostHandle {
  name: string;
  settings: HostSettings;
  executor: HostExecutor;
}

export type ExecutorFactory = (name: string, settings: HostSettings) => Promise<HostExecutor>;

/** Local hosts run through execa; hosts with `ssh` set go through ssh2, loaded only when first needed. */
export const defaultExecutorFactory: ExecutorFactory = async (name, settings) => {
  if (settings.ssh) {
    const { SshExecutor } = await import("./ssh.js");
    return new SshExecutor(name, settings);
  }
  const { LocalExecutor } = await import("./local.js");
  return new LocalExecutor(name, settings);
};

export class HostRegistry {
  private readonly executors = new Map<string, Promise<HostExecutor>>();
  private loaded: Inventory | undefined;
  readonly audit: AuditLog;

  constructor(
    inventory?: Inventory,
    private readonly factory: ExecutorFactory = defaultExecutorFactory,
  ) {
    this.loaded = inventory;
    this.audit = new AuditLog();
  }

  /** Read on first use, so a server starts without touching the inventory file. */
  private get inventory(): Inventory {
    if (!this.loaded) this.loaded = loadInventory();
    return this.loaded;
  }

  get inventoryFile(): string | null {
    return this.inventory.file;
  }

  names(): string[] {
    return Object.keys(this.inventory.hosts).sort((a, b) =>
      a === "local" ? -1 : b === "local" ? 1 : a.localeCompare(b),
    );
  }

  settings(name: string): HostSettings {
    // Own entries only: a name such as "valueOf" or "__proto__" must not find an Object.prototype member.
    const settings = Object.hasOwn(this.inventory.hosts, name) ? this.inventory.hosts[name] : undefined;
    if (!settings) {
      const known = `Unknown host "${name}". Known hosts: ${this.names().join(", ")}`;
      const file = this.inventory.file;
      if (!file) throw new UnknownHostError(`${known}. ${noInventoryGuidance()}`);
      // Read from the per-user file: an inventory one directory down may be the one meant.
      const cwd = process.cwd();
      const below = file === join(cwd, INVENTORY_NAME) ? "" : inventoryBelowHint(cwd);
      throw new UnknownHostError(`${known} (from ${file}).${below}`);
    }
    return settings;
  }

  async get(name: string): Promise<HostHandle> {
    const settings = this.settings(name);
    let executor = this.executors.get(name);
    if (!executor) {
      executor = this.factory(name, settings).then((inner) =>
        guardWrites(guardReads(new AuditedExecutor(inner, this.audit), settings), settings),
      );
      this.executors.set(name, executor);
      executor.catch(() => this.executors.delete(name));
    }
    return { name, settings, executor: await executor };
  }

  /** Re-reads the inventory file (after `sim init` adds a host, for example). */
  reload(inventory?: Inventory): void {
    this.loaded = inventory ?? loadInventory();
  }

  async closeAll(): Promise<void> {
    const all = [...this.executors.values()];
    this.executors.clear();
    await Promise.allSettled(all.map(async (p) => (await p).close()));
  }
}
