// Signals of the fifteenth collection's round, each written from the message's source rather than a collected log:
// the driver's own tool missing from a container (nvidia-smi beside npu-smi), the kernel's report of a multi-bit ECC
// memory error, the op build's "Invalid socVersion" from a toolkit older than the chip, and mmengine's lazy-import
// config naming a base file that is not there. Each is diagnosed by the rules alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnoseText } from "../../src/diagnosis/index.js";
import { setKnownCaseFilter } from "../../src/diagnosis/signature.js";

const top = (log: string) => diagnoseText(log).findings[0]!;

beforeAll(() => setKnownCaseFilter(() => false, { upstreamMessages: false }));
afterAll(() => setKnownCaseFilter(undefined));

describe("devices and drivers", () => {
  it("a driver tool the container lacks (npu-smi or nvidia-smi) is a driver not mounted", () => {
    expect(top("/usr/local/bin/entrypoint.sh: line 12: nvidia-smi: command not found").category).toBe(
      "driver_not_mounted",
    );
    expect(top("bash: npu-smi: command not found").category).toBe("driver_not_mounted");
    // Another tool missing says nothing of the driver.
    expect(top("bash: nvcc: command not found").category).not.toBe("driver_not_mounted");
  });

  it("the kernel's multi-bit ECC report is a memory fault, with the faulty-card fixes only", () => {
    // drivers/firmware/efi/cper.c: one "[Hardware Error]" line per field of the CPER memory-error section.
    const log = [
      "[ 2454.830692] {6}[Hardware Error] Hardware error from APEI Generic Hardware Error Source: 0",
      "[ 2454.830694] {6}[Hardware Error]  section_type: memory error",
      "[ 2454.830700] {6}[Hardware Error]  error_type: 3, multi-bit ECC",
    ].join("\n");
    const f = top(log);
    expect(f.category).toBe("device_p2p_driver_error");
    expect(f.fixes.map((x) => x.id)).toEqual(["check-ecc", "exclude-card"]);
    // A corrected single-bit error is not a failure.
    expect(top("[ 12.0] {1}[Hardware Error]  error_type: 2, single-bit ECC").category).not.toBe(
      "device_p2p_driver_error",
    );
  });

  it("an op build that does not know the chip's SoC is a toolkit older than the chip", () => {
    expect(top("opbuild ops error: Invalid socVersion ascend910_93 of custom_op").category).toBe(
      "cann_version_mismatch",
    );
  });
});

describe("inputs", () => {
  it("mmengine's lazy-import config naming a base file that is not there is a missing input path", () => {
    const log =
      "mmengine.config.utils.ConfigParsingError: configs/_base_/models/detector.py not found! It means that incorrect module is defined in `with read_base(): = from .detector import ...`, please make sure the base config module is valid and is consistent with the prior import logic";
    expect(top(log).category).toBe("input_path_missing");
  });
});
