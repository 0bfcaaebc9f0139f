// Does a dataset record fit a data config's `dataset_param.attr`? Pure: the first record in, findings out.
import type { DataAttr } from "./formats.js";

export interface AttrCheck {
  ok: boolean;
  /** Mismatches that break or silently change training. */
  problems: string[];
  /** Suspicious but workable. */
  warnings: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** A record's own field: an attr naming "constructor" or "__proto__" finds nothing, not Object.prototype's member. */
const own = (record: Record<string, unknown>, key: string): unknown =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * Compares one record (usually the first of the file) with an attr section: the messages key, role/content tags,
 * role values, and the media keys. A conversation-style record (LLaVA) against an MLLM attr gets a hint to convert.
 */
export function checkDatasetAgainstAttr(firstRecord: unknown, attr: DataAttr): AttrCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const done = () => ({ ok: problems.length === 0, problems, warnings });
  if (!isObject(firstRecord)) {
    problems.push("the record is not a JSON object");
    return done();
  }
  const keys = Object.keys(firstRecord);
  const messagesKey = attr.messages ?? "conversations";
  const turns = own(firstRecord, messagesKey);
  if (turns === undefined) {
    const hint =
      Object.hasOwn(firstRecord, "conversations") && messagesKey !== "conversations"
        ? " The record is in LLaVA/conversation form; convert it with prepare_dataset (to: mllm)."
        : "";
    problems.push(
      `attr.messages is "${messagesKey}" but the record has no such key (keys: ${keys.join(", ")}).${hint}`,
    );
    return done();
  }
  if (!Array.isArray(turns) || turns.length === 0) {
    problems.push(`"${messagesKey}" must be a non-empty list of turns.`);
    return done();
  }
  const roleTag = attr.role_tag ?? "from";
  const contentTag = attr.content_tag ?? "value";
  const roleValues = new Map<string, string>();
  for (const [name, tag] of [
    ["user_tag", attr.user_tag],
    ["assistant_tag", attr.assistant_tag],
    ["system_tag", attr.system_tag],
    ["observation_tag", attr.observation_tag],
    ["function_tag", attr.function_tag],
  ] as const) {
    if (tag) roleValues.set(tag, name);
  }
  const seen = new Set<string>();
  turns.forEach((turn, i) => {
    if (!isObject(turn)) {
      problems.push(`${messagesKey}[${i}] is not an object.`);
      return;
    }
    if (!Object.hasOwn(turn, roleTag)) {
      const present = Object.keys(turn).join(", ");
      problems.push(`${messagesKey}[${i}] has no "${roleTag}" (attr.role_tag); it has: ${present}.`);
    }
    if (!Object.hasOwn(turn, contentTag))
      problems.push(`${messagesKey}[${i}] has no "${contentTag}" (attr.content_tag).`);
    const role = own(turn, roleTag);
    if (typeof role === "string") {
      seen.add(role);
      if (roleValues.size > 0 && !roleValues.has(role)) {
        const known = [...roleValues.keys()].map((r) => `"${r}"`).join(", ");
        problems.push(`${messagesKey}[${i}] has role "${role}", which attr does not name (known: ${known}).`);
      }
    }
  });
  if (attr.user_tag && seen.size > 0 && !seen.has(attr.user_tag)) {
    warnings.push(`no turn has the user role "${attr.user_tag}".`);
  }
  const text = turns
    .map((t) => {
      const content = isObject(t) ? own(t, contentTag) : undefined;
      return typeof content === "string" ? content : "";
    })
    .join("\n");
  const count = (tag: string) => text.split(tag).length - 1;
  checkMedia(firstRecord, attr.images, "images", count("<image>"), problems, warnings);
  checkMedia(firstRecord, attr.videos, "videos", count("<video>"), problems, warnings);
  if (attr.system && firstRecord[attr.system] !== undefined && typeof firstRecord[attr.system] !== "string") {
    problems.push(`attr.system is "${attr.system}" but that field is not a string.`);
  }
  return done();
}

function checkMedia(
  record: Record<string, unknown>,
  key: string | null | undefined,
  kind: "images" | "videos",
  placeholders: number,
  problems: string[],
  _warnings: string[],
): void {
  const usual = kind === "images" ? ["images", "image"] : ["videos", "video"];
  if (!key) {
    const present = usual.find((k) => {
      const v = own(record, k);
      return typeof v === "string" || (Array.isArray(v) && v.length > 0);
    });
    if (present) {
      problems.push(`the record has "${present}" but attr.${kind} is null, so its ${kind} would be ignored.`);
    }
    return;
  }
  const value = own(record, key);
  if (value === undefined) {
    const alt = usual.find((k) => k !== key && own(record, k) !== undefined);
    problems.push(
      `attr.${kind} is "${key}" but the record has no such key${alt ? ` (it has "${alt}")` : ""}; text-only records should still carry an empty list.`,
    );
    return;
  }
  if (!Array.isArray(value) || value.some((p) => typeof p !== "string")) {
    problems.push(`"${key}" must be a list of path strings.`);
    return;
  }
  const tag = kind === "images" ? "<image>" : "<video>";
  if (placeholders !== value.length) {
    problems.push(`the record has ${placeholders} ${tag} placeholder(s) but ${value.length} entr(ies) in "${key}".`);
  }
}
