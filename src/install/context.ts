// What every step builder reads: the plan's context, the host paths, the target environment's Python and packages.
import { posix } from "node:path";
import type { HostFacts } from "../env/facts.js";
import { shellJoin, shellQuote } from "../hosts/quote.js";
import type { ReleaseStack } from "../knowledge/releases.js";
import { type Packages, samePath } from "./checks.js";
import type { ModelOverlay, Pins, TargetEnv } from "./pins.js";
import type { InstallExtras } from "./probe.js";
import { hasUserinfo, isOffline, PIP_INDEX_VAR, pipArgs, type ResolvedSources, TORCH_INDEX_VAR } from "./sources.js";

export interface InstallPaths {
  workdir: string;
  mindspeed: string;
  stateDir: string;
  stateFile: string;
  log: string;
  scratch: string;
  /** Held on the host by a running step (flock), also after its caller lost the connection. */
  lock: string;
}

export function installPaths(workdir: string): InstallPaths {
  const w = workdir.replace(/\/+$/, "");
  const stateDir = posix.join(w, ".ascend-train");
  return {
    workdir: w,
    mindspeed: posix.join(posix.dirname(w), "MindSpeed"),
    stateDir,
    stateFile: posix.join(stateDir, "install-state.json"),
    log: posix.join(stateDir, "install.log"),
    scratch: posix.join(stateDir, "src"),
    lock: posix.join(stateDir, "apply.lock"),
  };
}

/** MindSpeed-MM's optional dependency groups install_stack can add (`pip install -e ".[evaluate]"`). */
export const MM_EXTRAS = ["evaluate"] as const;
export type MmExtra = (typeof MM_EXTRAS)[number];

export interface PlanContext {
  release: ReleaseStack;
  overlay: ModelOverlay | null;
  pins: Pins;
  sources: ResolvedSources;
  env: TargetEnv;
  paths: InstallPaths;
  facts: HostFacts;
  extras: InstallExtras;
  mmExtras: readonly MmExtra[];
}

export const q = shellQuote;
export const MINUTE = 60;

/** The env's interpreter: explicit for a venv, the activated one for conda. */
export const envPython = (env: TargetEnv) => (env.kind === "venv" ? posix.join(env.path, "bin", "python") : "python");

/** Packages the probe saw in the target environment; none when the probe's Python was another one. */
export function targetPackages(ctx: PlanContext): Packages {
  const seen = ctx.facts.python.env;
  const ours =
    ctx.env.kind === "venv"
      ? ctx.extras.venvExists === true && samePath(seen.path, ctx.env.path)
      : seen.kind === "conda" && posix.basename(seen.path ?? "") === ctx.env.path;
  return ours ? ctx.facts.python.packages : {};
}

/**
 * A pip install command. An index with credentials is not put on the command line: pip reads it from PIP_INDEX_URL,
 * set from a variable the step script exports (credentialEnv), so `ps` on the host never shows the token.
 */
export const pip = (ctx: PlanContext, args: string[]) => {
  const at = args.indexOf("--index-url");
  const index = at >= 0 ? args[at + 1] : undefined;
  if (hasUserinfo(index)) {
    const rest = [...args.slice(0, at), ...args.slice(at + 2)];
    const from = index === ctx.sources.pipIndex ? PIP_INDEX_VAR : TORCH_INDEX_VAR;
    return `PIP_INDEX_URL="$${from}" ${q(envPython(ctx.env))} -m pip install ${shellJoin(rest)}`;
  }
  return `${q(envPython(ctx.env))} -m pip install ${shellJoin(args)}`;
};

/** Offline editable installs build with the environment's own setuptools (no index to fetch a build env from). */
export const editableArgs = (ctx: PlanContext) => [
  ...pipArgs(ctx.sources),
  ...(isOffline(ctx.sources) ? ["--no-build-isolation"] : []),
];

export const pipNeeds = (ctx: PlanContext) => (isOffline(ctx.sources) ? [] : (["pip"] as const));

export function checkoutOf(ctx: PlanContext, dir: string) {
  return ctx.extras.checkouts.find((c) => samePath(c.dir, dir));
}
