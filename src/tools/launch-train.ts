// launch_train: pre-flight, then a detached start of the launch script on one or more hosts, with a run ledger
// record on each. Without confirm it only returns the plan.
import { z } from "zod";
import { HostAddressSchema, InterfaceNameSchema } from "../hosts/network-names.js";
import { envInput, finishLaunch, LaunchOut, summarizeLaunch } from "../runs/launch-result.js";
import { prepareLaunch } from "../runs/orchestrate.js";
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
    masterPort: z.number().int().min(1024).max(65535).optional().describe("MASTER_PORT (default: the script's)."),
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
    confirm: z
      .boolean()
      .default(false)
      .describe("Start the run. Without it, only the plan and the pre-flight come back."),
  })
  .refine((v) => !(v.host && v.hosts), { message: "Give host or hosts, not both." })
  .refine((v) => !v.hosts || new Set(v.hosts).size === v.hosts.length, { message: "hosts must be distinct." });

export default defineTool({
  name: "launch_train",
  title: "Launch training",
  description:
    "Start a MindSpeed-MM fine-tuning run from the launch script build_configs wrote, detached on the host(s) so it " +
    "outlives this server. First a pre-flight: the configs exist and agree, the converted weights match the layer " +
    "split, MASTER_PORT and HCCL ports are free, no stale process holds the NPUs, enough disk for the checkpoints, " +
    "a new save directory. Without confirm: returns the plan (exact command, env, pre-flight) and starts nothing. " +
    "With confirm: returns a run id recorded on the host; follow it with tail_logs {runId} and list_runs.",
  toolset: "train",
  kind: "destructive",
  input,
  output: LaunchOut,
  async handle(args, deps) {
    const nodes = args.hosts ?? [args.host ?? "local"];
    for (const n of nodes) deps.hosts.settings(n);
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
      });
    } catch (error) {
      throw new ToolError(`Pre-flight could not run: ${(error as Error).message}`);
    }
    return finishLaunch(prepared, args.confirm, args.settleSeconds, deps, {});
  },
  failed: (r) => !r.preflightOk,
  summarize: summarizeLaunch,
});
