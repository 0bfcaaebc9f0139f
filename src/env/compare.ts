// Side-by-side check of several hosts meant to train together: every difference that breaks multi-node training.
import { shellQuote } from "../hosts/quote.js";
import { pipInstallTorchPair, type ReleaseStack } from "../knowledge/releases.js";
import type { Finding, HostFacts } from "./facts.js";
import { finding } from "./finding.js";

interface Aspect {
  id: string;
  label: string;
  severity: Finding["severity"];
  value: (f: HostFacts) => string | null;
  /** The matrix value, preferred as the reference when a host already has it. */
  expected?: (r: ReleaseStack) => string | null;
  /** Fix for one host whose value differs from the reference value. */
  fix: (f: HostFacts, reference: string, release: ReleaseStack) => string | null;
  why: string;
}

const ASPECTS: Aspect[] = [
  {
    id: "multi-node-cann-differs",
    label: "CANN version",
    severity: "error",
    value: (f) => f.cann.version,
    expected: (r) => r.cann.version,
    fix: (f, ref) =>
      `bash Ascend-cann-toolkit_${ref}_linux-${f.machine.arch ?? "aarch64"}.run --install --install-path=${f.cann.root} --quiet`,
    why: "HCCL of different CANN releases do not interoperate: collectives hang or fail at init.",
  },
  {
    id: "multi-node-torch-npu-differs",
    label: "torch_npu version",
    severity: "error",
    value: (f) => f.python.packages.torch_npu?.version ?? null,
    expected: (r) => r.torchNpu,
    fix: (_f, ref) => `pip install --force-reinstall torch_npu==${ref}`,
    why: "Ranks with different torch_npu builds disagree on collective and checkpoint formats.",
  },
  {
    id: "multi-node-torch-differs",
    label: "torch version",
    severity: "error",
    value: (f) => f.python.packages.torch?.version ?? null,
    fix: (f, _ref, r) => pipInstallTorchPair(r, f.machine.arch),
    why: "Every rank must run the same torch.",
  },
  {
    id: "multi-node-mindspeed-differs",
    label: "MindSpeed commit",
    severity: "error",
    value: (f) => f.python.packages.mindspeed?.commit ?? f.python.packages.mindspeed?.version ?? null,
    expected: (r) => r.mindspeed.commit,
    fix: (f, ref) => {
      const path = f.python.packages.mindspeed?.path;
      return path && /^[0-9a-f]{7,40}$/.test(ref)
        ? `cd ${path} && git fetch origin && git checkout ${ref} && pip install -e .`
        : null;
    },
    why: "MindSpeed patches Megatron at import; different commits build different models and optimizer states.",
  },
  {
    id: "multi-node-mindspeed-mm-differs",
    label: "MindSpeed-MM checkout",
    severity: "error",
    value: (f) => f.mindspeedMm.commit ?? f.mindspeedMm.describe,
    fix: (f, ref) =>
      f.mindspeedMm.workdir && /^[0-9a-f]{7,40}$/.test(ref)
        ? `cd ${shellQuote(f.mindspeedMm.workdir)} && git fetch origin && git checkout ${ref}`
        : null,
    why: "Every node must run the same training code.",
  },
  {
    id: "multi-node-python-differs",
    label: "Python version",
    severity: "error",
    value: (f) => f.python.version?.split(".").slice(0, 2).join(".") ?? null,
    expected: (r) => r.python.recommended,
    fix: (_f, ref) => `conda create -y -n mindspeed-mm python=${ref}`,
    why: "Pickled objects exchanged between ranks (data, RNG states) differ between Python minor versions.",
  },
  {
    id: "multi-node-transformers-differs",
    label: "transformers version",
    severity: "warning",
    value: (f) => f.python.packages.transformers?.version ?? null,
    fix: (_f, ref) => `pip install transformers==${ref}`,
    why: "Model code comes from transformers; ranks may build different modules.",
  },
  {
    id: "multi-node-chip-differs",
    label: "NPU chip",
    severity: "error",
    value: (f) => (f.npu.chipCount > 0 ? f.npu.chipFamily : null),
    fix: () => null,
    why: "HCCL cannot form one communicator across A2 and A3 (or older) chips.",
  },
  {
    id: "multi-node-npu-count-differs",
    label: "NPU count",
    severity: "warning",
    value: (f) => (f.npu.chipCount > 0 ? String(f.npu.chipCount) : null),
    fix: () => null,
    why: "NPUS_PER_NODE is one value for all nodes; a node with fewer NPUs fails at launch.",
  },
];

/** Reference value: the most common one; ties go to the first host's value. */
function majority(values: (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  for (const v of values) {
    if (v === null) continue;
    const c = counts.get(v)!;
    if (c > bestCount) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

export function compareHosts(hosts: HostFacts[], release: ReleaseStack): Finding[] {
  const out: Finding[] = [];
  if (hosts.length < 2) return out;
  for (const a of ASPECTS) {
    const values = hosts.map((h) => a.value(h));
    const distinct = new Set(values.filter((v): v is string => v !== null));
    if (distinct.size < 2) continue;
    const wanted = a.expected?.(release) ?? null;
    const ref = wanted !== null && distinct.has(wanted) ? wanted : majority(values)!;
    const evidence = hosts.map((h, i) => `${h.host}: ${values[i] ?? "unknown"}`).join(", ");
    hosts.forEach((h, i) => {
      if (values[i] === null || values[i] === ref) return;
      out.push({
        ...finding(
          a.id,
          a.severity,
          `${a.label} on ${h.host} differs from the other hosts`,
          evidence,
          `${ref} on every host${ref === wanted ? " (release matrix)" : " (held by most)"}`,
          a.fix(h, ref, release),
          a.why,
        ),
        host: h.host,
      });
    });
  }
  const noPdsh = hosts.filter((h) => h.probe.ok && !h.tools.pdsh);
  if (noPdsh.length > 0) {
    const os = (noPdsh[0]!.machine.os ?? "").toLowerCase();
    out.push(
      finding(
        "pdsh-missing",
        "warning",
        "pdsh is not installed; multi-node launches that use it hang without an error",
        noPdsh.map((h) => h.host).join(", "),
        "pdsh on every node",
        /ubuntu|debian/.test(os) ? "sudo apt-get install -y pdsh" : "sudo yum install -y pdsh",
      ),
    );
  }
  return out;
}
