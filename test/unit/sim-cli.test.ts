// `ascend-train sim init | scenario | stop` as a person types them: an existing host and another host's inventory
// name are refused with what exists and how to go on, a scenario switch never ends a running training run unasked
// and says what the scenario does and what to try, and stop says what it stopped.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commandToType } from "../../src/cli/hints.js";
import { pidAlive } from "../../src/sim/state.js";
import { freePort } from "../helpers/free-port.js";
import { CLI } from "../helpers/mcp.js";
import { canBuildSimHost } from "../helpers/prereqs.js";

const work = mkdtempSync(join(tmpdir(), "sim-cli-"));
const env: NodeJS.ProcessEnv = { ...process.env, ASCEND_TRAIN_FROM_SOURCE: "1" };
delete env.ASCEND_TRAIN_CONFIG;
delete env.npm_command;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const inventory = () =>
  parse(readFileSync(join(work, "ascend-train.yaml"), "utf8")) as { hosts: Record<string, { workdir?: string }> };

let fakeRun: ChildProcess | undefined;

describe.skipIf(!canBuildSimHost)("sim commands", () => {
  const host = join(work, "sim-host");
  beforeAll(() => {
    const init = cli("sim", "init", "./sim-host");
    expect(init.code, init.err).toBe(0);
  }, 180_000);
  afterAll(() => {
    cli("sim", "stop", "./sim-host");
    if (fakeRun?.pid && pidAlive(fakeRun.pid)) fakeRun.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  });

  it("sim init --master-port gives the host a MASTER_PORT of its own, which check-env then checks; a bad one is a usage error", async () => {
    const port = await freePort();
    const init = cli("sim", "init", "./port-host", "--name", "sim-port", "--master-port", String(port));
    try {
      expect(init.code, init.err).toBe(0);
      expect(init.out).toContain(`as host "sim-port", MASTER_PORT ${port}`);
      const entry = inventory().hosts["sim-port"] as { env?: Record<string, string> };
      expect(entry.env?.MASTER_PORT).toBe(String(port));
      const checked = cli("check-env", "--host", "sim-port", "--json");
      expect(JSON.parse(checked.out).ports).toMatchObject({ masterPort: port, masterPortFrom: "host" });
      expect(cli("check-env", "--host", "sim-port").out).toContain(`MASTER_PORT ${port} (the host's setting): free`);
    } finally {
      cli("sim", "stop", "./port-host");
    }
    for (const bad of ["80", "65536", "6000.5", "six"]) {
      const r = cli("sim", "init", "./bad-port-host", "--master-port", bad);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--master-port must be a whole number from 1024 to 65535; got "${bad}".`);
    }
    expect(existsSync(join(work, "bad-port-host"))).toBe(false);
    const cuda = cli("sim", "init", "./bad-port-host", "--accelerator", "cuda", "--master-port", "29500");
    expect(cuda.code).toBe(2);
    expect(cuda.err).toContain("a cuda host has none to set");
    expect(cli("sim", "init", "--help").out).toMatch(
      /--master-port <port>\s+the host's MASTER_PORT \(1024-65535, default 6000\)/,
    );
  }, 180_000);

  it("sim init lays out a benchmark TSV in AI2D's columns where evaluate-model reads by default, and says so", () => {
    const workdir = inventory().hosts.sim!.workdir!;
    const [header, ...rows] = readFileSync(join(workdir, "AI2D_TEST.tsv"), "utf8").trimEnd().split("\n");
    const columns = header!.split("\t");
    expect(columns).toEqual(expect.arrayContaining(["index", "question", "A", "B", "C", "D", "answer", "image"]));
    expect(rows).toHaveLength(12);
    const first = Object.fromEntries(rows[0]!.split("\t").map((v, i) => [columns[i], v]));
    expect(first[first.answer!]).toBe("red");
    // The image column holds the picture itself: a PNG, base64.
    expect(Buffer.from(first.image!, "base64").subarray(1, 4).toString()).toBe("PNG");
  });

  it("sim init on an existing host refuses (exit 1), says what exists and names --force, and keeps its files", () => {
    const mine = join(host, "MindSpeed-MM", "data", "my-dataset.json");
    writeFileSync(mine, "[]");
    const again = cli("sim", "init", "./sim-host");
    expect(again.code).toBe(1);
    expect(again.err).toContain('./sim-host is already a simulated Ascend host (host "sim", scenario healthy');
    expect(again.err).toContain("ascend-train sim init ./sim-host --force");
    expect(again.err).toMatch(/--name /);
    expect(existsSync(mine)).toBe(true);
  }, 60_000);

  it("sim init refuses a host name the inventory gives another host and keeps the entry", () => {
    const r = cli("sim", "init", "./other-host", "--name", "sim");
    expect(r.code).toBe(1);
    expect(r.err).toContain('host name "sim" is taken');
    expect(r.err).toContain("ascend-train sim init ./other-host --name sim-2");
    expect(existsSync(join(work, "other-host"))).toBe(false);
    expect(inventory().hosts.sim?.workdir).toBe(join(host, "MindSpeed-MM"));
  }, 60_000);

  it("sim init --accelerator cuda without --name registers cuda-sim and leaves host sim alone", () => {
    const r = cli("sim", "init", "./gpu-host", "--accelerator", "cuda");
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("registered in");
    expect(r.out).toContain('as host "cuda-sim"');
    // An MCP server started elsewhere (a desktop client's may start in /) is pointed at this inventory.
    expect(r.out).toContain(
      `from an MCP client: start the server with ASCEND_TRAIN_CONFIG=${join(work, "ascend-train.yaml")}`,
    );
    const hosts = inventory().hosts;
    expect(hosts.sim?.workdir).toBe(join(host, "MindSpeed-MM"));
    expect(hosts["cuda-sim"]?.workdir).toBe(join(work, "gpu-host", "work"));
    const clash = cli("sim", "init", "./gpu-host-2", "--accelerator", "cuda", "--name", "sim");
    expect(clash.code).toBe(1);
    expect(clash.err).toContain("--accelerator cuda --name sim-2");
  }, 120_000);

  it("sim scenario refuses while a training run is active, and with --force stops it and says so", async () => {
    fakeRun = spawn("sleep", ["120"], { stdio: "ignore" });
    const pid = fakeRun.pid!;
    const holder = { pid, npus: [0, 1], memMB: 1000, kind: "train", name: "python", startedAt: Date.now() / 1000 };
    writeFileSync(join(host, ".sim", "holders", `${pid}.json`), JSON.stringify(holder));
    const refused = cli("sim", "scenario", "./sim-host", "small-shm");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("refused: a training run is active on ./sim-host");
    expect(refused.err).toContain(`pid ${pid}: training run python on NPU 0,1`);
    expect(refused.err).toContain("ascend-train sim scenario ./sim-host small-shm --force");
    expect(pidAlive(pid)).toBe(true);
    expect(existsSync(join(host, "bin", ".small-shm"))).toBe(false);
    const forced = cli("sim", "scenario", "./sim-host", "small-shm", "--force");
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toContain("./sim-host: scenario small-shm (was healthy) - /dev/shm is only 64 MB");
    expect(forced.out).toContain(`Stopped the active training run (it now reads failed):\n  pid ${pid}`);
    expect(forced.out).toContain(`Next:\n  ${commandToType(env)} check-env --host sim`);
    expect(pidAlive(pid)).toBe(false);
  }, 60_000);

  it("sim scenario into or out of bare is refused unless --force, and keeps what was made on the host", () => {
    const mine = join(host, "MindSpeed-MM", "data", "kept.json");
    writeFileSync(mine, "[]");
    const refused = cli("sim", "scenario", "./sim-host", "bare");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("refused: switching ./sim-host from");
    expect(refused.err).toContain("lays the simulated host out again");
    expect(refused.err).toContain("ascend-train sim init ./sim-host-bare --scenario bare --name sim-bare");
    expect(refused.err).toContain("ascend-train sim scenario ./sim-host bare --force");
    expect(existsSync(mine)).toBe(true);
    expect(readFileSync(join(host, ".sim", "state.json"), "utf8")).not.toContain('"scenario": "bare"');
  }, 60_000);

  it("sim init of a bare host says only CANN is installed, the rest waiting in its mirrors for install-stack", () => {
    const bare = cli("sim", "init", "./sim-host-bare", "--scenario", "bare", "--name", "sim-bare");
    expect(bare.code, bare.err).toBe(0);
    const software = bare.out.split("\n").find((l) => l.trim().startsWith("software:"))!;
    expect(software).toMatch(
      /^ {2}software: CANN \S+ only; its mirrors and wheels hold MindSpeed-MM v\S+, torch \S+, torch_npu \S+ for install-stack$/,
    );
    expect(bare.out).toContain("ascend-train install-stack --host sim-bare");
    // Before install-stack, leaving bare would lay the host out again; after it, the host switches in place and
    // keeps what install-stack put there.
    expect(cli("sim", "scenario", "./sim-host-bare", "oom").code).toBe(1);
    const installed = cli("install-stack", "--host", "sim-bare", "--confirm");
    expect(installed.code, installed.err).toBe(0);
    const marker = join(work, "sim-host-bare", "MindSpeed-MM", "data", "kept.json");
    writeFileSync(marker, "[]");
    const switched = cli("sim", "scenario", "./sim-host-bare", "oom");
    expect(switched.code, switched.err).toBe(0);
    expect(switched.out).toContain("scenario oom (was bare)");
    expect(existsSync(marker)).toBe(true);
    expect(readFileSync(join(work, "sim-host-bare", ".sim", "state.json"), "utf8")).toContain('"scenario": "oom"');
    cli("sim", "stop", "./sim-host-bare");
  }, 180_000);

  it("sim stop says what it stopped, and that nothing was running", () => {
    const busy = cli("sim", "scenario", "./sim-host", "npu-busy");
    expect(busy.code, busy.err).toBe(0);
    const stop = cli("sim", "stop", "./sim-host");
    expect(stop.code).toBe(0);
    expect(stop.out).toMatch(
      /^\.\/sim-host: stopped 1 process:\n {2}pid \d+: npu-busy: foreign process holding the NPUs\n$/,
    );
    expect(cli("sim", "stop", "./sim-host").out).toBe("./sim-host: nothing was running.\n");
  }, 60_000);
});
