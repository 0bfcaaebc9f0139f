// Hugging Face Jobs hardware flavors and their published prices, for build_configs' flavor choice and cost estimate
// when the hardware listing (GET /api/jobs/hardware) cannot be asked. Source: the hardware table in huggingface_hub's
// Jobs guide (docs/source/en/guides/jobs.md, generated from the Hub API by utils/check_hardware_flavors.py; commit
// 355ea5370fde5f331ea88cd95f09e009bf0970f7, July 2026) and https://huggingface.co/docs/hub/jobs-pricing (billed per
// minute while starting or running). The live listing, when reachable, wins over this table.

export interface HfJobsFlavor {
  name: string;
  prettyName: string;
  /** GPUs of the flavor (0 for CPU flavors). */
  gpus: number;
  /** GPU model, e.g. "A10G"; null for CPU flavors. */
  gpuModel: string | null;
  /** Memory of all the flavor's GPUs together, GB as published. */
  vramGb: number;
  /** US dollars per hour, as published. */
  usdPerHour: number;
}

const f = (
  name: string,
  prettyName: string,
  gpus: number,
  gpuModel: string | null,
  vramGb: number,
  usdPerHour: number,
): HfJobsFlavor => ({ name, prettyName, gpus, gpuModel, vramGb, usdPerHour });

export const HF_JOBS_FLAVORS: readonly HfJobsFlavor[] = [
  f("cpu-basic", "CPU Basic", 0, null, 0, 0.01),
  f("cpu-upgrade", "CPU Upgrade", 0, null, 0, 0.03),
  f("cpu-performance", "CPU Performance", 0, null, 0, 1.9),
  f("cpu-xl", "CPU XL", 0, null, 0, 1.0),
  f("t4-small", "Nvidia T4 - small", 1, "T4", 16, 0.4),
  f("t4-medium", "Nvidia T4 - medium", 1, "T4", 16, 0.6),
  f("a10g-small", "Nvidia A10G - small", 1, "A10G", 24, 1.0),
  f("a10g-large", "Nvidia A10G - large", 1, "A10G", 24, 1.5),
  f("a10g-largex2", "2x Nvidia A10G - large", 2, "A10G", 48, 3.0),
  f("a10g-largex4", "4x Nvidia A10G - large", 4, "A10G", 96, 5.0),
  f("a100-large", "Nvidia A100 - large", 1, "A100", 80, 2.5),
  f("a100x4", "4x Nvidia A100", 4, "A100", 320, 10.0),
  f("a100x8", "8x Nvidia A100", 8, "A100", 640, 20.0),
  f("h200", "Nvidia H200", 1, "H200", 141, 5.0),
  f("h200x2", "Nvidia H200", 2, "H200", 282, 10.0),
  f("h200x4", "Nvidia H200", 4, "H200", 564, 20.0),
  f("h200x8", "Nvidia H200", 8, "H200", 1128, 40.0),
  f("rtx-pro-6000", "Nvidia RTX PRO 6000", 1, "RTX PRO 6000", 96, 2.75),
  f("rtx-pro-6000x2", "Nvidia RTX PRO 6000", 2, "RTX PRO 6000", 192, 5.5),
  f("rtx-pro-6000x4", "Nvidia RTX PRO 6000", 4, "RTX PRO 6000", 384, 11.0),
  f("rtx-pro-6000x8", "Nvidia RTX PRO 6000", 8, "RTX PRO 6000", 768, 22.0),
  f("l4x1", "1x Nvidia L4", 1, "L4", 24, 0.8),
  f("l4x4", "4x Nvidia L4", 4, "L4", 96, 3.8),
  f("l40sx1", "1x Nvidia L40S", 1, "L40S", 48, 1.8),
  f("l40sx4", "4x Nvidia L40S", 4, "L40S", 192, 8.3),
  f("l40sx8", "8x Nvidia L40S", 8, "L40S", 384, 23.5),
];

/** The flavor huggingface_hub's run_job uses when none is given. */
export const HF_JOBS_DEFAULT_FLAVOR = "cpu-basic";
/** The timeout a job gets when none is given (huggingface_hub's Jobs guide, "Configure Job Timeout"). */
export const HF_JOBS_DEFAULT_TIMEOUT_SECONDS = 30 * 60;
/** Flavor names as the API spells them: lower-case letters, digits and dashes. */
export const HF_FLAVOR_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function hfJobsFlavor(name: string): HfJobsFlavor | null {
  return HF_JOBS_FLAVORS.find((x) => x.name === name) ?? null;
}

/**
 * A timeout as huggingface_hub's run_job takes it: seconds (a number or "300"), or a number with s, m, h or d
 * ("90m", "1.5h"). Null when it is not one.
 */
export function parseHfTimeout(value: string | number): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? Math.floor(value) : null;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(value.trim());
  if (!m) return null;
  const factor = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "" | "s" | "m" | "h" | "d"];
  const seconds = Math.floor(Number(m[1]) * factor);
  return seconds > 0 ? seconds : null;
}

/** The most a job of this flavor can cost: it is billed per minute, and the timeout stops it. */
export function hfJobsCostCeiling(usdPerHour: number, timeoutSeconds: number): number {
  const minutes = Math.ceil(timeoutSeconds / 60);
  return Math.round(((usdPerHour * minutes) / 60) * 100) / 100;
}
