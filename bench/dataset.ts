// prepare_dataset (LLaVA → MLLM conversion with full validation, one streaming pass on the host) against a plain
// Python script doing the same conversion with json.load / loop / json.dump, on a generated LLaVA-Instruct-shaped
// file of 150,000 records (BENCH_SCALE shrinks it). Both run as child processes; both report their own peak RSS.
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { HostSettingsSchema } from "../src/hosts/inventory.js";
import { HostRegistry } from "../src/hosts/registry.js";
import prepareDataset from "../src/tools/prepare-dataset.js";
import type { ToolDeps } from "../src/tools/tool.js";
import { median, ratioResult } from "./measure.js";
import type { BenchResult } from "./types.js";

const FULL_RECORDS = 150_000;
const IMAGES = join(import.meta.dirname, "..", "test", "fixtures", "datasets", "images");
const BASELINE = join(import.meta.dirname, "baselines", "convert_llava.py");
const WORDS = (
  "the a man woman bus street sign red white blue table kitchen dog cat umbrella holding standing near behind " +
  "what is are there in on of with color image picture shows appears several people background left right"
).split(" ");

/** Deterministic LLaVA-Instruct-like records: 1–4 question/answer pairs, one image each, <image> first or last. */
async function generate(path: string, records: number, images: string[]): Promise<void> {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const sentence = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
  const out = createWriteStream(path);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", r)));
  await write("[\n");
  for (let i = 0; i < records; i++) {
    const conversations = [];
    const pairs = 1 + Math.floor(rand() * 4);
    for (let t = 0; t < pairs; t++) {
      let q = `${sentence(8 + Math.floor(rand() * 12))}?`;
      if (t === 0) q = rand() < 0.5 ? `<image>\n${q}` : `${q}\n<image>`;
      conversations.push(
        { from: "human", value: q },
        { from: "gpt", value: `${sentence(30 + Math.floor(rand() * 90))}.` },
      );
    }
    const rec = { id: String(i).padStart(12, "0"), image: images[i % images.length], conversations };
    await write(`${i ? ",\n" : ""}${JSON.stringify(rec)}`);
  }
  await write("\n]\n");
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

export async function benchDataset(): Promise<BenchResult[]> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const records = Math.max(1000, Math.round(FULL_RECORDS * scale));
  const dir = mkdtempSync(join(tmpdir(), "bench-dataset-"));
  const hosts = new HostRegistry({ file: null, hosts: { local: HostSettingsSchema.parse({}) } });
  const deps: ToolDeps = { hosts, now: () => new Date(), progress: () => undefined, log: () => undefined };
  try {
    const imageDir = join(dir, "train2017");
    mkdirSync(imageDir);
    const images = readdirSync(IMAGES);
    for (const f of images) copyFileSync(join(IMAGES, f), join(imageDir, f));
    const input = join(dir, "llava_instruct.json");
    await generate(input, records, images);

    const ours: number[] = [];
    const base: number[] = [];
    let oursPeak = 0;
    let basePeak = 0;
    let written = 0;
    const reps = records >= 100_000 ? 2 : 3;
    for (let rep = 0; rep < reps; rep++) {
      const baseOut = join(dir, `base-${rep}.json`);
      let t = performance.now();
      const b = await execa("python3", [BASELINE, input, baseOut, imageDir]);
      base.push(performance.now() - t);
      basePeak = Math.max(basePeak, JSON.parse(b.stdout).peakRssKb / 1024);
      rmSync(baseOut);

      const oursOut = join(dir, `ours-${rep}.json`);
      t = performance.now();
      const r = await prepareDataset.handle(
        prepareDataset.input.parse({ input, output: oursOut, imageDir, imagePrefix: imageDir }),
        deps,
      );
      ours.push(performance.now() - t);
      oursPeak = Math.max(oursPeak, r.hostPeakRssMb ?? 0);
      written = r.written;
      rmSync(oursOut);
    }
    const result = ratioResult({
      name: `prepare_dataset: LLaVA→MLLM convert + validate, ${records.toLocaleString("en-US")} records`,
      ours,
      base,
      peakRssMb: Math.round(oursPeak * 10) / 10,
      baselinePeakRssMb: Math.round(basePeak * 10) / 10,
      goal: "ratio <= 0.33 (3× faster), peak memory below the baseline's",
      maxRatio: 0.33,
      checks: [{ what: "peak memory below the baseline's (and measured)", ok: oursPeak > 0 && oursPeak < basePeak }],
      note:
        `${written} records written; median of ${reps}; ours = python3 streaming program on the host (headers of ` +
        `every image checked), baseline = json.load/loop/json.dump (${(median(base) / 1000).toFixed(1)} s)`,
    });
    return [result];
  } finally {
    await hosts.closeAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
