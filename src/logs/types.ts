// Shapes shared by the log parsers, the analysis and the tail_logs tool.

/** One MindSpeed-MM / Megatron iteration line, parsed. Absent fields were not printed. */
export interface IterationRecord {
  iteration: number;
  totalIterations: number;
  consumedSamples?: number;
  msPerIteration?: number;
  learningRate?: number;
  globalBatchSize?: number;
  tokensPerSample?: number;
  /** `loss` (MindSpeed-MM) or `lm loss` (plain Megatron); NaN/±Infinity when the trainer printed nan/inf. */
  loss?: number;
  /** Further loss keys (`mtp_0 loss`, `aux loss`, …). */
  extraLosses?: Record<string, number>;
  lossScale?: number;
  gradNorm?: number;
  skippedIterations?: number;
  nanIterations?: number;
  tflopsPerDevice?: number;
  /** The bracketed `[YYYY-MM-DD HH:MM:SS]` prefix, host-local time, as printed. */
  timestamp?: string;
  /** Transformers/TRL trainer logs: the epoch and the other logged metrics (rewards, margins, …) by name. */
  epoch?: number;
  metrics?: Record<string, number>;
}

export interface CheckpointEvent {
  iteration: number | null;
  path: string;
  /** `saving` when announced, `saved` when confirmed. */
  phase: "saving" | "saved";
}

export interface MemoryReport {
  rank: number;
  allocatedMb: number;
  maxAllocatedMb: number;
}

export type WarningKind =
  | "nonfinite_loss"
  | "loss_spike"
  | "grad_norm_explosion"
  | "skipped_iterations"
  | "step_time_drift";

export interface LogWarning {
  kind: WarningKind;
  message: string;
  iteration: number | null;
}

export type RunState = "starting" | "running" | "finished" | "failed" | "stalled" | "unknown";

export const RUN_STATES: readonly RunState[] = ["starting", "running", "finished", "failed", "stalled", "unknown"];

/** A classified non-iteration line. */
export type LineEvent =
  | { kind: "checkpoint"; checkpoint: CheckpointEvent }
  | { kind: "end"; reason: string }
  | { kind: "terminated"; reason: string }
  | { kind: "error" }
  | { kind: "start" }
  | { kind: "memory"; memory: MemoryReport }
  | { kind: "validation"; iteration: number; loss: number };
