// `npm run eval:diagnosis`: top-1 accuracy of the rule base on the public corpus of real failure logs, per
// category and overall. Reads ../shared/reference/diagnosis/corpus.jsonl, else the copy under test/fixtures.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diagnoseText } from "../src/diagnosis/index.js";

interface Item {
  id: string;
  label: string;
  log: string;
}

const ROOT = join(import.meta.dirname, "..");
const CANDIDATES = [
  join(ROOT, "..", "shared", "reference", "diagnosis", "corpus.jsonl"),
  join(ROOT, "test", "fixtures", "diagnosis", "corpus.jsonl"),
];

export function loadCorpus(path = CANDIDATES.find((p) => existsSync(p))): { path: string; items: Item[] } {
  if (!path) throw new Error(`No corpus found (looked in ${CANDIDATES.join(", ")})`);
  const items = readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Item);
  return { path, items };
}

export function evaluate(items: Item[]) {
  const perCategory = new Map<string, { total: number; hit: number }>();
  const misses: { id: string; label: string; got: string }[] = [];
  for (const item of items) {
    const top = diagnoseText(item.log).findings[0];
    const got = top?.category ?? "unknown";
    const c = perCategory.get(item.label) ?? { total: 0, hit: 0 };
    c.total++;
    if (got === item.label) c.hit++;
    else misses.push({ id: item.id, label: item.label, got });
    perCategory.set(item.label, c);
  }
  const hits = [...perCategory.values()].reduce((n, c) => n + c.hit, 0);
  return { total: items.length, hits, accuracy: items.length ? hits / items.length : 0, perCategory, misses };
}

async function main() {
  const { path, items } = loadCorpus(process.argv[2]);
  const r = evaluate(items);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  console.log(`corpus: ${path} (${r.total} items)\n`);
  console.log("category".padEnd(32), "top-1");
  for (const [cat, c] of [...r.perCategory.entries()].sort()) {
    console.log(cat.padEnd(32), `${c.hit}/${c.total}`.padEnd(7), pct(c.hit / c.total));
  }
  for (const m of r.misses) console.log(`miss: ${m.id}: expected ${m.label}, got ${m.got}`);
  console.log(`\noverall top-1: ${r.hits}/${r.total} = ${pct(r.accuracy)}`);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main();
