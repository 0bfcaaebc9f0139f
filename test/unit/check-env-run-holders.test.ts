// check_env on a host whose run ledger holds runs: the ports and NPUs a run of the ledger holds are named as that
// run's, on a host read through a scripted executor (the ports and process groups a real host reports).
import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/env/facts.js";
import type { RunRecord } from "../../src/runs/types.js";
import { renderHints } from "../../src/text/hint.js";
import checkEnv from "../../src/tools/check-env.js";
import { fixtureBody, hostSettings, probeOutput, scriptedHosts } from "./check-env-scenarios.js";

const LEDGER = "/home/ma/MindSpeed-MM/.ascend-train/runs";
const MARK = "\u0001ascend-train-ledger ";
const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const byId = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);

function runRecord(id: string, pid: number, over: Partial<RunRecord> = {}): RunRecord {
  return {
    version: 1,
    id,
    createdAt: `${id.slice(4, 8)}-${id.slice(8, 10)}-${id.slice(10, 12)}T${id.slice(13, 15)}:${id.slice(15, 17)}:00Z`,
    hosts: ["box"],
    nodes: [
      {
        host: "box",
        nodeRank: 0,
        pid,
        startTicks: 100,
        logFile: `/home/ma/MindSpeed-MM/logs/train_${id}.log`,
        wrapper: `${LEDGER}/${id}.sh`,
        exitFile: `${LEDGER}/${id}.exit`,
        ledgerFile: `${LEDGER}/${id}.json`,
      },
    ],
    workdir: "/home/ma/MindSpeed-MM",
    script: "/home/ma/MindSpeed-MM/configs/qwen2.5vl-3b/finetune_qwen2_5_vl_3b.sh",
    command: ["bash", `${LEDGER}/${id}.sh`],
    env: {},
    configHashes: {},
    saveDir: null,
    loadDir: null,
    masterAddr: "localhost",
    masterPort: 6000,
    parallel: { tp: 1, pp: 1, cp: 1, nnodes: 1, npusPerNode: 8 },
    trainIters: 2000,
    state: "launched",
    stoppedAt: null,
    stopSignal: null,
    resumedFrom: null,
    resumeIteration: null,
    scheduler: [],
    ...over,
  };
}

/**
 * A host with these ledger records whose NPUs are held by the busy fixture's pids (16143…16150, all in process group
 * `group`), listening on `ports`; `alive` are the wrapper pids that still run (with `members` live group members).
 */
function hostWithRuns(opts: {
  records: RunRecord[];
  ports: number[];
  group?: number;
  alive?: number[];
  members?: Record<number, number>;
  busy?: boolean;
}) {
  const sections = {
    ports: [22, ...opts.ports].map(hex).join("\n"),
    ...(opts.busy === false
      ? {}
      : {
          "npu-smi": `path=/usr/local/sbin/npu-smi\nrc=0\n${fixtureBody("npu-smi-info-910b-busy.txt")}`,
          "npu-procs": range(16143, 8)
            .map((p) => `  ${p} ma       3600 /home/ma/venv/bin/python pretrain_vlm.py`)
            .join("\n"),
        }),
  };
  const { deps, executors } = scriptedHosts({ box: { stdout: probeOutput(sections), settings: hostSettings() } });
  const box = executors.get("box")!;
  box
    .on(/ascend-train-ledger/, {
      stdout: opts.records.map((r) => `\n${MARK}${LEDGER}/${r.id}.json\n${JSON.stringify(r)}`).join(""),
    })
    .on(/^ps -o pid=,pgid= -p/, (command) => ({
      stdout: (/-p (\S+)/.exec(command)?.[1] ?? "")
        .split(",")
        .map((p) => `${p} ${opts.group ?? 1}`)
        .join("\n"),
    }))
    .on(/groups=\$\(ps -eo pgid=,stat=/, (command) => ({
      stdout: [...command.matchAll(/^g=(\d+);/gm)]
        .map(([, g]) => {
          const pid = Number(g);
          const up = opts.alive?.includes(pid) ? 1 : 0;
          return `live ${pid} ${up} ${opts.members?.[pid] ?? (up ? 10 : 0)} ${up ? 100 : "-"} -`;
        })
        .join("\n"),
    }))
    .on(/^stat -c/, { stdout: "0 200" });
  for (const r of opts.records)
    box.files.set(
      r.nodes[0]!.logFile,
      " iteration       58/    2000 | consumed samples: 464 | elapsed time per iteration (ms): 6603.7 | learning rate: 1.000000E-05 | global batch size: 8 | lm loss: 1.016570E+00 | grad norm: 5.001 |\n",
    );
  return { deps, box };
}

async function check(host: ReturnType<typeof hostWithRuns>, args: Record<string, unknown> = {}) {
  return checkEnv.handle(checkEnv.input.parse({ host: "box", ...args }), host.deps);
}

describe("check_env names the HCCL ports of the host's own run", () => {
  const id = "run-20261203-120000-aaaa";

  it("the ranks of a live run listen on its HCCL ports: named as the run's, not a conflict", async () => {
    const host = hostWithRuns({
      records: [runRecord(id, 16100)],
      ports: [6000, ...range(60000, 8)],
      group: 16100,
      alive: [16100],
    });
    const r = await check(host);
    expect(byId(r.findings, "hccl-ports-in-use")).toEqual([]);
    const [own] = byId(r.findings, "hccl-ports-in-use-by-run");
    expect(own).toMatchObject({
      severity: "info",
      title: `HCCL ports 60000-60007 are in use by ${id} (running, iteration 58/2000)`,
      evidence: "listening: 60000, 60001, 60002, 60003, 60004, 60005, 60006, 60007",
    });
    expect(renderHints(own!.fix)).toBe(
      'for a second run beside it, launch with HCCL_IF_BASE_PORT=60016: launch_train {env: {"HCCL_IF_BASE_PORT":"60016"}}',
    );
    expect(byId(r.findings, "master-port-in-use-by-run")).toHaveLength(1);
    expect(r.ok).toBe(true);
  });

  it("the run's own HCCL base decides which ports are its: a listener below it stays a conflict", async () => {
    const host = hostWithRuns({
      records: [runRecord(id, 16100, { hcclBasePort: 60008 })],
      ports: [6000, 60000, ...range(60008, 8)],
      group: 16100,
      alive: [16100],
    });
    const r = await check(host);
    expect(byId(r.findings, "hccl-ports-in-use")).toMatchObject([{ severity: "error", evidence: "listening: 60000" }]);
    expect(byId(r.findings, "hccl-ports-in-use-by-run")).toMatchObject([
      { title: `HCCL ports 60008-60015 are in use by ${id} (running, iteration 58/2000)` },
    ]);
  });

  it("the HCCL_IF_BASE_PORT the run was launched with in its env counts as its base", async () => {
    const host = hostWithRuns({
      records: [runRecord(id, 16100, { env: { HCCL_IF_BASE_PORT: "61000" } })],
      ports: [6000, 60000, ...range(61000, 4)],
      group: 16100,
      alive: [16100],
    });
    const r = await check(host, { hcclBasePort: 61000 });
    expect(byId(r.findings, "hccl-ports-in-use")).toEqual([]);
    expect(byId(r.findings, "hccl-ports-in-use-by-run")).toMatchObject([
      { title: `HCCL ports 61000-61003 are in use by ${id} (running, iteration 58/2000)` },
    ]);
  });

  it("a run of the ledger that no longer runs holds no port: the listener is a stranger", async () => {
    const host = hostWithRuns({ records: [runRecord(id, 16100)], ports: range(60000, 8), busy: false });
    const r = await check(host);
    expect(byId(r.findings, "hccl-ports-in-use-by-run")).toEqual([]);
    expect(byId(r.findings, "hccl-ports-in-use")).toMatchObject([{ severity: "error" }]);
  });

  it("of several runs on the same master port, the live one holds it (not the oldest record)", async () => {
    const old = "run-20261101-090000-0000";
    const host = hostWithRuns({
      records: [runRecord(old, 15000), runRecord(id, 16100)],
      ports: [6000, ...range(60000, 8)],
      group: 16100,
      alive: [16100],
    });
    const r = await check(host);
    expect(byId(r.findings, "master-port-in-use")).toEqual([]);
    expect(byId(r.findings, "master-port-in-use-by-run")).toMatchObject([
      { title: `MASTER_PORT 6000 is the master port of ${id} (running, iteration 58/2000)` },
    ]);
    expect(byId(r.findings, "hccl-ports-in-use-by-run")).toMatchObject([{ title: expect.stringContaining(id) }]);
  });
});

describe("check_env names the workers a stopped run left behind", () => {
  const id = "run-20261203-120000-aaaa";
  const stopped = { state: "stopped" as const, stoppedAt: "2026-12-03T13:00:00Z", stopSignal: "SIGTERM" };

  it("its wrapper gone, its workers still on the NPUs and the ports: that run's, with the stop_run call that ends them", async () => {
    const host = hostWithRuns({
      records: [runRecord(id, 16100, stopped)],
      ports: [6000, ...range(60000, 8)],
      group: 16100,
      members: { 16100: 8 },
    });
    const r = await check(host);
    expect(byId(r.findings, "npu-busy")).toEqual([]);
    expect(byId(r.findings, "npu-in-use-by-run")).toEqual([]);
    const [npus] = byId(r.findings, "npu-held-by-stopped-run");
    expect(npus).toMatchObject({
      severity: "error",
      title: `NPUs 0-7 are still held by workers of ${id} (stopped, iteration 58/2000): they outlived the stop`,
    });
    const stop = `stop_run {runId: "${id}", graceSeconds: 0}`;
    expect(renderHints(npus!.fix)).toBe(`${stop}: it signals that run's process group again, SIGKILL at once`);
    const [port] = byId(r.findings, "master-port-in-use");
    expect(port!.title).toBe(
      `MASTER_PORT 6000 is still held by ${id} (stopped, iteration 58/2000): its processes outlived the stop`,
    );
    expect(renderHints(port!.fix)).toMatch(
      new RegExp(`^${stop.replace(/[{}]/g, "\\$&")}, or launch with master port 6001`),
    );
    const [hccl] = byId(r.findings, "hccl-ports-in-use");
    expect(hccl!.title).toBe(
      `HCCL ports 60000-60007 are still held by ${id} (stopped, iteration 58/2000): its processes outlived the stop`,
    );
    expect(byId(r.findings, "master-port-in-use-by-run")).toEqual([]);
    expect(byId(r.findings, "hccl-ports-in-use-by-run")).toEqual([]);
    expect(r.ok).toBe(false);
  });

  it("a stopped run whose group is empty holds nothing: the NPU holders are strangers", async () => {
    const host = hostWithRuns({ records: [runRecord(id, 16100, stopped)], ports: [], group: 16100 });
    const r = await check(host);
    expect(byId(r.findings, "npu-held-by-stopped-run")).toEqual([]);
    expect(byId(r.findings, "npu-busy")).toMatchObject([
      { severity: "error", fix: expect.stringMatching(/^kill 16143 /) },
    ]);
  });
});
