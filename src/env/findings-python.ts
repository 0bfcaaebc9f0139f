// Findings about the Python environment: interpreter, torch/torch_npu pair, wheels, numpy, transformers, MindSpeed.
import { shellQuote } from "../hosts/quote.js";
import {
  baseTorchVersion,
  numpyConstraintFor,
  numpySatisfies,
  pipInstallTorchPair,
  TRANSFORMERS_REPO,
  torchNpuWheelFor,
  torchPairMatches,
  transformersPinFor,
} from "../knowledge/releases.js";
import type { Finding, HostFacts } from "./facts.js";
import { type FindingContext, finding, pipInstallFor } from "./finding.js";

/** Newest Python minor (3.x) that the torch and torch_npu builds of every release ship wheels for. */
const PYTHON_NEWEST_WITH_WHEELS = 11;

export function pythonFindings(f: HostFacts, ctx: FindingContext): Finding[] {
  const out: Finding[] = [];
  const r = ctx.release;
  const py = f.python;
  const arch = f.machine.arch;
  const pair = pipInstallTorchPair(r, arch);
  const newEnv = `conda create -y -n mindspeed-mm python=${r.python.recommended}`;
  if (!py.path) {
    out.push(
      finding(
        "python-missing",
        "error",
        "No Python interpreter in the tool shell",
        "python/python3 not found",
        `Python ${r.python.recommended}`,
        newEnv,
      ),
    );
    return out;
  }
  if (!py.version) {
    out.push(
      finding(
        "python-broken",
        "error",
        "Python did not report its packages",
        py.error ?? "no output",
        "a JSON package report",
        null,
      ),
    );
    return out;
  }
  const minor = py.version.split(".").slice(0, 2).join(".");
  if (!r.python.supported.includes(minor)) {
    const minorOf = (v: string) => Number(v.split(".")[1]);
    const tooOld = minorOf(minor) < minorOf(r.python.recommended);
    // MindSpeed-MM declares python>=3.10 (>=3.8 at v2.1.0) and torch/torch_npu ship cp311 wheels: 3.11 installs and
    // runs; the guides document 3.10. Newer than that has no torch_npu wheel and is a real problem.
    const stillInstalls = !tooOld && minorOf(minor) <= PYTHON_NEWEST_WITH_WHEELS;
    out.push(
      finding(
        "python-version",
        tooOld ? "error" : stillInstalls ? "info" : "warning",
        `Python ${minor} is not the version MindSpeed-MM ${r.tag} supports`,
        py.version,
        r.python.supported.join(" or "),
        newEnv,
        "Create the environment, then set `conda: mindspeed-mm` for this host in ascend-train.yaml.",
      ),
    );
  }
  if (py.env.kind === "system") {
    out.push(
      finding(
        "python-system-env",
        "info",
        "The tools use the system Python, not a venv or conda env",
        py.executable ?? py.path,
        "a dedicated venv or conda env (venv:/conda: in ascend-train.yaml)",
        null,
      ),
    );
  }

  const pk = py.packages;
  const torch = pk.torch?.version ?? null;
  const torchNpu = pk.torch_npu?.version ?? null;
  if (!torch || !torchNpu) {
    const missing = [!torch && "torch", !torchNpu && "torch_npu"].filter(Boolean).join(" and ");
    out.push(
      finding(
        !torch ? "torch-missing" : "torch-npu-missing",
        "error",
        `${missing} not installed`,
        `${missing} absent from ${py.executable ?? py.path}`,
        `torch ${r.torch} + torch_npu ${r.torchNpu}`,
        pair,
      ),
    );
  } else if (!torchPairMatches(torch, torchNpu)) {
    out.push(
      finding(
        "torch-npu-mismatch",
        "error",
        "torch and torch_npu are built for different versions",
        `torch ${torch}, torch_npu ${torchNpu}`,
        `torch ${r.torch} + torch_npu ${r.torchNpu}`,
        pair,
        "torch_npu only loads into the torch x.y.z it was built for.",
      ),
    );
  } else if (baseTorchVersion(torch) !== r.torch) {
    out.push(
      finding(
        "torch-version",
        "warning",
        `torch ${torch} is not the version MindSpeed-MM ${r.tag} pins`,
        `torch ${torch}, torch_npu ${torchNpu}`,
        `torch ${r.torch} + torch_npu ${r.torchNpu}`,
        pair,
      ),
    );
  } else {
    const cann = f.cann.version;
    const wheel = (cann && torchNpuWheelFor(cann, torch)) || r.torchNpu;
    if (torchNpu !== wheel && !torchNpu.startsWith(`${wheel}+`)) {
      out.push(
        finding(
          "torch-npu-version",
          "warning",
          `torch_npu ${torchNpu} is not the wheel built for this CANN`,
          `torch_npu ${torchNpu}${cann ? `, CANN ${cann}` : ""}`,
          `torch_npu ${wheel}`,
          cann ? pipInstallFor(f, ctx) : `pip install --force-reinstall torch_npu==${wheel}`,
        ),
      );
    }
  }
  if (torch) {
    const cuda = /\+cu\d+/.test(torch);
    const archMismatch = py.wheelArch !== null && arch !== null && py.wheelArch !== arch;
    if (cuda || archMismatch) {
      out.push(
        finding(
          "torch-wrong-wheel",
          "error",
          cuda ? "torch is a CUDA build" : "torch wheels are for another CPU architecture",
          cuda ? `torch ${torch}` : `wheel for ${py.wheelArch}, host is ${arch}`,
          arch === "x86_64" ? `torch ${r.torch}+cpu (x86_64)` : `torch ${r.torch} (${arch ?? "aarch64"})`,
          pair,
        ),
      );
    }
  }

  const numpy = pk.numpy?.version ?? null;
  const constraint = numpyConstraintFor(r, f.cann.version);
  if (numpy && !numpySatisfies(numpy, constraint)) {
    out.push(
      finding(
        "numpy-too-new",
        "error",
        `numpy ${numpy} with a CANN that needs numpy${constraint}`,
        `numpy ${numpy}${f.cann.version ? `, CANN ${f.cann.version}` : ""}, torch ${torch ?? "?"}`,
        `numpy${constraint}`,
        `pip install ${shellQuote(`numpy${constraint}`)}`,
        "CANN's operator compiler (and torch 2.1) are built against the numpy 1.x ABI.",
      ),
    );
  }

  const pin = transformersPinFor(r, ctx.model);
  const tf = pk.transformers?.version ?? null;
  const tfFix = pin.gitCommit
    ? `pip install git+${TRANSFORMERS_REPO}@${pin.gitCommit}`
    : `pip install transformers==${pin.version}`;
  const tfExpected = pin.gitCommit ? `transformers @ ${pin.gitCommit}` : `transformers ${pin.version}`;
  if (!tf) {
    out.push(finding("transformers-missing", "error", "transformers is not installed", "absent", tfExpected, tfFix));
  } else if (pin.version && !pin.gitCommit && !tf.startsWith(pin.version)) {
    out.push(
      finding(
        "transformers-version",
        "warning",
        `transformers ${tf} differs from the pin${ctx.model ? ` for ${ctx.model}` : ""}`,
        tf,
        tfExpected,
        tfFix,
      ),
    );
  }
  for (const req of r.extraRequirements) {
    const m = /^([\w-]+)>=([\d.]+)$/.exec(req);
    const have = m ? pk[m[1]!]?.version : undefined;
    if (m && have && versionLess(have, m[2]!)) {
      out.push(
        finding(
          `${m[1]}-version`,
          "warning",
          `${m[1]} ${have} is older than ${r.tag} requires`,
          have,
          req,
          `pip install ${shellQuote(req)}`,
        ),
      );
    }
  }

  const ms = pk.mindspeed;
  const wd = ctx.settings.workdir ?? ".";
  if (!ms) {
    const ref = r.mindspeed.commit ?? r.mindspeed.branch;
    out.push(
      finding(
        "mindspeed-missing",
        "error",
        "MindSpeed (core) is not installed",
        "mindspeed absent",
        `MindSpeed ${r.mindspeed.branch}${r.mindspeed.commit ? ` @ ${r.mindspeed.commit.slice(0, 12)}` : ""}`,
        `git clone ${r.mindspeed.repo} ~/MindSpeed && cd ~/MindSpeed && git checkout ${ref} && pip install -e .`,
      ),
    );
  } else if (ms.path && (ms.commit || ms.branch)) {
    const commitOff = r.mindspeed.commit && ms.commit && ms.commit !== r.mindspeed.commit;
    const branchOff = !r.mindspeed.commit && ms.branch && ms.branch !== "HEAD" && ms.branch !== r.mindspeed.branch;
    if (commitOff || branchOff) {
      const ref = r.mindspeed.commit ?? r.mindspeed.branch;
      out.push(
        finding(
          "mindspeed-commit",
          "warning",
          `MindSpeed is not at the ${r.tag} pin`,
          `${ms.path} at ${ms.commit?.slice(0, 12) ?? "?"}${ms.branch ? ` (${ms.branch})` : ""}`,
          r.mindspeed.commit ? `${r.mindspeed.commit} (${r.mindspeed.branch})` : r.mindspeed.branch,
          `cd ${shellQuote(ms.path)} && git fetch origin && git checkout ${ref} && pip install -e .`,
        ),
      );
    }
  }
  if (!pk.mindspeed_mm && ctx.settings.workdir) {
    out.push(
      finding(
        "mindspeed-mm-not-installed",
        "error",
        "mindspeed_mm is not pip-installed in this environment",
        "mindspeed_mm absent",
        `pip install -e . in ${wd}`,
        `cd ${shellQuote(wd)} && pip install -e .`,
        "It also installs mm-convert, which weight conversion needs.",
      ),
    );
  }
  return out;
}

function versionLess(a: string, b: string): boolean {
  const pa = a.split(".").map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(".").map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0;
  }
  return false;
}
