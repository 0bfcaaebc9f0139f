// Which tools open the inline training view in chat clients that support MCP Apps (the io.modelcontextprotocol/ui
// extension): the tool's `_meta.ui.resourceUri` names a `ui://` resource the client renders next to the result.
// Clients without the extension ignore `_meta` and show the text and the PNG chart as before.

export const TRAINING_VIEW_URI = "ui://ascend-train/training-view.html";
/** The MIME type the MCP Apps extension gives an HTML view. */
export const MCP_APP_MIME = "text/html;profile=mcp-app";

const VIEWS: Readonly<Record<string, string>> = { tail_logs: TRAINING_VIEW_URI, list_runs: TRAINING_VIEW_URI };

/** The `_meta` of a tool's tools/list entry, or undefined for tools without a view. */
export function appViewMeta(toolName: string): Record<string, unknown> | undefined {
  const uri = VIEWS[toolName];
  // `ui/resourceUri` is the extension's earlier, flat spelling, still read by some clients.
  return uri ? { ui: { resourceUri: uri }, "ui/resourceUri": uri } : undefined;
}
