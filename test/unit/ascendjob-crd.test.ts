// The AscendJob manifest export_scheduler_job writes, checked against the ascend-operator CRD fetched from MindCluster
// (test/fixtures/k8s) and against the rules the operator's validator applies before it creates pods.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ascendJobManifest, type SchedulerJobSpec } from "../../src/runs/scheduler.js";
import { checkAgainstSchema, DNS_LABEL, LABEL_KEY, LABEL_VALUE, type SchemaNode } from "../helpers/k8s-schema.js";

const CRD_FILE = join(import.meta.dirname, "..", "fixtures", "k8s", "ascendjobs.mindxdl.gitee.com.crd.yaml");
const crd = parseYaml(readFileSync(CRD_FILE, "utf8"));
const version = crd.spec.versions.find((v: { name: string }) => v.name === "v1");
const schema: SchemaNode = version.schema.openAPIV3Schema;

const spec: SchedulerJobSpec = {
  runId: "run-20261202-161600-ab12",
  nodes: 4,
  npusPerNode: 8,
  workdir: "/home/train/MindSpeed-MM",
  script: "/home/train/MindSpeed-MM/configs/qwen/finetune_qwen2_5_vl_7b.sh",
  env: { HCCL_CONNECT_TIMEOUT: "1200", HF_TOKEN: "secret" },
  masterPort: 6000,
  hostfile: "/home/train/MindSpeed-MM/.ascend-train/runs/run-20261202-161600-ab12.hostfile",
  logFile: "/home/train/MindSpeed-MM/logs/train_run-20261202-161600-ab12.log",
  secretsFile: "/home/train/MindSpeed-MM/.ascend-train/runs/run-20261202-161600-ab12.env",
};
const options = {
  image: "swr.cn-south-1.myhuaweicloud.com/ascendhub/mindspeed-mm:2.1.0",
  namespace: "train",
  queue: "default",
  ringController: "ascend-910b",
  acceleratorType: "module-910b-8",
  hostArch: "huawei-arm",
};

// biome-ignore lint/suspicious/noExplicitAny: a parsed manifest
const manifestOf = (s: SchedulerJobSpec = spec): any => parseYaml(ascendJobManifest(s, options));

describe("the AscendJob manifest against the ascend-operator CRD", () => {
  it("the fixture is MindCluster's AscendJob CRD, with its source and commit", () => {
    expect(crd).toMatchObject({ kind: "CustomResourceDefinition", spec: { group: "mindxdl.gitee.com" } });
    expect(crd.spec.names.kind).toBe("AscendJob");
    expect(readFileSync(CRD_FILE, "utf8")).toMatch(
      /github\.com\/Ascend\/mind-cluster\/blob\/[0-9a-f]{40}\/component\/ascend-operator\/build\/ascend-operator\.yaml/,
    );
  });

  it("a four-node and a one-node manifest fit the CRD's openAPIV3Schema, with no field the API server would prune", () => {
    for (const nodes of [4, 1]) {
      const m = manifestOf({ ...spec, nodes });
      expect(`${m.apiVersion}`).toBe(`${crd.spec.group}/${version.name}`);
      expect(m.kind).toBe(crd.spec.names.kind);
      expect(checkAgainstSchema(m, schema)).toEqual([]);
    }
  });

  it("the check can fail: a misspelt field, a replica count as text and a missing replicaSpecs are each refused", () => {
    const m = manifestOf();
    m.spec.replicaSpecs.Worker.replica = 3;
    m.spec.replicaSpecs.Master.replicas = "1";
    expect(checkAgainstSchema(m, schema)).toEqual([
      ".spec.replicaSpecs.Master.replicas: must be integer, not string",
      ".spec.replicaSpecs.Worker.replica: unknown field (the API server prunes it)",
    ]);
    // Deep inside the pod template too: a port as text and a quantity that is not one.
    const pod = manifestOf();
    const c = pod.spec.replicaSpecs.Master.template.spec.containers[0];
    c.ports[0].containerPort = "6000";
    c.resources.limits["huawei.com/Ascend910"] = "8 NPUs";
    expect(checkAgainstSchema(pod, schema)).toEqual([
      ".spec.replicaSpecs.Master.template.spec.containers[0].ports[0].containerPort: must be integer, not string",
      expect.stringMatching(
        /^\.spec\.replicaSpecs\.Master\.template\.spec\.containers\[0\]\.resources\.limits\.huawei\.com\/Ascend910: "8 NPUs" does not match/,
      ),
    ]);
    const none = manifestOf();
    delete none.spec.replicaSpecs;
    expect(checkAgainstSchema(none, schema)).toContain(".spec: replicaSpecs is required");
  });

  it("passes the operator's own checks: Master and Worker only, one Master, a container named ascend with an image, a known success policy and framework", () => {
    const m = manifestOf();
    expect(Object.keys(m.spec.replicaSpecs).sort()).toEqual(["Master", "Worker"]);
    expect(m.spec.replicaSpecs.Master.replicas).toBe(1);
    expect(m.spec.replicaSpecs.Worker.replicas).toBe(3);
    expect(["", "AllWorkers"]).toContain(m.spec.successPolicy ?? "");
    expect(["pytorch", "mindspore", "tensorflow"]).toContain(m.metadata.labels.framework);
    for (const r of Object.values(m.spec.replicaSpecs) as { template: { spec: { containers: unknown[] } } }[]) {
      const ascend = r.template.spec.containers.find((c) => (c as { name: string }).name === "ascend") as {
        image: string;
        ports: { name: string }[];
      };
      expect(ascend.image).toBeTruthy();
      expect(ascend.ports.map((p) => p.name)).toContain("ascendjob-port");
    }
  });

  it("names and labels are ones Kubernetes accepts", () => {
    const m = manifestOf({ ...spec, runId: "run-20261202-161600-AB12" });
    expect(m.metadata.name).toMatch(DNS_LABEL);
    const labelSets = [
      m.metadata.labels,
      ...Object.values(m.spec.replicaSpecs).map(
        (r) => (r as { template: { metadata: { labels: object } } }).template.metadata.labels,
      ),
    ];
    for (const labels of labelSets) {
      for (const [k, v] of Object.entries(labels)) {
        expect(k).toMatch(LABEL_KEY);
        expect(String(v)).toMatch(LABEL_VALUE);
        expect(typeof v).toBe("string");
      }
    }
  });
});
