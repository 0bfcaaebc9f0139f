// Hints that name arguments or a next call, written once by a tool and rendered in the words of the door that shows
// them: `confirm: true` and `tail_logs {runId: "…"}` over MCP and in chat, `--confirm` and
// `ascend-train tail-logs RUN_ID --follow-seconds 60` in the terminal.

/** Arguments to pass again (`tool` unset: the same tool) or a call to make next. */
export interface Hint {
  tool?: string;
  args: Record<string, unknown>;
}

export type HintRenderer = (hint: Hint) => string;

const OPEN = "⟦";
const CLOSE = "⟧";
const MARKER = /⟦(\{.*?\})⟧/gs;

/** Arguments of the same tool, e.g. `argsHint({ confirm: true })`. */
export const argsHint = (args: Record<string, unknown>): string => `${OPEN}${JSON.stringify({ args })}${CLOSE}`;

/** A call of another tool, e.g. `callHint("tail_logs", { runId, followSeconds: 60 })`. */
export const callHint = (tool: string, args: Record<string, unknown> = {}): string =>
  `${OPEN}${JSON.stringify({ tool, args })}${CLOSE}`;

/** MCP and chat: argument names as the model passes them. */
export const renderMcpHint: HintRenderer = ({ tool, args }) => {
  const list = Object.entries(args)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", ");
  if (!tool) return list;
  return list ? `${tool} {${list}}` : tool;
};

/** Replaces every hint marker in a string, or in every string of a JSON-like value. */
export function renderHints<T>(value: T, render: HintRenderer = renderMcpHint): T {
  if (typeof value === "string") {
    if (!value.includes(OPEN)) return value;
    return value.replace(MARKER, (whole, json: string) => {
      try {
        return render(JSON.parse(json) as Hint);
      } catch {
        return whole;
      }
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => renderHints(v, render)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderHints(v, render)])) as T;
  }
  return value;
}
