// check_env's fixes use the sources the host's inventory names (git mirrors, a wheel directory), as install_stack
// does, so they run on a host with no internet: a bare simulated host (offline, like any site with mirrors) is
// checked, no fix names a public repository or index, and a pip fix is run there as printed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHostSources } from "../../src/env/finding.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { RELEASES } from "../../src/knowledge/releases.js";
import { type LaidOutSim, layOutSim, stopSimProcesses } from "../../src/sim/index.js";
import checkEnv from "../../src/tools/check-env.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { simShell } from "./sim-helpers.js";

const PUBLIC = /gitcode\.com|github\.com|download\.pytorch\.org|pypi\.org/;

describe("a fix in the host's own sources", () => {
  const release = Object.values(RELEASES)[0]!;
  it("rewrites repositories, pip and the torch index; leaves a host without sources as it was", () => {
    const fix = `git clone ${release.mindspeed.repo} ~/MindSpeed && pip install -e . && pip install torch==2.7.1 --extra-index-url https://download.pytorch.org/whl/cpu`;
    const offline = fromHostSources(fix, {
      release,
      settings: { sources: { mindspeed: "/srv/mirrors/MindSpeed.git", wheelDir: "/srv/wheels" } },
    } as never);
    expect(offline).toBe(
      "git clone /srv/mirrors/MindSpeed.git ~/MindSpeed && pip install --no-index --find-links /srv/wheels -e . && pip install --no-index --find-links /srv/wheels torch==2.7.1",
    );
    const indexed = fromHostSources(fix, {
      release,
      settings: { sources: { pipIndex: "https://pypi.example/simple", torchIndex: "https://torch.example/cpu" } },
    } as never);
    expect(indexed).toContain("pip install --index-url https://pypi.example/simple -e .");
    expect(indexed).toContain("--extra-index-url https://torch.example/cpu");
    expect(fromHostSources(fix, { release, settings: {} } as never)).toBe(fix);
  });
});

describe.skipIf(!canBuildSimHost)("check_env on a bare host with mirrors", () => {
  let sim: LaidOutSim;
  let deps: ToolDeps;
  beforeAll(async () => {
    sim = await layOutSim(mkdtempSync(join(tmpdir(), "sim-sources-")), { scenario: "bare", name: "sim" });
    deps = {
      hosts: new HostRegistry({ file: null, hosts: { sim: sim.hostSettings } }),
      now: () => new Date(),
      progress: () => {},
      log: () => {},
    };
  }, 240_000);
  afterAll(async () => {
    await deps?.hosts.closeAll();
    if (sim) {
      await stopSimProcesses(sim.dir);
      rmSync(sim.dir, { recursive: true, force: true });
    }
  });

  it("names only the host's mirrors and wheels, and its transformers fix installs offline as printed", async () => {
    const r = await checkEnv.handle(checkEnv.input.parse({ host: "sim" }), deps);
    const fixes = r.findings.flatMap((f) => (f.fix ? [f.fix] : []));
    expect(fixes.filter((f) => /git clone|pip install/.test(f)).length).toBeGreaterThan(2);
    for (const fix of fixes) expect(fix).not.toMatch(PUBLIC);
    expect(fixes.some((f) => f.includes(join(sim.dir, "mirrors")))).toBe(true);
    const tf = r.findings.find((f) => f.id === "transformers-missing")?.fix;
    // The host's own pip (its venv's), whatever Python the person's shell has active.
    expect(tf).toMatch(/^\S+\/venv\/bin\/pip install --no-index --find-links \S+ transformers==/);
    const ran = await simShell(sim.hostSettings, `${tf} >/dev/null && python -c 'import transformers'`, {
      cwd: sim.dir,
      timeoutMs: 180_000,
    });
    expect(ran.code, ran.stderr.slice(-2000)).toBe(0);
  }, 240_000);
});
