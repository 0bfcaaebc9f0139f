// build_configs with trainer trl on a Hugging Face Jobs host: what the job will need beyond the script. The dataset
// and model must be on the Hub (a job cannot read this machine's files), the flavor is checked against the published
// list and priced (hourly price × timeout, billed per minute), and the choice is left beside the script
// (train_<method>.hf-job.json) for launch_train.
import { ToolError } from "../errors.js";
import type { HostExecutor } from "../hosts/executor.js";
import { hfJobsSettingsOf } from "../hosts/hf-jobs-settings.js";
import type { HostSettings } from "../hosts/inventory.js";
import { HF_JOBS_FLAVORS, hfJobsCostCeiling, hfJobsFlavor, parseHfTimeout } from "../knowledge/hf-jobs-hardware.js";
import { sidecarPath } from "../runs/hf-jobs-launch.js";

export interface HfJobsBuildPlan {
  flavor: string;
  prettyName: string;
  gpus: number;
  gpuModel: string | null;
  timeoutSeconds: number;
  usdPerHour: number;
  costCeilingUsd: number;
  priceSource: string;
}

export const HF_PRICE_SOURCE = "https://huggingface.co/docs/hub/jobs-pricing";

/** Checks the inputs and prices the job; throws what the caller must change. */
export function planHfJob(
  req: { model: string; dataset: string; flavor?: string; timeout?: string | number; hubModelId?: string },
  settings: HostSettings,
): { plan: HfJobsBuildPlan; warnings: string[] } {
  const jobs = hfJobsSettingsOf(settings);
  if (req.dataset.startsWith("/") || req.dataset.startsWith("./"))
    throw new ToolError(
      `dataset: ${req.dataset} is a file on this machine; a Hugging Face job cannot read it. Push it to the Hub ` +
        "(datasets' push_to_hub) and pass its id (org/name).",
    );
  if (req.model.startsWith("/"))
    throw new ToolError(`model: ${req.model} is a directory on this machine; a Hugging Face job needs a Hub id.`);
  const name = req.flavor ?? jobs.flavor;
  const flavor = hfJobsFlavor(name);
  if (!flavor)
    throw new ToolError(
      `flavor: "${name}" is not a Hugging Face Jobs flavor. GPU flavors: ${HF_JOBS_FLAVORS.filter((f) => f.gpus)
        .map((f) => `${f.name} ($${f.usdPerHour.toFixed(2)}/h)`)
        .join(", ")}.`,
    );
  const timeoutSeconds = parseHfTimeout(req.timeout ?? jobs.timeout);
  if (timeoutSeconds === null)
    throw new ToolError(`jobTimeout: "${req.timeout}" is not seconds or a number with s, m, h or d ("2h").`);
  const warnings: string[] = [];
  if (!flavor.gpus) warnings.push(`flavor: ${flavor.name} has no GPU; TRL training needs one (e.g. a10g-large).`);
  if (!req.hubModelId)
    warnings.push(
      "hubModelId: not set, so the trained model stays on the job's disk, which goes away when the job ends. " +
        "Give an org/name to push it to the Hub.",
    );
  if (flavor.gpus > 1)
    warnings.push(
      `flavor: ${flavor.name} has ${flavor.gpus} GPUs; the job runs the script in one process (uv run), so the ` +
        "Trainer spreads batches over them with DataParallel rather than one process per GPU.",
    );
  return {
    plan: {
      flavor: flavor.name,
      prettyName: flavor.prettyName,
      gpus: flavor.gpus,
      gpuModel: flavor.gpuModel,
      timeoutSeconds,
      usdPerHour: flavor.usdPerHour,
      costCeilingUsd: hfJobsCostCeiling(flavor.usdPerHour, timeoutSeconds),
      priceSource: HF_PRICE_SOURCE,
    },
    warnings,
  };
}

/** Leaves the flavor and timeout beside the script, where launch_train reads them. */
export async function writeHfJobSidecar(executor: HostExecutor, script: string, plan: HfJobsBuildPlan): Promise<void> {
  await executor.writeFile(sidecarPath(script), `${JSON.stringify(plan, null, 2)}\n`, {
    exclusive: false,
    mode: 0o640,
  });
}
