// Types of the troubleshooting rule base: failure classes, their log signatures, causes and fixes. Plain data.

/** Failure classes. The first block follows the Ascend error taxonomy; the second is MindSpeed-MM specific. */
export const CATEGORIES = [
  "npu_oom",
  "device_busy",
  "port_in_use",
  "hccl_timeout",
  "cann_env_not_sourced",
  "driver_not_mounted",
  "torch_npu_version_mismatch",
  "cann_version_mismatch",
  "cann_python_deps_broken",
  "libgomp_static_tls",
  "import_from_source_dir",
  "npu_not_available",
  "device_p2p_driver_error",
  "aicore_error",
  "dtype_unsupported",
  "nan_loss",
  "transformers_version_conflict",
  "cuda_path_on_npu",
  "ckpt_shape_mismatch",
  "dataset_key_error",
  "nfs_cache_hang",
  "shm_bus_error",
  "disk_full",
  "permission_denied",
  "missing_weights",
  "host_oom",
  "tp_exceeds_kv_heads",
  "empty_pp_stage",
  "pp_layers_mismatch",
  "pdsh_missing",
  "windows_line_endings",
  "megatron_version_mismatch",
  "checkpoint_incomplete",
  "inference_layout_mismatch",
  "eval_data_missing",
  "inference_device_busy",
  "hub_access",
  "input_path_missing",
] as const;

export type Category = (typeof CATEGORIES)[number];

/** Named groups captured from a matching line. */
export type Groups = Readonly<Record<string, string | undefined>>;

/**
 * One thing to look for on a single log line: an exact substring, or a regular expression together with
 * literal anchors (every line the expression matches contains at least one anchor; the scanner only looks
 * at lines holding an anchor, which is what keeps multi-GB logs fast).
 */
export type Signal =
  | { readonly text: string }
  | {
      readonly re: RegExp;
      readonly anchors: readonly string[];
      /** Extra check on the named groups (for example: allocated memory far below capacity). */
      readonly when?: (groups: Groups) => boolean;
    };

export interface Trigger {
  /** The line that makes the rule fire. */
  readonly match: Signal;
  /** At least one of these must appear within `within` lines, before or after. */
  readonly near?: readonly Signal[];
  /** None of these may appear within `within` lines. */
  readonly unless?: readonly Signal[];
  /** Lines either side for `near` and `unless` (default 12). */
  readonly within?: number;
  /** The match must be seen this many times (repeated warnings such as loss-scale overflow). */
  readonly minCount?: number;
  /**
   * The match may be the source line a Python traceback prints under a frame. Such lines are code, not errors, and
   * are otherwise never matched; a bare `AssertionError` states its condition only there.
   */
  readonly sourceLine?: boolean;
  /**
   * The match counts only as the log's last non-empty line: a process that printed it and then nothing more is
   * waiting there (a hang), while the same line with output after it is a step that went on.
   */
  readonly atEnd?: boolean;
  /** 0..1: how sure a firing of this trigger makes us. */
  readonly confidence: number;
}

/** A fix as shown to people: a sentence, and commands or config changes. `<name>` placeholders are filled from
 * facts found in the log or on the host when known. */
export interface FixTemplate {
  readonly id: string;
  readonly summary: string;
  readonly commands?: readonly string[];
  /** Environment lines for the launch script. */
  readonly env?: Readonly<Record<string, string>>;
  /** Config edits in words: which file, which key, what value. */
  readonly edits?: readonly string[];
  /** Shown only when one of the finding's evidence lines matches: a fix for one kind of the rule's evidence. */
  readonly onlyWhen?: RegExp;
  /** Left out when one of the finding's evidence lines matches. */
  readonly notWhen?: RegExp;
}

/**
 * primary: a failure in its own right. secondary: usually the consequence of a failure elsewhere (a collective
 * timing out because another rank died); it ranks below any primary finding.
 */
export type RuleRole = "primary" | "secondary";

export interface DiagnosisRule {
  /** kebab-case, unique; the fixture is test/fixtures/logs/<id>.log. */
  readonly id: string;
  readonly category: Category;
  readonly title: string;
  readonly role: RuleRole;
  readonly triggers: readonly Trigger[];
  /** Regexes with named groups run on the evidence lines; the groups become facts (port, sizes, file...). */
  readonly extract?: readonly RegExp[];
  /** Rules this one explains: when both fire, those rank below this one. */
  readonly supersedes?: readonly string[];
  readonly cause: string;
  readonly fixes: readonly FixTemplate[];
  readonly references: readonly string[];
}

/**
 * How a name that is a local path starts (absolute, ./ or ../, ~, or a Windows drive, C:\\ or C:/): a name that does
 * not may be a Hub id. The hub and missing-weights rules read the same messages (transformers' "is not a local
 * folder", datasets' "doesn't exist on the Hub", "We couldn't connect to the Hub") and split them on this test.
 */
export const isLocalPath = (name: string): boolean => /^(?:[.~/]|[A-Za-z]:[\\/])/.test(name);

/** An exact substring. */
export const lit = (text: string): Signal => ({ text });

/** A regular expression; `anchors` are literals at least one of which every match contains. */
export const rx = (re: RegExp, ...anchors: string[]): Signal => ({ re, anchors });

/** A regular expression whose named groups must also pass `when`. */
export const rxWhen = (re: RegExp, anchors: string[], when: (g: Groups) => boolean): Signal => ({ re, anchors, when });

/** Each `when` test's own number: one expression read with two tests is two signals. */
const whenIds = new WeakMap<(g: Groups) => boolean, number>();
let whenCount = 0;

/** What makes two signals the same (the rules compile each once): the text, or the expression and its test. */
export function signalKey(s: Signal): string {
  if ("text" in s) return `t:${s.text}`;
  const key = `r:${s.re.source}/${s.re.flags}`;
  if (!s.when) return key;
  let id = whenIds.get(s.when);
  if (id === undefined) {
    id = whenCount++;
    whenIds.set(s.when, id);
  }
  return `${key}?${id}`;
}

export function signalAnchors(s: Signal): readonly string[] {
  return "text" in s ? [s.text] : s.anchors;
}
