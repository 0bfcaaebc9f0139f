// list_hosts: the inventory, and for each host whether it answers a trivial command and how fast. Runs `true`, never
// for a Hugging Face Jobs host: that is a namespace on the Hub, and `true` would only run on this machine.
import { z } from "zod";
import { alignColumns } from "../text/table.js";
import { defineTool } from "./tool.js";

const HostStatus = z.object({
  name: z.string(),
  reachedVia: z.string().describe("'local', or the SSH destination"),
  description: z.string().nullable().describe("The inventory's description of the host"),
  answers: z.boolean(),
  roundTripMs: z.number().nullable(),
  error: z.string().nullable(),
  workdir: z.string().nullable(),
  npusPerNode: z.number(),
  accelerator: z
    .enum(["ascend", "cuda", "hf-jobs"])
    .describe("ascend: MindSpeed-MM on NPUs; cuda: TRL on NVIDIA GPUs; hf-jobs: TRL as Hugging Face Jobs"),
});

const HF_JOBS_NOT_PROBED = "not probed: a Hugging Face Jobs namespace, not a machine (check_env asks the Hub)";

export default defineTool({
  name: "list_hosts",
  title: "List hosts",
  description:
    "List the hosts this server can act on (from ascend-train.yaml or ~/.config/ascend-train/hosts.yaml; 'local' always exists), " +
    "how each is reached, whether it answers and its round-trip time. Call first to pick the `host` for other tools.",
  toolset: "hosts",
  kind: "read",
  input: z.object({
    probe: z
      .boolean()
      .default(true)
      .describe("Run a trivial command on each host (not a Hugging Face Jobs namespace) to see whether it answers."),
  }),
  output: z.object({ inventoryFile: z.string().nullable(), hosts: z.array(HostStatus) }),
  async handle({ probe }, { hosts }) {
    const statuses = await Promise.all(
      hosts.names().map(async (name) => {
        const settings = hosts.settings(name);
        const base = {
          name,
          reachedVia: settings.ssh ?? "local",
          description: settings.description ?? null,
          workdir: settings.workdir ?? null,
          npusPerNode: settings.npusPerNode,
          accelerator: settings.accelerator,
        };
        if (!probe) return { ...base, answers: false, roundTripMs: null, error: "not probed" };
        if (settings.accelerator === "hf-jobs")
          return { ...base, answers: false, roundTripMs: null, error: HF_JOBS_NOT_PROBED };
        const started = performance.now();
        try {
          const { executor } = await hosts.get(name);
          const result = await executor.run(["true"], { timeoutMs: 10_000 });
          const ok = result.exitCode === 0;
          return {
            ...base,
            reachedVia: executor.label,
            answers: ok,
            roundTripMs: Math.round((performance.now() - started) * 10) / 10,
            error: ok
              ? null
              : result.timedOut
                ? "timed out after 10 s"
                : `exit ${result.exitCode}: ${result.stderr.trim()}`,
          };
        } catch (error) {
          return { ...base, answers: false, roundTripMs: null, error: (error as Error).message };
        }
      }),
    );
    return { inventoryFile: hosts.inventoryFile, hosts: statuses };
  },
  summarize: (r) =>
    [
      `Inventory: ${r.inventoryFile ?? "none (only local; create ascend-train.yaml or ~/.config/ascend-train/hosts.yaml)"}`,
      ...alignColumns(
        r.hosts.map((h) => [
          h.name,
          h.reachedVia,
          h.accelerator === "ascend" ? "" : `[${h.accelerator}]`,
          `${h.answers ? `ok ${h.roundTripMs} ms` : h.error === HF_JOBS_NOT_PROBED ? h.error : `no answer: ${h.error}`}${h.description ? ` (${h.description})` : ""}`,
        ]),
      ),
    ].join("\n"),
});
