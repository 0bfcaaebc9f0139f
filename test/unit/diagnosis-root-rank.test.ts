// The rank that failed first across ranks and nodes: real multi-rank lines from the public corpus, each node's log
// read on its own host, ordered by time, with the other ranks marked as consequences.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RankTimeline, rootCauseOf } from "../../src/diagnosis/root-rank.js";
import { diagnoseNodeLogs, diagnoseText } from "../../src/diagnosis/sources.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { LocalExecutor } from "../../src/hosts/local.js";
import diagnoseError from "../../src/tools/diagnose-error.js";
import type { ToolDeps } from "../../src/tools/tool.js";

const CORPUS = join(import.meta.dirname, "..", "fixtures", "diagnosis", "corpus", "public.jsonl");
const corpus = new Map<string, string>(
  readFileSync(CORPUS, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; log: string })
    .map((c) => [c.id, c.log]),
);
const log = (id: string) => {
  const text = corpus.get(id);
  if (!text) throw new Error(`corpus case ${id} is missing`);
  return text;
};

const dir = mkdtempSync(join(tmpdir(), "root-rank-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nodeFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const host = (name: string) => new LocalExecutor(name, HostSettingsSchema.parse({ workdir: dir }));

/** What the simulated torchrun and MindSpeed-MM print on a node whose worker ran out of NPU memory. */
const OOM_NODE = [
  " [2026-12-02 16:16:19] iteration        2/       8 | consumed samples:         1024 | loss: 2.163414E+00 |",
  "[rank8]: Traceback (most recent call last):",
  '[rank8]:   File "/srv/MindSpeed-MM/mindspeed_mm/training.py", line 138, in forward_backward_step',
  "[rank8]:     raise torch.OutOfMemoryError(msg)",
  "[rank8]: torch.OutOfMemoryError: NPU out of memory. Tried to allocate 2.32 GiB (NPU 0; 60.97 GiB total capacity; 58.12 GiB already allocated; 58.12 GiB current active; 1.05 GiB free; 59.35 GiB reserved in total by PyTorch)",
  "E1202 16:16:19.255389 26587 torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: 1) local_rank: 0 (pid: 26607) of binary: /srv/venv/bin/python",
  "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
  "",
].join("\n");

/** The other node: its all-reduce waited HCCL_EXEC_TIMEOUT for rank 8, then failed (EI0002). */
const WAITING_NODE = [
  " [2026-12-02 16:16:19] iteration        2/       8 | consumed samples:         1024 | loss: 2.163414E+00 |",
  "[rank0]: Traceback (most recent call last):",
  "[rank0]: RuntimeError: npuSynchronizeDevice:torch_npu/csrc/core/npu/NPUStream.cpp:479 NPU function error: AclrtSynchronizeDeviceWithTimeout, error code is 507048",
  "[rank0]: [ERROR] 2026-12-02-16:16:21 (PID:26608, Device:0, RankID:0) ERR00100 PTA call acl api failed",
  "[rank0]: [Error]: The execution of the internal task times out. ",
  "[rank0]: EI0002: [PID: 26608] 2026-12-02-16:16:21.256.028 The wait execution of the Notify register times out. Reason: The Notify register has not received the Notify record from remote rank: [8]. base information: [streamID:[1], taskID[38], taskType[Notify Wait], tag[AllReduce_group_name_1]]",
  "E1202 16:16:21.282264 26222 torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: 1) local_rank: 0 (pid: 26608) of binary: /srv/venv/bin/python",
  "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
  "",
].join("\n");

describe("the rank that failed first", () => {
  it("two nodes: the rank that ran out of memory (corpus llamafactory-5322) is first, the other node's EI0002 rank (vllm-ascend-3413) its consequence", async () => {
    const verdict = await diagnoseNodeLogs([
      {
        executor: host("npu-a"),
        node: { host: "npu-a", nodeRank: 0 },
        paths: [nodeFile("a.log", log("vllm-ascend-3413"))],
      },
      {
        executor: host("npu-b"),
        node: { host: "npu-b", nodeRank: 1 },
        paths: [nodeFile("b.log", log("llamafactory-5322"))],
      },
    ]);
    expect(verdict.findings[0]!.category).toBe("npu_oom");
    const root = verdict.rootCause!;
    expect(root.first).toMatchObject({ rank: "rank2", node: { host: "npu-b", nodeRank: 1 }, consequence: false });
    expect(root.consequences).toHaveLength(1);
    expect(root.consequences[0]).toMatchObject({
      rank: "rank101",
      node: { host: "npu-a", nodeRank: 0 },
      consequence: true,
    });
    expect(root.basis).toMatch(
      /rank2 on npu-b \(node 1\) is the only rank with an error that is not a communication timeout/,
    );
  });

  it("two primary errors on two nodes are ordered by their timestamps, not by which node's log is read first", async () => {
    // vllm-omni-705: RankID:0 out of memory on 2026-01-16; llamafactory-5322: RankID:2 on 2024-08-28 (earlier).
    const verdict = await diagnoseNodeLogs([
      { executor: host("n0"), node: { host: "n0", nodeRank: 0 }, paths: [nodeFile("late.log", log("vllm-omni-705"))] },
      {
        executor: host("n1"),
        node: { host: "n1", nodeRank: 1 },
        paths: [nodeFile("early.log", log("llamafactory-5322"))],
      },
    ]);
    expect(verdict.rootCause!.first).toMatchObject({ rank: "rank2", node: { host: "n1" } });
    expect(verdict.rootCause!.consequences.map((c) => c.node?.host)).toEqual(["n0"]);
    expect(verdict.rootCause!.basis).toMatch(/earliest error that is not a communication timeout/);
  });

  it("when every rank only timed out (corpus llamafactory-7396), the first to time out is named and the basis says the culprit left no error", () => {
    const verdict = diagnoseText(log("llamafactory-7396"));
    const root = verdict.rootCause!;
    expect(root.first).toMatchObject({ rank: "rank0", consequence: true });
    expect(root.consequences.map((c) => c.rank)).toEqual(["rank4"]);
    expect(root.basis).toMatch(/Every rank only timed out/);
  });

  it("the simulated multi-node failure: rank8 on the node that ran out of memory, rank0 on the other; torchrun's own report lines are not ranks", async () => {
    const verdict = await diagnoseNodeLogs([
      { executor: host("npu-a"), node: { host: "npu-a", nodeRank: 0 }, paths: [nodeFile("sim-a.log", WAITING_NODE)] },
      { executor: host("npu-b"), node: { host: "npu-b", nodeRank: 1 }, paths: [nodeFile("sim-b.log", OOM_NODE)] },
    ]);
    const root = verdict.rootCause!;
    expect(root.first).toMatchObject({ rank: "rank8", node: { host: "npu-b", nodeRank: 1 }, line: 5 });
    expect(root.first.text).toContain("NPU out of memory");
    expect(root.consequences.map((c) => [c.rank, c.node?.host, c.consequence])).toEqual([["rank0", "npu-a", true]]);
    // The consequence's time is its own (the Ascend header's), after the last iteration the failed rank printed.
    expect(root.consequences[0]!.time).toBe(Date.UTC(2026, 11, 2, 16, 16, 21));
    expect(root.first.time).toBe(Date.UTC(2026, 11, 2, 16, 16, 19));
  });

  it("a node whose log cannot be read is noted; the others are still diagnosed", async () => {
    const verdict = await diagnoseNodeLogs([
      { executor: host("npu-a"), node: { host: "npu-a", nodeRank: 0 }, paths: [nodeFile("only.log", OOM_NODE)] },
      { executor: host("npu-b"), node: { host: "npu-b", nodeRank: 1 }, paths: [join(dir, "missing.log")] },
    ]);
    expect(verdict.findings[0]!.category).toBe("npu_oom");
    expect(verdict.notes.join("\n")).toMatch(/node 1 on npu-b could not be read/);
    expect(verdict.rootCause).toBeUndefined();
  });

  it("a node that never joined: torchrun's store timeout on node 0 is read as a communication timeout", () => {
    const verdict = diagnoseText(
      "torch.distributed.DistStoreError: Timed out after 601 seconds waiting for clients. 1/2 clients joined.\n",
    );
    expect(verdict.findings[0]).toMatchObject({ category: "hccl_timeout", rule: "hccl-timeout" });
  });

  it("one rank's error alone names no root cause; lines split across chunks are read whole", () => {
    const t = new RankTimeline({ file: "x.log" });
    const text = OOM_NODE;
    for (let i = 0; i < text.length; i += 7) t.push(Buffer.from(text.slice(i, i + 7)));
    const errors = t.end();
    expect(errors.map((e) => e.rank)).toEqual(["rank8"]);
    expect(rootCauseOf(errors)).toBeNull();
  });

  it("diagnose_error over a multi-node run id reads every node's log on its host and names the first to fail", async () => {
    const a = nodeFile("run-a.log", WAITING_NODE);
    const b = nodeFile("run-b.log", OOM_NODE);
    const hosts = {
      get: async (name: string) => ({ executor: host(name), settings: HostSettingsSchema.parse({ workdir: dir }) }),
    };
    const deps = {
      hosts,
      now: () => new Date(),
      progress: () => {},
      log: () => {},
      runs: {
        locateLog: async () => null,
        lookup: async () => ({
          host: "npu-a",
          logFiles: [a],
          nodes: [
            { host: "npu-a", nodeRank: 0, logFile: a },
            { host: "npu-b", nodeRank: 1, logFile: b },
          ],
        }),
      },
    } as unknown as ToolDeps;
    const r = await diagnoseError.handle(diagnoseError.input.parse({ runId: "run-20261202-161600-ab12" }), deps);
    expect(r.rootCause?.first).toMatchObject({ rank: "rank8", host: "npu-b", nodeRank: 1, consequence: false });
    expect(r.rootCause?.consequences).toEqual([
      expect.objectContaining({ rank: "rank0", host: "npu-a", nodeRank: 0, consequence: true }),
    ]);
    expect(r.summary).toMatch(/First to fail: rank8 on npu-b \(node 1\)\./);
    expect(diagnoseError.summarize!(r)).toMatch(/first to fail: rank8 on npu-b \(node 1\) at 2026-12-02 16:16:19/);
  });
});
