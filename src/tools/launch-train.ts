// launch_train: pre-flight, then a detached start of the launch script on one or more hosts, with a run ledger
// record on each. Without confirm it only returns the plan.
import { z } from "zod";
import { HostAddressSchema, InterfaceNameSchema } from "../hosts/network-names.js";
import { CANARY_MAX, CANARY_MIN, CanaryOut, runCanary, summarizeCanary } from "../runs/canary.js";
import { launchHfJobRun } from "../runs/hf-jobs-launch.js";
import {
  envInput,
  finishLaunch,
  LaunchOk,
  LaunchOut,
  launchFailed,
  summarizeLaunch,
  withVerdict,
} from "../runs/launch-result.js";
import { findRun, newRunId } from "../runs/ledger.js";
import { prepareLaunch } from "../runs/orchestrate.js";
import { hasSbatch } from "../runs/slurm.js";
import { planSlurmLaunch, relaxLoginNodeChecks } from "../runs/slurm-launch.js";
import { launchTrlRun } from "../runs/trl-launch.js";
import { RunIdSchema } from "../runs/types.js";
import { defineTool, ToolError } from "./tool.js";

const input = z
  .object({
    host: z.string().min(1).optional().describe("Host to train on (single node). Default: local."),
    hosts: z
      .array(z.string().min(1))
      .min(2)
      .optional()
      .describe("Hosts of a multi-node run, master first (alternative to host); one run id for all."),
    script: z
      .string()
      .min(1)
      .describe("The launch script build_configs wrote (absolute, or relative to the host's workdir)."),
    env: envInput,
    masterPort: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .optional()
      .describe("MASTER_PORT (default: the host's MASTER_PORT setting, else the script's)."),
    masterAddr: HostAddressSchema.optional().describe(
      "Host name or IP address the nodes reach the master at (default: detected), e.g. 10.0.0.11.",
    ),
    socketIfname: InterfaceNameSchema.optional().describe(
      "HCCL_SOCKET_IFNAME / GLOO_SOCKET_IFNAME (default: the route to the master, `ip route get`).",
    ),
    settleSeconds: z
      .number()
      .min(0)
      .max(60)
      .default(2)
      .describe("Seconds to watch for an immediate exit after the start."),
    flavor: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/)
      .optional()
      .describe("On a Hugging Face Jobs host: the hardware flavor (default: build_configs' choice, else the host's)."),
    scheduler: z
      .enum(["direct", "slurm"])
      .default("direct")
      .describe(
        "direct: start the processes on the host(s). slurm: submit the launch script with sbatch from the host (a " +
          "Slurm login node); Slurm picks the nodes.",
      ),
    gres: z
      .string()
      .regex(/^[A-Za-z0-9_:]*$/)
      .optional()
      .describe('With scheduler slurm: the GRES each node asks for (default "npu:<NPUs per node>"; "" for none).'),
    runId: RunIdSchema.optional().describe(
      "The run id a plan showed: the run starts under it (refused when a run of that id exists). Default: a new one.",
    ),
    canary: z
      .number()
      .int()
      .min(CANARY_MIN)
      .max(CANARY_MAX)
      .optional()
      .describe(
        "Run only this many iterations under a run id of their own (no checkpoint, the real save directory untouched), " +
          "follow the log, stop it, and return s/iteration, tokens/s, the ETA and NPU-hours of the configured run and " +
          "the measured peak memory against the estimate.",
      ),
    canaryTimeoutSeconds: z
      .number()
      .int()
      .min(30)
      .max(7200)
      .default(1800)
      .describe("With canary: stop following (and stop the canary) after this long."),
    confirm: z
      .boolean()
      .default(false)
      .describe("Start the run. Without it, only the plan and the pre-flight come back."),
  })
  .refine((v) => v.scheduler === "direct" || !v.hosts, {
    message: "With scheduler slurm give one host (the login node): Slurm allocates the nodes.",
  })
  .refine((v) => !(v.host && v.hosts), { message: "Give host or hosts, not both." })
  .refine((v) => v.canary === undefined || v.scheduler === "direct", { message: "A canary starts directly." })
  .refine((v) => !v.hosts || new Set(v.hosts).size === v.hosts.length, { message: "hosts must be distinct." });

const output = LaunchOut.extend({
  canary: CanaryOut.nullable().optional(),
  ok: LaunchOk,
});

export default defineTool({
  name: "launch_train",
  title: "Launch training",
  description:
    "Start a MindSpeed-MM fine-tuning run from the launch script build_configs wrote, detached on the host(s) so it " +
    "outlives this server. First a pre-flight: the configs exist and agree, the converted weights match the layer " +
    "split, MASTER_PORT and HCCL ports are free, no stale process holds the NPUs, enough disk for the checkpoints, " +
    "a new save directory. Without confirm: returns the plan (exact command, env, pre-flight) and starts nothing. " +
    "With confirm: returns a run id recorded on the host; follow it with tail_logs {runId} and list_runs. With " +
    "scheduler slurm the same launch is submitted with sbatch from a login host and the run records its job id. On a " +
    "host with accelerator cuda it runs the TRL script build_configs wrote with `accelerate launch`, one process per GPU. " +
    "On a host with accelerator hf-jobs it creates a Hugging Face job (uv run of that script on the chosen flavor, " +
    "timeout, HF_TOKEN as a secret) after asking the Hub about the token, namespace and flavor; the run records the job id.",
  toolset: "train",
  kind: "destructive",
  input,
  output,
  async handle(args, deps) {
    const nodes = args.hosts ?? [args.host ?? "local"];
    for (const n of nodes) deps.hosts.settings(n);
    if (args.runId) {
      const { found } = await findRun(deps.hosts, args.runId, nodes);
      if (found)
        throw new ToolError(
          `A run ${args.runId} already exists on ${found.host}: call again without runId for a new run id.`,
        );
    }
    const runId = args.runId ?? newRunId(deps.now());
    const confirmArgs = { confirm: true, runId };
    if (args.canary !== undefined) {
      if (nodes.some((n) => deps.hosts.settings(n).accelerator !== "ascend"))
        throw new ToolError("A canary runs MindSpeed-MM launch scripts on Ascend hosts.");
      try {
        return withVerdict(
          await runCanary(
            { ...args, nodes, runId, iterations: args.canary, timeoutSeconds: args.canaryTimeoutSeconds },
            deps,
          ),
        );
      } catch (error) {
        if (error instanceof ToolError) throw error;
        throw new ToolError(`Canary ${runId}: ${(error as Error).message}`);
      }
    }
    if (nodes.some((n) => deps.hosts.settings(n).accelerator === "cuda")) {
      if (nodes.length > 1 || args.scheduler !== "direct")
        throw new ToolError("CUDA hosts launch on one host, directly (scheduler direct).");
      const { executor, settings } = await deps.hosts.get(nodes[0]!);
      return withVerdict(
        await launchTrlRun({
          host: nodes[0]!,
          executor,
          settings,
          script: args.script,
          env: args.env,
          ...(args.masterPort ? { masterPort: args.masterPort } : {}),
          settleSeconds: args.settleSeconds,
          confirm: args.confirm,
          now: deps.now(),
          runId,
          progress: deps.progress,
        }),
      );
    }
    if (nodes.some((n) => deps.hosts.settings(n).accelerator === "hf-jobs")) {
      if (nodes.length > 1 || args.scheduler !== "direct")
        throw new ToolError("A Hugging Face Jobs host runs one job: give one host, scheduler direct.");
      const { executor, settings } = await deps.hosts.get(nodes[0]!);
      return withVerdict(
        await launchHfJobRun({
          host: nodes[0]!,
          executor,
          settings,
          script: args.script,
          env: args.env,
          ...(args.flavor ? { flavor: args.flavor } : {}),
          audit: deps.hosts.audit,
          runId,
          confirm: args.confirm,
          now: deps.now(),
          progress: deps.progress,
        }),
      );
    }
    deps.progress({ progress: 0, total: 2, message: "pre-flight" });
    let prepared: Awaited<ReturnType<typeof prepareLaunch>>;
    try {
      prepared = await prepareLaunch({
        hosts: deps.hosts,
        nodes,
        script: args.script,
        env: args.env,
        masterPort: args.masterPort,
        masterAddr: args.masterAddr,
        socketIfname: args.socketIfname,
        resume: false,
        now: deps.now(),
        runId,
      });
    } catch (error) {
      throw new ToolError(`Pre-flight could not run: ${(error as Error).message}`);
    }
    if (args.scheduler === "slurm") {
      const { executor } = await deps.hosts.get(nodes[0]!);
      if (!(await hasSbatch(executor))) {
        throw new ToolError(
          `sbatch is not available on ${nodes[0]}: run with scheduler slurm from a Slurm login node.`,
        );
      }
      relaxLoginNodeChecks(prepared);
      const slurm = prepared.plan ? planSlurmLaunch(prepared, { env: args.env, gres: args.gres }) : undefined;
      return withVerdict(await finishLaunch(prepared, args.confirm, 0, deps, { slurm, confirmArgs }));
    }
    return withVerdict(await finishLaunch(prepared, args.confirm, args.settleSeconds, deps, { confirmArgs }));
  },
  failed: launchFailed,
  summarize: (r) => {
    if (!r.canary) return summarizeLaunch(r);
    // The canary's start first, then its result (which says it was stopped), then the checks and the next step.
    const [start = "", ...rest] = summarizeLaunch(r).split("\n");
    return [start.replace(/^Started /, "Started canary "), summarizeCanary(r.canary), ...rest].join("\n");
  },
});
