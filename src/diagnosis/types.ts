// Shapes produced by the diagnosis engine.
import type { Category, RuleRole } from "../knowledge/rules-types.js";
import type { RankError, RootCause } from "./root-rank.js";

export interface EvidenceLine {
  /** 1-based line number in its file (or in the pasted text). */
  line: number;
  text: string;
  /** Which file, when several were read. */
  file?: string;
  /** rank3, worker-1, ... when the line says who wrote it. */
  source?: string;
  /** Byte offset of the line in its file. */
  offset?: number;
  /** Milliseconds, only for ordering lines across files. */
  time?: number;
  /** A few lines before it, read only for facts (the Ascend error header with Device/RankID). Not shown. */
  context?: string[];
}

/** One rule that fired in one scan. */
export interface RuleFiring {
  rule: number;
  confidence: number;
  count: number;
  /** Distinct triggers that fired. */
  triggers: Set<number>;
  /** Lines of the earliest firing first, then a few from other firings. */
  evidence: EvidenceLine[];
  /** Line of the earliest firing's matching line. */
  firstLine: number;
}

export interface ScanStats {
  bytes: number;
  lines: number;
  /** Bytes not read (very large inputs are read head and tail only). */
  skippedBytes: number;
  binary: boolean;
}

export interface ScanResult {
  file?: string;
  /** Position of the file among those diagnosed together (ordering without timestamps). */
  order: number;
  stats: ScanStats;
  firings: RuleFiring[];
  suspicious: { score: number; evidence: EvidenceLine }[];
  /** Candidate lines naming an NPU stack versus a CUDA stack (a log from another framework). */
  markers: { npu: number; cuda: number };
  /** The first line each CANN/runtime/HCCL/torch_npu code was seen on. */
  codes: CodeLine[];
  /** The last frame of each Python traceback (`path:function`), earliest first. */
  traceEnds: TraceEnd[];
  /** The last distinct error-like lines at the log's end (for the comparison with categories of public cases). */
  errorLines?: string[];
  /** The last lines of the log's end, whatever they say (for the reading of the whole text against public reports). */
  endLines?: string[];
  /** Each rank's first error-like line (for the rank that failed first across files and nodes). */
  rankErrors?: RankError[];
  notes: string[];
}

export interface CodeLine {
  code: string;
  line: number;
  text: string;
  file?: string;
  source?: string;
}

export interface TraceEnd {
  /** `path:function` of the frame. */
  frame: string;
  line: number;
  text: string;
  file?: string;
  source?: string;
}

/** A public failure report close to this log: where it was posted and how it was resolved. */
/** A device stack a log or a report names: Ascend's NPU stack or NVIDIA's CUDA stack. */
export type DeviceStack = "NPU" | "CUDA";

export interface KnownCase {
  url: string;
  title: string;
  resolution: string;
  category: string;
  /** 0..1 */
  similarity: number;
  /** The device stack the report's log names (NPU or CUDA), when it names one and not the other. */
  stack?: DeviceStack;
}

/** A code found in the log, decoded from the CANN code tables. */
export interface DecodedCode {
  code: string;
  component: string;
  meaning: string;
  cause?: string;
  category?: string;
  line: number;
  file?: string;
  source?: string;
}

export interface FixStep {
  id: string;
  summary: string;
  commands?: string[];
  env?: Record<string, string>;
  edits?: string[];
  /** A concrete change that apply_fix can make on the host (after confirm). */
  action?: FixAction;
}

export type FixAction =
  | { kind: "commands"; argv: string[][]; description: string }
  | { kind: "edit"; path: string; before: string; after: string; diff: string; description: string }
  /** SIGTERM to each pid, only while it still runs the command line shown in the plan. */
  | { kind: "kill"; targets: { pid: number; command: string }[]; description: string };

export interface Finding {
  /** `stalled`: not a failure in the log but a run that stopped making progress (see stall.ts). */
  category: Category | "unknown" | "stalled";
  rule: string;
  title: string;
  /** 0..1. */
  confidence: number;
  role: RuleRole;
  /** Set on a secondary finding when a primary one exists (the rule id it most likely follows from). */
  secondaryTo?: string;
  /** Set when another finding explains this one. */
  explainedBy?: string;
  occurrences: number;
  evidence: EvidenceLine[];
  cause: string;
  fixes: FixStep[];
  references: string[];
  /** Values read from the evidence (port, sizes, file...) and the host. */
  facts: Record<string, string>;
  /** Up to 3 public reports whose error lines are closest to this log's. */
  knownCases?: KnownCase[];
}

export interface Verdict {
  /** One line for people: the best finding, or why there is none. */
  summary: string;
  findings: Finding[];
  stats: { files: number; bytes: number; lines: number; skippedBytes: number };
  /** Every error code in the log, decoded (also when no rule fired). */
  codes: DecodedCode[];
  /** Up to 3 public reports closest to this log (URL, title, resolution, similarity). */
  knownCases?: KnownCase[];
  /** The device stack the log's error lines name (NPU or CUDA), when they name one and not the other. */
  stack?: DeviceStack;
  /** When several ranks failed: the one that failed first, and the others as its consequences. */
  rootCause?: RootCause;
  notes: string[];
}
