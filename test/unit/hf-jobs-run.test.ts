// Hugging Face Jobs hosts in the inventory, the job spec launch_train sends, and how job stages read as run states.
import { describe, expect, it } from "vitest";
import { planHfJob } from "../../src/configs/hf-jobs-build.js";
import type { HfJobInfo } from "../../src/hosts/hf-jobs.js";
import { HF_UV_IMAGE, HfJobsSettingsSchema } from "../../src/hosts/hf-jobs-settings.js";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { hfJobSpec, JOB_COMMAND, SCRIPT_ENV } from "../../src/runs/hf-jobs-launch.js";
import { hfJobLiveState } from "../../src/runs/hf-jobs-run.js";

const job = (stage: string, message?: string): HfJobInfo => ({
  id: "687fb701029421ae5549d998",
  flavor: "a10g-large",
  status: { stage, message: message ?? null },
});

describe("inventory", () => {
  it("an hf-jobs host takes its Jobs settings with defaults", () => {
    const s = HostSettingsSchema.parse({ accelerator: "hf-jobs", workdir: "/srv/hub", hfJobs: { namespace: "acme" } });
    expect(s.hfJobs).toEqual({ namespace: "acme", flavor: "a10g-large", timeout: "2h", image: HF_UV_IMAGE });
  });

  it("refuses an hf-jobs host with ssh or without a workdir, and Jobs settings on another host", () => {
    const issues = (raw: unknown) => {
      const r = HostSettingsSchema.safeParse(raw);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(issues({ accelerator: "hf-jobs", workdir: "/w", ssh: "gpu1" })).toEqual([
      "ssh: an hf-jobs host runs on Hugging Face's machines: drop ssh (jobs go over HTTPS)",
    ]);
    expect(issues({ accelerator: "hf-jobs" })[0]).toMatch(/^workdir: an hf-jobs host needs a workdir/);
    expect(issues({ accelerator: "cuda", hfJobs: {} })).toEqual(["hfJobs: hfJobs settings need accelerator: hf-jobs"]);
  });

  it("refuses a timeout, flavor or namespace the API would not take", () => {
    expect(HfJobsSettingsSchema.safeParse({ timeout: "2 weeks" }).success).toBe(false);
    expect(HfJobsSettingsSchema.safeParse({ flavor: "A10G Large" }).success).toBe(false);
    expect(HfJobsSettingsSchema.safeParse({ namespace: "../x" }).success).toBe(false);
    expect(HfJobsSettingsSchema.safeParse({ timeout: 5400 }).success).toBe(true);
  });
});

describe("the job spec", () => {
  const jobs = HfJobsSettingsSchema.parse({});
  const spec = hfJobSpec({
    scriptText: "# /// script\nprint('hi')\n",
    jobs,
    flavor: "l4x1",
    timeoutSeconds: 5400,
    env: { WANDB_PROJECT: "p", WANDB_API_KEY: "k" },
    token: "hf_token",
    runId: "run-20261202-120000-abcd",
  });

  it("carries the script base64 in the environment and decodes it before uv run", () => {
    expect(Buffer.from(spec.environment[SCRIPT_ENV]!, "base64").toString()).toBe("# /// script\nprint('hi')\n");
    expect(spec.command).toEqual(JOB_COMMAND);
    expect(spec.command[2]).toContain(`base64 -d > "$d/train.py" && exec uv run "$d/train.py"`);
  });

  it("sends HF_TOKEN and secret-named variables as secrets, the rest as environment", () => {
    expect(spec.secrets).toEqual({ WANDB_API_KEY: "k", HF_TOKEN: "hf_token" });
    expect(spec.environment).toMatchObject({ WANDB_PROJECT: "p", ASCEND_TRAIN_RUN_ID: "run-20261202-120000-abcd" });
    expect(spec.environment.WANDB_API_KEY).toBeUndefined();
    expect(spec).toMatchObject({ dockerImage: HF_UV_IMAGE, flavor: "l4x1", timeoutSeconds: 5400, arguments: [] });
    expect(spec.labels).toEqual({ "ascend-train-run": "run-20261202-120000-abcd" });
  });
});

describe("build_configs' price", () => {
  const settings = HostSettingsSchema.parse({ accelerator: "hf-jobs", workdir: "/w" });

  it("prices the host's flavor for the host's timeout and warns when nothing keeps the result", () => {
    const { plan, warnings } = planHfJob({ model: "Qwen/Qwen2.5-0.5B", dataset: "trl-lib/Capybara" }, settings);
    expect(plan).toMatchObject({ flavor: "a10g-large", usdPerHour: 1.5, timeoutSeconds: 7200, costCeilingUsd: 3 });
    expect(warnings.join("\n")).toContain("hubModelId: not set");
  });

  it("says a CPU flavor cannot train and a multi-GPU flavor runs one process", () => {
    const cpu = planHfJob({ model: "m/x", dataset: "d/x", flavor: "cpu-basic", hubModelId: "o/r" }, settings);
    expect(cpu.warnings.join("\n")).toContain("has no GPU");
    const multi = planHfJob({ model: "m/x", dataset: "d/x", flavor: "h200x8", hubModelId: "o/r" }, settings);
    expect(multi.plan.costCeilingUsd).toBe(80);
    expect(multi.warnings.join("\n")).toContain("DataParallel");
  });
});

describe("job stages as run states", () => {
  it("maps every stage huggingface_hub names, and an unknown one to unknown", () => {
    expect(hfJobLiveState(job("SCHEDULING")).state).toBe("queued");
    expect(hfJobLiveState(job("RUNNING")).state).toBe("running");
    expect(hfJobLiveState(job("UPDATING")).state).toBe("running");
    expect(hfJobLiveState(job("COMPLETED")).state).toBe("finished");
    expect(hfJobLiveState(job("ERROR", "Job timeout"))).toEqual({
      state: "failed",
      reason: "Hugging Face job 687fb701029421ae5549d998 ERROR: Job timeout",
    });
    expect(hfJobLiveState(job("CANCELED")).state).toBe("stopped");
    expect(hfJobLiveState(job("DELETED")).state).toBe("stopped");
    expect(hfJobLiveState(job("PAUSED")).state).toBe("unknown");
  });
});
