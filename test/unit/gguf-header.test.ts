// The GGUF header reader against files written here byte by byte per ggml/include/gguf.h: a valid file, a truncated
// one, a wrong magic, an unknown version, a prefix of a larger file, and the export's checks on what it read.
import { describe, expect, it } from "vitest";
import { checkGgufHeader, GgufError, parseGgufHeader } from "../../src/export/gguf-header.js";
import { findQuantType, ftypeName, GGUF_TYPE, QUANT_TYPES } from "../../src/knowledge/llama-cpp.js";

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const u64 = (v: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);

type Kv = [string, "str", string] | [string, "u32", number] | [string, "strs", string[]];

function gguf(kvs: Kv[], opts: { version?: number; tensors?: number; magic?: string } = {}): Buffer {
  const parts = [Buffer.from(opts.magic ?? "GGUF", "latin1"), u32(opts.version ?? 3), u64(opts.tensors ?? 1)];
  parts.push(u64(kvs.length));
  for (const [key, kind, value] of kvs) {
    parts.push(str(key));
    if (kind === "str") parts.push(u32(GGUF_TYPE.STRING), str(value));
    else if (kind === "u32") parts.push(u32(GGUF_TYPE.UINT32), u32(value));
    else parts.push(u32(GGUF_TYPE.ARRAY), u32(GGUF_TYPE.STRING), u64(value.length), ...value.map(str));
  }
  return Buffer.concat(parts);
}

const vocab = Array.from({ length: 100 }, (_, i) => `tok${i}`);
const valid = gguf([
  ["general.architecture", "str", "qwen2"],
  ["general.name", "str", "Qwen2.5 0.5B Instruct"],
  ["qwen2.block_count", "u32", 24],
  ["general.file_type", "u32", 15],
  ["tokenizer.ggml.tokens", "strs", vocab],
  ["general.quantization_version", "u32", 2],
]);

describe("GGUF header reader", () => {
  it("reads magic, version, counts, architecture and file type of a valid file", () => {
    const h = parseGgufHeader(valid);
    expect(h).toMatchObject({ version: 3, tensorCount: 1n, kvCount: 6n, complete: true });
    expect(h.metadata["general.architecture"]).toBe("qwen2");
    expect(h.metadata["general.file_type"]).toBe(15);
    expect(h.metadata["tokenizer.ggml.tokens"]).toEqual({ arrayOf: GGUF_TYPE.STRING, length: 100n });
    expect(h.metadata["general.quantization_version"]).toBe(2);
    const checks = checkGgufHeader(h, { architecture: "qwen2", fileType: 15, fileTypeName: "Q4_K_M" });
    expect(checks.every((c) => c.ok)).toBe(true);
  });

  it("refuses a truncated file, naming where it ends", () => {
    const cut = valid.subarray(0, valid.length - 10);
    expect(() => parseGgufHeader(cut)).toThrow(/ends inside its header \(metadata KV 5 of 6/);
    expect(() => parseGgufHeader(valid.subarray(0, 12))).toThrow(
      expect.objectContaining({ kind: "truncated" }) as Error,
    );
  });

  it("reads a prefix of a longer file as far as it goes", () => {
    const h = parseGgufHeader(valid.subarray(0, valid.length - 10), valid.length + 5000);
    expect(h.complete).toBe(false);
    expect(h.metadata["general.file_type"]).toBe(15);
    expect(h.metadata["general.quantization_version"]).toBeUndefined();
  });

  it("refuses a wrong magic and an unknown version", () => {
    const wrong = Buffer.from(valid);
    wrong.write("PK\x03\x04", 0, "latin1");
    const e = (() => {
      try {
        parseGgufHeader(wrong);
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(GgufError);
    expect((e as GgufError).kind).toBe("magic");
    expect((e as Error).message).toContain("504b0304");
    expect(() => parseGgufHeader(gguf([], { version: 7 }))).toThrow(/GGUF version 7/);
    expect(() => parseGgufHeader(Buffer.alloc(0))).toThrow(/not a GGUF file/);
  });

  it("checks fail on another architecture, another file type and no tensors", () => {
    const h = parseGgufHeader(gguf([["general.architecture", "str", "llama"]], { tensors: 0 }));
    const checks = checkGgufHeader(h, { architecture: "qwen2", fileType: 7, fileTypeName: "Q8_0" });
    expect(checks.filter((c) => !c.ok).map((c) => c.id)).toEqual([
      "gguf-tensors",
      "gguf-architecture",
      "gguf-file-type",
    ]);
    expect(checks.find((c) => c.id === "gguf-file-type")?.message).toBe("general.file_type is missing.");
  });

  it("knows llama-quantize's types and the llama_ftype each writes", () => {
    expect(findQuantType("q4_k_m")).toEqual({ name: "Q4_K_M", ftype: 15 });
    expect(findQuantType("q8_0")?.ftype).toBe(7);
    expect(findQuantType("f16")?.ftype).toBe(1);
    expect(findQuantType("bf16")?.ftype).toBe(32);
    expect(findQuantType("q4_k_xl")).toBeUndefined();
    expect(ftypeName(15)).toBe("Q4_K_M");
    expect(ftypeName(12)).toBe("Q3_K_M");
    expect(new Set(QUANT_TYPES.map((q) => q.name)).size).toBe(QUANT_TYPES.length);
  });
});
