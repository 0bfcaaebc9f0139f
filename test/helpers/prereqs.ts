// What building a simulated host needs on the test machine: a python3 that makes venvs with pip (Debian's
// python3-venv) and git (its mirrors are git repositories). Suites that build one are skipped without them; the
// test command (scripts/test.mjs) installs them when it can, else names them in one line.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const works = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: "ignore" }).status === 0;

export const simHostMissing: string[] = [
  ...(works(python, ["-c", "import venv, ensurepip"]) ? [] : ["python3-venv"]),
  ...(works("git", ["--version"]) ? [] : ["git"]),
];
export const canBuildSimHost = simHostMissing.length === 0;
