// How the CLI shows an error it did not expect: one line, secrets hidden and terminal controls neutralised; the stack
// only when asked for (DEBUG or ASCEND_TRAIN_DEBUG set, or --verbose on the command line).
import { forTerminal } from "../hosts/redact.js";

export function wantsStack(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.DEBUG || env.ASCEND_TRAIN_DEBUG) || argv.includes("--verbose");
}

/** `error: <message>` (first line only), or the whole redacted stack when asked for. */
export function describeFatal(error: unknown, withStack: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  if (withStack && error instanceof Error && error.stack) return `error: ${forTerminal(error.stack)}`;
  const first = message.split("\n", 1)[0] ?? "";
  return `error: ${forTerminal(first)}`;
}

/** Prints an error the program did not handle and sets a failing exit code. */
export function printFatal(error: unknown, argv: readonly string[] = process.argv): void {
  process.stderr.write(`${describeFatal(error, wantsStack(argv))}\n`);
  process.exitCode = 1;
}

/** Errors thrown outside any await (a listener, a timer): the same single line, then exit 1. */
export function installFatalHandlers(argv: readonly string[] = process.argv): void {
  const onFatal = (error: unknown) => {
    printFatal(error, argv);
    process.exit(1);
  };
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
}
