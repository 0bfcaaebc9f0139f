// The record convert_weights leaves in every output directory: what was converted, from where, split how.
// launch_train's pre-flight reads it to compare the split with the one the run trains with.
import { posix } from "node:path";
import { z } from "zod";
import type { HostExecutor } from "../hosts/executor.js";
import { HostFileError } from "../hosts/executor.js";

export const CONVERT_MARKER = "ascend-train-convert.json";

const split = z.array(z.number().int().nonnegative()).nullable();

export const ConvertMarkerSchema = z.object({
  tool: z.literal("ascend-train convert_weights"),
  version: z.literal(1),
  model: z.string(),
  release: z.string(),
  variant: z.string(),
  converter: z.string(),
  method: z.string(),
  /** megatron: mp_rank_* tree; dcp: torch DCP shards; hf: safetensors. */
  format: z.enum(["megatron", "dcp", "hf"]),
  tp: z.number().int().positive(),
  pp: z.number().int().positive(),
  ep: z.number().int().positive(),
  layerSplit: z.object({ llm: split, vit: split }),
  /** Virtual pipeline checkpoints (model0, model1 … per rank): the layers of each virtual stage. */
  vpp: z
    .object({ size: z.number().int().positive(), llm: z.array(z.array(z.number().int().nonnegative())) })
    .nullable()
    .optional(),
  source: z.string(),
  output: z.string(),
  command: z.string(),
  createdAt: z.string(),
});

export type ConvertMarker = z.output<typeof ConvertMarkerSchema>;

export const markerPath = (dir: string) => posix.join(dir, CONVERT_MARKER);

/** Parses marker text; null when it is not a marker this version wrote. */
export function parseMarker(text: string): ConvertMarker | null {
  try {
    const parsed = ConvertMarkerSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The marker in `dir` on a host; null when absent or unreadable as a marker. */
export async function readMarker(executor: HostExecutor, dir: string): Promise<ConvertMarker | null> {
  try {
    return parseMarker((await executor.readFile(markerPath(dir), { maxBytes: 256 * 1024 })).content);
  } catch (error) {
    if (error instanceof HostFileError) return null;
    throw error;
  }
}

/** Differences between a marker and the layout a run (or a conversion) expects; empty when they agree. */
export function markerMismatch(
  marker: ConvertMarker,
  want: {
    tp: number;
    pp: number;
    llm: number[] | null;
    vit: number[] | null;
    /** The run's virtual stages (null: a plain pipeline); left out, not compared. */
    vpp?: { size: number; llm: number[][] } | null;
  },
): string[] {
  const out: string[] = [];
  const same = (a: number[] | null, b: number[] | null) => a === null || b === null || a.join() === b.join();
  if (marker.tp !== want.tp) out.push(`tp ${marker.tp} (wanted ${want.tp})`);
  if (marker.pp !== want.pp) out.push(`pp ${marker.pp} (wanted ${want.pp})`);
  if (!same(marker.layerSplit.llm, want.llm))
    out.push(`LLM layers ${JSON.stringify(marker.layerSplit.llm)} (wanted ${JSON.stringify(want.llm)})`);
  if (!same(marker.layerSplit.vit, want.vit))
    out.push(`ViT layers ${JSON.stringify(marker.layerSplit.vit)} (wanted ${JSON.stringify(want.vit)})`);
  // Markers written before the field existed say nothing either way.
  if (want.vpp !== undefined && marker.vpp !== undefined) {
    // A VPP checkpoint stores model0..modelN per rank, a plain one 'model': the rows must agree, not only their sums.
    const have = marker.vpp ? JSON.stringify(marker.vpp.llm) : null;
    const wanted = want.vpp ? JSON.stringify(want.vpp.llm) : null;
    if (have !== wanted)
      out.push(`virtual stages ${have ?? "none (plain pipeline)"} (wanted ${wanted ?? "none (plain pipeline)"})`);
  }
  return out;
}
