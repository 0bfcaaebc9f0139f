// Compares a generated training plan with upstream's example files at the same tag: every JSON/YAML leaf value,
// every exported variable, the torchrun arguments and every `--flag value` of the launch command.
import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { parse } from "yaml";
import type { TrainingPlan } from "../../src/configs/types.js";

export const UPSTREAM_ROOT = join(import.meta.dirname, "..", "fixtures", "upstream");

export type DiffKind = "equal" | "different" | "missing" | "extra";

export interface ValueDiff {
  /** env:NAME, torchrun:--flag, torchrun:entry, flag:--name, cd, link, or value:<file>#<dotted.path>. */
  key: string;
  kind: Exclude<DiffKind, "equal">;
  upstream?: string;
  generated?: string;
}

export interface PairComparison {
  counts: Record<DiffKind, number>;
  diffs: ValueDiff[];
}

/** Config keys whose value is a path the user chooses: compared for presence only. */
const PATH_KEYS = new Set([
  "model_name_or_path",
  "dataset_dir",
  "dataset",
  "cache_dir",
  "init_from_hf_path",
  "load",
  "save",
  "fsdp2_config_path",
  "from_pretrained",
  "data_path",
  "data_folder",
  "tokenizer_name_or_path",
  "processor_name_or_path",
  "image_folder",
  "path",
  "save_path",
  "load_path",
  "output_dir",
  "logging_dir",
  "hf_path",
  "ckpt_path",
  "processor_path",
  "HF_MODEL_LOAD_PATH",
  "MM_MODEL_LOAD_PATH",
  "DATASET_PATH",
  "DATASET_DIR",
  "FSDP2_PATH",
  "SAVE_PATH",
]);

/** Launch flags whose value is a path the user chooses. */
const PATH_FLAGS = new Set([
  "--load",
  "--save",
  "--mm-data",
  "--mm-model",
  "--mm-tool",
  "--fsdp2-config-path",
  "--data-path",
  "--data-dir",
  "--ref-model",
  "--processor-path",
  "config",
]);

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (Array.isArray(value) && value.some((v) => v !== null && typeof v === "object")) {
    value.forEach((v, i) => {
      flatten(v, `${prefix}[${i}]`, out);
    });
  } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.set(prefix, {});
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
}

const lastKey = (path: string) =>
  path
    .replace(/\[\d+\]$/, "")
    .split(".")
    .pop() ?? path;

/** Equal as text, or as numbers (1e-5 and 1.0e-5 are one value). */
const same = (a: string, b: string) => a === b || (a.trim() !== "" && b.trim() !== "" && Number(a) === Number(b));

function compareMaps(
  upstream: Map<string, string>,
  generated: Map<string, string>,
  keyOf: (k: string) => string,
  isPath: (k: string) => boolean,
  into: PairComparison,
): void {
  for (const [k, u] of upstream) {
    const key = keyOf(k);
    if (!generated.has(k)) {
      into.counts.missing++;
      into.diffs.push({ key, kind: "missing", upstream: u });
    } else if (isPath(k) || same(generated.get(k)!, u)) {
      into.counts.equal++;
    } else {
      into.counts.different++;
      into.diffs.push({ key, kind: "different", upstream: u, generated: generated.get(k) });
    }
  }
  for (const [k, g] of generated) {
    if (upstream.has(k)) continue;
    into.counts.extra++;
    into.diffs.push({ key: keyOf(k), kind: "extra", generated: g });
  }
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

export function loadConfig(path: string, text: string): unknown {
  return path.endsWith(".json") ? JSON.parse(text) : parse(text, { merge: true });
}

export interface ScriptFacts {
  env: Map<string, string>;
  torchrun: Map<string, string>;
  flags: Map<string, string>;
  /** Directory changes and symlinks the script makes before launching. */
  setup: Map<string, string>;
}

const unquote = (s: string) => s.replace(/^'(.*)'$/s, "$1").replace(/^"(.*)"$/s, "$1");

function expand(text: string, vars: Map<string, string>): string {
  let out = text.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (whole, a, dflt, b) => {
    const name = a ?? b;
    if (vars.has(name)) return vars.get(name)!;
    // Unset variables expand to nothing, as in bash.
    return dflt ?? (whole.startsWith("${") || /^\$\w+$/.test(whole) ? "" : whole);
  });
  for (let before = ""; before !== out; ) {
    before = out;
    out = out.replace(/\$\(\(([^()]*)\)\)/g, (whole, expr: string) =>
      /^[\d\s+*/-]+$/.test(expr) ? String(Math.floor(Function(`return (${expr})`)() as number)) : whole,
    );
  }
  return out;
}

function parseFlags(tokens: string[], into: Map<string, string>, positional: string[]): void {
  let current: string | null = null;
  for (const t of tokens) {
    if (t.startsWith("--")) {
      const eq = t.indexOf("=");
      current = eq > 0 ? t.slice(0, eq) : t;
      into.set(current, eq > 0 ? t.slice(eq + 1) : "");
    } else if (current) {
      into.set(current, into.get(current) ? `${into.get(current)} ${t}` : t);
    } else {
      positional.push(t);
    }
  }
}

const tokens = (s: string) =>
  s
    .replace(/\\\n/g, " ")
    .split(/\s+/)
    .filter((t) => t && t !== "\\")
    .map(unquote);

/** Reads a launch script the way bash would for the parts that matter: exports, variables, the launch command. */
export function readScript(text: string, nodes = 1): ScriptFacts {
  const vars = new Map<string, string>();
  // Multi-node examples read the node list from a hostfile: stand in the plan's node count, and the master node's
  // address and rank, the values a launch on the first node gets.
  const fromHostfile = (name: string, value: string) => {
    if (!value.includes("hostfile")) return value;
    if (name === "MASTER_ADDR") return "localhost";
    if (name === "NODE_RANK") return "0";
    return value.replace(/\$\(cat \S*hostfile\S* \| wc -l\)/g, String(nodes));
  };
  const facts: ScriptFacts = { env: new Map(), torchrun: new Map(), flags: new Map(), setup: new Map() };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith("#")) continue;
    const assign = /^(export\s+)?([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (assign) {
      let raw = assign[3]!;
      if (raw.startsWith('"') && !/^"[^"]*"(\s+#.*)?$/.test(raw)) {
        while (i + 1 < lines.length && !raw.slice(1).includes('"')) raw += `\n${lines[++i]}`;
      }
      if (!raw.startsWith('"') && !raw.startsWith("'")) raw = raw.replace(/\s+#.*$/, "");
      else raw = raw.replace(/(["'])\s+#.*$/, "$1");
      const lines2 = unquote(raw.trim())
        .split("\n")
        .filter((l) => !l.trim().startsWith("#"))
        .join("\n");
      const value = expand(fromHostfile(assign[2]!, expand(lines2, vars)), vars);
      vars.set(assign[2]!, value);
      if (assign[1]) facts.env.set(assign[2]!, value);
      continue;
    }
    const cd = /^cd\s+(\S+)/.exec(line);
    if (cd) facts.setup.set("cd", unquote(expand(cd[1]!, vars)));
    const ln = /^ln\s+-s\S*\s+(\S+)\s+(\S+)/.exec(line);
    if (ln) facts.setup.set(`link ${unquote(ln[2]!)}`, unquote(expand(ln[1]!, vars)));
    if (/^(torchrun|python3?)\s/.test(line)) {
      let cmd = line;
      while (cmd.endsWith("\\") && i + 1 < lines.length) {
        const next = lines[++i]!.trim();
        cmd = `${cmd.slice(0, -1)} ${next.startsWith("#") ? "" : next}`;
      }
      cmd = cmd.replace(/\s(2>&1|\|).*$/, "");
      const dist = /\$\{?DISTRIBUTED_ARGS\}?/.test(cmd) ? (vars.get("DISTRIBUTED_ARGS") ?? "") : "";
      parseFlags(tokens(dist), facts.torchrun, []);
      const rest = tokens(expand(cmd.replace(/\$\{?DISTRIBUTED_ARGS\}?/, ""), vars));
      const launcher = rest.shift()!;
      if (launcher.startsWith("python")) facts.torchrun.set("launcher", "python");
      const positional: string[] = [];
      parseFlags(rest, facts.flags, positional);
      facts.torchrun.set("entry", positional.shift() ?? "");
      if (positional.length) facts.flags.set("config", positional.join(" "));
    }
  }
  return facts;
}

/** Compares every generated file of a plan with the upstream file it stands for, at the plan's tag. */
export function comparePlan(plan: TrainingPlan): PairComparison {
  const result: PairComparison = { counts: { equal: 0, different: 0, missing: 0, extra: 0 }, diffs: [] };
  for (const f of plan.files) {
    const fixture = join(UPSTREAM_ROOT, plan.release, f.upstream.replace(/^examples\//, ""));
    if (!existsSync(fixture)) {
      result.counts.missing++;
      result.diffs.push({ key: `file:${f.upstream}`, kind: "missing", upstream: "no fixture" });
      continue;
    }
    const text = readFileSync(fixture, "utf8");
    const base = posix.basename(f.upstream);
    if (f.format === "bash") {
      const u = readScript(text, plan.parallel.nodes);
      const g = readScript(f.text, plan.parallel.nodes);
      const isPathFlag = (k: string) => PATH_FLAGS.has(k);
      compareMaps(
        u.env,
        g.env,
        (k) => `env:${k}`,
        () => false,
        result,
      );
      compareMaps(
        u.torchrun,
        g.torchrun,
        (k) => `torchrun:${k}`,
        () => false,
        result,
      );
      compareMaps(u.flags, g.flags, (k) => `flag:${k}`, isPathFlag, result);
      const setupKey = (k: string) => (k.startsWith("link") ? k.replace(/\s+\.\//, " ") : k);
      compareMaps(
        new Map([...u.setup].map(([k, v]) => [setupKey(k), v])),
        new Map([...g.setup].map(([k, v]) => [setupKey(k), v])),
        (k) => `setup:${k}`,
        () => true,
        result,
      );
      continue;
    }
    const u = new Map<string, unknown>();
    const g = new Map<string, unknown>();
    flatten(loadConfig(fixture, text), "", u);
    flatten(f.value, "", g);
    const asText = (m: Map<string, unknown>) => new Map([...m].map(([k, v]) => [k, show(v)]));
    compareMaps(
      asText(u),
      asText(g),
      (k) => `value:${base}#${k}`,
      (k) => PATH_KEYS.has(lastKey(k)),
      result,
    );
  }
  return result;
}
