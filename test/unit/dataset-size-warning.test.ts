// The warning for a run that reads a small dataset many times over says what its proposal reads, as it is.
import { describe, expect, it } from "vitest";
import { tinyDatasetWarning } from "../../src/configs/dataset-size.js";

/** The warning with its argument hints written as `k=v` (the doors render them as flags or arguments). */
const said = (...args: Parameters<typeof tinyDatasetWarning>) =>
  (tinyDatasetWarning(...args) ?? "").replace(/⟦(\{.*?\})⟧/g, (_, json: string) =>
    Object.entries((JSON.parse(json) as { args: Record<string, unknown> }).args)
      .map(([k, v]) => `${k}=${v}`)
      .join(" "),
  );

describe("a dataset read too many times over", () => {
  it("proposes about 3 epochs when whole steps allow it", () => {
    const w = said(1000, 8, 5000, "iterations");
    expect(w).toContain("about 40 epochs over the data");
    expect(w).toContain("trainIters=375 is about 3 epochs");
  });

  it("says what one step reads when even that is more (60 records, 256 per step: 4.3 epochs)", () => {
    expect(said(60, 256, 500, "iterations")).toContain("trainIters=1 is about 4.3 epochs");
    expect(said(8, 256, 200, "iterations")).toContain("even trainIters=1 reads the data about 32 times over");
  });

  it("the smaller batch it offers is said with the epochs it reads", () => {
    expect(said(8, 256, 200, "iterations", 8)).toContain(
      "globalBatchSize=8 trainIters=3: about 3 epochs in 3 iterations",
    );
  });
});
