// A question to ask a trained checkpoint when the caller brings none: the first record of the run's own training data
// that has an image, read from the head of the dataset file (a JSON array or JSON Lines; never the whole file), its
// user turn as the prompt and its first image resolved against the data config's dataset_dir.
import { posix } from "node:path";
import { type DataAttr, mllmKeys } from "../datasets/formats.js";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});

/** Where a run's training records are, from its data config (dataset_param.basic_parameters and attr). */
export interface TrainingData {
  /** The first dataset file the data config names, absolute. */
  file: string;
  /** The directory images are relative to, absolute. */
  imageDir: string;
  /** Key names of the records (the data config's attr: messages, images, role_tag, content_tag, user_tag). */
  attr: DataAttr;
}

/** The training data a MindSpeed-MM data config reads, with paths made absolute against `workdir`. */
export function trainingDataOf(dataConfig: unknown, workdir: string): TrainingData | null {
  const dp = obj(obj(dataConfig).dataset_param ?? dataConfig);
  const basic = obj(dp.basic_parameters);
  const first = typeof basic.dataset === "string" ? basic.dataset.split(",").find((p) => p.trim()) : undefined;
  if (!first) return null;
  const abs = (p: string) => (p.startsWith("/") ? posix.normalize(p) : posix.join(workdir, p));
  const file = abs(first.trim());
  const dir = typeof basic.dataset_dir === "string" && basic.dataset_dir ? abs(basic.dataset_dir) : posix.dirname(file);
  return { file, imageDir: dir, attr: obj(dp.attr) as DataAttr };
}

/**
 * The complete records at the head of a JSON array or JSON Lines text that may be cut anywhere: the cut record and
 * anything after it are left out. Strings (with their escapes) are skipped, so brackets inside text do not count.
 */
export function headRecords(text: string, limit = 64): unknown[] {
  const body = text.replace(/^\uFEFF/, "").trimStart();
  const out: unknown[] = [];
  if (!body.startsWith("[")) {
    for (const line of body.split("\n")) {
      if (out.length >= limit) break;
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        break;
      }
    }
    return out;
  }
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 1; i < body.length && out.length < limit; i++) {
    const c = body[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      if (depth === 0) break;
      depth--;
      if (depth === 0 && start >= 0) {
        try {
          out.push(JSON.parse(body.slice(start, i + 1)));
        } catch {
          break;
        }
        start = -1;
      }
    }
  }
  return out;
}

/** The user's words and first image of a record (MLLM `messages`/`images` or LLaVA `conversations`/`image`). */
export function samplePrompt(record: unknown, data: TrainingData): { prompt: string; image: string } | null {
  const r = obj(record);
  const keys = mllmKeys(data.attr);
  const images = r[keys.images ?? "images"] ?? r.image;
  const image = Array.isArray(images) ? images.find((x) => typeof x === "string") : images;
  if (typeof image !== "string" || !image) return null;
  const turns = r[keys.messages] ?? r.conversations;
  if (!Array.isArray(turns)) return null;
  const user = turns.map(obj).find((t) => [keys.user, "user", "human"].includes(String(t[keys.role] ?? t.from ?? "")));
  const words = String(user?.[keys.content] ?? user?.value ?? "")
    .replace(/<image>/g, "")
    .trim();
  if (!words) return null;
  const path = image.startsWith("/") ? posix.normalize(image) : posix.join(data.imageDir, image);
  return { prompt: words.slice(0, 4000), image: path };
}
