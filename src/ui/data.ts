// What the dashboard shows and does, fetched the one way every door runs a tool (tools/invoke.ts): list_runs,
// tail_logs, diagnose_error, and stop_run / resume_run with their plan-then-confirm gate. The pages never read a log
// or signal a process themselves.
import type { HostRegistry } from "../hosts/registry.js";
import { type HintRenderer, renderMcpHint } from "../text/hint.js";
import { findTool } from "../tools/index.js";
import { invokeTool, type ToolOutcome } from "../tools/invoke.js";
import { isSelected, type ToolSelection } from "../tools/selection.js";

/** Hints in the page's words: "again with confirm: true" is the Confirm button the page shows next to the plan. */
export const renderPageHint: HintRenderer = (hint) =>
  !hint.tool && hint.args.confirm === true && Object.keys(hint.args).length === 1
    ? "the Confirm button"
    : renderMcpHint(hint);

export interface UiDataOptions extends ToolSelection {
  hosts: HostRegistry;
  now?: () => Date;
}

export class ToolRefused extends Error {
  override name = "ToolRefused";
  constructor(
    message: string,
    readonly kind: string,
  ) {
    super(message);
  }
}

export type ToolResult = Record<string, unknown>;

export class UiData {
  constructor(private readonly opts: UiDataOptions) {}

  /** Whether this server offers a tool (a --read-only server has no stop or resume). */
  offers(name: string): boolean {
    const tool = findTool(name);
    return tool !== undefined && isSelected(tool, this.opts);
  }

  async call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolOutcome> {
    const tool = findTool(name);
    if (!tool || !isSelected(tool, this.opts))
      return { ok: false, error: `${name} is not offered by this server.`, kind: "tool" };
    return invokeTool(
      tool,
      args,
      {
        hosts: this.opts.hosts,
        now: this.opts.now ?? (() => new Date()),
        signal,
        readOnly: this.opts.readOnly,
        progress: () => {},
        log: () => {},
      },
      renderPageHint,
    );
  }

  /** The structured result of a call, or ToolRefused with the tool's own message. */
  async result(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult> {
    const outcome = await this.call(name, args, signal);
    if (!outcome.ok) throw new ToolRefused(outcome.error, outcome.kind);
    return outcome.result;
  }
}
