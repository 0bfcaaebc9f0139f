// Starts the loopback sshd for the SSH tests (reusing one that already answers) and stops what it started.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

const DIR = process.env.SSHD_TEST_DIR ?? "/tmp/ascend-train-sshd";
const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "sshd.sh");
let startedHere = false;

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
    if (port && (await portAnswers(port))) return;
  }
  try {
    execFileSync("bash", [SCRIPT, "start"], {
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, SSHD_TEST_DIR: DIR },
    });
    startedHere = true;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim();
    const line = stderr.split("\n")[0] || "sshd could not start";
    if (process.env.CI === "true") throw new Error(`SSH tests need sshd: ${stderr}`);
    console.warn(`[ssh tests skipped] ${line}`);
  }
}

export async function teardown(): Promise<void> {
  if (startedHere)
    execFileSync("bash", [SCRIPT, "stop"], { stdio: "ignore", env: { ...process.env, SSHD_TEST_DIR: DIR } });
}
