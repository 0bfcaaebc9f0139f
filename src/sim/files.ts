// The simulated host's own programs (Python stand-ins, shell shims) are real files under ./files, checked by
// `python3 -m py_compile` in the tests; they are read at run time relative to this module, from src/ or dist/src/
// (scripts/build.mjs copies the folder next to the compiled code).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SIM_FILES_DIR = fileURLToPath(new URL("./files/", import.meta.url));

const cache = new Map<string, string>();

/** The text of one file under ./files ("torch_init.py", "git.sh"). */
export function simFile(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./files/${name}`, import.meta.url), "utf8");
    cache.set(name, text);
  }
  return text;
}

/** Every file under ./files (for the checks that compile them). */
export function simFileNames(): string[] {
  // Files only: a bytecode cache left by running one of them in place is not one of the host's programs.
  return readdirSync(SIM_FILES_DIR, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}
