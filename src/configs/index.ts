// Training plans and config files for MindSpeed-MM examples.
export { toJson, toYaml } from "./emit.js";
export { PlanError, resolveModel, resolveTrainingPlan } from "./plan.js";
export type { FileRole, Parallelism, PlanIssue, PlannedFile, TrainingParams, TrainingPlan } from "./types.js";
export { evenSplit, validatePlan, vitSplit } from "./validate.js";
