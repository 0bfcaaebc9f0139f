// Which benchmarks' data a host holds where evaluate_model reads it by default (VLMEvalKit's TSVs in the workdir), so
// the hints that lead to evaluate_model say what is there and what is missing on the host they checked, not a fixed
// sentence. A real host and the simulated one are read alike: the TSV files are there or they are not.
import { posix } from "node:path";
import type { HostExecutor } from "../hosts/executor.js";
import { BENCHMARKS, type Benchmark, QWEN_BENCHMARKS } from "../knowledge/inference-upstream.js";
import { callHint } from "../text/hint.js";
import { missingFiles } from "./run.js";

/** Where VLMEvalKit's benchmark TSVs are downloaded from (each under its file name). */
export const BENCHMARK_DOWNLOAD = "https://opencompass.openxlab.space/utils/VLMEval/";

/** The benchmark evaluate_model scores unless told otherwise. */
const DEFAULT_BENCHMARK: Benchmark = "ai2d_test";

export interface BenchmarkData {
  dir: string;
  present: Benchmark[];
  missing: Benchmark[];
}

/** The benchmarks whose TSV is in `dir` on the host; null when the host cannot say. */
export async function benchmarkData(
  executor: HostExecutor,
  dir: string,
  files: Record<Benchmark, string> = QWEN_BENCHMARKS,
): Promise<BenchmarkData | null> {
  try {
    const missing = new Set(
      await missingFiles(
        executor,
        BENCHMARKS.map((b) => posix.join(dir, files[b])),
      ),
    );
    const lacks = (b: Benchmark) => missing.has(posix.join(dir, files[b]));
    return { dir, present: BENCHMARKS.filter((b) => !lacks(b)), missing: BENCHMARKS.filter(lacks) };
  } catch {
    return null;
  }
}

/**
 * "score it …" as the host's data allows: on the benchmarks whose TSV is there, else what to download first and
 * where to put it. `target` is evaluate_model's checkpoint (runId, or host and checkpointDir).
 */
export function scoreHint(
  data: BenchmarkData | null,
  target: Record<string, unknown>,
  files: Record<Benchmark, string> = QWEN_BENCHMARKS,
): string {
  if (!data) return `score it with ${callHint("evaluate_model", target)}`;
  if (data.present.length) {
    const args = data.present.includes(DEFAULT_BENCHMARK) ? target : { ...target, benchmarks: data.present };
    const held = data.present.map((b) => files[b]).join(", ");
    return `score it on ${data.present.join(", ")} with ${callHint("evaluate_model", args)} (${held} in ${data.dir}${data.missing.length ? `; the other benchmarks' TSVs are not there` : ""})`;
  }
  const first = files[DEFAULT_BENCHMARK];
  return `to score it on a benchmark, first put its TSV in ${data.dir} (none of ${BENCHMARKS.map((b) => files[b]).join(", ")} is there; ${DEFAULT_BENCHMARK}'s is ${BENCHMARK_DOWNLOAD}${first}), then ${callHint("evaluate_model", target)}`;
}
