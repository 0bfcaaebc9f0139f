// Reads every `ascend-train <tool> …` command printed in a CLI output and checks it as the CLI would: the subcommand
// exists, every flag is one it has, and every flag it requires is there (placeholders such as '<new dir>' count).
import { parse as parseShell } from "shell-quote";
import { flagSpecs, kebab, POSITIONAL } from "../../src/cli/flags.js";
import { allTools } from "../../src/tools/index.js";

export interface PrintedCommand {
  text: string;
  tool: string | null;
  args: Record<string, string | true>;
  problems: string[];
}

const TOOLS = new Map(allTools.map((t) => [kebab(t.name), t]));

/** The commands printed in `output`, each read up to the first word that is neither a flag, a value nor a positional. */
export function printedCommands(output: string, opts: { host?: string } = {}): PrintedCommand[] {
  const found: PrintedCommand[] = [];
  for (const line of output.split("\n")) {
    for (const m of line.matchAll(/(?:npx )?ascend-train ([a-z][a-z-]+)/g)) {
      const rest = line.slice(m.index + m[0].length);
      const sub = m[1]!;
      const tool = TOOLS.get(sub);
      const problems: string[] = [];
      const args: Record<string, string | true> = {};
      if (!tool) {
        if (!["sim", "demo", "mcp", "serve", "ui", "chat"].includes(sub)) problems.push(`no subcommand ${sub}`);
        found.push({ text: m[0], tool: null, args, problems });
        continue;
      }
      const specs = flagSpecs(tool.input);
      const positional = POSITIONAL[tool.name];
      const words = parseShell(rest.replace(/[()]/g, " ) "));
      let i = 0;
      let text = `ascend-train ${sub}`;
      const clean = (w: string, last: boolean) => (last ? w.replace(/[.,;:]+$/, "") : w);
      while (i < words.length) {
        const w = words[i];
        if (typeof w !== "string") break;
        if (w.startsWith("--")) {
          const name = w.replace(/[.,;:]+$/, "").slice(2);
          const spec = specs.find((s) => s.flag === name || `no-${s.flag}` === name);
          if (!spec) {
            if (!["json", "input-json"].includes(name)) problems.push(`${sub} has no --${name}`);
            i++;
            text += ` ${w}`;
            continue;
          }
          if (spec.type === "boolean") {
            args[spec.field] = true;
            text += ` ${w}`;
            i++;
            if (/[.,;:]$/.test(w)) break;
            continue;
          }
          const value = words[i + 1];
          if (typeof value !== "string") {
            problems.push(`--${name} has no value`);
            break;
          }
          args[spec.field] = clean(value, /[.,;:]$/.test(value));
          text += ` ${w} ${value}`;
          i += 2;
          if (/[.,;:]$/.test(value)) break;
          continue;
        }
        if (positional && args[positional.field] === undefined && i === 0) {
          args[positional.field] = clean(w, /[.,;:]$/.test(w));
          text += ` ${w}`;
          i++;
          continue;
        }
        break;
      }
      for (const s of specs) if (s.required && args[s.field] === undefined) problems.push(`missing --${s.flag}`);
      // On another host than the default (local), a command without --host would act on the wrong machine.
      const hasHost = specs.some((s) => s.field === "host");
      if (opts.host && hasHost && args.host === undefined && args.hosts === undefined) problems.push("missing --host");
      found.push({ text, tool: tool.name, args, problems });
    }
  }
  return found;
}

/** The problems of every printed command, each with the command, for an assertion that lists them all. */
export function hintProblems(output: string, opts: { host?: string } = {}): string[] {
  return printedCommands(output, opts).flatMap((c) => c.problems.map((p) => `${c.text}: ${p}`));
}
