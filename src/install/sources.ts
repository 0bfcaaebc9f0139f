// Where the install fetches from: git repositories (URLs or mirror paths), a wheel directory, pip indexes.
// Offline clusters give mirrors; a simulated host defaults to the mirrors and wheel house laid out beside it.
import { posix } from "node:path";
import { z } from "zod";
import type { HostSettings } from "../hosts/inventory.js";
import { MINDSPEED_MM_REPO, type ReleaseStack } from "../knowledge/releases.js";

const gitSource = (what: string) =>
  z.string().min(1).optional().describe(`${what}: a git URL or a repository path on the host (a mirror).`);
const url = z.string().regex(/^https?:\/\/\S+$/, "must be an http(s) URL");

export const SourcesSchema = z
  .object({
    mindspeedMm: gitSource("MindSpeed-MM"),
    megatron: gitSource("Megatron-LM"),
    mindspeed: gitSource("MindSpeed (core)"),
    transformers: gitSource("transformers, for models pinned to a transformers commit"),
    wheelDir: z
      .string()
      .regex(/^\//, "must be an absolute path on the host")
      .optional()
      .describe("Directory of .whl files on the host; pip then runs with --no-index --find-links (offline)."),
    pipIndex: url.optional().describe("pip index URL (a PyPI mirror); with wheelDir, used next to it."),
    torchIndex: url
      .optional()
      .describe(`Index for torch (default ${"https://download.pytorch.org/whl/cpu"}; never PyPI's aarch64 torch).`),
  })
  .strict();
export type SourcesInput = z.infer<typeof SourcesSchema>;

export const TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu";
export const TRANSFORMERS_REPO = "https://github.com/huggingface/transformers.git";
export const PYPI_INDEX = "https://pypi.org/simple/";

export type Origin = "input" | "simulated host" | "release matrix" | "default";

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
  const sim = settings.simRoot ?? null;
  const pick = (given: string | undefined, simPath: string | null, fallback: string): [string, Origin] =>
    given ? [given, "input"] : simPath ? [simPath, "simulated host"] : [fallback, "release matrix"];
  const mirror = (name: string) => (sim ? posix.join(sim, "mirrors", name) : null);
  const [mindspeedMm, oMm] = pick(input.mindspeedMm, mirror("MindSpeed-MM.git"), MINDSPEED_MM_REPO);
  const [megatron, oMg] = pick(input.megatron, mirror("Megatron-LM.git"), release.megatron.repo);
  const [mindspeed, oMs] = pick(input.mindspeed, mirror("MindSpeed.git"), release.mindspeed.repo);
  const transformers = input.transformers ?? TRANSFORMERS_REPO;
  const wheelDir = input.wheelDir ?? (sim ? posix.join(sim, "wheels") : null);
  return {
    mindspeedMm,
    megatron,
    mindspeed,
    transformers,
    wheelDir,
    pipIndex: input.pipIndex ?? null,
    torchIndex: input.torchIndex ?? input.pipIndex ?? TORCH_CPU_INDEX,
    origin: {
      mindspeedMm: oMm,
      megatron: oMg,
      mindspeed: oMs,
      transformers: input.transformers ? "input" : "default",
      wheelDir: input.wheelDir ? "input" : wheelDir ? "simulated host" : "default",
    },
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

/** transformers as a pip direct reference at a commit, from a URL or a path on the host. */
export function gitRequirement(pkg: string, source: string, commit: string): string {
  const base = isRemote(source) ? source : `file://${source.replace(/^file:\/\//, "")}`;
  return `${pkg} @ git+${base}@${commit}`;
}
