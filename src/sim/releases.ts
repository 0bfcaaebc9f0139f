// The software stack the simulated host carries for each MindSpeed-MM release (install matrix, facts §f).
import type { ReleaseTag } from "../knowledge/release-tags.js";
import { RELEASES } from "../knowledge/releases.js";

export interface SimStack {
  release: ReleaseTag;
  /** Version inside MindSpeed-MM's pyproject (tag without the v). */
  mmVersion: string;
  mindspeedBranch: string;
  mindspeedVersion: string;
  megatronBranch: string;
  megatronVersion: string;
  cann: string;
  /** innerversion= line of ascend_toolkit_install.info. */
  cannInner: string;
  driver: string;
  torch: string;
  torchNpu: string;
  transformers: string;
  accelerate: string;
  peft: string;
  numpy: string;
}

export const SIM_STACKS: Record<ReleaseTag, SimStack> = {
  "v2.1.0": {
    release: "v2.1.0",
    mmVersion: "2.1.0",
    mindspeedBranch: "2.1.0_core_r0.8.0",
    mindspeedVersion: "0.8.0",
    megatronBranch: "core_r0.8.0",
    megatronVersion: "0.8.0",
    cann: "8.2.RC1",
    cannInner: "V100R001C22SPC001B231",
    driver: "25.0.rc1.1",
    torch: "2.1.0",
    // The wheel the release matrix names, so a healthy simulated host agrees with check_env.
    torchNpu: RELEASES["v2.1.0"].torchNpu,
    transformers: "4.45.0",
    accelerate: "0.34.2",
    peft: "0.13.2",
    numpy: "1.26.4",
  },
  "v2.2.0": {
    release: "v2.2.0",
    mmVersion: "2.2.0",
    mindspeedBranch: "2.2.0_core_r0.12.1",
    mindspeedVersion: "0.12.1",
    megatronBranch: "core_v0.12.1",
    megatronVersion: "0.12.1",
    cann: "8.3.RC1",
    cannInner: "V100R001C23SPC001B085",
    driver: "25.2.0",
    torch: "2.7.1+cpu",
    // The wheel the release matrix names, so a healthy simulated host agrees with check_env.
    torchNpu: RELEASES["v2.2.0"].torchNpu,
    transformers: "4.53.0",
    accelerate: "1.2.0",
    peft: "0.15.2",
    numpy: "1.26.4",
  },
  "v2.3.0": {
    release: "v2.3.0",
    mmVersion: "2.3.0",
    mindspeedBranch: "2.3.0_core_r0.12.1",
    mindspeedVersion: "0.12.1",
    megatronBranch: "core_v0.12.1",
    megatronVersion: "0.12.1",
    cann: "8.5.0",
    cannInner: "V100R001C25SPC001B210",
    driver: "25.3.rc1",
    torch: "2.7.1+cpu",
    // The wheel the release matrix names, so a healthy simulated host agrees with check_env.
    torchNpu: RELEASES["v2.3.0"].torchNpu,
    transformers: "4.53.0",
    accelerate: "1.2.0",
    peft: "0.17.1",
    numpy: "1.26.4",
  },
  "v26.0.0": {
    release: "v26.0.0",
    mmVersion: "26.0.0",
    mindspeedBranch: "26.0.0_core_r0.12.1",
    mindspeedVersion: "0.12.1",
    megatronBranch: "core_v0.12.1",
    megatronVersion: "0.12.1",
    cann: "9.0.0",
    cannInner: "V100R001C26SPC001B120",
    driver: "25.5.0",
    torch: "2.7.1+cpu",
    // The wheel the release matrix names, so a healthy simulated host agrees with check_env.
    torchNpu: RELEASES["v26.0.0"].torchNpu,
    transformers: "4.57.0",
    accelerate: "1.2.0",
    peft: "0.17.1",
    numpy: "1.26.4",
  },
  "v26.1.0": {
    release: "v26.1.0",
    mmVersion: "26.1.0",
    mindspeedBranch: "26.1.0_core_r0.12.1",
    mindspeedVersion: "0.12.1",
    megatronBranch: "core_v0.12.1",
    megatronVersion: "0.12.1",
    cann: "9.1.0",
    cannInner: "V100R001C27SPC001B060",
    driver: "25.5.1",
    torch: "2.7.1+cpu",
    // The wheel the release matrix names, so a healthy simulated host agrees with check_env.
    torchNpu: RELEASES["v26.1.0"].torchNpu,
    transformers: "4.57.0",
    accelerate: "1.2.0",
    peft: "0.19.1",
    numpy: "1.26.4",
  },
};

/** CANN from 8.5 installs under `cann/`, older releases under `ascend-toolkit/`. */
export function usesCannLayout(cann: string): boolean {
  const [major, minor] = cann.split(".").map((p) => Number.parseInt(p, 10));
  return (major ?? 0) > 8 || ((major ?? 0) === 8 && (minor ?? 0) >= 5);
}

/** The npu-smi tool ships with the driver and reports its version. */
export function npuSmiVersion(stack: SimStack): string {
  return stack.driver;
}
