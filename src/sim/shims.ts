// The programs of the simulated host, read from real files under ./files (see files.ts): the stand-in packages' Python,
// the upstream checkouts' entry points, the host's tools (npu-smi, df) and the wheel builder. Kept as files so that
// `python3 -m py_compile` checks every one (test/unit/sim-files.test.ts); placeholders such as @@TORCH_VERSION@@ are
// filled in by packages.ts.
import { simFile } from "./files.js";

// A tiny PEP 517/660 build backend for the mirrored repos: `pip install --no-build-isolation --no-index -e .` offline.
export const SIM_BUILD_PY = simFile("sim_build.py");

// mindspeed_mm/sim_config.py: argument and config handling for the simulated trainers (Megatron flags, JSON, YAML).
export const MM_CONFIG_PY = simFile("mm_config.py");

// checkpoint/convert_cli.py of the simulated checkout: `mm-convert <Converter> <method> --cfg.* ...` (facts §b).
export const MM_CONVERT_PY = simFile("mm_convert.py");

// mindspeed_mm/training.py of the simulated checkout: the real log format (facts §e), checkpoints, scenario failures.
export const MM_TRAINING_PY = simFile("mm_training.py");

// mindspeed_mm/data/data_utils/func_utils/mm_plugin.py: the dataset's images opened at preprocessing, as upstream does.
export const MM_PLUGIN_PY = simFile("mm_plugin.py");

// bin/npu-smi: the 98-column Atlas A2 table of the real tool, filled from the simulated host's state.
export const NPU_SMI_PY = simFile("npu_smi.py");
export const DF_SHIM_SH = simFile("df_shim.sh");

// ascend_sim.py: the shared helper every simulated tool imports (state, NPU holders, banner).
export const SIM_HELPER_PY = simFile("sim_helper.py");

// Sources of the stand-in `torch_npu` package: loads only when CANN's libraries are on LD_LIBRARY_PATH and match.
export const TORCH_NPU_INIT_PY = simFile("torch_npu_init.py");
export const TORCH_NPU_UTILS_PY = simFile("torch_npu_utils.py");
export const TORCH_NPU_ERROR_CODE_PY = simFile("torch_npu_error_code.py");
export const TORCH_NPU_C_PY = simFile("torch_npu_c.py");
export const TORCH_NPU_NPU_PY = simFile("torch_npu_npu.py");

// Sources of the stand-in `torch` package: versions, NPU backend autoload, torch.distributed and torchrun.
export const TORCH_INIT_PY = simFile("torch_init.py");
export const TORCH_VERSION_PY = simFile("torch_version.py");
export const TORCH_DISTRIBUTED_PY = simFile("torch_distributed.py");
export const TORCH_ERRORS_PY = simFile("torch_errors.py");
export const TORCH_RUN_PY = simFile("torch_run.py");

// Builds installable .whl files (zip + METADATA/WHEEL/RECORD) from the package specs given on stdin.
export const WHEEL_BUILDER_PY = simFile("wheel_builder.py");
