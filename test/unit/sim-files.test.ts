// The simulated host's programs are real files (src/sim/files): every Python one compiles with `python3 -m py_compile`
// and every shell one parses with `sh -n` (or `bash -n`), so a syntax error fails here instead of inside a simulated run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SIM_FILES_DIR, simFile, simFileNames } from "../../src/sim/files.js";

const hasPython = spawnSync("python3", ["--version"]).status === 0;
const cache = mkdtempSync(join(tmpdir(), "sim-pycache-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** `python3 -m py_compile` with the bytecode kept out of the source tree. */
function pyCompile(files: string[]) {
  return spawnSync("python3", ["-m", "py_compile", ...files], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPYCACHEPREFIX: cache },
  });
}

describe("the simulated host's programs", () => {
  const names = simFileNames();
  const python = names.filter((n) => n.endsWith(".py"));
  const shell = names.filter((n) => n.endsWith(".sh"));

  it("are files, not strings in TypeScript: the Python stand-ins and the shell shims are all there", () => {
    expect(python.length).toBeGreaterThanOrEqual(18);
    expect(names).toEqual(expect.arrayContaining(["npu_smi.py", "mm_training.py", "torch_run.py", "git.sh"]));
    expect(names.every((n) => n.endsWith(".py") || n.endsWith(".sh"))).toBe(true);
    expect(simFile("npu_smi.py")).toMatch(/^#!\/usr\/bin\/env python3\n/);
  });

  it.skipIf(!hasPython).each(python)("%s compiles with python3 -m py_compile", (name) => {
    const r = pyCompile([join(SIM_FILES_DIR, name)]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it.each(shell)("%s parses with its interpreter's -n", (name) => {
    const shebang = /^#!\/usr\/bin\/env (\w+)|^#!\/bin\/(\w+)/.exec(simFile(name));
    const shellName = shebang?.[1] ?? shebang?.[2] ?? "sh";
    const r = spawnSync(shellName, ["-n", join(SIM_FILES_DIR, name)], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasPython)("the check fails on a file with a syntax error", () => {
    const bad = join(cache, "broken.py");
    writeFileSync(bad, "def f(:\n    pass\n");
    const r = pyCompile([bad]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/SyntaxError/);
  });
});
