// The README's commands work as written in a fresh clone. Every command of its ```bash blocks, and every command
// written inline in its prose, is read from README.md (nothing here names a subcommand or a flag): each
// `npx ascend-train …` (or `node bin/ascend-train.js …`) names subcommands that exist, flags that its --help lists and
// no more positional arguments than its usage takes; each `npm run X` names a script of package.json; each path into
// the checkout exists. A bare `ascend-train …` fails: npm ci puts nothing on PATH.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts,
);
const NPM_BUILTINS = new Set(["ci", "install", "test", "link", "run"]);
/** Commands of other programs a README line may start with; only the checkout's paths in them are checked. */
const EXTERNAL = new Set(["claude", "export", "npx", "mkdir", "cd"]);
/** Where README lines say the checkout is. */
const CHECKOUT_PLACEHOLDER = "/path/to/ascend-train/";

interface Command {
  where: string;
  text: string;
}

/** Every command line of the ```bash blocks (comments stripped, `&&` chains split). */
function blockCommands(): Command[] {
  const out: Command[] = [];
  for (const block of README.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const line0 = README.slice(0, block.index).split("\n").length + 1;
    block[1]!.split("\n").forEach((line, i) => {
      const code = stripComment(line).trim();
      for (const part of code.split("&&")) {
        if (part.trim()) out.push({ where: `README.md:${line0 + i}`, text: part.trim() });
      }
    });
  }
  return out;
}

/** Inline `code` in the prose that is a command (starts with npx, npm, node or ascend-train after env settings). */
function inlineCommands(): Command[] {
  const prose = README.replace(/```[\s\S]*?```/g, (m) => m.replace(/[^\n]/g, " ")).replace(
    /<!-- tools:start -->[\s\S]*?<!-- tools:end -->/,
    (m) => m.replace(/[^\n]/g, " "),
  );
  const out: Command[] = [];
  for (const span of prose.matchAll(/`([^`\n]+)`/g)) {
    const text = span[1]!.trim();
    const words = withoutEnv(tokens(text));
    // A lone word (`ascend-train`) names the program; a command has arguments.
    if (!["npx", "npm", "node", "ascend-train"].includes(words[0] ?? "") || words.length < 2) continue;
    // A template (`ascend-train <tool> --flags`) describes commands; it is not one.
    if (/ascend-train <|^npx ascend-train <|<[a-z]+>\s*--flags/.test(text)) continue;
    const line = README.slice(0, span.index).split("\n").length;
    for (const part of text.split("&&")) out.push({ where: `README.md:${line}`, text: part.trim() });
  }
  return out;
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** Shell words: quotes removed; a `<placeholder>` (spaces allowed) is one word. */
function tokens(text: string): string[] {
  const words: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|((?:<[^>]*>|[^\s"'])+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Drops leading NAME=value settings. */
function withoutEnv(words: string[]): string[] {
  let i = 0;
  while (i < words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[i]!)) i++;
  return words.slice(i);
}

interface Help {
  commands: Set<string>;
  /** Flag → whether it takes a value. */
  flags: Map<string, boolean>;
  /** How many positional arguments the usage takes (Infinity for a variadic one). */
  positionals: number;
  text: string;
}

const helpCache = new Map<string, Help>();
function help(path: string[]): Help {
  const key = path.join(" ");
  const cached = helpCache.get(key);
  if (cached) return cached;
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "ascend-train.js"), ...path, "--help"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, COLUMNS: "200" },
  });
  if (r.status !== 0) throw new Error(`ascend-train ${key} --help exited ${r.status}: ${r.stderr}`);
  const text = r.stdout;
  // One entry a line; an entry's continuation lines are indented deeper.
  const section = (title: string) => {
    const m = new RegExp(`^${title}:\\n((?:  .*\\n?)*)`, "m").exec(text);
    return (m?.[1] ?? "").split("\n").filter((l) => /^ {2}\S/.test(l));
  };
  const commands = new Set(section("Commands").flatMap((l) => l.trim().split(/\s/)[0]!.split("|")));
  const flags = new Map<string, boolean>();
  for (const l of section("Options")) {
    // "  -V, --version   description" or "  --scenario <id>  description": the terms end at the first wide gap.
    for (const term of l
      .trim()
      .split(/\s{2,}/)[0]!
      .split(", ")) {
      const m = /^(--?[\w-]+)( [<[])?/.exec(term);
      if (m) flags.set(m[1]!, Boolean(m[2]));
    }
  }
  const usage = (/^Usage: (.*)$/m.exec(text)?.[1] ?? "").replace("[options]", "").replace("[command]", "");
  const args = usage.match(/[<[][^>\]]+[>\]]/g) ?? [];
  const positionals = args.some((a) => a.includes("...")) ? Number.POSITIVE_INFINITY : args.length;
  const result = { commands, flags, positionals, text };
  helpCache.set(key, result);
  return result;
}

/**
 * Problems with a command line of the CLI (the words after `ascend-train`). Inside another program's command line
 * (`npx @modelcontextprotocol/inspector --cli node bin/ascend-train.js mcp --method …`) the flags after the
 * subcommand may be that program's: only the subcommand is checked then.
 */
function checkCli(words: string[], own = true): string[] {
  const path: string[] = [];
  let i = 0;
  while (i < words.length && !words[i]!.startsWith("-") && help(path).commands.has(words[i]!)) path.push(words[i++]!);
  if (path.length === 0) return [`"${words[0] ?? ""}" is not an ascend-train subcommand`];
  const h = help(path);
  if (h.commands.size > 0 && !h.commands.has("help")) return [`ascend-train ${path.join(" ")} needs a subcommand`];
  if (!own) return [];
  const problems: string[] = [];
  const positionals: string[] = [];
  for (; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith("-")) {
      positionals.push(word);
      continue;
    }
    const flag = word.split("=")[0]!;
    if (!h.flags.has(flag)) {
      problems.push(`ascend-train ${path.join(" ")} has no ${flag}`);
      continue;
    }
    if (h.flags.get(flag) && !word.includes("=")) i++;
  }
  if (positionals.length > h.positionals)
    problems.push(
      `ascend-train ${path.join(" ")} takes ${h.positionals} positional argument(s), the README gives ${positionals.length} (${positionals.join(" ")})`,
    );
  return problems;
}

/** Problems with one README command, as it would run from the checkout's root. */
function check(cmd: Command): string[] {
  const words = withoutEnv(tokens(cmd.text));
  const problems: string[] = [];
  // Paths into the checkout: the placeholder of README lines, or the checkout's own folders.
  for (const w of words) {
    const rel = w.startsWith(CHECKOUT_PLACEHOLDER)
      ? w.slice(CHECKOUT_PLACEHOLDER.length)
      : /^(bin|scripts|src|test|\.ci)\//.test(w)
        ? w
        : null;
    if (rel && !existsSync(join(ROOT, rel))) problems.push(`${w}: no ${rel} in the checkout`);
  }
  const [first, ...rest] = words;
  const binAt = words.findIndex((w) => w.endsWith("bin/ascend-train.js"));
  const cliAt = binAt >= 0 ? binAt : first === "npx" && words[1] === "ascend-train" ? 1 : -1;
  if (first === "ascend-train") {
    problems.push("bare `ascend-train` is not on PATH after npm ci: write `npx ascend-train`");
  } else if (first === "npm") {
    const sub = rest[0] ?? "";
    if (sub === "run" && !SCRIPTS.includes(rest[1] ?? "")) problems.push(`package.json has no script "${rest[1]}"`);
    if (!NPM_BUILTINS.has(sub)) problems.push(`npm ${sub}: not a command this README should need`);
    return problems;
  } else if (first !== "node" && !EXTERNAL.has(first ?? "")) {
    problems.push(`${first}: a command this test does not know how to check`);
  }
  if (first === "npx" && words.includes("ascend-train") && words.indexOf("ascend-train") !== 1) {
    // `npx -y ascend-train` would fetch from the registry; the checkout's bin is `npx ascend-train`.
    problems.push("write `npx ascend-train …` so that npx runs this checkout's bin");
  }
  // The CLI's own command line, or one embedded in another program's (`claude mcp add … -- node bin/… mcp`).
  if (cliAt >= 0) problems.push(...checkCli(words.slice(cliAt + 1), cliAt === 1));
  else if (first === "ascend-train") problems.push(...checkCli(rest));
  return problems;
}

const commands = [...blockCommands(), ...inlineCommands()];

describe("README commands", () => {
  it("finds the commands of every bash block and of the prose", () => {
    expect(README.match(/```bash/g)?.length ?? 0).toBeGreaterThan(0);
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.some((c) => /ascend-train/.test(c.text))).toBe(true);
  });

  it.each(commands.map((c) => [`${c.where}: ${c.text}`, c] as const))("%s", (_, cmd) => {
    expect(check(cmd)).toEqual([]);
  });

  it("catches what breaks: a bare command, an unknown subcommand or flag, a surplus argument, a missing script", () => {
    const bad = (text: string) => check({ where: "example", text });
    expect(bad("ascend-train check-env --host sim").join()).toMatch(/not on PATH/);
    expect(bad("npx ascend-train no-such-tool").join()).toMatch(/not an ascend-train subcommand/);
    expect(bad("npx ascend-train sim init ./x --no-such-flag").join()).toMatch(/has no --no-such-flag/);
    expect(bad("npx ascend-train sim stop ./x ./y").join()).toMatch(/positional/);
    expect(bad("npm run no-such-script").join()).toMatch(/no script/);
    expect(bad("node /path/to/ascend-train/bin/missing.js mcp").join()).toMatch(/no bin\/missing\.js/);
    expect(bad("npx ascend-train sim init ./x --scenario healthy")).toEqual([]);
  });
});

describe("README claims", () => {
  it("the Safety list names every destructive tool of the tools table", () => {
    const safety = /## Safety\n([\s\S]*?)\n## /.exec(README)?.[1] ?? "";
    const destructive = [...README.matchAll(/^\| `(\w+)` \| `ascend-train [\w-]+` \| destructive \|/gm)].map(
      (m) => m[1]!,
    );
    expect(destructive.length).toBeGreaterThan(5);
    expect(destructive.filter((tool) => !safety.includes(`\`${tool}\``))).toEqual([]);
  });

  it("the demo's duration counts the build npm run demo does first", () => {
    const demo = /## What the demo does\n([\s\S]*?)\n## /.exec(README)?.[1] ?? "";
    expect(demo).not.toMatch(/well under/);
    expect(demo).toMatch(/builds the project/);
  });
});

describe("npx ascend-train in the checkout", () => {
  it("runs the checkout's own bin (package.json names it), with no install", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      name: string;
      bin: Record<string, string>;
    };
    expect(pkg.name).toBe("ascend-train");
    expect(existsSync(join(ROOT, pkg.bin["ascend-train"]!))).toBe(true);
    const r = spawnSync("npx", ["--no-install", "ascend-train", "--version"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 90_000);
});
