// Where a host's installs fetch from: git mirrors, a wheel directory, pip indexes. It lives with the inventory
// because an offline site names its mirrors once per host (`sources:` in ascend-train.yaml), and install_stack's
// `sources` argument overrides them field by field; both share this one schema.
import { z } from "zod";

const gitSource = (what: string) =>
  z.string().min(1).optional().describe(`${what}: a git URL or a repository path on the host (a mirror).`);
const url = z.string().regex(/^https?:\/\/\S+$/, "must be an http(s) URL");

export const TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu";

export const SourcesSchema = z
  .object({
    mindspeedMm: gitSource("MindSpeed-MM"),
    megatron: gitSource("Megatron-LM"),
    mindspeed: gitSource("MindSpeed (core)"),
    transformers: gitSource("transformers, for models pinned to a transformers commit"),
    llamaCpp: gitSource("llama.cpp, for GGUF export on CUDA hosts (install_stack extras gguf)"),
    wheelDir: z
      .string()
      .regex(/^\//, "must be an absolute path on the host")
      .optional()
      .describe("Directory of .whl files on the host; pip then runs with --no-index --find-links (offline)."),
    pipIndex: url.optional().describe("pip index URL (a PyPI mirror); with wheelDir, used next to it."),
    torchIndex: url.optional().describe(`Index for torch (default ${TORCH_CPU_INDEX}; never PyPI's aarch64 torch).`),
  })
  .strict();
export type SourcesInput = z.infer<typeof SourcesSchema>;
