// The first record of a dataset file (JSON array or JSON Lines) from its first bytes, a check of its keys against a
// data config's `attr` and the record format the model's family reads, and the image/video paths a record names (so
// the caller can look for them on the host). Pure: the caller reads the bytes and asks the host.
import { DATASET_FORMATS, type DatasetFamily } from "../datasets/formats.js";
import { lookupModel } from "../knowledge/lookup.js";
import { getModel } from "../knowledge/models.js";

/** Returns the first complete top-level object, or undefined when the chunk ends before it closes. */
export function firstRecordText(chunk: string): string | undefined {
  let i = 0;
  while (i < chunk.length && /[\s[\uFEFF]/.test(chunk[i]!)) i++;
  if (chunk[i] !== "{") return undefined;
  let depth = 0;
  let inString = false;
  for (let j = i; j < chunk.length; j++) {
    const c = chunk[j]!;
    if (inString) {
      if (c === "\\") j++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return chunk.slice(i, j + 1);
    }
  }
  return undefined;
}

export interface AttrProblem {
  field: string;
  message: string;
  suggestion?: unknown;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks the record's keys against attr (messages/images/videos keys, role/content tags, user/assistant values). */
export function checkRecordAgainstAttr(record: unknown, attr: Record<string, string>): AttrProblem[] {
  if (!isObj(record)) return [{ field: "dataset", message: "the first record is not a JSON object" }];
  const problems: AttrProblem[] = [];
  const keys = Object.keys(record);
  const listKeys = keys.filter((k) => Array.isArray(record[k]));
  const turnKey = listKeys.find((k) => (record[k] as unknown[]).some(isObj));
  const messagesKey = attr.messages ?? "messages";
  const turns = record[messagesKey];
  if (!Array.isArray(turns)) {
    const hint =
      "conversations" in record
        ? " The record is LLaVA-style (conversations/from/value); convert it with prepare_dataset to the MLLM format."
        : "";
    problems.push({
      field: "attr.messages",
      message: `the data config reads turns from "${messagesKey}" but the first record has keys ${keys.join(", ")}.${hint}`,
      suggestion: turnKey,
    });
  } else {
    const turn = turns.find(isObj);
    const roleTag = attr.role_tag ?? "role";
    const contentTag = attr.content_tag ?? "content";
    if (turn && !(roleTag in turn)) {
      problems.push({
        field: "attr.role_tag",
        message: `turns have no "${roleTag}" key (keys: ${Object.keys(turn).join(", ")}).`,
        suggestion: Object.keys(turn).find((k) => /role|from/.test(k)),
      });
    }
    if (turn && !(contentTag in turn)) {
      problems.push({
        field: "attr.content_tag",
        message: `turns have no "${contentTag}" key (keys: ${Object.keys(turn).join(", ")}).`,
        suggestion: Object.keys(turn).find((k) => /content|value|text/.test(k)),
      });
    }
    const roles = new Set(turns.filter(isObj).map((t) => String(t[roleTag])));
    for (const tag of ["user_tag", "assistant_tag"] as const) {
      const want = attr[tag];
      if (want && roles.size > 0 && !roles.has(want) && turn && roleTag in turn) {
        problems.push({
          field: `attr.${tag}`,
          message: `no turn has ${roleTag} "${want}" (roles seen: ${[...roles].join(", ")}).`,
          suggestion: [...roles].find((r) => r !== "system"),
        });
      }
    }
  }
  for (const media of ["images", "videos"] as const) {
    const key = attr[media];
    if (key && !(key in record)) {
      const guess = listKeys.find(
        (k) => k !== messagesKey && (record[k] as unknown[]).every((v) => typeof v === "string"),
      );
      problems.push({
        field: `attr.${media}`,
        message: `the data config reads ${media} from "${key}" but the first record has no such key.`,
        suggestion: guess ?? null,
      });
    }
  }
  return problems;
}

/** The dataset family (record format) a model's data config reads, from its example directory. */
export function datasetFamilyOf(exampleDir: string): DatasetFamily | null {
  return Object.hasOwn(DATASET_FORMATS, exampleDir) ? (exampleDir as DatasetFamily) : null;
}

/**
 * A warning when the first record is in the other record format than the family's dataset class reads: InternVL
 * and DeepSeek-VL2 read `conversations`/`image` records, the Qwen/GLM families `messages`/`images`.
 */
export function recordFormatWarning(record: unknown, family: DatasetFamily | null): string | null {
  if (!family || !isObj(record)) return null;
  const expected = DATASET_FORMATS[family].record;
  const turns = record.conversations;
  const held = Array.isArray(turns)
    ? isObj(turns[0]) && "role" in turns[0]
      ? "ocr"
      : "conversation"
    : Array.isArray(record.messages)
      ? "mllm"
      : null;
  if (held && held === expected && DATASET_FORMATS[family].rules === "ming") return mingRecordWarning(record);
  if (!held || held === expected) return null;
  const shape = (f: string) =>
    f === "mllm"
      ? "MLLM messages/images"
      : f === "ocr"
        ? "DeepSeek-OCR <|User|>/<|Assistant|> conversations"
        : "conversations/image (LLaVA-style)";
  return `${family}'s dataset class reads ${shape(expected)} records, but the dataset's first record is ${shape(held)}: training would fail reading it. Convert it with prepare_dataset (family: ${family}).`;
}

/** examples/ming/vl_dataset.py's own rules, on the first record: an image, no videos, no system turn. */
function mingRecordWarning(record: Record<string, unknown>): string | null {
  const images = record.images;
  const turns = Array.isArray(record.messages) ? record.messages : [];
  const problem =
    images === undefined || images === null || (Array.isArray(images) && images.length === 0)
      ? "has no images (Ming's VLDataset reads `images` unconditionally)"
      : Array.isArray(record.videos) && record.videos.length > 0
        ? "has videos (Ming's VLDataset reads images only)"
        : turns.some((t) => isObj(t) && t.role === "system")
          ? "has a system turn (Ming's VLDataset reads every non-user turn as the assistant's)"
          : null;
  return problem
    ? `The dataset's first record ${problem}: training would fail or misread it. Check the file with validate_dataset (model: ming) and convert it with prepare_dataset (family: ming).`
    : null;
}

/** The dataset family of a model id, HF repo id or name; null when unknown or not a family with a record format. */
export function datasetFamilyForModel(model: string): DatasetFamily | null {
  const entry =
    getModel(model) ??
    (() => {
      const found = lookupModel(model);
      return found.status === "model" ? found.model : found.status === "family" ? found.candidates[0] : undefined;
    })();
  return entry ? datasetFamilyOf(entry.exampleDir) : null;
}

/** The most media paths taken from one record: enough to find a wrong root, few enough for one bounded command. */
const MEDIA_PER_RECORD = 4;

/**
 * The image and video paths a record names, as written in it: MLLM `images`/`videos` (under attr's keys), LLaVA /
 * InternVL `image`/`video` (a path or a list), DeepSeek-OCR turns' `images`. At most four, first first.
 */
export function recordMediaPaths(record: unknown, attr?: Record<string, unknown> | null): string[] {
  if (!isObj(record)) return [];
  const key = (name: string, fallback: string) =>
    attr && typeof attr[name] === "string" ? (attr[name] as string) : attr && attr[name] === null ? null : fallback;
  const keys = [key("images", "images"), key("videos", "videos"), "image", "video"].filter(
    (k): k is string => k !== null,
  );
  const out: string[] = [];
  const take = (v: unknown) => {
    for (const p of Array.isArray(v) ? v : [v]) if (typeof p === "string" && p.trim() !== "") out.push(p);
  };
  for (const k of new Set(keys)) take(record[k]);
  const turns = record.conversations;
  if (Array.isArray(turns)) for (const t of turns) if (isObj(t)) take(t.images);
  return [...new Set(out)].slice(0, MEDIA_PER_RECORD);
}
