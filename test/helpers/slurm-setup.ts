// Starts the single-machine Slurm cluster (scripts/slurm.sh) for the Slurm tests, reusing one that already answers,
// and stops it when the last test run using it ends: each run holds a lease (a file named by its pid), so concurrent
// runs never pull it from each other; a cluster started by hand is left running. Without Slurm installed the Slurm
// tests skip themselves, except under CI=true, where that is a failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const DIR = process.env.SLURM_TEST_DIR ?? "/tmp/ascend-train-slurm";
const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "slurm.sh");
const LEASES = `${DIR}.leases`;
const STARTED_BY_TESTS = join(LEASES, "started-by-tests");
const lease = join(LEASES, String(process.pid));

const installed = () =>
  spawnSync("sh", ["-c", "command -v sbatch && command -v slurmctld && command -v munged"], { stdio: "ignore" })
    .status === 0;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function setup(): Promise<void> {
  if (process.env.SKIP_SLURM === "1") return;
  if (!installed()) {
    if (process.env.CI === "true")
      throw new Error("The Slurm tests need slurm-wlm and munge: apt-get install -y slurm-wlm munge");
    console.warn("[slurm tests skipped] slurm-wlm is not installed");
    return;
  }
  const running = spawnSync("bash", [SCRIPT, "status"], { stdio: "ignore", timeout: 20_000 }).status === 0;
  if (!running) {
    const r = spawnSync("bash", [SCRIPT, "start"], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) {
      const why = (r.stderr || r.stdout || "").trim();
      if (process.env.CI === "true") throw new Error(`The Slurm cluster did not start: ${why}`);
      console.warn(`[slurm tests skipped] ${why.split("\n")[0]}`);
      return;
    }
  }
  mkdirSync(LEASES, { recursive: true });
  writeFileSync(lease, "");
  if (!running) writeFileSync(STARTED_BY_TESTS, "");
}

export async function teardown(): Promise<void> {
  if (!existsSync(lease)) return;
  rmSync(lease, { force: true });
  const others = readdirSync(LEASES).filter((f) => /^\d+$/.test(f) && alive(Number(f)));
  if (others.length > 0 || !existsSync(STARTED_BY_TESTS)) return;
  rmSync(STARTED_BY_TESTS, { force: true });
  execFileSync("bash", [SCRIPT, "stop"], { stdio: "ignore", timeout: 60_000 });
}
