// Turns scan results (one per file) into ranked findings: the earliest strong primary error first, secondary
// timeouts and explained-away findings after it, and `unknown` with the most suspicious lines when nothing matched.
import type { DiagnosisRule, FixTemplate } from "../knowledge/rules-types.js";
import type { CompiledRules } from "./compile.js";
import { defaultCompiled } from "./compile.js";
import type { EvidenceLine, Finding, FixStep, RuleFiring, ScanResult, Verdict } from "./types.js";

const MAX_EVIDENCE = 6;
const MAX_UNKNOWN_EVIDENCE = 8;

interface Merged {
  rule: DiagnosisRule;
  confidence: number;
  count: number;
  triggers: number;
  evidence: EvidenceLine[];
  /** Ordering key of the earliest firing: time when known, then file order, then line. */
  first: { time?: number; order: number; line: number };
}

/** Within one file, line order is time order; across files, timestamps decide when both are known. */
function earlier(a: Merged["first"], b: Merged["first"]): boolean {
  if (a.order === b.order) return a.line < b.line;
  if (a.time !== undefined && b.time !== undefined && a.time !== b.time) return a.time < b.time;
  return a.order < b.order;
}

function merge(scans: ScanResult[], c: CompiledRules): Merged[] {
  const byRule = new Map<number, Merged>();
  for (const scan of scans) {
    for (const f of scan.firings) {
      const first = {
        time: f.evidence.find((e) => e.line === f.firstLine)?.time ?? f.evidence[0]?.time,
        order: scan.order,
        line: f.firstLine,
      };
      const m = byRule.get(f.rule);
      if (!m) {
        byRule.set(f.rule, fromFiring(f, c, first));
        continue;
      }
      m.count += f.count;
      m.triggers = Math.max(m.triggers, f.triggers.size);
      m.confidence = Math.max(m.confidence, f.confidence);
      if (earlier(first, m.first)) {
        m.first = first;
        m.evidence = [...f.evidence, ...m.evidence].slice(0, MAX_EVIDENCE);
      } else {
        m.evidence.push(...f.evidence.slice(0, Math.max(0, MAX_EVIDENCE - m.evidence.length)).slice(0, 2));
      }
    }
  }
  return [...byRule.values()];
}

function fromFiring(f: RuleFiring, c: CompiledRules, first: Merged["first"]): Merged {
  return {
    rule: c.rules[f.rule]!,
    confidence: f.confidence,
    count: f.count,
    triggers: f.triggers.size,
    evidence: [...f.evidence],
    first,
  };
}

/** Facts from the rule's extract regexes over its evidence lines (first value wins). */
export function extractFacts(rule: DiagnosisRule, evidence: EvidenceLine[]): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const re of rule.extract ?? []) {
    for (const text of evidence.flatMap((e) => [e.text, ...(e.context ?? [])])) {
      const g = re.exec(text)?.groups;
      if (!g) continue;
      for (const [k, v] of Object.entries(g)) if (v !== undefined && facts[k] === undefined) facts[k] = v;
    }
  }
  return facts;
}

const PLACEHOLDER = /<([a-z_]+)>/g;

/** Fills `<name>` placeholders that have a value; leaves the others for people to fill. */
export function fill(text: string, facts: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => facts[name] ?? whole);
}

export function renderFix(t: FixTemplate, facts: Record<string, string>): FixStep {
  const step: FixStep = { id: t.id, summary: fill(t.summary, facts) };
  if (t.commands) step.commands = t.commands.map((c) => fill(c, facts));
  if (t.env) step.env = Object.fromEntries(Object.entries(t.env).map(([k, v]) => [k, fill(v, facts)]));
  if (t.edits) step.edits = t.edits.map((e) => fill(e, facts));
  return step;
}

const tier = (confidence: number) => (confidence >= 0.8 ? 2 : confidence >= 0.6 ? 1 : 0);
const round = (x: number) => Math.round(x * 100) / 100;

function toFinding(m: Merged): Finding {
  const evidence = [...m.evidence].sort((a, b) => (a.file === b.file ? a.line - b.line : 0));
  const facts = extractFacts(m.rule, evidence);
  const bonus = Math.min(0.06, 0.03 * (m.triggers - 1));
  return {
    category: m.rule.category,
    rule: m.rule.id,
    title: m.rule.title,
    confidence: round(Math.min(0.99, m.confidence + bonus)),
    role: m.rule.role,
    occurrences: m.count,
    evidence,
    cause: m.rule.cause,
    fixes: m.rule.fixes.map((f) => renderFix(f, facts)),
    references: [...m.rule.references],
    facts,
  };
}

function rank(merged: Merged[]): Finding[] {
  const fired = new Set(merged.map((m) => m.rule.id));
  const explainedBy = new Map<string, string>();
  for (const m of merged)
    for (const s of m.rule.supersedes ?? []) if (fired.has(s) && !explainedBy.has(s)) explainedBy.set(s, m.rule.id);
  const isLead = (m: Merged) => m.rule.role === "primary" && !explainedBy.has(m.rule.id);
  const leads = merged.filter(isLead);
  leads.sort(
    (a, b) =>
      tier(b.confidence) - tier(a.confidence) ||
      (earlier(a.first, b.first) ? -1 : earlier(b.first, a.first) ? 1 : 0) ||
      b.confidence - a.confidence,
  );
  const top = leads[0];
  const rest = merged.filter((m) => !isLead(m));
  const findings = leads.map(toFinding);
  const followers = rest.map((m) => {
    const f = toFinding(m);
    const by = explainedBy.get(m.rule.id);
    if (by) {
      f.explainedBy = by;
      f.confidence = round(f.confidence * 0.6);
    } else if (top) {
      f.secondaryTo = top.rule.id;
      f.confidence = round(f.confidence * 0.7);
    }
    return { f, m };
  });
  followers.sort((a, b) => b.f.confidence - a.f.confidence || (earlier(a.m.first, b.m.first) ? -1 : 1));
  // With no primary at all, a secondary finding (a timeout on its own) leads.
  return [...findings, ...followers.map((x) => x.f)];
}

function unknownFinding(scans: ScanResult[]): Finding {
  const lines = scans.flatMap((s) => s.suspicious.map((x) => ({ ...x, order: s.order })));
  lines.sort((a, b) => b.score - a.score || a.order - b.order || a.evidence.line - b.evidence.line);
  const picked = lines
    .slice(0, MAX_UNKNOWN_EVIDENCE)
    .sort((a, b) => a.order - b.order || a.evidence.line - b.evidence.line);
  return {
    category: "unknown",
    rule: "unknown",
    title: "No known failure signature",
    confidence: 0,
    role: "primary",
    occurrences: 0,
    evidence: picked.map((x) => x.evidence),
    cause:
      picked.length > 0
        ? "No rule matched. These are the most suspicious lines; the earliest error among them is the place to start."
        : "No rule matched and no line looks like an error.",
    fixes: [
      {
        id: "more-logs",
        summary:
          "Get more detail: run with ASCEND_GLOBAL_LOG_LEVEL=1 and read the newest plog, and check every rank's log.",
        commands: ["ls -t ~/ascend/log/debug/plog | head"],
        env: { ASCEND_GLOBAL_LOG_LEVEL: "1", ASCEND_SLOG_PRINT_TO_STDOUT: "0" },
      },
    ],
    references: [],
    facts: {},
  };
}

function summarize(findings: Finding[], stats: Verdict["stats"]): string {
  const top = findings[0];
  if (!top) return "No findings.";
  if (top.category === "unknown") {
    return stats.bytes === 0
      ? "unknown: the input is empty"
      : `unknown: no known failure signature (${top.evidence.length} suspicious line(s))`;
  }
  const ev = top.evidence[0];
  const where = ev ? ` at ${ev.file ? `${ev.file}:` : "line "}${ev.line}${ev.source ? ` [${ev.source}]` : ""}` : "";
  return `${top.category} (${top.confidence.toFixed(2)}): ${top.title}${where}`;
}

export function buildVerdict(scans: ScanResult[], compiled: CompiledRules = defaultCompiled()): Verdict {
  const stats = {
    files: scans.length,
    bytes: scans.reduce((n, s) => n + s.stats.bytes, 0),
    lines: scans.reduce((n, s) => n + s.stats.lines, 0),
    skippedBytes: scans.reduce((n, s) => n + s.stats.skippedBytes, 0),
  };
  const notes = scans.flatMap((s) => s.notes.map((n) => (s.file && scans.length > 1 ? `${s.file}: ${n}` : n)));
  for (const s of scans) {
    const name = s.file ? `${s.file} ` : "The input ";
    if (s.stats.binary) notes.push(`${name}looks binary, not a text log; nothing was diagnosed.`);
    else if (s.stats.bytes === 0) notes.push(`${name}is empty.`);
  }
  const npu = scans.reduce((n, s) => n + s.markers.npu, 0);
  const cuda = scans.reduce((n, s) => n + s.markers.cuda, 0);
  if (cuda > 0 && npu === 0) {
    notes.push(
      "The error lines name CUDA/NCCL and no NPU stack: this looks like a GPU log. Device-independent findings still apply.",
    );
  }
  const findings = rank(merge(scans, compiled));
  if (findings.length === 0) findings.push(unknownFinding(scans));
  return { summary: summarize(findings, stats), findings, stats, notes: [...new Set(notes)] };
}
