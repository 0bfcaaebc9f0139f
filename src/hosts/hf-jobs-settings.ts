// The inventory entry of a Hugging Face Jobs host (`accelerator: hf-jobs`): which namespace its jobs run in, the
// default flavor, timeout and image, and optionally another endpoint or token file. Such a host has no machine of its
// own: its workdir is a directory on this machine that keeps the scripts, the run ledger and copies of job logs.
import { z } from "zod";
import { HF_FLAVOR_NAME, parseHfTimeout } from "../knowledge/hf-jobs-hardware.js";

/** The image huggingface_hub's run_uv_job uses by default: uv on Python 3.12. */
export const HF_UV_IMAGE = "ghcr.io/astral-sh/uv:python3.12-bookworm";

export const HfJobsSettingsSchema = z
  .object({
    /** User or organization the jobs run in and are billed to; default: the token's user (whoami). */
    namespace: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/, "must be a Hugging Face user or organization name")
      .optional(),
    /** Hardware flavor when build_configs or launch_train names none (GET /api/jobs/hardware lists them). */
    flavor: z.string().regex(HF_FLAVOR_NAME, "must be a flavor name such as a10g-large").default("a10g-large"),
    /** Longest a job may run: seconds, or a number with s, m, h or d ("90m", "2h"). */
    timeout: z
      .union([z.string(), z.number()])
      .default("2h")
      .refine((t) => parseHfTimeout(t) !== null, 'must be seconds or a number with s, m, h or d ("2h")'),
    /** Docker image with uv in it. */
    image: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,255}$/, "must be a Docker image reference")
      .default(HF_UV_IMAGE),
    /** Another Hub endpoint (default HF_ENDPOINT, else https://huggingface.co). */
    endpoint: z.string().url().optional(),
    /** A file holding the token (default HF_TOKEN, else the huggingface_hub token file). */
    tokenFile: z.string().min(1).optional(),
  })
  .strict();

export type HfJobsSettings = z.output<typeof HfJobsSettingsSchema>;

/** The host's Jobs settings, defaults filled in. */
export function hfJobsSettingsOf(settings: { hfJobs?: HfJobsSettings | undefined }): HfJobsSettings {
  return settings.hfJobs ?? HfJobsSettingsSchema.parse({});
}

/** What makes an inventory entry with hf-jobs settings inconsistent. */
export function hfJobsHostIssues(s: {
  accelerator: string;
  hfJobs?: unknown;
  ssh?: string | undefined;
  workdir?: string | undefined;
}): { path: string[]; message: string }[] {
  const out: { path: string[]; message: string }[] = [];
  if (s.hfJobs !== undefined && s.accelerator !== "hf-jobs")
    out.push({ path: ["hfJobs"], message: "hfJobs settings need accelerator: hf-jobs" });
  if (s.accelerator !== "hf-jobs") return out;
  if (s.ssh)
    out.push({
      path: ["ssh"],
      message: "an hf-jobs host runs on Hugging Face's machines: drop ssh (jobs go over HTTPS)",
    });
  if (!s.workdir)
    out.push({
      path: ["workdir"],
      message: "an hf-jobs host needs a workdir on this machine for its scripts, run records and log copies",
    });
  return out;
}
