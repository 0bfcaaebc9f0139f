// The situations the simulated host can be put in. Each one is a real-world failure mode (or none).

export const SCENARIO_IDS = [
  "healthy",
  "bare",
  "cann-not-sourced",
  "torch-npu-mismatch",
  "npu-busy",
  "small-shm",
  "oom",
  "port-in-use",
  "hang",
  "nan-loss",
] as const;

export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface ScenarioInfo {
  id: ScenarioId;
  description: string;
}

export const SCENARIOS: readonly ScenarioInfo[] = [
  { id: "healthy", description: "Driver, CANN, Python stack and MindSpeed-MM installed; training runs to the end." },
  {
    id: "bare",
    description: "Only driver and CANN; no Python packages, no MindSpeed-MM (install from local mirrors).",
  },
  {
    id: "cann-not-sourced",
    description: "CANN installed but its set_env.sh is not sourced: importing torch_npu fails.",
  },
  { id: "torch-npu-mismatch", description: "torch_npu built for another CANN: import fails with an undefined symbol." },
  { id: "npu-busy", description: "A foreign process holds every NPU: training fails to open the devices (507033)." },
  { id: "small-shm", description: "/dev/shm is only 64 MB: DataLoader workers die with a bus error." },
  {
    id: "oom",
    description:
      "Training runs out of NPU memory at an early iteration and exits; a run needing at most 80% of the first run's activation memory (half the micro batch, full recomputation, more TP or PP) fits.",
  },
  { id: "port-in-use", description: "Another process listens on the default MASTER_PORT 6000: the launcher fails." },
  { id: "hang", description: "Training stops printing after a few iterations but keeps running." },
  {
    id: "nan-loss",
    description:
      "Loss and grad norm turn NaN after a few iterations (iterations skipped) at the learning rate the first run used; a run at 3/4 of it or lower, or in bf16 where that run was fp16, trains on.",
  },
];

/** What to try on a host just switched to a scenario (`HOST` stands for its inventory name). */
export function scenarioNextSteps(id: ScenarioId, host: string): string[] {
  const run = [
    `ascend-train launch-train --host ${host} --script SCRIPT --confirm   # SCRIPT: from build-configs`,
    `ascend-train tail-logs RUN_ID --host ${host}`,
  ];
  switch (id) {
    case "healthy":
      return [`ascend-train check-env --host ${host}`, ...run];
    case "bare":
      return [`ascend-train install-stack --host ${host}   # the plan; --confirm installs`];
    case "oom":
    case "nan-loss":
      return [...run, `ascend-train diagnose-error --run-id RUN_ID --host ${host}`];
    case "hang":
      return [...run, `ascend-train list-runs --host ${host}   # the run reads stalled`];
    default:
      return [`ascend-train check-env --host ${host}   # reports the problem and its fix`];
  }
}

export function isScenarioId(value: string): value is ScenarioId {
  return (SCENARIO_IDS as readonly string[]).includes(value);
}

/** The iteration at which oom / hang / nan-loss strike. */
export const DEFAULT_FAIL_AT_ITERATION = 3;
