// Resolves host names to executors, one per host, created on first use and kept for reuse.
import { AuditedExecutor, AuditLog } from "./audit.js";
import type { HostExecutor } from "./executor.js";
import { type HostSettings, type Inventory, loadInventory } from "./inventory.js";
import { guardReads, guardWrites } from "./paths.js";

export class UnknownHostError extends Error {
  override name = "UnknownHostError";
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
      const where = this.inventory.file
        ? ` (from ${this.inventory.file})`
        : " (no inventory file; create ascend-train.yaml)";
      throw new UnknownHostError(`Unknown host "${name}". Known hosts: ${this.names().join(", ")}${where}.`);
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
