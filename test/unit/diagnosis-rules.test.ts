import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileRules } from "../../src/diagnosis/compile.js";
import { grepPatterns } from "../../src/diagnosis/grep.js";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { diagnosisRules } from "../../src/knowledge/rules.js";
import { CATEGORIES, signalAnchors } from "../../src/knowledge/rules-types.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "logs");
const fixture = (id: string) => readFileSync(join(FIXTURES, `${id}.log`), "utf8");

/** The categories of the error taxonomy (reference/diagnosis/taxonomy.md); each must have a rule. */
const TAXONOMY = [
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
];

describe("rule base", () => {
  it("has unique kebab-case ids, one rule per category, and covers the taxonomy and the MindSpeed-MM FAQ classes", () => {
    const ids = diagnosisRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const cats = diagnosisRules.map((r) => r.category);
    expect(new Set(cats).size).toBe(cats.length);
    expect(new Set(cats)).toEqual(new Set(CATEGORIES));
    for (const c of [
      ...TAXONOMY,
      "tp_exceeds_kv_heads",
      "empty_pp_stage",
      "pdsh_missing",
      "windows_line_endings",
      "megatron_version_mismatch",
    ]) {
      expect(cats).toContain(c);
    }
  });

  it("gives every rule a cause, fixes with commands or edits, references and sane confidences", () => {
    for (const r of diagnosisRules) {
      expect(r.cause.length, r.id).toBeGreaterThan(40);
      expect(r.fixes.length, r.id).toBeGreaterThan(0);
      expect(
        r.fixes.some((f) => f.commands || f.env || f.edits),
        r.id,
      ).toBe(true);
      expect(r.references.length, r.id).toBeGreaterThan(0);
      expect(new Set(r.fixes.map((f) => f.id)).size, r.id).toBe(r.fixes.length);
      for (const t of r.triggers) {
        expect(t.confidence).toBeGreaterThan(0);
        expect(t.confidence).toBeLessThan(1);
      }
    }
  });

  it("anchors signals with literals long enough for the fast scan, and never gates out a real matching line", () => {
    const compiled = compileRules(diagnosisRules);
    for (const r of diagnosisRules) {
      for (const t of r.triggers) {
        for (const a of signalAnchors(t.match)) expect(Buffer.byteLength(a), `${r.id}: ${a}`).toBeGreaterThanOrEqual(7);
      }
    }
    // The scan skips by its shortest literal: one short anchor anywhere (a near signal, a code) slows every byte.
    expect(compiled.scanner.window).toBeGreaterThanOrEqual(7);
    const corpus = readFileSync(join(FIXTURES, "..", "diagnosis", "corpus.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { log: string }).log);
    const lines = [...diagnosisRules.map((r) => fixture(r.id)), ...corpus].flatMap((t) => t.split("\n"));
    for (const [i, p] of compiled.patterns.entries()) {
      // Suspicion, code and frame patterns use their anchors as a gate on purpose.
      if (!p.key.startsWith("r:") || compiled.suspicion[i]! > 0) continue;
      if (i === compiled.codePattern || i === compiled.framePattern) continue;
      for (const line of lines) {
        if (p.test(line) === null) continue;
        expect(
          p.anchors.some((a) => line.includes(a)),
          `${p.key} matches a line holding none of its anchors: ${line}`,
        ).toBe(true);
      }
    }
  });

  it("has a fixture log per rule that the rule matches as the top finding, and no fixture without a rule", () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".log"));
    expect(files.sort()).toEqual(diagnosisRules.map((r) => `${r.id}.log`).sort());
    for (const r of diagnosisRules) {
      const top = diagnoseText(fixture(r.id)).findings[0]!;
      expect(top.rule, `fixture ${r.id}.log`).toBe(r.id);
      expect(top.category).toBe(r.category);
      expect(top.confidence).toBeGreaterThan(0.5);
      expect(top.evidence.length).toBeGreaterThan(0);
    }
  });

  it("points the evidence at the lines that carry the signature", () => {
    for (const r of diagnosisRules) {
      const lines = fixture(r.id).split("\n");
      const top = diagnoseText(fixture(r.id)).findings[0]!;
      for (const e of top.evidence) expect(lines[e.line - 1], `${r.id} line ${e.line}`).toBe(e.text);
    }
  });

  it("fills fix placeholders from facts read in the log", () => {
    const port = diagnoseText(fixture("port-in-use")).findings[0]!;
    expect(port.facts.port).toBe("60000");
    expect(port.fixes.find((f) => f.id === "find-holder")?.commands).toContain("ss -ltnp 'sport = :60000'");
    const crlf = diagnoseText(fixture("windows-line-endings")).findings[0]!;
    expect(crlf.facts.file).toBe("examples/qwen2.5vl/finetune_qwen2_5_vl_7b.sh");
    const key = diagnoseText(fixture("dataset-key-error")).findings[0]!;
    expect(key.facts.key).toBe("'messages'");
  });

  it("exports the signatures as ERE that grep accepts and that match every fixture", () => {
    const patterns = grepPatterns();
    expect(patterns.length).toBeGreaterThan(100);
    for (const r of diagnosisRules) {
      const g = spawnSync("grep", ["-c", "-E", "-e", patterns.join("\n")], {
        input: fixture(r.id),
        encoding: "utf8",
        env: { ...process.env, LC_ALL: "C" },
      });
      expect(g.stderr, r.id).toBe("");
      expect(Number(g.stdout), r.id).toBeGreaterThan(0);
    }
  });
});
