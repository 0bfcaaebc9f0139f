// Hands the error lines of a failed run to the diagnosis engine, when one is available.

export type Diagnoser = (text: string) => unknown | Promise<unknown>;

let diagnoser: Diagnoser | null | undefined;

/** Installs the diagnosis function (null: none). Without it, the engine in src/diagnosis is looked up once. */
export function setDiagnoser(fn: Diagnoser | null): void {
  diagnoser = fn;
}

async function loadEngine(): Promise<Diagnoser | null> {
  // Looked up at run time so the log tools work whether or not the engine is built in.
  const specifier = "../diagnosis/index.js";
  try {
    const mod = (await import(specifier)) as { diagnoseText?: Diagnoser };
    return typeof mod.diagnoseText === "function" ? mod.diagnoseText : null;
  } catch {
    return null;
  }
}

/** The engine's findings for these error lines, or null when there is no engine or it failed. */
export async function diagnoseErrorText(text: string): Promise<unknown> {
  if (diagnoser === undefined) diagnoser = await loadEngine();
  if (!diagnoser) return null;
  try {
    return (await diagnoser(text)) ?? null;
  } catch {
    return null;
  }
}
