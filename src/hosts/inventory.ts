// Named hosts: `ascend-train.yaml` in the working directory, else ~/.config/ascend-train/hosts.yaml. `local` always exists.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith("/") || p.startsWith("~"), "must be an absolute path");

export const HostSettingsSchema = z
  .object({
    /** SSH destination: an ~/.ssh/config alias, `host`, `user@host` or `user@host:port`. Absent: the machine itself. */
    ssh: z.string().min(1).optional(),
    user: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    identityFile: z.string().optional(),
    knownHostsFile: z.string().optional(),
    proxyJump: z.string().optional(),
    /** Where CANN is installed (holds `ascend-toolkit/` before 8.5, `cann/` from 8.5 on, and `nnal/`). */
    cannRoot: absolutePath.default("/usr/local/Ascend"),
    /** Source CANN's set_env.sh before each command (off for hosts whose environment is already set, e.g. containers). */
    sourceCann: z.boolean().default(true),
    /** Python environment to activate: a venv directory or a conda env name. */
    venv: absolutePath.optional(),
    conda: z.string().optional(),
    /** The MindSpeed-MM working directory (the checkout). */
    workdir: absolutePath.optional(),
    npusPerNode: z.number().int().min(1).max(64).default(8),
    /** Directories prepended to PATH before anything runs. */
    path: z.array(absolutePath).default([]),
    env: z.record(z.string(), z.string()).default({}),
    /** Directories the tools may write into; defaults to the workdir and the data/output dirs under it. */
    allowedDirs: z.array(absolutePath).default([]),
    /** More directories the tools may read (logs, models, datasets elsewhere); see readableRoots in paths.ts. */
    readableDirs: z.array(absolutePath).default([]),
    /** Seconds a command may run before it is stopped. */
    commandTimeoutSec: z.number().int().min(1).max(86_400).default(120),
    /** Marks a simulated Ascend host laid out by `ascend-train sim init`. */
    simRoot: absolutePath.optional(),
    description: z.string().optional(),
  })
  .strict();

export type HostSettings = z.output<typeof HostSettingsSchema>;

export const InventorySchema = z
  .object({ hosts: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), HostSettingsSchema).default({}) })
  .passthrough();

export interface Inventory {
  /** The file read, or null when none exists. */
  file: string | null;
  hosts: Record<string, HostSettings>;
}

export function inventoryPaths(cwd = process.cwd()): string[] {
  const explicit = process.env.ASCEND_TRAIN_CONFIG;
  if (explicit) return [resolve(cwd, explicit)];
  return [join(cwd, "ascend-train.yaml"), join(homedir(), ".config", "ascend-train", "hosts.yaml")];
}

export function loadInventory(cwd = process.cwd()): Inventory {
  const file = inventoryPaths(cwd).find((p) => existsSync(p)) ?? null;
  const hosts: Record<string, HostSettings> = {};
  if (file) {
    let raw: unknown;
    try {
      // Loaded on first use: most server starts never need a YAML parser before the first tool call.
      const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
      raw = parse(readFileSync(file, "utf8")) ?? {};
    } catch (error) {
      throw new Error(`Cannot parse ${file}: ${(error as Error).message}`);
    }
    const parsed = InventorySchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid host inventory ${file}: ${issues}`);
    }
    Object.assign(hosts, parsed.data.hosts);
  }
  if (!hosts.local) hosts.local = HostSettingsSchema.parse({});
  return { file, hosts };
}

export function expandHome(path: string): string {
  return path === "~" ? homedir() : path.startsWith("~/") ? join(homedir(), path.slice(2)) : path;
}
