// Whether the images and videos of a dataset's first records are where the training run will open them: under the
// data config's dataset_dir (data_folder), joined as MindSpeed-MM's dataset code joins them. build_configs warns,
// launch_train's pre-flight refuses and plan_finetune says so, so that a wrong root is not first met as the
// dataloader's FileNotFoundError. Host reads: the dataset's first bytes and one bounded `test -e` per path.
import { posix } from "node:path";
import type { HostExecutor } from "../hosts/executor.js";
import { shellQuote } from "../hosts/quote.js";
import { headRecords } from "../infer/sample.js";
import { recordMediaPaths } from "./dataset-probe.js";

/** Records read from the head of the dataset, and the most paths asked about in one command. */
const HEAD_RECORDS = 8;
const MAX_PATHS = 32;
const HEAD_BYTES = 256 * 1024;

/** Where a run looks for a dataset's media. */
export interface MediaRoot {
  /** The dataset file on the host, absolute. */
  file: string;
  /** dataset_dir (or data_folder) as the config writes it, and absolute (relative ones from the workdir). */
  dir: string;
  dirAbs: string;
  /**
   * The directory the run starts in (the workdir) when a relative path not under dir is still read from there:
   * MindSpeed-MM's MLLM converter keeps the path as given when join(dataset_dir, path) is not a file.
   */
  fallbackCwd: string | null;
  /** The data config's attr (the records' key names), when it has one. */
  attr: Record<string, unknown> | null;
}

export interface MissingMedia {
  /** The record's index and the path as the record writes it. */
  record: number;
  given: string;
  /** Where the run opens it: under dirAbs, or itself when absolute. */
  resolved: string;
}

export interface MediaCheck {
  records: number;
  paths: number;
  missing: MissingMedia[];
  /** A nearby folder (the dataset's own, the workdir) that holds every missing relative path, when one does. */
  foundUnder: string | null;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const abs = (workdir: string, p: string) => (p.startsWith("/") ? posix.normalize(p) : posix.join(workdir, p));

/**
 * Where a MindSpeed-MM data config (the JSON file, or the trainer YAML's `data` section) reads its records and their
 * media: MLLM `basic_parameters.dataset` and `dataset_dir` (default "data", as upstream's), or the first of
 * InternVL's `basic_parameters[]` `data_path` and `data_folder`. Null when it names no dataset file.
 */
export function mediaRootOf(dataConfig: unknown, workdir: string): MediaRoot | null {
  const dp = obj(obj(dataConfig).dataset_param ?? dataConfig);
  const basic = dp.basic_parameters;
  const attr = Object.keys(obj(dp.attr)).length > 0 ? obj(dp.attr) : null;
  if (Array.isArray(basic)) {
    const first = obj(basic[0]);
    if (typeof first.data_path !== "string" || !first.data_path) return null;
    // os.path.join(data_folder, path): an empty folder leaves the path as given, read from the workdir.
    const dir = typeof first.data_folder === "string" && first.data_folder ? first.data_folder : "";
    const file = abs(workdir, first.data_path);
    return { file, dir, dirAbs: dir ? abs(workdir, dir) : workdir, fallbackCwd: null, attr };
  }
  const b = obj(basic);
  const name = typeof b.dataset === "string" ? b.dataset.split(",").find((p) => p.trim()) : undefined;
  if (!name) return null;
  const file = abs(workdir, name.trim());
  // Upstream's DataArguments default dataset_dir to "data".
  const dir = typeof b.dataset_dir === "string" && b.dataset_dir ? b.dataset_dir : "data";
  return { file, dir, dirAbs: abs(workdir, dir), fallbackCwd: workdir, attr };
}

/**
 * Looks for the media of the dataset's first records on the host (the head of the file, then one command of `test
 * -e`, bounded in time and output). `chunk`: the head already read. Null when the records or the answer cannot be
 * read: nothing to say then, the other checks speak for a missing file.
 */
export async function checkDatasetMedia(
  executor: HostExecutor,
  root: MediaRoot,
  opts: { chunk?: string; records?: number; workdir?: string | null } = {},
): Promise<MediaCheck | null> {
  let chunk = opts.chunk;
  if (chunk === undefined) {
    try {
      chunk = (await executor.readFile(root.file, { maxBytes: HEAD_BYTES })).content;
    } catch {
      return null;
    }
  }
  const records = headRecords(chunk, opts.records ?? HEAD_RECORDS);
  const media = records
    .flatMap((r, i) => recordMediaPaths(r, root.attr).map((given) => ({ record: i, given })))
    .slice(0, MAX_PATHS);
  if (media.length === 0)
    return records.length > 0 ? { records: records.length, paths: 0, missing: [], foundUnder: null } : null;
  const under = (dir: string, p: string) => (p.startsWith("/") ? posix.normalize(p) : posix.join(dir, p));
  // Other folders the paths may be relative to, named in the fix when they hold every missing one.
  const nearby = [posix.dirname(root.file), ...(opts.workdir ? [opts.workdir] : [])].filter(
    (d, i, all) => d !== root.dirAbs && all.indexOf(d) === i,
  );
  const asked = media.flatMap((m) => [
    under(root.dirAbs, m.given),
    ...(root.fallbackCwd && !m.given.startsWith("/") ? [under(root.fallbackCwd, m.given)] : []),
    ...(m.given.startsWith("/") ? [] : nearby.map((d) => under(d, m.given))),
  ]);
  const paths = [...new Set(asked)];
  const script = `${paths.map((p) => `if [ -e ${shellQuote(p)} ]; then echo 1; else echo 0; fi`).join("\n")}\nexit 0`;
  let r: Awaited<ReturnType<HostExecutor["runScript"]>>;
  try {
    r = await executor.runScript(script, { timeoutMs: 20_000, maxOutputBytes: 16 * 1024 });
  } catch {
    // The host did not answer: the check has nothing to say, the build or launch goes on as before.
    return null;
  }
  const answers = r.stdout.split("\n").filter((l) => l === "0" || l === "1");
  if (r.exitCode !== 0 || r.timedOut || answers.length !== paths.length) return null;
  const exists = new Map(paths.map((p, i) => [p, answers[i] === "1"]));
  const missing = media
    .filter(
      (m) =>
        !exists.get(under(root.dirAbs, m.given)) &&
        !(root.fallbackCwd && !m.given.startsWith("/") && exists.get(under(root.fallbackCwd, m.given))),
    )
    .map((m) => ({ ...m, resolved: under(root.dirAbs, m.given) }));
  const relative = missing.filter((m) => !m.given.startsWith("/"));
  const foundUnder =
    relative.length > 0 && relative.length === missing.length
      ? (nearby.find((d) => relative.every((m) => exists.get(under(d, m.given)))) ?? null)
      : null;
  return { records: records.length, paths: media.length, missing, foundUnder };
}

/**
 * What is missing, in words every door shares: the first path as written and as resolved, the dataset_dir used and
 * what the run would do. The caller adds the fix (the call again, in its door's words).
 */
export function missingMediaMessage(check: MediaCheck, root: MediaRoot): string {
  const first = check.missing[0]!;
  const dir = root.dir
    ? `dataset_dir ${root.dir}${root.dir !== root.dirAbs ? ` (${root.dirAbs})` : ""}`
    : `the dataset's directory ${root.dirAbs}`;
  const which = first.record === 0 ? "the first record's" : `record #${first.record}'s`;
  const count =
    check.missing.length > 1
      ? `; ${check.missing.length} of the ${check.paths} image/video paths in the first ${check.records} records are missing`
      : "";
  const kind = /\.(mp4|avi|mov|mkv|webm|flv|m4v)$/i.test(first.given) ? "video" : "image";
  return `${which} ${kind} ${first.given} resolves under ${dir} to ${first.resolved}, which does not exist${count}. MindSpeed-MM's dataloader would stop at it with FileNotFoundError.`;
}
