import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostSettings, HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import prepareDataset from "../../src/tools/prepare-dataset.js";
import type { ProgressUpdate, ToolDeps } from "../../src/tools/tool.js";
import { ToolError } from "../../src/tools/tool.js";
import validateDataset from "../../src/tools/validate-dataset.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const IMAGES = join(import.meta.dirname, "..", "fixtures", "datasets", "images");
let dir: string;
let hosts: HostRegistry;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "dataset-test-"));
  mkdirSync(join(dir, "img"));
  for (const f of readdirSync(IMAGES)) copyFileSync(join(IMAGES, f), join(dir, "img", f));
  writeFileSync(join(dir, "img", "clip.mp4"), "not checked beyond existence");
  writeFileSync(join(dir, "img", "text.jpg"), "this is not an image at all");
  writeFileSync(join(dir, "img", "empty.png"), "");
  writeFileSync(join(dir, "img", "cut.png"), readFileSync(join(IMAGES, "red-20x30.png")).subarray(0, 14));
  writeFileSync(
    join(dir, "img", "pic.webp"),
    Buffer.concat([Buffer.from("RIFF\x10\x00\x00\x00WEBPVP8 "), Buffer.alloc(20)]),
  );
  const ssh = readSshTestEnv();
  const settings: Record<string, HostSettings> = { local: HostSettingsSchema.parse({}) };
  if (ssh) settings.remote = sshHostSettings(ssh);
  hosts = new HostRegistry({ file: null, hosts: settings });
  // The ssh login is another user: let it read the inputs and write outputs here.
  chmodSync(dir, 0o777);
});

afterAll(async () => {
  await hosts.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

function deps(progress: ProgressUpdate[] = []): ToolDeps {
  return { hosts, now: () => new Date(0), progress: (u) => progress.push(u), log: () => undefined };
}

let n = 0;
function file(name: string, content: unknown[] | string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

const prepare = (args: Record<string, unknown>, progress?: ProgressUpdate[]) =>
  prepareDataset.handle(prepareDataset.input.parse(args), deps(progress));
const validate = (args: Record<string, unknown>) => validateDataset.handle(validateDataset.input.parse(args), deps());
const human = (value: string) => ({ from: "human", value });
const gpt = (value: string) => ({ from: "gpt", value });

const LLAVA = [
  {
    id: "000000033471",
    image: "img/blue-32x24.jpg",
    conversations: [
      human("What are the colors of the bus in the image?\n<image>"),
      gpt('The bus is "white" and red.'),
      human("What feature can be seen on the back?"),
      gpt("An advertisement — 広告 😀, path C:\\bus."),
    ],
  },
  {
    id: "multi",
    image: ["img/red-20x30.png", "img/green-16x40-progressive.jpg"],
    conversations: [human("<image>\n<image>\nCompare the two."), gpt("Left is red, right is green.")],
  },
  { id: "text-only", conversations: [human("Say hi."), gpt("hi")] },
  {
    id: "sys",
    system: "Answer briefly.",
    image: "img/exif-48x36.jpg",
    conversations: [{ from: "system", value: "You are a camera." }, human("<image> what?"), gpt("A red square.")],
  },
  { id: "vid", video: "img/clip.mp4", conversations: [human("<video>\nDescribe."), gpt("Nothing moves.")] },
];

describe("prepare_dataset: LLaVA to MLLM", () => {
  it("converts multi-turn, multi-image, text-only, system and video records and reports progress", async () => {
    const input = file("llava.json", LLAVA);
    const output = join(dir, "mllm.json");
    const progress: ProgressUpdate[] = [];
    const r = await prepare({ input, output, imagePrefix: "./data" }, progress);
    expect(r).toMatchObject({ records: 5, valid: 5, invalid: 0, written: 5, images: 4, videos: 1, to: "mllm" });
    expect(r.inputContainer).toBe("json");
    expect(r.outputFormat).toBe("json");
    expect(r.attrCheck?.ok).toBe(true);
    expect(progress.at(-1)).toMatchObject({ progress: progress.at(-1)!.total });
    const out = JSON.parse(readFileSync(output, "utf8"));
    expect(out[0]).toEqual({
      id: "000000033471",
      messages: [
        { role: "user", content: "What are the colors of the bus in the image?\n<image>" },
        { role: "assistant", content: 'The bus is "white" and red.' },
        { role: "user", content: "What feature can be seen on the back?" },
        { role: "assistant", content: "An advertisement — 広告 😀, path C:\\bus." },
      ],
      images: ["./data/img/blue-32x24.jpg"],
    });
    expect(out[1].images).toEqual(["./data/img/red-20x30.png", "./data/img/green-16x40-progressive.jpg"]);
    expect(out[2]).toEqual({ id: "text-only", messages: expect.any(Array), images: [] });
    expect(out[3].system).toBe("Answer briefly.");
    expect(out[3].messages.map((m: { role: string }) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(out[4]).toMatchObject({ images: [], videos: ["./data/img/clip.mp4"] });
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("goes back to conversation JSON Lines for InternVL and round-trips the content", async () => {
    const input = file("llava.json", LLAVA);
    const mllm = join(dir, "rt.json");
    await prepare({ input, output: mllm });
    const back = join(dir, "rt.jsonl");
    const r = await prepare({ input: mllm, output: back, family: "internvl3" });
    expect(r).toMatchObject({ to: "conversation", outputFormat: "jsonl", written: 5, from: "mllm" });
    const lines = readFileSync(back, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.conversations)).toEqual(LLAVA.map((l) => l.conversations));
    expect(lines.map((l) => l.image)).toEqual(LLAVA.map((l) => l.image));
    expect(lines[4].video).toBe("img/clip.mp4");
  });

  it("writes the key names of a data config's attr section", async () => {
    const attr = {
      messages: "conv",
      role_tag: "r",
      content_tag: "c",
      user_tag: "u",
      assistant_tag: "a",
      images: "imgs",
    };
    const output = join(dir, "custom.json");
    const r = await prepare({ input: file("llava.json", LLAVA.slice(0, 2)), output, attr });
    expect(r.attrCheck).toEqual({ ok: true, problems: [], warnings: [] });
    const out = JSON.parse(readFileSync(output, "utf8"));
    expect(out[1]).toEqual({
      id: "multi",
      conv: [
        { r: "u", c: "<image>\n<image>\nCompare the two." },
        { r: "a", c: "Left is red, right is green." },
      ],
      imgs: ["img/red-20x30.png", "img/green-16x40-progressive.jpg"],
    });
  });

  it("streams records that straddle read chunks, with escapes and non-BMP text, unchanged", async () => {
    const records = Array.from({ length: 1500 }, (_, i) => ({
      id: i,
      image: "img/gray-7x5.png",
      conversations: [
        human(`<image>\n${'q\\"\t'.repeat(i % 7)} ${"長い質問 ".repeat(60 + (i % 50))}`),
        gpt(`${"answer 🚀 \u0001 ".repeat(80 + (i % 90))} #${i}`),
      ],
    }));
    const input = file("big.json", records);
    expect(readFileSync(input).length).toBeGreaterThan(3 * 1024 * 1024);
    const output = join(dir, "big.jsonl");
    const r = await prepare({ input, output });
    expect(r).toMatchObject({ records: 1500, written: 1500, outputFormat: "jsonl", distinctMediaChecked: 1 });
    const out = readFileSync(output, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.messages[0].content)).toEqual(records.map((x) => x.conversations[0]!.value));
    expect(out.map((o) => o.messages[1].content)).toEqual(records.map((x) => x.conversations[1]!.value));
    expect(out.map((o) => o.id)).toEqual(records.map((x) => x.id));
  });
});

// Index → the one problem planted there.
const BROKEN: Record<number, { kind: string; record: unknown; match: RegExp }> = {
  1: { kind: "roles", record: { conversations: [human("a"), human("b")] }, match: /conversations\[1\].*alternate/ },
  3: {
    kind: "placeholders",
    record: { image: "img/blue-32x24.jpg", conversations: [human("<image><image> x"), gpt("y")] },
    match: /2 <image> placeholder\(s\) but 1 image/,
  },
  4: {
    kind: "image-missing",
    record: { image: "img/nope.jpg", conversations: [human("<image>"), gpt("y")] },
    match: /nope\.jpg not found/,
  },
  5: {
    kind: "image-format",
    record: { image: "img/text.jpg", conversations: [human("<image>"), gpt("y")] },
    match: /not a JPEG or PNG/,
  },
  6: {
    kind: "image-unreadable",
    record: { image: "img/cut.png", conversations: [human("<image>"), gpt("y")] },
    match: /truncated/,
  },
  7: { kind: "roles", record: { conversations: [{ from: "bot", value: "x" }, gpt("y")] }, match: /unknown from "bot"/ },
  8: { kind: "fields", record: { image: "img/blue-32x24.jpg" }, match: /neither 'conversations' nor 'messages'/ },
  9: {
    kind: "image-format",
    record: { image: "img/pic.webp", conversations: [human("<image>"), gpt("y")] },
    match: /WebP/,
  },
  11: {
    kind: "image-unreadable",
    record: { image: "img/empty.png", conversations: [human("<image>"), gpt("y")] },
    match: /empty/,
  },
  12: { kind: "roles", record: { conversations: [human("a"), gpt("b"), human("c")] }, match: /end with an assistant/ },
  13: { kind: "record", record: ["not", "an", "object"], match: /not a JSON object/ },
  14: {
    kind: "fields",
    record: { conversations: [{ from: "human" }, gpt("y")] },
    match: /needs string 'from' and 'value'/,
  },
  15: {
    kind: "roles",
    record: { conversations: [human("a"), { from: "system", value: "s" }, gpt("b")] },
    match: /conversations\[1\] is a system turn; only the first turn may be one/,
  },
  16: {
    kind: "roles",
    record: { conversations: [human("a"), human("b")] },
    match: /conversations\[1\] is 'user'; roles must alternate/,
  },
  17: { kind: "fields", record: { conversations: null }, match: /'conversations' is missing or not a non-empty list/ },
  18: { kind: "roles", record: { conversations: [{ from: "system", value: "s" }] }, match: /end with an assistant/ },
};
const good = (i: number) => ({ id: i, image: "img/blue-32x24.jpg", conversations: [human(`<image> ${i}`), gpt("ok")] });
const mixed = (count: number) => Array.from({ length: count }, (_, i) => BROKEN[i]?.record ?? good(i));

describe("validate_dataset", () => {
  it("reports each planted problem at its record index, with counts", async () => {
    const r = await validate({ path: file("mixed.json", mixed(20)), maxProblems: 50 });
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({
      records: 20,
      invalid: Object.keys(BROKEN).length,
      valid: 20 - Object.keys(BROKEN).length,
    });
    expect(r.problems.map((p) => p.index)).toEqual(Object.keys(BROKEN).map(Number));
    for (const p of r.problems) {
      expect(p.kind).toBe(BROKEN[p.index]!.kind);
      expect(p.message).toMatch(BROKEN[p.index]!.match);
    }
    expect(r.problemCounts.roles).toBe(6);
    expect(readFileSync(join(dir, "img", "text.jpg"), "utf8")).toContain("not an image");
  });

  it("limits the detail to maxProblems but counts everything", async () => {
    const r = await validate({ path: file("mixed.json", mixed(20)), maxProblems: 2 });
    expect(r.problems.map((p) => p.index)).toEqual([1, 3]);
    expect(Object.values(r.problemCounts).reduce((a, b) => a + b, 0)).toBe(Object.keys(BROKEN).length);
  });

  it("reads JPEG frame headers past large APP segments and progressive frames, and skips images when asked", async () => {
    const recs = ["exif-48x36.jpg", "green-16x40-progressive.jpg", "gray-7x5.png"].map((f) => ({
      messages: [
        { role: "user", content: "<image>" },
        { role: "assistant", content: "ok" },
      ],
      images: [`img/${f}`],
    }));
    const path = file("mllm.json", recs);
    const r = await validate({ path, family: "qwen2.5vl" });
    expect(r).toMatchObject({ ok: true, invalid: 0, recordFormats: { mllm: 3 }, familyMismatch: null });
    expect(r.attrCheck?.ok).toBe(true);
    const missing = await validate({ path, imageDir: "/nonexistent", checkImages: false });
    expect(missing.ok).toBe(true);
  });

  it("flags a conversation file given for a family whose config wants MLLM records", async () => {
    const r = await validate({ path: file("llava.json", LLAVA), family: "qwen2.5vl" });
    expect(r.invalid).toBe(0);
    expect(r.ok).toBe(false);
    expect(r.familyMismatch).toMatch(/qwen2\.5vl expects mllm records .* conversation/);
  });

  it("reports a bad JSON Lines line as a problem of that record and goes on", async () => {
    const lines = [
      JSON.stringify(good(0)),
      "",
      JSON.stringify(good(1)),
      '{"conversations": [',
      JSON.stringify(good(3)),
    ];
    const r = await validate({ path: file("data.jsonl", `${lines.join("\n")}\n`) });
    expect(r.container).toBe("jsonl");
    expect(r).toMatchObject({ records: 4, invalid: 1 });
    expect(r.problems[0]).toMatchObject({ index: 2, kind: "json" });
    expect(r.problems[0]!.message).toMatch(/line 4 is not valid JSON/);
  });

  it("fails clearly on a truncated JSON array, naming the record", async () => {
    const text = JSON.stringify(mixed(3).map((_, i) => good(i))).slice(0, -30);
    await expect(validate({ path: file("cut.json", text) })).rejects.toThrow(/invalid JSON in record 2/);
    await expect(validate({ path: file("x.json", "hello") })).rejects.toThrow(/neither a JSON array nor JSON Lines/);
    await expect(validate({ path: join(dir, "absent.json") })).rejects.toThrow(/does not exist/);
  });
});

describe("prepare_dataset with broken records, existing outputs", () => {
  const tenPercentBroken = () => Array.from({ length: 120 }, (_, i) => (i % 10 === 7 ? BROKEN[4]!.record : good(i)));

  it("writes nothing when records are broken and says which", async () => {
    const output = join(dir, "never.json");
    const err = await prepare({ input: file("broken.json", tenPercentBroken()), output, maxProblems: 3 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect(err.message).toMatch(/12 of 120 records .* invalid \(image-missing: 12\); nothing was written/);
    expect(err.message).toContain("#7 image-missing: img/nope.jpg not found");
    expect(err.message).toContain("#27 image-missing");
    expect(err.details.problems).toHaveLength(3);
    expect(readdirSync(dir).filter((f) => f.includes("never"))).toEqual([]);
  });

  it("keeps only the valid records with skipInvalid", async () => {
    const output = join(dir, "valid-only.json");
    const r = await prepare({ input: file("broken.json", tenPercentBroken()), output, skipInvalid: true });
    expect(r).toMatchObject({ records: 120, valid: 108, invalid: 12, written: 108 });
    const out = JSON.parse(readFileSync(output, "utf8"));
    expect(out).toHaveLength(108);
    expect(out.some((o: { id: number }) => o.id % 10 === 7)).toBe(false);
  });

  it("never overwrites an existing output unless asked", async () => {
    const input = file("llava.json", LLAVA);
    const output = join(dir, "existing.json");
    writeFileSync(output, "precious");
    await expect(prepare({ input, output })).rejects.toThrow(/already exists; pass overwrite: true/);
    expect(readFileSync(output, "utf8")).toBe("precious");
    await expect(prepare({ input, output: input })).rejects.toThrow(/same file/);
    const r = await prepare({ input, output, overwrite: true });
    expect(r.written).toBe(5);
    expect(JSON.parse(readFileSync(output, "utf8"))).toHaveLength(5);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe.skipIf(!readSshTestEnv())("over SSH", () => {
  it("converts and validates on the remote host, with progress and an atomic output", async () => {
    const input = file("llava.json", LLAVA);
    chmodSync(input, 0o644);
    const output = join(dir, "ssh-mllm.json");
    const progress: ProgressUpdate[] = [];
    const r = await prepare({ host: "remote", input, output }, progress);
    expect(r).toMatchObject({ records: 5, written: 5, invalid: 0 });
    expect(progress.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(output, "utf8"))[1].images).toEqual(LLAVA[1]!.image);
    await expect(prepare({ host: "remote", input, output })).rejects.toThrow(/already exists/);
    const v = await validate({ host: "remote", path: output, family: "qwen2vl" });
    expect(v).toMatchObject({ ok: true, records: 5, recordFormats: { mllm: 5 } });
  });
});
