// Reads a MindSpeed-MM launch script (the upstream finetune_*.sh shape that build_configs writes): its variables,
// the Megatron flags it passes, and the files it points at. Only plain assignments are understood; anything the
// script computes at run time (command substitution) stays unresolved and is reported as such.

export interface LaunchScriptInfo {
  /** NAME=value assignments at the start of a line, quotes removed, ${X:-d} reduced to d. */
  vars: Record<string, string>;
  /** `export K=V` lines: the model's environment. */
  exports: Record<string, string>;
  /** Every --flag in the script, with its value (true for switches), variables substituted. */
  flags: Record<string, string | true>;
  /** The torchrun target (pretrain_vlm.py, pretrain_transformers.py, trainer.py …). */
  entry: string | null;
  npusPerNode: number | null;
  nnodes: number | null;
  masterPort: number | null;
  tp: number;
  pp: number;
  cp: number;
  loadPath: string | null;
  savePath: string | null;
  /** Megatron JSON configs, or the single YAML of the FSDP2 / native backends. */
  dataConfig: string | null;
  modelConfig: string | null;
  mainConfig: string | null;
  /** True when NNODES is computed at run time (e.g. from a hostfile). */
  nnodesFromHostfile: boolean;
}

function unquote(raw: string): string {
  const v = raw.trim();
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1).replaceAll(`'\\''`, "'");
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1);
  return v;
}

/** Replaces $X, ${X} and ${X:-d} with known values; unknown ones stay as written. */
export function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, a, d, b) => {
    const name = (a ?? b) as string;
    if (vars[name] !== undefined) return vars[name]!;
    if (d !== undefined) return d as string;
    return m;
  });
}

const ASSIGN = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

const intOr = (v: string | undefined, d: number | null): number | null => {
  if (v === undefined) return d;
  const n = Number(v);
  return Number.isInteger(n) ? n : d;
};

export function parseLaunchScript(text: string): LaunchScriptInfo {
  const vars: Record<string, string> = {};
  const exports: Record<string, string> = {};
  const flags: Record<string, string | true> = {};
  let entry: string | null = null;
  let nnodesFromHostfile = false;
  const lines = text.split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith("#") || line === "") continue;
    const m = ASSIGN.exec(line);
    if (m && !m[2]!.endsWith("\\")) {
      const name = m[1]!;
      let value = m[2]!;
      // A block such as GPT_ARGS=" … " spans lines; its flags are collected below.
      if (value === '"' || value === "'") continue;
      if (/\$\(/.test(value)) {
        if (name === "NNODES") nnodesFromHostfile = true;
        continue;
      }
      value = substitute(unquote(value), vars);
      vars[name] = value;
      if (line.startsWith("export ")) exports[name] = value;
      continue;
    }
    const torchrun = /^torchrun\s+(?:\$\{?DISTRIBUTED_ARGS\}?\s+)?(\S+)/.exec(line);
    if (torchrun) entry = substitute(torchrun[1]!, vars);
  }
  // Flags: every `--name [value]` token outside comments, in order; later ones win, as in argparse.
  const body = lines
    .filter((l) => !l.trim().startsWith("#"))
    .join("\n")
    .replaceAll("\\\n", " ");
  const tokens = body.split(/\s+/).filter(Boolean);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!.replace(/^["']|["']$/g, "");
    if (!/^--[a-z0-9][a-z0-9_-]*$/i.test(t)) continue;
    const next = tokens[i + 1]?.replace(/^["']|["']$/g, "");
    if (next !== undefined && next !== "" && !next.startsWith("--") && !/^(?:[|&;>]|2>)/.test(next) && next !== "\\") {
      flags[t.slice(2)] = substitute(next, vars);
      i++;
    } else flags[t.slice(2)] = true;
  }
  const flag = (name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);
  const num = (v: string | undefined, d: number) => intOr(v, d) ?? d;
  return {
    vars,
    exports,
    flags,
    entry,
    npusPerNode: intOr(vars.NPUS_PER_NODE ?? vars.GPUS_PER_NODE, null),
    nnodes: intOr(vars.NNODES, null),
    masterPort: intOr(vars.MASTER_PORT, null),
    tp: num(flag("tensor-model-parallel-size") ?? vars.TP, 1),
    pp: num(flag("pipeline-model-parallel-size") ?? vars.PP, 1),
    cp: num(flag("context-parallel-size") ?? vars.CP, 1),
    loadPath: flag("load") ?? vars.LOAD_PATH ?? null,
    savePath: flag("save") ?? vars.SAVE_PATH ?? null,
    dataConfig: flag("mm-data") ?? vars.MM_DATA ?? null,
    modelConfig: flag("mm-model") ?? vars.MM_MODEL ?? null,
    mainConfig: vars.config_path ?? vars.CONFIG_PATH ?? yamlArgument(lines, vars),
    nnodesFromHostfile,
  };
}

/** `torchrun … entry.py some.yaml` (the YAML backends pass their config positionally). */
function yamlArgument(lines: string[], vars: Record<string, string>): string | null {
  for (const line of lines) {
    const m = /^torchrun\s.*?\s(\S+\.ya?ml)\b/.exec(line.trim());
    if (m) return substitute(m[1]!, vars);
  }
  return null;
}

const RESUME_DROPS = ["--no-load-optim", "--no-load-rng", "--finetune"];

export interface ResumeEdit {
  text: string;
  /** What was changed, for the plan. */
  changes: string[];
}

/**
 * The launch script of a resumed run: LOAD_PATH (or --load) points at the save directory, and the flags that make
 * Megatron skip the optimizer/RNG state or reset the iteration count are removed (keepOptimizerSkips keeps the
 * first two, for checkpoints saved without that state, and adds them after --load where configs rebuilt to save that
 * state since no longer have them).
 */
export function resumeScript(
  text: string,
  saveDir: string,
  keepOptimizerSkips: boolean,
  quote: (s: string) => string,
): ResumeEdit {
  const changes: string[] = [];
  const drops = keepOptimizerSkips ? ["--finetune"] : RESUME_DROPS;
  let out = text.replace(/^(\s*(?:export\s+)?LOAD_PATH=).*$/m, (_m, head: string) => {
    changes.push(`LOAD_PATH=${saveDir}`);
    return `${head}${quote(saveDir)}`;
  });
  if (!changes.length) {
    out = out.replace(/--load\s+\S+/g, () => {
      changes.push(`--load ${saveDir}`);
      return `--load ${quote(saveDir)}`;
    });
  }
  for (const flag of drops) {
    let removed = false;
    const token = new RegExp(`[ \\t]${flag}(?=[ \\t"'\\\\]|$)`, "g");
    const lines = out.split("\n").flatMap((line) => {
      const t = line.trim();
      if (t.startsWith("#")) return [line];
      // A block line holding only the flag goes; elsewhere only the word goes.
      if (t === flag || t === `${flag} \\`) {
        removed = true;
        return [];
      }
      const next = line.replace(token, () => {
        removed = true;
        return "";
      });
      return [next];
    });
    out = lines.join("\n");
    if (removed) changes.push(`removed ${flag}`);
  }
  if (keepOptimizerSkips) {
    const missing = RESUME_DROPS.slice(0, 2).filter((flag) => parseLaunchScript(out).flags[flag.slice(2)] !== true);
    if (missing.length) {
      let added = false;
      out = out.replace(/--load\s+\S+/, (load) => {
        added = true;
        return `${load} ${missing.join(" ")}`;
      });
      if (added) changes.push(`added ${missing.join(" ")}`);
    }
  }
  return { text: out, changes };
}
