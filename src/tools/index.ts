// Every tool, in one list; toolsets and the read-only switch select from it.

import applyFix from "./apply-fix.js";
import auditLog from "./audit-log.js";
import buildConfigs from "./build-configs.js";
import checkEnv from "./check-env.js";
import convertWeights from "./convert-weights.js";
import diagnoseError from "./diagnose-error.js";
import estimateMemory from "./estimate-memory.js";
import evaluateModel from "./evaluate-model.js";
import exportModel from "./export-model.js";
import exportSchedulerJob from "./export-scheduler.js";
import findModel from "./find-model.js";
import installStack from "./install-stack.js";
import launchTrain from "./launch-train.js";
import listHosts from "./list-hosts.js";
import listRuns from "./list-runs.js";
import planFinetune from "./plan-finetune.js";
import prepareDataset from "./prepare-dataset.js";
import resumeRun from "./resume-run.js";
import runInference from "./run-inference.js";
import stopRun from "./stop-run.js";
import tailLogs from "./tail-logs.js";
import type { ToolDef } from "./tool.js";
import validateDataset from "./validate-dataset.js";

// biome-ignore lint/suspicious/noExplicitAny: heterogeneous tool definitions
export const allTools: ToolDef<any, any>[] = [
  listHosts,
  auditLog,
  checkEnv,
  installStack,
  tailLogs,
  prepareDataset,
  validateDataset,
  findModel,
  estimateMemory,
  buildConfigs,
  convertWeights,
  launchTrain,
  listRuns,
  stopRun,
  resumeRun,
  exportSchedulerJob,
  diagnoseError,
  applyFix,
  planFinetune,
  exportModel,
  runInference,
  evaluateModel,
  // tools register here, one import per file
];

export { isSelected, selectTools, type ToolSelection } from "./selection.js";

export function findTool(name: string) {
  return allTools.find((t) => t.name === name || t.name === name.replaceAll("-", "_"));
}
