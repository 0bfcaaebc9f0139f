import type { Toolset } from "../tools/tool.js";

export const TOOLSETS: Toolset[] = ["hosts", "knowledge", "setup", "data", "train", "diagnose", "audit"];

export function parseToolsets(value: string | undefined): Toolset[] | undefined {
  if (!value) return undefined;
  const list = value.split(",").map((s) => s.trim()) as Toolset[];
  const bad = list.filter((t) => !TOOLSETS.includes(t));
  if (bad.length > 0) throw new Error(`Unknown toolset(s): ${bad.join(", ")}. Known: ${TOOLSETS.join(", ")}.`);
  return list;
}
