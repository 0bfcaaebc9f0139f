// The diagnosis engine: logs in (text, streams, files on a host), ranked findings out.
export { type CompiledRules, compileRules, defaultCompiled } from "./compile.js";
export { type RefineDeps, type RunContext, refineFindings } from "./context.js";
export type { RunLookup, RunRecord } from "./runs.js";
export { LogScanner, looksBinary } from "./scanner.js";
export {
  type DiagnoseOptions,
  diagnoseHostFiles,
  diagnoseLocalFiles,
  diagnoseStream,
  diagnoseText,
  LOCAL_MAX_BYTES,
  REMOTE_MAX_BYTES,
  readPlan,
} from "./sources.js";
export type { EvidenceLine, Finding, FixAction, FixStep, ScanResult, Verdict } from "./types.js";
export { buildVerdict, noRuleFinding, summarizeFindings } from "./verdict.js";
