// install_stack on a simulated CUDA host that has only a venv with pip: the plan names the TRL stack pinned per TRL
// release, the apply runs real pip against the host's wheel directory (its `sources:`), check_env is the smoke test,
// a second call finds everything installed, and a failed step is resumed where it stopped.
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostRegistry } from "../../src/hosts/registry.js";
import { layOutCudaSim } from "../../src/sim/index.js";
import checkEnv from "../../src/tools/check-env.js";
import installStack from "../../src/tools/install-stack.js";
import { type ToolDeps, ToolError } from "../../src/tools/tool.js";

let base: string;
let simDir: string;
let hosts: HostRegistry;
const deps = (): ToolDeps => ({ hosts, now: () => new Date(), progress: () => undefined, log: () => undefined });
const install = (args: Record<string, unknown>) =>
  installStack.handle(installStack.input.parse({ host: "gpu", ...args }), deps());

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "trl-install-"));
  simDir = join(base, "host");
  const sim = await layOutCudaSim(simDir, undefined, { bare: true });
  hosts = new HostRegistry({ file: null, hosts: { gpu: sim.hostSettings } });
}, 120_000);

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe("install_stack on a CUDA host", () => {
  it("plans the TRL stack pinned per TRL release, with pip from the host's wheel directory", async () => {
    const before = await checkEnv.handle(checkEnv.input.parse({ host: "gpu" }), deps());
    expect(before.ok).toBe(false);
    const plan = await install({ extras: ["qlora"] });
    expect(plan.status).toBe("planned");
    expect(plan.release).toBe("trl 0.20.0");
    expect(plan.trl?.requirements).toEqual([
      "trl==0.20.0",
      "transformers>=4.53.0",
      "accelerate>=1.4.0",
      "datasets>=3.0.0",
      "peft>=0.8.0",
      "bitsandbytes",
    ]);
    expect(plan.steps.map((s) => [s.id, s.status])).toEqual([
      ["python-env", "satisfied"],
      ["torch", "pending"],
      ["trl-stack", "pending"],
      ["smoke-test", "pending"],
    ]);
    const trl = plan.steps.find((s) => s.id === "trl-stack")!;
    expect(trl.commands[0]).toContain(`--no-index --find-links ${join(simDir, "wheels")}`);
    expect(trl.commands[0]).toMatch(/ trl==0\.20\.0 'transformers>=4\.53\.0' .* 'peft>=0\.8\.0' bitsandbytes$/);
    expect(plan.sources).toMatchObject({ wheelDir: join(simDir, "wheels"), offline: true });
    expect(installStack.summarize(plan)).toContain("trl 0.20.0");
  }, 60_000);

  it("refuses MindSpeed-MM arguments on a CUDA host", async () => {
    const e = await install({ model: "qwen2.5vl-3b" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ToolError);
    expect((e as Error).message).toContain("is a CUDA host");
  });

  it("a failed step is resumed at that step; the install ends with check_env clean", async () => {
    const wheel = join(simDir, "wheels", "trl-0.20.0-py3-none-any.whl");
    renameSync(wheel, `${wheel}.away`);
    const failed = await install({ confirm: true });
    expect(failed.status).toBe("failed");
    expect(failed.failedAt).toBe("trl-stack");
    expect(failed.steps.find((s) => s.id === "trl-stack")?.error).toMatch(/trl==0\.20\.0/);
    expect(failed.steps.map((s) => s.outcome)).toEqual(["skipped", "ok", "failed", "not-run"]);
    renameSync(`${wheel}.away`, wheel);

    const plan = await install({});
    expect(plan.steps.map((s) => s.status)).toEqual(["satisfied", "done", "retry", "pending"]);
    expect(plan.resumedFrom).toBe("trl-stack");
    const done = await install({ confirm: true });
    expect(done.status).toBe("installed");
    expect(done.resumedFrom).toBe("trl-stack");
    expect(done.steps.map((s) => s.outcome)).toEqual(["skipped", "skipped", "ok", "ok"]);
    expect(done.check?.ok).toBe(true);
    expect(existsSync(join(simDir, "work", ".ascend-train", "install.log"))).toBe(true);

    const after = await checkEnv.handle(checkEnv.input.parse({ host: "gpu" }), deps());
    expect(after.ok).toBe(true);
    expect(after.cuda?.packages).toMatchObject({ trl: "0.20.0", transformers: "4.53.0", peft: "0.8.0" });
    const again = await install({});
    expect(again.status).toBe("already-installed");
  }, 180_000);

  it("extras gguf clones llama.cpp at the pinned tag from the host's mirror and builds llama-quantize", async () => {
    const plan = await install({ extras: ["gguf"] });
    const step = plan.steps.find((s) => s.id === "llama-cpp")!;
    expect(step.status).toBe("pending");
    expect(step.reason).toContain("no llama.cpp clone");
    expect(step.commands[0]).toContain(`--branch b6500 ${join(simDir, "mirrors", "llama.cpp.git")}`);
    expect(step.commands.at(-1)).toContain("--target llama-quantize");
    const done = await install({ extras: ["gguf"], confirm: true });
    expect(done.steps.find((s) => s.id === "llama-cpp")?.outcome).toBe("ok");
    expect(done.status).toBe("installed");
    expect(existsSync(join(simDir, "work", "llama.cpp", "build", "bin", "llama-quantize"))).toBe(true);
    const again = await install({ extras: ["gguf"] });
    expect(again.steps.find((s) => s.id === "llama-cpp")?.status).toBe("done");
    expect(again.status).toBe("already-installed");
  }, 120_000);
});
