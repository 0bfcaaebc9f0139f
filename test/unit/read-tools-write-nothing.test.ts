// Truthful annotations: a tool advertised as read-only (readOnlyHint) must write nothing on a host. Every "read" tool
// runs here against a real local host wrapped in a recorder: no writeFile, no spawnDetached, no command that writes
// (redirection into a file, mv, cp, tee, mkdir, ln, base64 -d), and no new file in the host's directory.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { HostExecutor } from "../../src/hosts/executor.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { allTools } from "../../src/tools/index.js";
import { invokeTool } from "../../src/tools/invoke.js";
import { annotationsFor } from "../../src/tools/tool.js";

const dir = mkdtempSync(join(tmpdir(), "read-tools-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, "logs"));

const mm = (i: number) =>
  ` [2026-04-28 10:00:00] iteration ${String(i).padStart(8)}/     100 | consumed samples: ${i * 8} | elapsed time per iteration (ms): 1500.0 | learning rate: 1.000000E-05 | global batch size:     8 | loss: ${(5 - i / 100).toExponential(6).toUpperCase()} | grad norm: 2.000 |`;
const log = join(dir, "logs", "train.log");
writeFileSync(log, `${Array.from({ length: 40 }, (_, i) => mm(i + 1)).join("\n")}\n`);
const data = join(dir, "data.json");
writeFileSync(
  data,
  JSON.stringify([
    {
      id: "t",
      conversations: [
        { from: "human", value: "hi" },
        { from: "gpt", value: "hello" },
      ],
    },
  ]),
);

/** One valid call per read tool; a read tool missing here fails the first test, so none escapes the check. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  tail_logs: { host: "h", logFile: log, chart: true, history: true },
  diagnose_error: { host: "h", logFile: log },
  validate_dataset: { host: "h", path: data, checkImages: false },
  list_runs: { host: "h" },
  list_hosts: {},
  find_model: { query: "qwen2.5-vl-7b" },
  estimate_memory: { model: "qwen2.5vl-7b", host: "h", logFile: log },
  audit_log: { limit: 5 },
  check_env: { host: "h" },
  plan_finetune: { model: "qwen2.5-vl-7b", host: "h", dataset: data },
};

/**
 * Commands that put bytes into a file: a redirection to a path or variable, or a command that creates or moves files.
 * `2>&1`, `> /dev/null`, comparisons (`NR>1`) and scratch output in a private `mktemp -d` directory ($TMPD, removed
 * by the probe) are not writes to the host.
 */
const SHELL_WRITE =
  /(^|[^0-9&>=<-])>>?\s*["']?(?!\$TMPD\b|"\$TMPD|\/dev\/null)(\$|\/|~|\.\/)|\b(mv|cp|tee|ln|mkdir|truncate)\s|base64\s+(-d|--decode)/;
const SCRATCH = /mktemp -d/;

interface Recorded {
  writes: string[];
  detached: string[];
  shellWrites: string[];
}

function recording(inner: HostExecutor, rec: Recorded): HostExecutor {
  const r = Object.create(inner) as HostExecutor;
  r.writeFile = async (path, content, opts) => {
    rec.writes.push(path);
    return inner.writeFile(path, content, opts);
  };
  r.spawnDetached = async (argv, opts) => {
    rec.detached.push(argv.join(" "));
    return inner.spawnDetached(argv, opts);
  };
  const check = (text: string) => {
    // A here-document or Python program on stdin is code, not a redirection; only the shell lines are checked.
    for (const line of text.split("\n"))
      if (SHELL_WRITE.test(line) && !SCRATCH.test(line)) rec.shellWrites.push(line.trim().slice(0, 200));
  };
  r.run = async (argv, opts) => {
    if (argv[0] === "sh" || argv[0] === "bash") check(argv.slice(1).join(" "));
    else if (["mv", "cp", "tee", "mkdir", "ln", "rm", "install"].includes(argv[0]!))
      rec.shellWrites.push(argv.join(" "));
    return inner.run(argv, opts);
  };
  r.runScript = async (script, opts) => {
    check(script);
    return inner.runScript(script, opts);
  };
  return r;
}

const listing = (d: string): string[] => readdirSync(d, { recursive: true, withFileTypes: false }).map(String).sort();

describe("read tools write nothing on a host", () => {
  const readTools = allTools.filter((t) => t.kind === "read");

  it("every read-only tool has a sample call, and only read tools claim readOnlyHint", () => {
    expect(readTools.map((t) => t.name).sort()).toEqual(Object.keys(SAMPLES).sort());
    for (const t of allTools) expect(annotationsFor(t).readOnlyHint).toBe(t.kind === "read");
  });

  for (const name of Object.keys(SAMPLES)) {
    it(`${name} succeeds without writing`, async () => {
      const tool = allTools.find((t) => t.name === name)!;
      const rec: Recorded = { writes: [], detached: [], shellWrites: [] };
      const settings = HostSettingsSchema.parse({ workdir: dir, allowedDirs: [dir] });
      const hosts = new HostRegistry({ file: null, hosts: { h: settings } }, async () =>
        recording(new LocalExecutor("h", settings), rec),
      );
      const before = listing(dir);
      try {
        const outcome = await invokeTool(tool, SAMPLES[name], {
          hosts,
          now: () => new Date(),
          progress: () => {},
          log: () => {},
        });
        expect(outcome.ok ? "ok" : outcome.error).toBe("ok");
        if (name === "tail_logs" && outcome.ok) {
          expect(outcome.attachments.map((a) => a.mimeType)).toEqual(["image/png"]);
        }
      } finally {
        await hosts.closeAll();
      }
      expect(rec).toEqual({ writes: [], detached: [], shellWrites: [] });
      expect(listing(dir)).toEqual(before);
    }, 60_000);
  }
});
