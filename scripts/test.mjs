#!/usr/bin/env node
// The test command: builds (the e2e tests drive the built server), runs vitest (its global setup starts the
// loopback sshd), then prints the plain closing line "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

const extra = process.argv.slice(2);
const build = spawnSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
if (build.status !== 0) {
  console.error("build failed");
  process.exit(build.status ?? 1);
}
const results = ".vitest-results.json";
rmSync(results, { force: true });
const run = spawnSync(
  "npx",
  ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${results}`, ...extra],
  { stdio: "inherit" },
);
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
process.exit(run.status ?? 1);
