// A small LLaVA-style dataset with real PNG images, for the demo and the tests: what a person would bring.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PNG } from "pngjs";

/** A tiny solid-colour PNG, standing in for a photo. */
export function tinyPng(r: number, g: number, b: number): Buffer {
  const png = new PNG({ width: 8, height: 8 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([r, g, b, 255], i);
  return PNG.sync.write(png);
}

const COLOURS: [string, number, number, number][] = [
  ["red", 220, 40, 40],
  ["green", 40, 200, 60],
  ["blue", 40, 80, 220],
];

/** Writes `<dir>/images/*.png` and `<dir>/llava_colours.json` with `count` records; returns the JSON's path. */
export async function writeSampleLlavaDataset(dir: string, count = 60): Promise<string> {
  await mkdir(join(dir, "images"), { recursive: true });
  for (const [name, r, g, b] of COLOURS) await writeFile(join(dir, "images", `${name}.png`), tinyPng(r, g, b));
  const records = Array.from({ length: count }, (_, i) => {
    const [name] = COLOURS[i % COLOURS.length]!;
    return {
      id: `sample-${i}`,
      image: `images/${name}.png`,
      conversations: [
        { from: "human", value: "<image>\nWhat colour fills this picture?" },
        { from: "gpt", value: `It is entirely ${name}.` },
      ],
    };
  });
  const file = join(dir, "llava_colours.json");
  await writeFile(file, JSON.stringify(records, null, 1));
  return file;
}

/**
 * Writes `<dir>/AI2D_TEST.tsv`: questions about the sample's images in the columns of VLMEvalKit's AI2D_TEST.tsv (the
 * image base64 in its row), at the directory evaluate_model reads by default; returns its path. What a person would
 * download from VLMEvalKit before scoring a run.
 */
export async function writeSampleBenchmark(dir: string, count = 12): Promise<string> {
  const header = [
    "index",
    "question",
    "hint",
    "A",
    "B",
    "C",
    "D",
    "answer",
    "category",
    "l2-category",
    "split",
    "image",
  ];
  const rows = Array.from({ length: count }, (_, i) => {
    const [name, r, g, b] = COLOURS[i % COLOURS.length]!;
    const choices = ["red", "green", "blue", "yellow"];
    const answer = "ABCD"[choices.indexOf(name)]!;
    return [
      String(i),
      "Which colour fills this picture?",
      "",
      ...choices,
      answer,
      "colour",
      "perception",
      "test",
      tinyPng(r, g, b).toString("base64"),
    ].join("\t");
  });
  await mkdir(dir, { recursive: true });
  const file = join(dir, "AI2D_TEST.tsv");
  await writeFile(file, `${[header.join("\t"), ...rows].join("\n")}\n`);
  return file;
}
