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
