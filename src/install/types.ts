// The shapes install_stack works with: steps, problems, the state file kept on the host, and their zod schemas.
import { z } from "zod";
import { FindingSchema } from "../env/facts.js";

export const STEP_IDS = [
  "python-env",
  "mindspeed-mm",
  "megatron",
  "torch",
  "mindspeed",
  "mindspeed-mm-install",
  "triton-ascend",
  "model-overlay",
  "mindspeed-mm-extras",
  "trl-stack",
  "llama-cpp",
  "smoke-test",
] as const;
export type StepId = (typeof STEP_IDS)[number];

/**
 * satisfied: the probe found it installed; done: an earlier apply did it and the probe still agrees;
 * pending: will run; retry: failed or was cut off in the last apply, resumes here.
 */
export const StepStatus = z.enum(["satisfied", "done", "pending", "retry"]);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepOutcome = z.enum(["skipped", "ok", "failed", "not-run"]);
export type StepOutcome = z.infer<typeof StepOutcome>;

export const StepSchema = z.object({
  id: z.enum(STEP_IDS),
  title: z.string(),
  status: StepStatus,
  reason: z.string().describe("What the probe saw, or what the last apply recorded"),
  commands: z.array(z.string()).describe("Exact shell commands, run in order in the target environment"),
  verify: z.string().describe("How the step is checked after it runs"),
  changes: z.array(z.string()).describe("What the step replaces, moves or removes on the host"),
  warnings: z.array(z.string()),
  timeoutSec: z.number(),
  outcome: StepOutcome.optional().describe("After apply"),
  durationMs: z.number().optional(),
  error: z.string().optional(),
  outputTail: z.string().optional().describe("Last lines the step wrote to the log"),
});
export type Step = z.infer<typeof StepSchema>;

export const ProblemSchema = z.object({
  id: z.string(),
  severity: z.enum(["blocker", "warning"]).describe("A blocker stops apply; a warning says what may fail"),
  message: z.string(),
  fix: z.string().nullable(),
  step: z.enum(STEP_IDS).nullable().describe("The step it concerns, when one"),
});
export type Problem = z.infer<typeof ProblemSchema>;

export const CheckSchema = z.object({
  ok: z.boolean().describe("No error finding"),
  findings: z.array(FindingSchema).describe("check_env's findings for the installed environment"),
});

/** A step as built: the output fields plus what the runner and the skip detection need. */
export interface StepDef {
  id: StepId;
  title: string;
  commands: string[];
  verify: string;
  /** Shell run after the commands; exits non-zero when the step did not take. */
  verifyScript: string;
  changes: string[];
  warnings: string[];
  timeoutSec: number;
  /** Source keys the step fetches from. */
  needs: readonly SourceKey[];
  /** What the probe says: installed (true), not (false), or cannot tell (null: the state file decides). */
  check: { ok: boolean | null; reason: string };
}

export type SourceKey = "mindspeedMm" | "megatron" | "mindspeed" | "transformers" | "pip" | "torch";

export interface StepRecord {
  status: "running" | "done" | "failed";
  at: string;
  /** Digest of the step's commands: a record only counts for the same commands. */
  spec: string;
  error?: string;
}

/** <workdir>/.ascend-train/install-state.json */
export interface InstallState {
  version: 1;
  /** release | environment | model: a record of another plan is not reused. */
  fingerprint: string;
  updatedAt: string;
  log: string;
  steps: Partial<Record<StepId, StepRecord>>;
}
