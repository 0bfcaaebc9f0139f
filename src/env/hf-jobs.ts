// check_env on a Hugging Face Jobs host (`accelerator: hf-jobs`): there is no machine to probe, so the Hub is asked
// instead. The token is found and valid (whoami), the namespace is the token's user or one of its organizations, and
// the hardware listing has the host's flavor, with each GPU flavor's hourly price. Findings carry one fix each, as
// on the other hosts.
import { z } from "zod";
import { type HfJobsClient, HfJobsError, hfJobsClientFor } from "../hosts/hf-jobs.js";
import { hfJobsSettingsOf } from "../hosts/hf-jobs-settings.js";
import type { HostSettings } from "../hosts/inventory.js";
import type { Finding } from "./facts.js";

export const HfJobsFactsSchema = z.object({
  endpoint: z.string(),
  tokenSource: z.string().nullable().describe("where the token came from (env variable or file), never the token"),
  user: z.string().nullable(),
  namespace: z.string().nullable().describe("where jobs run and are billed"),
  namespaces: z.array(z.string()).describe("the token's user and organizations"),
  flavor: z.string().describe("the host's default flavor"),
  flavors: z.array(
    z.object({
      name: z.string(),
      prettyName: z.string(),
      gpus: z.string().nullable().describe('e.g. "1x A10G (24 GB)"; null for CPU flavors'),
      usdPerHour: z.number().nullable(),
    }),
  ),
});
export type HfJobsFacts = z.output<typeof HfJobsFactsSchema>;

const finding = (f: Omit<Finding, "expected" | "fix"> & Partial<Pick<Finding, "expected" | "fix">>): Finding => ({
  expected: null,
  fix: null,
  ...f,
});

const TOKEN_FIX = "hf auth login   # or set HF_TOKEN to a token from https://huggingface.co/settings/tokens";

export async function checkHfJobsHost(
  host: string,
  settings: HostSettings,
  client?: HfJobsClient,
): Promise<{ facts: HfJobsFacts; findings: Finding[] }> {
  const s = hfJobsSettingsOf(settings);
  const findings: Finding[] = [];
  const facts: HfJobsFacts = {
    endpoint: s.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co",
    tokenSource: null,
    user: null,
    namespace: s.namespace ?? null,
    namespaces: [],
    flavor: s.flavor,
    flavors: [],
  };
  let c: HfJobsClient;
  try {
    c = client ?? hfJobsClientFor({ endpoint: s.endpoint, tokenFile: s.tokenFile });
  } catch (error) {
    findings.push(
      finding({
        id: "hf-token-missing",
        severity: "error",
        title: "No Hugging Face token to start jobs with",
        evidence: (error as Error).message,
        expected: "HF_TOKEN, or the token file `hf auth login` writes",
        fix: TOKEN_FIX,
        host,
      }),
    );
    return { facts, findings };
  }
  facts.endpoint = c.endpoint;
  facts.tokenSource = c.tokenSource;
  try {
    const who = await c.whoami();
    facts.user = who.name;
    facts.namespaces = [who.name, ...who.orgs.map((o) => o.name)];
    facts.namespace ??= who.name;
    const role = who.auth?.accessToken?.role;
    if (role === "read")
      findings.push(
        finding({
          id: "hf-token-read-only",
          severity: "error",
          title: "The token is read-only: it cannot start jobs",
          evidence: `token from ${c.tokenSource}: role read`,
          expected: "a write token, or a fine-grained token with the Jobs permission",
          fix: TOKEN_FIX,
          host,
        }),
      );
    if (!facts.namespaces.includes(facts.namespace))
      findings.push(
        finding({
          id: "hf-namespace",
          severity: "error",
          title: `The token's user ${who.name} cannot run jobs in ${facts.namespace}`,
          evidence: `namespaces of the token: ${facts.namespaces.join(", ")}`,
          expected: `${facts.namespace} among them`,
          fix: `set hfJobs.namespace of host ${host} to one of: ${facts.namespaces.join(", ")}`,
          host,
        }),
      );
  } catch (error) {
    const status = error instanceof HfJobsError ? error.status : null;
    findings.push(
      finding({
        id: status === 401 ? "hf-token-invalid" : "hf-unreachable",
        severity: "error",
        title: status === 401 ? "Hugging Face rejects the token" : `Cannot ask ${c.endpoint} who the token belongs to`,
        evidence: (error as Error).message,
        expected: "whoami answers with the token's user",
        fix: status === 401 ? TOKEN_FIX : `curl -sI ${c.endpoint}/api/whoami-v2`,
        host,
      }),
    );
    return { facts, findings };
  }
  try {
    const hardware = await c.hardware();
    facts.flavors = hardware.map((h) => ({
      name: h.name,
      prettyName: h.prettyName,
      gpus: h.accelerator
        ? `${h.accelerator.quantity}x ${h.accelerator.model}${h.accelerator.vram ? ` (${h.accelerator.vram})` : ""}`
        : null,
      usdPerHour:
        h.unitLabel === "minute"
          ? Math.round(h.unitCostUSD * 60 * 100) / 100
          : h.unitLabel === "hour"
            ? h.unitCostUSD
            : null,
    }));
    const mine = facts.flavors.find((f) => f.name === s.flavor);
    const gpuFlavors = facts.flavors.filter((f) => f.gpus).map((f) => f.name);
    if (!mine)
      findings.push(
        finding({
          id: "hf-flavor-unknown",
          severity: "error",
          title: `Hugging Face Jobs has no flavor ${s.flavor}`,
          evidence: `flavors: ${facts.flavors.map((f) => f.name).join(", ")}`,
          expected: "one of the listed flavors",
          fix: `set hfJobs.flavor of host ${host} to one of: ${gpuFlavors.join(", ")}`,
          host,
        }),
      );
    else if (!mine.gpus)
      findings.push(
        finding({
          id: "hf-flavor-cpu",
          severity: "warning",
          title: `${s.flavor} has no GPU: TRL training would crawl or fail`,
          evidence: `${mine.prettyName}`,
          expected: "a GPU flavor",
          fix: `set hfJobs.flavor of host ${host} to a GPU flavor, e.g. a10g-large`,
          host,
        }),
      );
    else
      findings.push(
        finding({
          id: "hf-flavor",
          severity: "info",
          title: `${s.flavor}: ${mine.gpus}${mine.usdPerHour !== null ? `, $${mine.usdPerHour.toFixed(2)}/hour` : ""}`,
          evidence: `${facts.flavors.length} flavors listed`,
          host,
        }),
      );
  } catch (error) {
    findings.push(
      finding({
        id: "hf-hardware-unlisted",
        severity: "warning",
        title: "The Jobs hardware listing did not answer: flavors and prices come from the published table",
        evidence: (error as Error).message,
        fix: `curl -s ${c.endpoint}/api/jobs/hardware`,
        host,
      }),
    );
  }
  return { facts, findings };
}
