import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two test files at a time even on two cores (vitest's default there is one): most of the suite waits on real
    // processes (sshd, Slurm, simulated training, the CLI), so a second worker fills the waits. Every suite keeps
    // its own temp dirs, ports and state dirs; the loopback sshd and Slurm are shared through leases. A test that
    // spawns the CLI dozens of times shares the cores with the other file, so the limits that catch a hang are twice
    // those of one file at a time (the heaviest such test takes about 20 s on two idle cores).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ["test/helpers/global-setup.ts", "test/helpers/slurm-setup.ts"],
  },
});
