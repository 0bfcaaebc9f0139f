// The one error every floor may throw for a problem the caller can act on (a missing file, a refused value, a
// failed pre-flight): its message is shown as written, through whichever door the request came in. Anything else
// thrown is a bug and is reported as an internal error.

/** A problem the caller can act on; its message is shown as written. */
export class ToolError extends Error {
  override name = "ToolError";
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
