// File trees of the simulated upstream repositories: MindSpeed-MM per tag, Megatron-LM and MindSpeed per branch.
import type { ReleaseTag } from "../knowledge/release-tags.js";
import { exampleFiles } from "./examples.js";
import { simFile } from "./files.js";
import type { SimStack } from "./releases.js";
import { MM_CONFIG_PY, MM_CONVERT_PY, MM_PLUGIN_PY, MM_TRAINING_PY, SIM_BUILD_PY } from "./shims.js";

const SIM_NOTE =
  "This tree belongs to a simulated Ascend host (ascend-train sim); it imitates the upstream layout only.";

function buildSystem(
  name: string,
  version: string,
  scripts: Record<string, string>,
  packages: string[],
  extras: Record<string, string[]> = {},
) {
  const scriptLines = Object.entries(scripts)
    .map(([k, v]) => `${k} = "${v}"\n`)
    .join("");
  const extraLines = Object.entries(extras)
    .map(([k, reqs]) => `${k} = [${reqs.map((r) => `"${r}"`).join(", ")}]\n`)
    .join("");
  return {
    "pyproject.toml": `[build-system]\nrequires = []\nbuild-backend = "sim_build"\nbackend-path = ["_sim_build"]\n\n[project]\nname = "${name}"\nversion = "${version}"\nrequires-python = ">=3.8"\n${scriptLines ? `\n[project.scripts]\n${scriptLines}` : ""}${extraLines ? `\n[project.optional-dependencies]\n${extraLines}` : ""}`,
    "_sim_build/sim_build.py": SIM_BUILD_PY,
    "_sim_build/meta.json": `${JSON.stringify({ name, version, scripts, packages, extras, summary: SIM_NOTE }, null, 2)}\n`,
  };
}

/** MindSpeed-MM's `[evaluate]` extra, as its pyproject declares it. */
export const MM_EVALUATE_EXTRA = ["portalocker", "rich", "xlsxwriter", "openpyxl"];

const ENTRY = (doc: string, call: string) => `# ${doc}\n# ${SIM_NOTE}\nimport sys\n\n${call}\n`;

export function mindspeedMmFiles(release: ReleaseTag, stack: SimStack): Record<string, string> {
  const v26 = release.startsWith("v26");
  const files: Record<string, string> = {
    "README.md": `# MindSpeed-MM ${release}\n\n${SIM_NOTE}\n`,
    ...buildSystem(
      "mindspeed_mm",
      stack.mmVersion,
      { "mm-convert": "checkpoint.convert_cli:main" },
      ["mindspeed_mm", "checkpoint"],
      { evaluate: MM_EVALUATE_EXTRA },
    ),
    "pretrain_vlm.py": ENTRY(
      "Megatron-path VLM training entry.",
      'from mindspeed_mm.training import pretrain\n\nif __name__ == "__main__":\n    sys.exit(pretrain("pretrain_vlm"))',
    ),
    "pretrain_transformers.py": ENTRY(
      "Megatron + FSDP2 (transformers models) training entry.",
      'from mindspeed_mm.training import pretrain\n\nif __name__ == "__main__":\n    sys.exit(pretrain("pretrain_transformers"))',
    ),
    "inference_vlm.py": ENTRY(
      "VLM inference entry.",
      'from mindspeed_mm.sim_inference import main\n\nif __name__ == "__main__":\n    sys.exit(main("inference"))',
    ),
    "evaluate_vlm.py": ENTRY(
      "VLM evaluation entry.",
      'from mindspeed_mm.sim_inference import main\n\nif __name__ == "__main__":\n    sys.exit(main("evaluate"))',
    ),
    "mindspeed_mm/sim_inference.py": simFile("mm_inference.py"),
    "mindspeed_mm/__init__.py": `__version__ = "${stack.mmVersion}"\n`,
    "mindspeed_mm/training.py": MM_TRAINING_PY,
    "mindspeed_mm/sim_config.py": MM_CONFIG_PY,
    "mindspeed_mm/data/__init__.py": "",
    "mindspeed_mm/data/data_utils/__init__.py": "",
    "mindspeed_mm/data/data_utils/func_utils/__init__.py": "",
    "mindspeed_mm/data/data_utils/func_utils/mm_plugin.py": MM_PLUGIN_PY,
    "mindspeed_mm/tools/tools.json": `${JSON.stringify({ profile: { enable: false }, memory_profile: { enable: false } }, null, 4)}\n`,
    "checkpoint/__init__.py": "",
    "checkpoint/convert_cli.py": MM_CONVERT_PY,
    "checkpoint/common/__init__.py": "",
    "checkpoint/common/merge_base_lora_weight.py": simFile("merge_lora.py"),
    ...exampleFiles(release),
  };
  if (!v26 || release === "v26.0.0") {
    files["pretrain_internvl.py"] = files["pretrain_vlm.py"]!;
    files["pretrain_qwen2vl.py"] = files["pretrain_vlm.py"]!;
  }
  if (v26) {
    files["mindspeed_mm/fsdp/__init__.py"] = "";
    files["mindspeed_mm/fsdp/train/__init__.py"] = "";
    files["mindspeed_mm/fsdp/train/trainer.py"] = ENTRY(
      "Native FSDP2 trainer.",
      'from mindspeed_mm.training import train_native\n\nif __name__ == "__main__":\n    sys.exit(train_native(sys.argv[1]))',
    );
  }
  return files;
}

export function megatronFiles(version: string): Record<string, string> {
  const [major, minor, patch] = version.split(".");
  return {
    "README.md": `# Megatron-LM core ${version}\n\n${SIM_NOTE}\n`,
    "megatron/__init__.py": "",
    "megatron/core/__init__.py": "from megatron.core.package_info import __version__  # noqa: F401\n",
    "megatron/core/package_info.py": `MAJOR = ${major}\nMINOR = ${minor}\nPATCH = ${patch}\n__version__ = "${version}"\n`,
    "megatron/training/__init__.py": "",
    "megatron/legacy/__init__.py": "",
  };
}

/** transformers at one upstream commit (for releases and models that pin one): a package with that version. */
export function transformersFiles(version: string, upstreamCommit: string): Record<string, string> {
  return {
    "README.md": `# transformers ${version} (upstream commit ${upstreamCommit})\n\n${SIM_NOTE}\n`,
    ...buildSystem("transformers", version, {}, ["transformers"]),
    "transformers/__init__.py": `"""${SIM_NOTE}"""\n__version__ = "${version}"\n`,
  };
}

export function mindspeedFiles(stack: SimStack): Record<string, string> {
  return {
    "README.md": `# MindSpeed ${stack.mindspeedBranch}\n\n${SIM_NOTE}\n`,
    "requirements.txt": "",
    ...buildSystem("mindspeed", stack.mindspeedVersion, {}, ["mindspeed"]),
    "mindspeed/__init__.py": `__version__ = "${stack.mindspeedVersion}"\n`,
    "mindspeed/megatron_adaptor.py":
      '"""Patches Megatron for Ascend NPUs (simulated)."""\nimport torch  # noqa: F401\nimport torch_npu  # noqa: F401\nimport megatron  # noqa: F401\n',
  };
}
