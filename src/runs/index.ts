// The run ledger and everything around a launched run: pre-flight, start, liveness, stop, resume, scheduler hand-off.
export { type LaunchScriptInfo, parseLaunchScript, resumeScript } from "./launch-script.js";
export { findRun, ledgerDir, newRunId, readLedger, writeRecord } from "./ledger.js";
export { nodeLiveness, stopGroup } from "./liveness.js";
export { executeLaunch, prepareLaunch } from "./orchestrate.js";
export { type Check, runPreflight } from "./preflight.js";
export { ascendJobManifest, slurmScript } from "./scheduler.js";
export { ledgerRunServices, type RunServices, runServicesOf } from "./services.js";
export { runStatus } from "./status.js";
export type { LiveState, RunNode, RunRecord } from "./types.js";
