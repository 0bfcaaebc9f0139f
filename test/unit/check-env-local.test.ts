// The probe's bounds on a real shell (LocalExecutor): a hung npu-smi, a flood of output, a broken Python.
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import checkEnv from "../../src/tools/check-env.js";

let dir: string;

async function tool(name: string, body: string) {
  const path = join(dir, "bin", name);
  await writeFile(path, `#!/bin/bash\n${body}\n`);
  await chmod(path, 0o755);
}

async function run(args: Record<string, unknown> = {}) {
  const settings = HostSettingsSchema.parse({
    path: [join(dir, "bin")],
    cannRoot: join(dir, "Ascend"),
    workdir: join(dir, "MindSpeed-MM"),
    env: { TMPDIR: join(dir, "tmp") },
  });
  const hosts = new HostRegistry({ file: null, hosts: { box: settings } });
  const result = await checkEnv.handle(checkEnv.input.parse({ host: "box", ...args }), {
    hosts,
    now: () => new Date(),
    progress: () => {},
    log: () => {},
  });
  await hosts.closeAll();
  return result;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "check-env-local-"));
  await mkdir(join(dir, "bin"));
  await mkdir(join(dir, "tmp"));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("check_env probe bounds on a real shell", () => {
  it("a hung npu-smi is stopped by its own timeout and reported, the rest still probed", async () => {
    await tool("npu-smi", "exec sleep 60");
    await tool("python", 'echo "not json"; exit 3');
    const started = Date.now();
    const r = await run({ timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(r.npu!.npuSmi).toBe("timeout");
    const f = r.findings.find((x) => x.id === "npu-smi-failed")!;
    expect(f.title).toBe("npu-smi info hung");
    expect(r.probe!.ok).toBe(true);
    expect(r.machine!.arch).not.toBeNull();
    // The Python report was not JSON: a finding, not a crash.
    expect(r.findings.find((x) => x.id === "python-broken")!.evidence).toContain("not json");
    expect(r.mindspeedMm!.exists).toBe(false);
    expect(r.findings.find((x) => x.id === "mindspeed-mm-missing")!.fix).toBe(
      `git clone --branch v26.1.0 https://gitcode.com/Ascend/MindSpeed-MM.git ${join(dir, "MindSpeed-MM")}`,
    );
  });

  it("a flood of npu-smi output is cut, and the probe leaves no temporary files", async () => {
    await tool("npu-smi", "head -c 3000000 /dev/zero | tr '\\0' 'x'; exit 9");
    const r = await run();
    expect(r.npu!.npuSmi).toBe("failed");
    expect(r.npu!.error!.length).toBeLessThanOrEqual(2000);
    expect(r.probe!.truncated).toBe(false);
    expect(await readdir(join(dir, "tmp"))).toEqual([]);
  });
});
