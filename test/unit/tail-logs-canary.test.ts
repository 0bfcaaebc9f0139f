// A canary (launch_train canary: a few iterations under a run id of its own, no checkpoint) is not what tail_logs
// reads when no run id is given, and a canary it is asked for offers the real run, never an export, inference or score.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { renderHints } from "../../src/text/hint.js";
import tailLogs from "../../src/tools/tail-logs.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { ledgerFileOf, runRecord } from "../helpers/run-record.js";

const REAL = "run-20261201-100000-aaaa";
const CANARY = "run-20261202-100000-cccc";
const BARE_CANARY = "run-20261203-100000-dddd";
let dir: string;
let hosts: HostRegistry;
const deps = (): ToolDeps => ({ hosts, now: () => new Date(), progress: () => undefined, log: () => undefined });
const line = (i: number, of: number) =>
  `iteration ${i}/${of} | consumed samples: ${i * 8} | elapsed time per iteration (ms): 500.0 | learning rate: 1.000000E-05 | global batch size: 8 | loss: ${(2 - i / 20).toFixed(3)} | grad norm: 1.000 |`;
const ledger = () => join(dir, ".ascend-train", "runs");

/** A run whose log reached `reached` of `of` iterations and whose process is gone. */
function layRun(id: string, day: number, reached: number, of: number, over: Parameters<typeof runRecord>[1] = {}) {
  const root = join(dir, id);
  mkdirSync(root, { recursive: true });
  const iterations = Array.from({ length: reached }, (_, i) => line(i + 1, of));
  writeFileSync(join(root, "train.log"), `${iterations.join("\n")}\n`);
  const createdAt = new Date(`2026-12-0${day}T10:00:00Z`);
  writeFileSync(ledgerFileOf(dir, id), JSON.stringify(runRecord({ id, workdir: dir, root, createdAt }, over)));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tail-canary-"));
  mkdirSync(ledger(), { recursive: true });
  hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({ workdir: dir }) } });
  layRun(REAL, 1, 20, 20);
  // As launch_train canary leaves it: its script copy in the ledger, stopped, no save directory, what it measured.
  layRun(CANARY, 2, 5, 5, {
    script: join(ledger(), `${CANARY}.finetune.canary.sh`),
    saveDir: null,
    trainIters: 5,
    state: "stopped",
    stoppedAt: "2026-12-02T10:01:00Z",
    stopSignal: "TERM",
    canaryOf: { script: join(dir, "finetune.sh"), iterations: 5 },
  });
  // A canary stopped before it ended whose record does not say what it measured: known by its script copy.
  layRun(BARE_CANARY, 3, 3, 8, {
    script: join(ledger(), `${BARE_CANARY}.finetune.canary.sh`),
    saveDir: null,
    state: "stopped",
    stoppedAt: "2026-12-03T10:01:00Z",
    stopSignal: "SIGTERM",
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tail_logs and canaries", () => {
  it("without a run id reads the newest run that is not a canary, naming the canaries it passed over", async () => {
    const r = await tailLogs.handle(tailLogs.input.parse({ host: "local" }), deps());
    expect(r.runId).toBe(REAL);
    expect(renderHints(r.notes[0])).toBe(
      `${REAL} is the newest run in local's ledger (no run id was given). Newer canaries passed over: ${BARE_CANARY}, ${CANARY} (tail_logs {runId: "${BARE_CANARY}", host: "local"} reads one).`,
    );
  });

  it("offers a finished canary's real run, never export_model, run_inference or evaluate_model", async () => {
    const r = await tailLogs.handle(tailLogs.input.parse({ runId: CANARY }), deps());
    expect(r.state).toBe("finished");
    const text = renderHints(tailLogs.summarize!(r));
    expect(text).not.toMatch(/export_model|run_inference|evaluate_model/);
    expect(r.canary).toEqual({ iterations: 5, script: join(dir, "finetune.sh"), hosts: ["local"] });
    expect(text).toContain(
      `Next: ${CANARY} is a canary of 5 iterations (launch_train's short trial run): it saved no checkpoint, so there is nothing to resume, export, try or score. Start the real run with launch_train {host: "local", script: "${join(dir, "finetune.sh")}"}`,
    );
  });

  it("knows a canary by its script copy when its record does not say what it measured", async () => {
    const r = await tailLogs.handle(tailLogs.input.parse({ runId: BARE_CANARY }), deps());
    expect(r.state).toBe("stopped");
    const text = renderHints(tailLogs.summarize!(r));
    expect(text).not.toMatch(/export_model|run_inference|evaluate_model|resume_run/);
    expect(r.canary).toMatchObject({ script: null, hosts: ["local"] });
    expect(text).toContain(`${BARE_CANARY} is a canary (launch_train's short trial run)`);
  });
});
