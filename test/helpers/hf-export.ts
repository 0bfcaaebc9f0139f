// What export_model (convert_weights' mm_to_hf) leaves in a Hugging Face directory it wrote and verified: the weights'
// config.json and convert_weights' record, which is what tells a real export from a directory merely named like one.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CONVERT_MARKER } from "../../src/convert/marker.js";

export function writeHfExport(out: string, opts: { model: string; source: string; createdAt?: string }): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "config.json"), "{}");
  const marker = {
    tool: "ascend-train convert_weights",
    version: 1,
    model: opts.model,
    release: "v26.1.0",
    variant: "",
    converter: "Qwen2_5_VLConverter",
    method: "mm_to_hf",
    format: "hf",
    tp: 1,
    pp: 1,
    ep: 1,
    layerSplit: { llm: null, vit: null },
    source: opts.source,
    output: out,
    command: "mm-convert Qwen2_5_VLConverter mm_to_hf",
    createdAt: opts.createdAt ?? new Date().toISOString(),
  };
  writeFileSync(join(out, CONVERT_MARKER), JSON.stringify(marker));
}
