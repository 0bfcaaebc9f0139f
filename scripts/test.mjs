#!/usr/bin/env node
// The test command: installs what the tests need when it can (root with apt-get: openssh-server for the loopback
// sshd, python3-venv for the simulated host's venv, git for its mirrors, tmux, iproute2 and chromium), else says in one line what is missing and
// runs the rest with those suites skipped; builds (the e2e tests drive the built server); runs vitest (its global
// setup starts the loopback sshd and the Slurm cluster, scripts/slurm.sh); prints the closing line "N passed, N failed, N skipped". Exits 0 only when no
// test failed and every suite loaded. Under CI=true a missing prerequisite is a failure, never a skip.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";

const extra = process.argv.slice(2);
const onPath = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const prerequisites = [
  { pkg: "openssh-server", present: () => onPath("sshd") || existsSync("/usr/sbin/sshd") },
  {
    pkg: "python3-venv",
    present: () => spawnSync(python, ["-c", "import venv, ensurepip"], { stdio: "ignore" }).status === 0,
  },
  { pkg: "git", present: () => onPath("git") },
  // A real pseudo-terminal for the test that kills a launch's terminal session and checks the run goes on.
  { pkg: "tmux", present: () => onPath("tmux") },
  // ss, for the fixes that name the process holding a port.
  { pkg: "iproute2", present: () => onPath("ss") },
  // A real browser for the dashboard tests (driven by playwright-core through its executable path).
  { pkg: "chromium", present: () => existsSync("/usr/bin/chromium") },
  // A single-machine Slurm cluster (scripts/slurm.sh, started by the vitest global setup) for the Slurm tests.
  { pkg: "slurm-wlm", present: () => onPath("sbatch") && (onPath("slurmctld") || existsSync("/usr/sbin/slurmctld")) },
  { pkg: "munge", present: () => onPath("munged") || existsSync("/usr/sbin/munged") },
];
const missing = () => prerequisites.filter((p) => !p.present()).map((p) => p.pkg);

/** apt-get install, quietly and bounded in time; false when it cannot (not root, no apt-get, no network). */
function aptInstall(pkgs) {
  if (process.getuid?.() !== 0 || !onPath("apt-get")) return false;
  console.log(`installing ${pkgs.join(", ")} (apt-get) for the tests that need them…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const opts = { env, stdio: ["ignore", "ignore", "pipe"], timeout: 600_000 };
  const update = spawnSync("apt-get", ["update", "-qq"], opts);
  const install = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...pkgs], opts);
  if (update.status !== 0 || install.status !== 0) {
    const why = String((install.status !== 0 ? install : update).stderr ?? "")
      .trim()
      .split("\n")
      .pop();
    console.log(`apt-get could not install them${why ? `: ${why}` : ""}`);
    return false;
  }
  return true;
}

let lacking = missing();
if (lacking.length > 0) {
  aptInstall(lacking);
  lacking = missing();
}
if (lacking.length > 0) {
  const how = `apt-get install -y ${lacking.join(" ")}${process.getuid?.() === 0 ? "" : " (as root)"}`;
  console.log(`missing ${lacking.join(", ")}: the suites that need them are skipped; to run them: ${how}`);
  if (process.env.CI === "true") process.exit(1);
}

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
if (!existsSync(results)) {
  console.log(`vitest wrote no results (exit ${run.status ?? run.signal})`);
  process.exit(run.status || 1);
}
const r = JSON.parse(readFileSync(results, "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A suite that failed to load (an error at import or collection) has no failed test of its own: count it apart.
const brokenSuites = (r.testResults ?? []).filter(
  (s) => s.status === "failed" && !(s.assertionResults ?? []).some((a) => a.status === "failed"),
);
for (const s of brokenSuites) console.log(`suite failed to load: ${s.name}: ${String(s.message).split("\n")[0]}`);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
const ok = run.status === 0 && r.numFailedTests === 0 && brokenSuites.length === 0 && r.success !== false;
process.exit(ok ? 0 : 1);
