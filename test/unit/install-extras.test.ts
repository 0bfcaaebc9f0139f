// install_stack adds MindSpeed-MM's optional extras on request (`extras: ["evaluate"]`): a healthy simulated host has
// no evaluation packages, evaluate_model says which command installs them, and after a confirmed install_stack they
// import in the training environment, installed offline from the host's own sources.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostRegistry } from "../../src/hosts/registry.js";
import { type LaidOutSim, layOutSim, stopSimProcesses } from "../../src/sim/index.js";
import installStack from "../../src/tools/install-stack.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { canBuildSimHost } from "../helpers/prereqs.js";
import { simShell } from "./sim-helpers.js";

const IMPORT = `python -c "import portalocker, rich, xlsxwriter, openpyxl; print('extras ok')"`;

describe.skipIf(!canBuildSimHost)("install_stack extras", () => {
  let sim: LaidOutSim;
  afterAll(async () => {
    if (sim) {
      await stopSimProcesses(sim.dir);
      rmSync(sim.dir, { recursive: true, force: true });
    }
  });

  it("plans pip install -e .[evaluate] as one step, installs it offline on confirm, and the modules import", async () => {
    sim = await layOutSim(mkdtempSync(join(tmpdir(), "sim-extras-")), { scenario: "healthy", name: "sim" });
    const deps: ToolDeps = {
      hosts: new HostRegistry({ file: null, hosts: { sim: sim.hostSettings } }),
      now: () => new Date(),
      progress: () => {},
      log: () => {},
    };
    const before = await simShell(sim.hostSettings, IMPORT, { cwd: sim.dir });
    expect(before.stderr).toMatch(/No module named 'portalocker'/);

    const plan = await installStack.handle(installStack.input.parse({ host: "sim", extras: ["evaluate"] }), deps);
    const pending = plan.steps.filter((s) => s.status === "pending" || s.status === "retry").map((s) => s.id);
    expect(pending).toContain("mindspeed-mm-extras");
    const step = plan.steps.find((s) => s.id === "mindspeed-mm-extras")!;
    expect(step.commands.join("\n")).toMatch(/-m pip install .*-e '\.\[evaluate\]'/);

    const done = await installStack.handle(
      installStack.input.parse({ host: "sim", extras: ["evaluate"], confirm: true }),
      deps,
    );
    expect(done.status, JSON.stringify(done.problems ?? [])).toBe("installed");
    // It was asked for by evaluate_model: the next step goes back there first.
    expect(done.next).toMatch(
      /^Installed and verified\. Next: evaluate_model \(its evaluation packages are in place\); to train, /,
    );
    const after = await simShell(sim.hostSettings, IMPORT, { cwd: sim.dir });
    expect(after.stdout.trim(), after.stderr).toBe("extras ok");
    await deps.hosts.closeAll();
  }, 240_000);
});
