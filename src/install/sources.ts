// Where the install fetches from: git repositories (URLs or mirror paths), a wheel directory, pip indexes.
// Offline sites name their mirrors in the host's `sources:` setting; install_stack's `sources` argument overrides
// them field by field; what neither names comes from the release matrix (upstream repositories, the CPU torch index).

import { type SourcesInput, TORCH_CPU_INDEX } from "../hosts/install-sources.js";
import type { HostSettings } from "../hosts/inventory.js";
import { MINDSPEED_MM_REPO, type ReleaseStack } from "../knowledge/releases.js";

export { type SourcesInput, SourcesSchema, TORCH_CPU_INDEX } from "../hosts/install-sources.js";

import { TRANSFORMERS_REPO } from "../knowledge/releases.js";

export { TRANSFORMERS_REPO };
export const PYPI_INDEX = "https://pypi.org/simple/";

/** Who named a source: the tool's argument, the host's `sources:` setting, or the release matrix / a default. */
export type Origin = "input" | "inventory" | "release matrix" | "default";

export interface ResolvedSources {
  mindspeedMm: string;
  megatron: string;
  mindspeed: string;
  transformers: string;
  wheelDir: string | null;
  pipIndex: string | null;
  torchIndex: string;
  origin: Record<"mindspeedMm" | "megatron" | "mindspeed" | "transformers" | "wheelDir", Origin>;
}

export function resolveSources(input: SourcesInput, release: ReleaseStack, settings: HostSettings): ResolvedSources {
  const host: SourcesInput = settings.sources ?? {};
  const pick = <K extends keyof SourcesInput>(
    key: K,
    fallback: string | null,
    orElse: Origin,
  ): [string | null, Origin] =>
    input[key] !== undefined
      ? [input[key]!, "input"]
      : host[key] !== undefined
        ? [host[key]!, "inventory"]
        : [fallback, orElse];
  const [mindspeedMm, oMm] = pick("mindspeedMm", MINDSPEED_MM_REPO, "release matrix");
  const [megatron, oMg] = pick("megatron", release.megatron.repo, "release matrix");
  const [mindspeed, oMs] = pick("mindspeed", release.mindspeed.repo, "release matrix");
  const [transformers, oTf] = pick("transformers", TRANSFORMERS_REPO, "default");
  const [wheelDir, oWd] = pick("wheelDir", null, "default");
  const pipIndex = input.pipIndex ?? host.pipIndex ?? null;
  return {
    mindspeedMm: mindspeedMm!,
    megatron: megatron!,
    mindspeed: mindspeed!,
    transformers: transformers!,
    wheelDir,
    pipIndex,
    torchIndex: input.torchIndex ?? host.torchIndex ?? pipIndex ?? TORCH_CPU_INDEX,
    origin: { mindspeedMm: oMm, megatron: oMg, mindspeed: oMs, transformers: oTf, wheelDir: oWd },
  };
}

/** Only a wheel directory and no index: nothing may come from the network. */
export const isOffline = (s: ResolvedSources) => s.wheelDir !== null && s.pipIndex === null;

/** pip options for everything but torch. */
export function pipArgs(s: ResolvedSources): string[] {
  const out: string[] = [];
  if (isOffline(s)) out.push("--no-index");
  if (s.wheelDir) out.push("--find-links", s.wheelDir);
  if (s.pipIndex) out.push("--index-url", s.pipIndex);
  return out;
}

/** pip options for torch: the wheel directory when offline, else the CPU index (PyPI's aarch64 torch is a CUDA build). */
export function torchArgs(s: ResolvedSources): string[] {
  if (isOffline(s)) return pipArgs(s);
  return [...(s.wheelDir ? ["--find-links", s.wheelDir] : []), "--index-url", s.torchIndex];
}

/** A URL the host must reach (not a path on it). */
export function isRemote(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source) ? !source.startsWith("file://") : /^[\w.-]+@[\w.-]+:/.test(source);
}

/**
 * transformers as a pip requirement at a commit: a PEP 508 direct reference for a URL; for a path on the host a VCS
 * link with #egg=, because the packaging that pip < 24 carries refuses a `git+file:///` direct reference (no host).
 */
export function gitRequirement(pkg: string, source: string, commit: string): string {
  if (isRemote(source)) return `${pkg} @ git+${withoutUserinfo(source)}@${commit}`;
  return `git+file://${source.replace(/^file:\/\//, "")}@${commit}#egg=${pkg}`;
}

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i;

/** Whether a source URL carries credentials (https://user:token@host/…). */
export const hasUserinfo = (url: string | null | undefined): url is string => Boolean(url && USERINFO.test(url));

/** The URL as command lines may show it: without its user:password@ part. */
export const withoutUserinfo = (url: string): string => url.replace(USERINFO, "$1");

/**
 * Variables a step script exports so that credentials in source URLs reach git and pip through the environment and
 * never appear on a command line (`ps` shows every argv on the host): git rewrites the bare URL to the one with
 * credentials (url.<with>.insteadOf, from GIT_CONFIG_*); pip reads its index from PIP_INDEX_URL, which the commands
 * set from these variables.
 */
export function credentialEnv(s: ResolvedSources): Record<string, string> {
  const env: Record<string, string> = {};
  if (hasUserinfo(s.pipIndex)) env[PIP_INDEX_VAR] = s.pipIndex;
  if (hasUserinfo(s.torchIndex)) env[TORCH_INDEX_VAR] = s.torchIndex;
  const gits = [...new Set([s.mindspeedMm, s.megatron, s.mindspeed, s.transformers].filter(hasUserinfo))];
  gits.forEach((url, i) => {
    env[`GIT_CONFIG_KEY_${i}`] = `url.${url}.insteadOf`;
    env[`GIT_CONFIG_VALUE_${i}`] = withoutUserinfo(url);
  });
  if (gits.length > 0) env.GIT_CONFIG_COUNT = String(gits.length);
  return env;
}

export const PIP_INDEX_VAR = "ASCEND_TRAIN_PIP_INDEX";
export const TORCH_INDEX_VAR = "ASCEND_TRAIN_TORCH_INDEX";
