// convert_weights through a real MCP client over stdio, against a simulated Ascend host reached over SSH: the sim's
// mm-convert really runs and writes the checkpoint tree.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONVERT_MARKER, parseMarker } from "../../src/convert/index.js";
import { makeFakeHfModel } from "../../src/sim/index.js";
import { stdioClient } from "../helpers/mcp.js";
import { readSshTestEnv, type SshSim, sshSim, stopSims, writeInventory } from "../helpers/sim-host.js";

const env = readSshTestEnv();

interface Result {
  ready: boolean;
  started: boolean;
  converted: boolean;
  command: string;
  output: string;
  marker: string | null;
  layerSplit: { llm: number[] | null; vit: number[] | null };
  checks: { id: string; ok: boolean; message: string }[];
}

describe.skipIf(!env)("convert_weights over SSH on a simulated host", () => {
  let sim: SshSim;
  let wd: string;
  let mcp: Awaited<ReturnType<typeof stdioClient>>;

  beforeAll(async () => {
    sim = await sshSim(env!, "conv");
    wd = sim.settings.workdir!;
    const hf = join(wd, "ckpt/hf_path");
    await makeFakeHfModel(join(hf, "Qwen2.5-VL-3B-Instruct"), "Qwen2.5-VL-3B-Instruct");
    await makeFakeHfModel(join(hf, "Qwen3-VL-8B-Instruct"), "Qwen3-VL-8B-Instruct");
    const id = (flag: string) => execFileSync("id", [flag, env!.user]).toString().trim();
    execFileSync("chown", ["-R", `${id("-u")}:${id("-g")}`, join(wd, "ckpt")]);
    const inventory = writeInventory({ conv: sim.settings });
    mcp = await stdioClient({ env: { ASCEND_TRAIN_CONFIG: inventory, ASCEND_TRAIN_FROM_SOURCE: "1" } });
  }, 120_000);
  afterAll(async () => {
    await mcp?.close();
    if (sim) await stopSims([sim]);
  });

  async function call(args: Record<string, unknown>, onMessage?: (m: string) => void) {
    return mcp.client.callTool(
      { name: "convert_weights", arguments: { host: "conv", ...args } },
      undefined,
      onMessage ? { onprogress: (p) => p.message && onMessage(p.message) } : undefined,
    );
  }

  it("qwen2.5vl-3b: the plan first, then the conversion with progress, the tree and the marker", async () => {
    const out = join(wd, "ckpt/mm_path/Qwen2.5-VL-3B-Instruct");
    const planned = await call({ model: "qwen2.5vl-3b" });
    expect(planned.isError).toBeFalsy();
    const plan = planned.structuredContent as unknown as Result;
    expect(plan).toMatchObject({ ready: true, started: false, output: out });
    expect(plan.command).toContain("--cfg.parallel_config.llm_pp_layers '[[36]]'");
    expect(existsSync(out)).toBe(false);

    const messages: string[] = [];
    const ran = await call({ model: "qwen2.5vl-3b", confirm: true }, (m) => messages.push(m));
    expect(ran.isError).toBeFalsy();
    const r = ran.structuredContent as unknown as Result;
    expect(r.converted).toBe(true);
    expect(r.command).toBe(plan.command);
    expect(messages.some((m) => /Saved .*mp_rank_00/.test(m))).toBe(true);
    expect(readFileSync(join(out, "latest_checkpointed_iteration.txt"), "utf8")).toBe("release");
    expect(readdirSync(join(out, "release"))).toEqual(["mp_rank_00"]);
    expect(existsSync(join(out, "release/mp_rank_00/model_optim_rng.pt"))).toBe(true);
    const marker = parseMarker(readFileSync(join(out, CONVERT_MARKER), "utf8"))!;
    expect(marker).toMatchObject({ model: "qwen2.5vl-3b", release: "v26.1.0", tp: 1, pp: 1 });
    expect(marker.layerSplit).toEqual({ llm: [36], vit: [32] });
    expect(r.marker).toBe(join(out, CONVERT_MARKER));
    // What the simulated converter read from the HF config agrees with the split passed to it.
    const sim = JSON.parse(readFileSync(join(out, ".ascend_sim_split.json"), "utf8"));
    expect(sim).toMatchObject({ llm_pp_layers: [36], vit_pp_layers: [32], llm_layers: 36 });

    // The same call again: the output already holds this conversion, so nothing runs and it is not an error.
    const again = await call({ model: "qwen2.5vl-3b", confirm: true });
    expect(again.isError).toBeFalsy();
    const same = again.structuredContent as unknown as Result & { alreadyConverted: boolean };
    expect(same).toMatchObject({ started: false, ready: true, alreadyConverted: true });
    expect(readFileSync(join(out, CONVERT_MARKER), "utf8")).toContain(marker.createdAt);

    // Another split into the same directory would replace the checkpoint: refused without overwrite.
    const other = await call({ model: "qwen2.5vl-3b", tp: 2, confirm: true });
    const blocked = other.structuredContent as unknown as Result;
    expect(blocked.started).toBe(false);
    expect(blocked.checks.find((c) => !c.ok)?.message).toMatch(/already holds a converted checkpoint/);
  });

  it("a layer split the model config would reject is refused with the one that works", async () => {
    const res = await call({ model: "qwen2.5vl-3b", ckptDir: join(wd, "ckpt/other"), llmLayerSplit: [30] });
    expect(res.isError).toBe(true);
    const text = (res.content as { type: string; text: string }[]).map((c) => c.text).join("\n");
    expect(text).toMatch(/llmLayerSplit.*sums to 30, the model has 36 layers/);
    expect(text).toMatch(/A value that would work: \[36\]/);
    expect(existsSync(join(wd, "ckpt/other"))).toBe(false);
  });

  it("qwen3vl-8b: hf_to_dcp with flat flags writes a DCP checkpoint", async () => {
    const out = join(wd, "ckpt/dcp/Qwen3-VL-8B-Instruct");
    const res = await call({
      model: "qwen3vl-8b",
      hfDir: join(wd, "ckpt/hf_path/Qwen3-VL-8B-Instruct"),
      ckptDir: out,
      confirm: true,
    });
    expect(res.isError).toBeFalsy();
    const r = res.structuredContent as unknown as Result;
    expect(r.command).toMatch(/mm-convert Qwen3VLConverter hf_to_dcp --hf_dir \S+ --dcp_dir \S+$/);
    expect(existsSync(join(out, "release/.metadata"))).toBe(true);
    expect(parseMarker(readFileSync(join(out, CONVERT_MARKER), "utf8"))).toMatchObject({
      format: "dcp",
      converter: "Qwen3VLConverter",
      layerSplit: { llm: null, vit: null },
    });
  });
});
