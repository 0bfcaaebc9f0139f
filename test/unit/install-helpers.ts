// Scripted hosts for install_stack unit tests: check_env's probe output (from the real host-output fixtures) followed
// by the install sections, and stubs for the step scripts, the state writes and the smoke test.
import type { SectionName } from "../../src/env/probe.js";
import type { HostSettings } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import { ScriptedExecutor } from "../../src/hosts/scripted.js";
import { INSTALL_MARK } from "../../src/install/probe.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import { envSection, healthyPackages, hostSettings, probeOutput, SOURCED_ENV } from "./check-env-scenarios.js";

export const WD = "/home/ma/MindSpeed-MM";
export const VENV = "/home/ma/venv";

export interface Extras {
  state?: unknown;
  checkouts?: string[];
  venv?: "1" | "0" | "";
  pythons?: string[];
  wheels?: string[] | null;
  pipIndex?: string;
  sources?: Record<string, string>;
  sim?: unknown;
}

export function extrasOutput(e: Extras = {}): string {
  const sec = (name: string, lines: string[]) => [`${INSTALL_MARK}${name}`, ...lines];
  return [
    "",
    ...sec("state", e.state === undefined ? [] : [JSON.stringify(e.state)]),
    ...sec(
      "checkouts",
      e.checkouts ?? [
        `dir=${WD}`,
        "git=1 head=1111111111111111111111111111111111111111 branch=HEAD modified=0",
        "dirs=1",
      ],
    ),
    ...sec("python", [`venv=${e.venv ?? "1"}`, ...(e.pythons ?? [])]),
    ...sec("wheels", e.wheels === undefined || e.wheels === null ? [] : ["exists=1", ...e.wheels]),
    ...sec("pip-config", [`index=${e.pipIndex ?? "https://pypi.org/simple/"}`]),
    ...sec(
      "sources",
      Object.entries(e.sources ?? { git0: "0", git1: "0", git2: "0", idx0: "0", idx1: "0" }).map(
        ([k, v]) => `${k}=${v}`,
      ),
    ),
    ...sec("sim", e.sim === undefined ? [] : [JSON.stringify(e.sim)]),
    ...sec("end", []),
  ].join("\n");
}

/** A host with no Python packages and no checkout: only driver and CANN (the healthy fixture's). */
export function bareSections(): Partial<Record<SectionName, string | null>> {
  const report = {
    python: "3.10.12",
    executable: "/usr/bin/python3",
    prefix: "/usr",
    basePrefix: "/usr",
    machine: "aarch64",
    packages: Object.fromEntries(Object.keys(healthyPackages()).map((k) => [k, null])),
  };
  return {
    python: `path=/usr/bin/python3\n${JSON.stringify(report)}`,
    "tool-env": envSection({ ...SOURCED_ENV, VIRTUAL_ENV: "" }),
    "torch-live": "skipped=torch_npu not installed",
    workdir: "exists=0",
  };
}

export const BARE_EXTRAS: Extras = {
  checkouts: [`dir=${WD}`, "absent=1", "dir=/home/ma/MindSpeed", "absent=1"],
  venv: "0",
  pythons: ["/usr/bin/python3.10 3.10.12", "/usr/bin/python3 3.10.12"],
};

export interface Scripted {
  deps: ToolDeps;
  executor: ScriptedExecutor;
  /** Step ids whose scripts ran, in order. */
  ran: string[];
  progress: string[];
}

/**
 * A host answering the install probe with `probe` + `extras`, each step script with `steps[id]` (default: exit 0),
 * and the smoke test with `smoke` (default: the healthy fixture).
 */
export function scriptedInstallHost(opts: {
  probe: string;
  extras?: string;
  settings?: HostSettings;
  steps?: Record<string, { exitCode: number; stdout?: string }>;
  smoke?: string;
}): Scripted {
  const ran: string[] = [];
  const progress: string[] = [];
  const executor = new ScriptedExecutor("ma")
    .on(/ascend-train-install::/, { stdout: `${opts.probe}${opts.extras ?? extrasOutput()}` })
    .on(/# ascend-train install step: ([\w-]+)/, (command) => {
      const id = /# ascend-train install step: ([\w-]+)/.exec(command)![1]!;
      ran.push(id);
      const a = opts.steps?.[id] ?? { exitCode: 0 };
      return { exitCode: a.exitCode, stdout: a.stdout ?? `===== ${id} exit ${a.exitCode}\n` };
    })
    .on(/ascend-train-probe/, () => {
      ran.push("smoke-test");
      return { stdout: opts.smoke ?? probeOutput() };
    })
    .on(/#####|===== smoke-test/, {})
    // guardWrites resolves the target and the allowed roots on the host: answer them as given.
    .on(/realpath/, (command) => ({
      stdout: `${command.split("' sh ")[1]!.replaceAll("'", "").split(" ").join("\n")}\n`,
    }));
  const registry = new HostRegistry(
    { file: null, hosts: { ma: opts.settings ?? hostSettings() } },
    async () => executor,
  );
  const deps: ToolDeps = {
    hosts: registry,
    now: () => new Date("2026-08-10T10:00:00Z"),
    progress: (p) => progress.push(p.message ?? ""),
    log: () => {},
  };
  return { deps, executor, ran, progress };
}

export { hostSettings, probeOutput };
