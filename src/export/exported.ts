// Where export_model puts a checkpoint's Hugging Face directory by default, and whether the host already holds it:
// the tools that come after an export (run_inference, evaluate_model) suggest one only while there is none.
import { posix } from "node:path";
import { readMarker } from "../convert/marker.js";
import type { HostExecutor } from "../hosts/executor.js";

/** `<saveDir>-hf-iter_NNNNNNN`, beside the save directory: export_model's default target for that checkpoint. */
export function defaultExportDir(checkpoint: { saveDir: string; iterDir: string }): string {
  const save = checkpoint.saveDir.replace(/\/+$/, "");
  return posix.join(posix.dirname(save), `${posix.basename(save)}-hf-${posix.basename(checkpoint.iterDir)}`);
}

/**
 * The checkpoint's export, read from the host: its default directory holding the record convert_weights leaves after
 * a verified conversion to Hugging Face format. Null when there is none, or when the host cannot say (an export is
 * then suggested, as before any).
 */
export async function existingExport(
  executor: HostExecutor,
  checkpoint: { saveDir: string; iterDir: string },
): Promise<string | null> {
  const dir = defaultExportDir(checkpoint);
  const marker = await readMarker(executor, dir).catch(() => null);
  return marker?.format === "hf" ? dir : null;
}
