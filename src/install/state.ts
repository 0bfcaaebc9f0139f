// The install state file on the host (<workdir>/.ascend-train/install-state.json) and what it says about each step.
// The probe decides first; the record only settles what the probe cannot see and says where the last apply stopped.
import { createHash } from "node:crypto";
import type { InstallState, Step, StepDef, StepRecord } from "./types.js";
import { STEP_IDS } from "./types.js";

export function stepDigest(def: Pick<StepDef, "commands">): string {
  return createHash("sha256").update(def.commands.join("\n")).digest("hex").slice(0, 16);
}

export function parseState(text: string | null): { state: InstallState | null; note: string | null } {
  if (!text) return { state: null, note: null };
  try {
    const raw = JSON.parse(text) as Partial<InstallState>;
    if (raw.version !== 1 || typeof raw.fingerprint !== "string" || typeof raw.steps !== "object" || !raw.steps) {
      return { state: null, note: "The install state file has an unknown format; it will be replaced." };
    }
    const steps: InstallState["steps"] = {};
    for (const id of STEP_IDS) {
      const r = (raw.steps as Record<string, StepRecord | undefined>)[id];
      if (r && ["running", "done", "failed"].includes(r.status)) steps[id] = r;
    }
    return {
      state: {
        version: 1,
        fingerprint: raw.fingerprint,
        updatedAt: String(raw.updatedAt ?? ""),
        log: String(raw.log ?? ""),
        steps,
      },
      note: null,
    };
  } catch {
    return { state: null, note: "The install state file is not valid JSON (cut off?); it will be replaced." };
  }
}

export function freshState(fingerprint: string, log: string, now: Date): InstallState {
  return { version: 1, fingerprint, updatedAt: now.toISOString(), log, steps: {} };
}

/** Plan-time status of each step from the probe's verdict and the last apply's record. */
export function stepStatuses(defs: StepDef[], state: InstallState | null): Step[] {
  return defs.map((def) => {
    const rec = state?.steps[def.id];
    const same = rec !== undefined && rec.spec === stepDigest(def);
    const base = {
      id: def.id,
      title: def.title,
      commands: def.commands,
      verify: def.verify,
      changes: def.changes,
      warnings: def.warnings,
      timeoutSec: def.timeoutSec,
    };
    const when = rec ? ` (${rec.at})` : "";
    if (def.check.ok === true) {
      return rec?.status === "done"
        ? { ...base, status: "done" as const, reason: `${def.check.reason}; done by an earlier apply${when}` }
        : { ...base, status: "satisfied" as const, reason: def.check.reason };
    }
    if (def.check.ok === null && rec?.status === "done" && same) {
      return { ...base, status: "done" as const, reason: `${def.check.reason}; done by an earlier apply${when}` };
    }
    if (rec?.status === "failed") {
      return {
        ...base,
        status: "retry" as const,
        reason: `failed in the last apply${when}: ${rec.error ?? "see the log"}`,
      };
    }
    if (rec?.status === "running") {
      return {
        ...base,
        status: "retry" as const,
        reason: `the last apply stopped during this step${when}; ${def.check.reason}`,
      };
    }
    return { ...base, status: "pending" as const, reason: def.check.reason };
  });
}
