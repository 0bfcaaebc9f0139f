// What a person downloads before fine-tuning, laid out on a simulated host at the paths build_configs defaults to:
// the model's Hugging Face directory and a small LLaVA dataset with real images, plus its MindSpeed-MM (MLLM) form;
// and the benchmark TSV evaluate_model reads by default (in the workdir).
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, posix } from "node:path";
import { resolveModel, resolveTrainingPlan } from "../configs/index.js";
import { makeFakeHfModel } from "./hf-model.js";
import { writeSampleBenchmark, writeSampleLlavaDataset } from "./sample-data.js";

export interface SampleData {
  model: string;
  /** Host paths, absolute. */
  hfDir: string;
  llava: string;
  dataset: string;
  imageDir: string;
  /** A benchmark TSV (AI2D's columns) where evaluate_model looks by default. */
  benchmark: string;
  /** Default paths that point outside the host's workdir and were left alone. */
  skipped: string[];
}

/** The MindSpeed-MM MLLM form of the sample LLaVA records (what prepare_dataset writes). */
function mllmRecords(llava: { image: string; conversations: { from: string; value: string }[] }[]) {
  return llava.map((r) => ({
    messages: r.conversations.map((c) => ({ role: c.from === "human" ? "user" : "assistant", content: c.value })),
    images: [r.image],
  }));
}

export async function layOutSampleData(workdir: string, modelQuery: string): Promise<SampleData> {
  const model = resolveModel(modelQuery);
  const plan = resolveTrainingPlan(model.id, undefined, { outputDir: posix.join(workdir, "configs", model.id) });
  const skipped: string[] = [];
  const onHost = (p: string) => {
    if (isAbsolute(p)) {
      skipped.push(p);
      return null;
    }
    return join(workdir, p);
  };
  const hfName = model.hfRepo?.split("/").pop() ?? model.displayName;
  const hfDir = onHost(plan.paths.hfDir) ?? join(workdir, "ckpt", "hf_path", hfName);
  const llm = model.arch?.llm;
  await makeFakeHfModel(
    hfDir,
    model.hfRepo ?? hfName,
    llm
      ? {
          numLayers: llm.layers,
          numHeads: llm.heads,
          numKvHeads: llm.kvHeads,
          hiddenSize: llm.hidden,
          vocabSize: llm.vocab,
          ...(llm.ffn ? { intermediateSize: llm.ffn } : {}),
          ...(model.arch?.vit ? { visionDepth: model.arch.vit.layers } : {}),
        }
      : {},
  );
  const dataDir = onHost(plan.paths.datasetDir) ?? join(workdir, "data");
  const llava = await writeSampleLlavaDataset(dataDir);
  const dataset = onHost(plan.paths.dataset) ?? join(dataDir, "mllm_format_llava_instruct_data.json");
  const records = mllmRecords(JSON.parse(await readFile(llava, "utf8")));
  await mkdir(dirname(dataset), { recursive: true });
  await writeFile(
    dataset,
    dataset.endsWith(".jsonl")
      ? `${records.map((r) => JSON.stringify(r)).join("\n")}\n`
      : JSON.stringify(records, null, 1),
  );
  const benchmark = await writeSampleBenchmark(workdir);
  return { model: model.id, hfDir, llava, dataset, imageDir: dataDir, benchmark, skipped };
}
