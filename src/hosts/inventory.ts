// Named hosts: `ascend-train.yaml` in the working directory, else ~/.config/ascend-train/hosts.yaml. `local` always
// exists and is always this machine with default settings: no file can redefine it. Files are bounded in size, errors
// never echo the file's lines (they may hold secrets), and env variables that make a shell run code are refused.
import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";
import { HostFileError } from "./executor.js";
import { HfJobsSettingsSchema, hfJobsHostIssues } from "./hf-jobs-settings.js";
import { SourcesSchema } from "./install-sources.js";
import { isEnvName } from "./quote.js";
import { redactText, registerSecrets, secretValues } from "./redact.js";
import { describeUnsafeEnv, unsafeEnvNames } from "./unsafe-env.js";

/** Larger than any hand-written inventory by far; a bigger file is a mistake or an attack. */
export const MAX_INVENTORY_BYTES = 1024 * 1024;

export class InventoryError extends Error {
  override name = "InventoryError";
}

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith("/") || p === "~" || p.startsWith("~/"), "must be an absolute path (or ~/…)");

export const HostSettingsSchema = z
  .object({
    /** SSH destination: an ~/.ssh/config alias, `host`, `user@host` or `user@host:port`. Absent: the machine itself. */
    ssh: z.string().min(1).optional(),
    user: z.string().optional(),
    port: z.number().int().min(1).max(65535).optional(),
    identityFile: z.string().optional(),
    knownHostsFile: z.string().optional(),
    proxyJump: z.string().optional(),
    /** What trains on this host: Ascend NPUs (MindSpeed-MM), NVIDIA GPUs (TRL through accelerate), or Hugging Face Jobs. */
    accelerator: z.enum(["ascend", "cuda", "hf-jobs"]).default("ascend"),
    /** With accelerator hf-jobs: the namespace, flavor, timeout and image its jobs get (see src/hosts/hf-jobs.ts). */
    hfJobs: HfJobsSettingsSchema.optional(),
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
    env: z
      .record(z.string(), z.string())
      .default({})
      .refine((e) => Object.keys(e).every(isEnvName), "env names must be shell variable names"),
    /** Names in env that are allowed although they make a shell or loader run code (LD_PRELOAD, LD_LIBRARY_PATH…). */
    allowUnsafeEnv: z.array(z.string()).default([]),
    /** Directories the tools may write into; defaults to the workdir and the data/output dirs under it. */
    allowedDirs: z.array(absolutePath).default([]),
    /** More directories the tools may read (logs, models, datasets elsewhere); see readableRoots in paths.ts. */
    readableDirs: z.array(absolutePath).default([]),
    /** Seconds a command may run before it is stopped. */
    commandTimeoutSec: z.number().int().min(1).max(86_400).default(120),
    /** Where installs on this host fetch from (an offline site's mirrors and wheel directory); see install_stack. */
    sources: SourcesSchema.optional(),
    description: z.string().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const bad = unsafeEnvNames(s.env, s.allowUnsafeEnv);
    if (bad.length > 0) ctx.addIssue({ code: "custom", path: ["env"], message: describeUnsafeEnv(bad, "env") });
    for (const issue of hfJobsHostIssues(s)) ctx.addIssue({ code: "custom", ...issue });
  });

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

/** The file's text: a regular file of at most MAX_INVENTORY_BYTES, read without blocking on a FIFO or device. */
function readInventoryText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new InventoryError(`Cannot read the host inventory ${file}: ${(error as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InventoryError(`The host inventory ${file} is not a regular file.`);
    if (st.size > MAX_INVENTORY_BYTES) {
      throw new InventoryError(
        `The host inventory ${file} is ${st.size} bytes, more than the ${MAX_INVENTORY_BYTES} allowed; is it the right file?`,
      );
    }
    const buf = Buffer.alloc(st.size);
    const got = readSync(fd, buf, 0, st.size, 0);
    return buf.subarray(0, got).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** A YAML error without the quoted source lines (they may hold a secret): the reason, the line and the column. */
function describeYamlError(error: unknown): string {
  const e = error as { message?: string; linePos?: { line: number; col: number }[] };
  const reason = (e.message ?? String(error)).split("\n", 1)[0]!.replace(/ at line \d+, column \d+:?$/, "");
  const at = e.linePos?.[0];
  return redactText(at ? `${reason} (line ${at.line}, column ${at.col})` : reason);
}

export function loadInventory(cwd = process.cwd()): Inventory {
  const file = inventoryPaths(cwd).find((p) => existsSync(p)) ?? null;
  const hosts: Record<string, HostSettings> = {};
  if (file) {
    const text = readInventoryText(file);
    let raw: unknown;
    try {
      // Loaded on first use: most server starts never need a YAML parser before the first tool call.
      const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
      raw = parse(text, { maxAliasCount: 100 }) ?? {};
    } catch (error) {
      throw new InventoryError(`Cannot parse the host inventory ${file}: ${describeYamlError(error)}`);
    }
    const parsed = InventorySchema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new InventoryError(redactText(`Invalid host inventory ${file}: ${issues}`));
    }
    if (Object.hasOwn(parsed.data.hosts, "local")) {
      throw new InventoryError(
        `The host inventory ${file} defines a host named "local": that name is reserved for this machine with its ` +
          "default settings. Give the entry another name (a host without `ssh` also runs on this machine).",
      );
    }
    Object.assign(hosts, parsed.data.hosts);
    for (const settings of Object.values(hosts)) registerSecrets(secretValues(settings.env));
  }
  hosts.local = HostSettingsSchema.parse({});
  return { file, hosts };
}

/**
 * `~` and `~/…` are this user's home; `~name/…` is that user's home only for this user's own name. Any other
 * `~name` is refused: it is not a path this process can resolve without guessing.
 */
export function expandHome(path: string): string {
  if (!path.startsWith("~")) return path;
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  const slash = path.indexOf("/");
  const user = slash === -1 ? path.slice(1) : path.slice(1, slash);
  if (user === currentUser()) return slash === -1 ? homedir() : join(homedir(), path.slice(slash + 1));
  throw new HostFileError(
    `"${path}": only ~ and ~/ (this user's home) are expanded; write ~${user}'s home as an absolute path.`,
    "EACCES",
  );
}

function currentUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
