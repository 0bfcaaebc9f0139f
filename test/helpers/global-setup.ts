// Starts the loopback sshd for the SSH tests (reusing one that already answers) and stops it when the last test run
// using it ends: each run holds a lease (a file named by its pid), so concurrent runs never pull it from each other;
// an sshd started by hand (scripts/sshd.sh start) is left running.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

const DIR = process.env.SSHD_TEST_DIR ?? "/tmp/ascend-train-sshd";
const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "sshd.sh");
const LEASES = `${DIR}.leases`;
const STARTED_BY_TESTS = join(LEASES, "started-by-tests");
const lease = join(LEASES, String(process.pid));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function takeLease(startedHere: boolean): void {
  mkdirSync(LEASES, { recursive: true });
  writeFileSync(lease, "");
  if (startedHere) writeFileSync(STARTED_BY_TESTS, "");
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port }, () => {
      sock.end();
      resolve(true);
    });
    sock.on("error", () => resolve(false));
    sock.setTimeout(1000, () => {
      sock.destroy();
      resolve(false);
    });
  });
}

export async function setup(): Promise<void> {
  if (process.env.SKIP_SSHD === "1") return;
  const envFile = join(DIR, "env");
  if (existsSync(envFile)) {
    const port = Number(/SSH_TEST_PORT=(\d+)/.exec(readFileSync(envFile, "utf8"))?.[1]);
    if (port && (await portAnswers(port))) return takeLease(false);
  }
  try {
    execFileSync("bash", [SCRIPT, "start"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, SSHD_TEST_DIR: DIR },
    });
    takeLease(true);
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim();
    const line = stderr.split("\n")[0] || "sshd could not start";
    if (process.env.CI === "true") throw new Error(`SSH tests need sshd: ${stderr}`);
    console.warn(`[ssh tests skipped] ${line}`);
  }
}

export async function teardown(): Promise<void> {
  if (!existsSync(lease)) return;
  rmSync(lease, { force: true });
  const others = readdirSync(LEASES).filter((f) => /^\d+$/.test(f) && alive(Number(f)));
  if (others.length > 0 || !existsSync(STARTED_BY_TESTS)) return;
  rmSync(STARTED_BY_TESTS, { force: true });
  execFileSync("bash", [SCRIPT, "stop"], { stdio: "ignore", env: { ...process.env, SSHD_TEST_DIR: DIR } });
}
