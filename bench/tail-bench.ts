// Log benches locally and over SSH: our kept-alive connection against `ssh host tail -n 200` multiplexed over an
// OpenSSH ControlMaster connection (both keep one connection open; neither pays a handshake per call).
import { chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SshExecutor } from "../src/hosts/ssh.js";
import { benchSsh } from "./ssh-env.js";
import { benchTail } from "./tail.js";
import type { BenchResult } from "./types.js";

export async function benchTailAll(): Promise<BenchResult[]> {
  const results = await benchTail();
  const ssh = benchSsh();
  if (!ssh) {
    console.log("  (no loopback sshd: run scripts/sshd.sh start for the SSH figures)");
    return results;
  }
  const dir = join(tmpdir(), "ascend-train-bench-ssh");
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o1777);
  const executor = new SshExecutor("bench", ssh.settings());
  const master = await ssh.master();
  try {
    results.push(...(await benchTail({ executor, runBaseline: master.run, dir })));
  } finally {
    await master.close();
    await executor.close();
  }
  return results;
}
