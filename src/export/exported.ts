// Where export_model puts a checkpoint's Hugging Face directory, and whether the host already holds it: the tools that
// come after an export (tail_logs, run_inference, evaluate_model) name it and suggest one only while there is none.
// An export written to a directory of the person's choosing is found through the run's ledger record, where
// export_model notes every export it writes.
import { posix } from "node:path";
import { readMarker } from "../convert/marker.js";
import type { HostExecutor } from "../hosts/executor.js";
import { probeCheckpoint } from "../infer/source.js";
import { readRecord, writeRecord } from "../runs/ledger.js";
import type { ExportEntry, RunRecord } from "../runs/types.js";

/** `<saveDir>-hf-iter_NNNNNNN`, beside the save directory: export_model's default target for that checkpoint. */
export function defaultExportDir(checkpoint: { saveDir: string; iterDir: string }): string {
  const save = checkpoint.saveDir.replace(/\/+$/, "");
  return posix.join(posix.dirname(save), `${posix.basename(save)}-hf-${posix.basename(checkpoint.iterDir)}`);
}

const sameDir = (a: string, b: string) =>
  posix.normalize(a).replace(/\/+$/, "") === posix.normalize(b).replace(/\/+$/, "");

/**
 * The checkpoint's export, read from the host: a directory holding the record convert_weights leaves after a verified
 * conversion to Hugging Face format. Looked for first where the run's ledger record says export_model wrote this
 * checkpoint (newest first), then in the default directory. Null when there is none, or when the host cannot say (an
 * export is then suggested, as before any).
 */
export async function existingExport(
  executor: HostExecutor,
  checkpoint: { saveDir: string; iterDir: string; tracker: string },
  record?: Pick<RunRecord, "exports"> | null,
): Promise<string | null> {
  const recorded = (record?.exports ?? [])
    .filter((e) => e.iteration === checkpoint.tracker && sameDir(e.saveDir, checkpoint.saveDir))
    .map((e) => e.dir)
    .reverse();
  for (const dir of [...new Set([...recorded, defaultExportDir(checkpoint)])]) {
    const marker = await readMarker(executor, dir).catch(() => null);
    if (marker?.format === "hf") return dir;
  }
  return null;
}

/**
 * The export of a run's latest checkpoint on the host that records it (its save directory's tracker), or null when
 * the run saved none, the host cannot say, or no export of that checkpoint is there.
 */
export async function exportOfRun(executor: HostExecutor, record: RunRecord): Promise<string | null> {
  if (!record.saveDir) return null;
  const saveDir = record.saveDir.startsWith("/") ? record.saveDir : posix.join(record.workdir, record.saveDir);
  const checkpoint = await probeCheckpoint(executor, saveDir).catch(() => null);
  return checkpoint ? existingExport(executor, checkpoint, record) : null;
}

/**
 * Notes an export in the run's ledger record (read fresh, written back through the host's write guard), so that
 * the tools after it find the export wherever its directory is. The same directory again replaces its older entry.
 */
export async function recordExport(executor: HostExecutor, ledgerFile: string, entry: ExportEntry): Promise<void> {
  const fresh = await readRecord(executor, ledgerFile);
  fresh.exports = [...(fresh.exports ?? []).filter((e) => !sameDir(e.dir, entry.dir)), entry];
  await writeRecord(executor, ledgerFile, fresh);
}
