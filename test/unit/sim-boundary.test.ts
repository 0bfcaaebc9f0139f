// The product is blind to the simulator: outside src/sim and the two doors that lay one out (the `demo` command and
// the CLI's `sim` command), no module imports src/sim or names a simulated host. A simulated host is configured like
// any offline site (its inventory entry's `sources:`, allowedDirs), so the product takes one install path for all.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SIM_DIR = join(ROOT, "src", "sim");
/** The doors that lay out a simulated host: the demos, and the CLI module that defines `ascend-train sim`. */
const DOORS = new Set(["src/demo.ts", "src/demo-trl.ts", "src/cli/program.ts", "src/cli/sim-commands.ts"]);
const WORDS = /\b(simRoot|isSimulated)\b/;
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g;

interface Violation {
  file: string;
  line: number;
  text: string;
}

/** Every import of src/sim and every use of the simulator's words, by file and line. */
function boundaryViolations(files: { path: string; text: string }[]): Violation[] {
  const out: Violation[] = [];
  for (const { path, text } of files) {
    const rel = relative(ROOT, path).split(sep).join("/");
    if (rel.startsWith("src/sim/") || DOORS.has(rel)) continue;
    text.split("\n").forEach((line, i) => {
      const hit = [...line.matchAll(IMPORT)].some(([, spec]) => {
        if (!spec!.startsWith(".")) return false;
        const target = resolve(dirname(path), spec!);
        return target === SIM_DIR || target.startsWith(`${SIM_DIR}${sep}`);
      });
      if (hit || WORDS.test(line)) out.push({ file: rel, line: i + 1, text: line.trim() });
    });
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

describe("the product is blind to the simulator", () => {
  it("finds no import of src/sim and no simRoot/isSimulated outside src/sim and the sim/demo doors", () => {
    const files = sourceFiles(join(ROOT, "src")).map((path) => ({ path, text: readFileSync(path, "utf8") }));
    expect(files.length).toBeGreaterThan(50);
    const found = boundaryViolations(files).map((v) => `${v.file}:${v.line}: ${v.text}`);
    expect(found, `the product must not know the simulator:\n${found.join("\n")}`).toEqual([]);
  });

  it("names the file and line of each import of src/sim and each use of the words", () => {
    const at = (rel: string) => join(ROOT, rel);
    const found = boundaryViolations([
      { path: at("src/install/pins.ts"), text: 'import x from "../sim/releases.js";\nconst a = 1;' },
      { path: at("src/tools/x.ts"), text: 'const m = await import("../sim/index.js");' },
      { path: at("src/hosts/paths.ts"), text: "a\nreturn [settings.simRoot];" },
      { path: at("src/env/y.ts"), text: "if (isSimulated(h)) {}\nimport { z } from 'zod';\nimport './simple.js';" },
      { path: at("src/sim/layout.ts"), text: 'import { x } from "./state.js"; // simRoot' },
      { path: at("src/demo.ts"), text: 'await import("./sim/index.js");' },
    ]);
    expect(found.map((v) => `${v.file}:${v.line}`)).toEqual([
      "src/install/pins.ts:1",
      "src/tools/x.ts:1",
      "src/hosts/paths.ts:2",
      "src/env/y.ts:1",
    ]);
  });
});
