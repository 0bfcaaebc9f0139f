// Hands the error lines of a failed run to the diagnosis engine and keeps a compact summary of its verdict.
import { diagnoseText, summarizeFindings } from "../diagnosis/index.js";

export interface LogDiagnosis {
  summary: string;
  findings: { rule: string; title: string; confidence: number; cause: string; fixes: string[] }[];
}

export type Diagnoser = (text: string) => LogDiagnosis | null | Promise<LogDiagnosis | null>;

const MAX_FINDINGS = 3;

const engine: Diagnoser = (text) => {
  const verdict = diagnoseText(text);
  // The text is a failed run's error lines, not its log: a line number among them names no line of the file
  // (diagnose_error, reading the file, gives the real one), so the summary leaves the place out.
  const [top, ...rest] = verdict.findings;
  const summary =
    top && top.category !== "unknown"
      ? summarizeFindings([{ ...top, evidence: [] }, ...rest], verdict.stats)
      : verdict.summary;
  return {
    summary,
    findings: verdict.findings.slice(0, MAX_FINDINGS).map((f) => ({
      rule: f.rule,
      title: f.title,
      confidence: f.confidence,
      cause: f.cause,
      fixes: f.fixes.map((x) => x.summary),
    })),
  };
};

let diagnoser: Diagnoser = engine;

/** Replaces the diagnosis function (tests, embedders); null restores the built-in engine. */
export function setDiagnoser(fn: Diagnoser | null): void {
  diagnoser = fn ?? engine;
}

/** The engine's findings for these error lines; null when it has none or fails (a diagnosis never breaks a tail). */
export async function diagnoseErrorText(text: string): Promise<LogDiagnosis | null> {
  try {
    return (await diagnoser(text)) ?? null;
  } catch {
    return null;
  }
}
