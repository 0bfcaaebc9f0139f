// Hand-off to a cluster scheduler: a Slurm batch script and a MindCluster AscendJob (Volcano) manifest that run the
// same launch script on N nodes, with NODE_RANK / MASTER_ADDR / MASTER_PORT taken from the scheduler. Secret-named
// variables never go into either text: they live in one owner-only env file the Slurm script reads and the
// Kubernetes Secret is created from (the manifest refers to it with secretKeyRef).
import { stringify } from "yaml";
import { hostPrelude, pathExport } from "../hosts/environment.js";
import type { HostSettings } from "../hosts/inventory.js";
import { envExports, shellQuote } from "../hosts/quote.js";
import { isSecretName } from "../hosts/redact.js";

export interface SchedulerJobSpec {
  runId: string;
  nodes: number;
  npusPerNode: number;
  workdir: string;
  /** Absolute path of the launch script on the nodes. */
  script: string;
  env: Record<string, string>;
  masterPort: number;
  /** Where the hostfile goes (a path every node sees). */
  hostfile: string;
  logFile: string;
  /** The owner-only KEY=value file holding the secret-named variables (written next to the job files). */
  secretsFile: string;
}

export interface SlurmOptions {
  partition?: string;
  time?: string;
  /** Generic resource line, e.g. "npu:8"; empty for clusters that do not schedule NPUs as GRES. */
  gres: string;
  account?: string;
}

/** Variables the scheduler provides per node; ours would only contradict them. */
const SCHEDULER_OWNED = new Set([
  "MASTER_ADDR",
  "MASTER_PORT",
  "NODE_RANK",
  "HOSTFILE",
  "NNODES",
  "HCCL_SOCKET_IFNAME",
  "GLOO_SOCKET_IFNAME",
]);

const portable = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !SCHEDULER_OWNED.has(k)));

/** The job's variables split into those that may be written in a job file and the secret-named ones. */
export function splitJobEnv(env: Record<string, string>): {
  plain: Record<string, string>;
  secret: Record<string, string>;
} {
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [k, v] of Object.entries(portable(env))) (isSecretName(k) ? secret : plain)[k] = v;
  return { plain, secret };
}

/** The secret variables of a job (the host's inventory env and the run's), or {} when there are none. */
export function jobSecrets(spec: SchedulerJobSpec, settings?: HostSettings): Record<string, string> {
  return splitJobEnv({ ...(settings?.env ?? {}), ...spec.env }).secret;
}

/** KEY=value lines, as `kubectl create secret --from-env-file` reads them and the Slurm script loads them. */
export function secretsFileText(secrets: Record<string, string>): string {
  for (const [k, v] of Object.entries(secrets)) {
    if (/[\n\r\0]/.test(v)) throw new Error(`The value of ${k} contains a line break; it cannot go in an env file.`);
  }
  return Object.entries(secrets)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("");
}

/** The Kubernetes Secret the AscendJob reads its secret variables from. */
export function k8sSecretName(runId: string): string {
  return `${k8sName(runId).slice(0, 55)}-secrets`;
}

export function slurmScript(spec: SchedulerJobSpec, settings: HostSettings, opts: SlurmOptions): string {
  const jobName = spec.runId;
  const head = [
    "#!/bin/bash",
    `#SBATCH --job-name=${jobName}`,
    `#SBATCH --nodes=${spec.nodes}`,
    "#SBATCH --ntasks-per-node=1",
    "#SBATCH --exclusive",
    ...(opts.gres ? [`#SBATCH --gres=${opts.gres}`] : []),
    ...(opts.partition ? [`#SBATCH --partition=${opts.partition}`] : []),
    ...(opts.account ? [`#SBATCH --account=${opts.account}`] : []),
    ...(opts.time ? [`#SBATCH --time=${opts.time}`] : []),
    `#SBATCH --output=${spec.logFile}`,
    `# ascend-train run ${spec.runId}: one task per node; each runs the launch script with its NODE_RANK.`,
    "set -o pipefail",
  ];
  const host = splitJobEnv(settings.env);
  const run = splitJobEnv(spec.env);
  const env = envExports({ ...host.plain, ...run.plain, ASCEND_TRAIN_RUN_ID: spec.runId });
  const hasSecrets = Object.keys(jobSecrets(spec, settings)).length > 0;
  // Each line KEY=value, taken literally (no shell evaluation of the value).
  const loadSecrets = hasSecrets
    ? `while IFS= read -r line || [ -n "$line" ]; do [ -n "$line" ] && export "$line"; done < ${shellQuote(spec.secretsFile)}`
    : "";
  const node = `export NODE_RANK=$SLURM_NODEID; cd ${shellQuote(spec.workdir)} && exec bash ${shellQuote(spec.script)}`;
  return `${[
    ...head,
    pathExport(settings),
    hostPrelude(settings, { sourceCann: settings.sourceCann, activatePython: true, exports: false }),
    env,
    loadSecrets,
    `scontrol show hostnames "$SLURM_JOB_NODELIST" > ${shellQuote(spec.hostfile)}`,
    `export HOSTFILE=${shellQuote(spec.hostfile)}`,
    `export MASTER_ADDR=$(head -n 1 ${shellQuote(spec.hostfile)})`,
    `export MASTER_PORT=${spec.masterPort}`,
    `export NNODES=${spec.nodes}`,
    `srun --kill-on-bad-exit=1 --ntasks-per-node=1 bash -c ${shellQuote(node)}`,
  ]
    .filter((l) => l !== "")
    .join("\n")}\n`;
}

export interface AscendJobOptions {
  image: string;
  namespace: string;
  queue: string;
  /** ring-controller.atlas label: ascend-910b for Atlas A2/A3 training products. */
  ringController: string;
  /** nodeSelector accelerator-type, e.g. module-910b-8. */
  acceleratorType: string;
  hostArch: string;
}

/** A Kubernetes name from the run id (lowercase, dashes, at most 63 characters). */
export function k8sName(id: string): string {
  return (
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 63) || "ascend-train-run"
  );
}

export function ascendJobManifest(spec: SchedulerJobSpec, opts: AscendJobOptions): string {
  const name = k8sName(spec.runId);
  const labels = { "ring-controller.atlas": opts.ringController };
  const { plain, secret } = splitJobEnv(spec.env);
  const env = [
    ...Object.entries({ ...plain, ASCEND_TRAIN_RUN_ID: spec.runId }).map(([k, v]) => ({ name: k, value: v })),
    ...Object.keys(secret).map((k) => ({
      name: k,
      valueFrom: { secretKeyRef: { name: k8sSecretName(spec.runId), key: k } },
    })),
  ];
  // The Ascend Operator sets MASTER_ADDR, MASTER_PORT (the ascendjob-port), WORLD_SIZE and RANK (the node rank).
  const command = `export NODE_RANK="$RANK" NNODES=${spec.nodes}; cd ${shellQuote(spec.workdir)} && bash ${shellQuote(spec.script)} 2>&1 | tee ${shellQuote(spec.logFile)}`;
  const pod = (replicas: number) => ({
    replicas,
    restartPolicy: "Never",
    template: {
      metadata: { labels },
      spec: {
        nodeSelector: { "host-arch": opts.hostArch, "accelerator-type": opts.acceleratorType },
        containers: [
          {
            name: "ascend",
            image: opts.image,
            imagePullPolicy: "IfNotPresent",
            env: [
              { name: "XDL_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
              {
                name: "ASCEND_VISIBLE_DEVICES",
                valueFrom: { fieldRef: { fieldPath: "metadata.annotations['huawei.com/Ascend910']" } },
              },
              ...env,
            ],
            command: ["/bin/bash", "-c"],
            args: [command],
            ports: [{ containerPort: spec.masterPort, name: "ascendjob-port" }],
            resources: {
              limits: { "huawei.com/Ascend910": spec.npusPerNode },
              requests: { "huawei.com/Ascend910": spec.npusPerNode },
            },
            volumeMounts: [
              { name: "workdir", mountPath: spec.workdir },
              { name: "ascend-driver", mountPath: "/usr/local/Ascend/driver" },
              { name: "ascend-add-ons", mountPath: "/usr/local/Ascend/add-ons" },
              { name: "dshm", mountPath: "/dev/shm" },
              { name: "localtime", mountPath: "/etc/localtime" },
            ],
          },
        ],
        volumes: [
          { name: "workdir", hostPath: { path: spec.workdir } },
          { name: "ascend-driver", hostPath: { path: "/usr/local/Ascend/driver" } },
          { name: "ascend-add-ons", hostPath: { path: "/usr/local/Ascend/add-ons" } },
          { name: "dshm", emptyDir: { medium: "Memory" } },
          { name: "localtime", hostPath: { path: "/etc/localtime" } },
        ],
      },
    },
  });
  const manifest = {
    apiVersion: "mindxdl.gitee.com/v1",
    kind: "AscendJob",
    metadata: {
      name,
      namespace: opts.namespace,
      labels: { framework: "pytorch", ...labels, "tor-affinity": "null" },
    },
    spec: {
      schedulerName: "volcano",
      runPolicy: { schedulingPolicy: { minAvailable: spec.nodes, queue: opts.queue } },
      successPolicy: "AllWorkers",
      replicaSpecs: {
        Master: pod(1),
        ...(spec.nodes > 1 ? { Worker: pod(spec.nodes - 1) } : {}),
      },
    },
  };
  return `# ascend-train run ${spec.runId}: MindCluster AscendJob for Volcano. Apply with kubectl apply -f <this file>.\n# The workdir is mounted from each node at the same path; use an NFS volume instead where nodes do not share it.\n${stringify(manifest, { lineWidth: 0 })}`;
}

/** Default accelerator-type label for whole-module Atlas A2 servers. */
export function acceleratorTypeFor(npusPerNode: number): string {
  return npusPerNode >= 16 ? "module-910b-16" : "module-910b-8";
}
