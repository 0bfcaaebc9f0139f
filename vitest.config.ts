import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two test files at a time even on two cores (vitest's default there is one): most of the suite waits on real
    // processes (sshd, Slurm, simulated training, the CLI), so a second worker fills the waits. Every suite keeps
    // its own temp dirs, ports and state dirs; the loopback sshd and Slurm are shared through leases.
    maxWorkers: 2,
    globalSetup: ["test/helpers/global-setup.ts", "test/helpers/slurm-setup.ts"],
  },
});
