// Which tools a server offers: the one filter for toolsets and the read-only switch, used on the registry (CLI, chat)
// and on the catalog (MCP, which lists tools without loading them), so both doors always offer the same set.
import type { ToolKind, Toolset } from "./tool.js";

export interface ToolSelection {
  /** Only tools of these toolsets (all when unset). */
  toolsets?: Toolset[];
  /** Only tools that change nothing. */
  readOnly?: boolean;
}

/** Whether one tool is offered under a selection. */
export function isSelected(tool: { toolset: Toolset; kind: ToolKind }, selection: ToolSelection = {}): boolean {
  if (selection.toolsets && !selection.toolsets.includes(tool.toolset)) return false;
  return !selection.readOnly || tool.kind === "read";
}

/** The tools offered under a selection, in registry order. */
export function selectTools<T extends { toolset: Toolset; kind: ToolKind }>(
  tools: readonly T[],
  selection: ToolSelection = {},
): T[] {
  return tools.filter((t) => isSelected(t, selection));
}

/** Why a known tool is not offered, for the error a client gets when it calls it anyway. */
export function whyNotSelected(tool: { toolset: Toolset; kind: ToolKind }, selection: ToolSelection): string {
  if (selection.toolsets && !selection.toolsets.includes(tool.toolset)) {
    return `its toolset ${tool.toolset} is not among --toolsets ${selection.toolsets.join(",")}`;
  }
  return "this server is --read-only and the tool changes things";
}
