// The troubleshooting rule base: one rule per failure class (signatures → cause → fixes), read by src/diagnosis.
import { afterTrainingRules } from "./rules-after.js";
import { deviceRules } from "./rules-device.js";
import { envRules } from "./rules-env.js";
import { hubRules } from "./rules-hub.js";
import { trainRules } from "./rules-train.js";
import type { Category, DiagnosisRule } from "./rules-types.js";

export type { Category, DiagnosisRule, FixTemplate, RuleRole, Signal, Trigger } from "./rules-types.js";
export { CATEGORIES } from "./rules-types.js";

export const diagnosisRules: readonly DiagnosisRule[] = [
  ...deviceRules,
  ...envRules,
  ...trainRules,
  ...afterTrainingRules,
  ...hubRules,
];

export function ruleById(id: string): DiagnosisRule | undefined {
  return diagnosisRules.find((r) => r.id === id);
}

export function rulesForCategory(category: Category): DiagnosisRule[] {
  return diagnosisRules.filter((r) => r.category === category);
}
