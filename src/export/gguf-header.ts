// Reads the header of a GGUF file from its first bytes (read through the host): magic, version, tensor count,
// metadata KV count and the metadata values, per the GGUF layout of ggml/include/gguf.h (little-endian; strings are a
// u64 length then UTF-8 bytes; arrays are an element type, a u64 count, then the elements). A prefix of a larger file
// is read as far as it goes; a file that ends inside its header is reported truncated.
import { GGUF_MAGIC, GGUF_TYPE } from "../knowledge/llama-cpp.js";

export type GgufValue = string | number | bigint | boolean | GgufValue[];

export interface GgufHeader {
  version: number;
  tensorCount: bigint;
  kvCount: bigint;
  /** The metadata read; long arrays (a tokenizer's vocabulary) keep only their length, as { arrayOf, length }. */
  metadata: Record<string, GgufValue | { arrayOf: number; length: bigint }>;
  /** Every KV was read (false when only a prefix of a longer file was at hand). */
  complete: boolean;
}

export class GgufError extends Error {
  override name = "GgufError";
  constructor(
    message: string,
    readonly kind: "magic" | "version" | "truncated" | "malformed",
  ) {
    super(message);
  }
}

/** Arrays longer than this keep only their length. */
const KEEP_ARRAY = 64;
const SCALAR_SIZE: Record<number, number> = {
  [GGUF_TYPE.UINT8]: 1,
  [GGUF_TYPE.INT8]: 1,
  [GGUF_TYPE.BOOL]: 1,
  [GGUF_TYPE.UINT16]: 2,
  [GGUF_TYPE.INT16]: 2,
  [GGUF_TYPE.UINT32]: 4,
  [GGUF_TYPE.INT32]: 4,
  [GGUF_TYPE.FLOAT32]: 4,
  [GGUF_TYPE.UINT64]: 8,
  [GGUF_TYPE.INT64]: 8,
  [GGUF_TYPE.FLOAT64]: 8,
};

class OutOfBytes extends Error {}

class Cursor {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  need(n: number) {
    if (this.pos + n > this.buf.length) throw new OutOfBytes();
  }
  u32() {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64() {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  string(): string {
    const len = this.u64();
    if (len > BigInt(1 << 30)) throw new GgufError(`a string of ${len} bytes`, "malformed");
    this.need(Number(len));
    const s = this.buf.toString("utf8", this.pos, this.pos + Number(len));
    this.pos += Number(len);
    return s;
  }
  scalar(type: number): GgufValue {
    const size = SCALAR_SIZE[type];
    if (size === undefined) throw new GgufError(`unknown value type ${type}`, "malformed");
    this.need(size);
    const b = this.buf;
    const p = this.pos;
    this.pos += size;
    switch (type) {
      case GGUF_TYPE.UINT8:
        return b.readUInt8(p);
      case GGUF_TYPE.INT8:
        return b.readInt8(p);
      case GGUF_TYPE.BOOL:
        return b.readUInt8(p) !== 0;
      case GGUF_TYPE.UINT16:
        return b.readUInt16LE(p);
      case GGUF_TYPE.INT16:
        return b.readInt16LE(p);
      case GGUF_TYPE.UINT32:
        return b.readUInt32LE(p);
      case GGUF_TYPE.INT32:
        return b.readInt32LE(p);
      case GGUF_TYPE.FLOAT32:
        return b.readFloatLE(p);
      case GGUF_TYPE.UINT64:
        return b.readBigUInt64LE(p);
      case GGUF_TYPE.INT64:
        return b.readBigInt64LE(p);
      default:
        return b.readDoubleLE(p);
    }
  }
  value(type: number): GgufValue | { arrayOf: number; length: bigint } {
    if (type === GGUF_TYPE.STRING) return this.string();
    if (type !== GGUF_TYPE.ARRAY) return this.scalar(type);
    const of = this.u32();
    const length = this.u64();
    if (of === GGUF_TYPE.ARRAY) throw new GgufError("an array of arrays", "malformed");
    const items: GgufValue[] = [];
    for (let i = 0n; i < length; i++) {
      const v = of === GGUF_TYPE.STRING ? this.string() : this.scalar(of);
      if (length <= KEEP_ARRAY) items.push(v);
    }
    return length <= KEEP_ARRAY ? items : { arrayOf: of, length };
  }
}

/**
 * Parses a GGUF header from `bytes`, the first bytes of a file of `fileSize` bytes. Throws GgufError for a wrong
 * magic, an unknown version, a file that ends inside its header, or a malformed value.
 */
export function parseGgufHeader(bytes: Buffer, fileSize: number = bytes.length): GgufHeader {
  const whole = bytes.length >= fileSize;
  if (bytes.length < 4 || bytes.toString("latin1", 0, 4) !== GGUF_MAGIC) {
    const seen = bytes.subarray(0, 4).toString("hex") || "nothing";
    throw new GgufError(`not a GGUF file: the first bytes are ${seen}, not "GGUF" (47475546)`, "magic");
  }
  const c = new Cursor(bytes);
  c.pos = 4;
  const truncated = (where: string) =>
    new GgufError(`the file ends inside its header (${where}; ${fileSize} bytes)`, "truncated");
  let version: number;
  let tensorCount: bigint;
  let kvCount: bigint;
  try {
    version = c.u32();
    if (version !== 2 && version !== 3)
      throw new GgufError(`GGUF version ${version}: llama.cpp reads versions 2 and 3`, "version");
    tensorCount = c.u64();
    kvCount = c.u64();
  } catch (error) {
    if (error instanceof OutOfBytes) throw truncated("before the counts");
    throw error;
  }
  const metadata: GgufHeader["metadata"] = {};
  let read = 0n;
  for (; read < kvCount; read++) {
    const start = c.pos;
    try {
      const key = c.string();
      const type = c.u32();
      metadata[key] = c.value(type);
    } catch (error) {
      if (!(error instanceof OutOfBytes)) throw error;
      if (whole) throw truncated(`metadata KV ${read} of ${kvCount}`);
      c.pos = start;
      break;
    }
  }
  return { version, tensorCount, kvCount, metadata, complete: read === kvCount };
}

export interface GgufCheck {
  id: string;
  ok: boolean;
  message: string;
}

/** What an exported GGUF must show: its magic and version, tensors and metadata, the architecture and file type. */
export function checkGgufHeader(
  header: GgufHeader,
  expect: { architecture: string | null; fileType: number; fileTypeName: string },
): GgufCheck[] {
  const arch = header.metadata["general.architecture"];
  const ftype = header.metadata["general.file_type"];
  return [
    { id: "gguf-magic", ok: true, message: `GGUF magic and version ${header.version}.` },
    {
      id: "gguf-tensors",
      ok: header.tensorCount > 0n,
      message: `${header.tensorCount} tensors, ${header.kvCount} metadata keys.`,
    },
    {
      id: "gguf-architecture",
      ok: typeof arch === "string" && arch !== "" && (expect.architecture === null || arch === expect.architecture),
      message:
        typeof arch === "string"
          ? `general.architecture = ${arch}${expect.architecture && arch !== expect.architecture ? ` (expected ${expect.architecture})` : ""}.`
          : "general.architecture is missing.",
    },
    {
      id: "gguf-file-type",
      ok: ftype === expect.fileType,
      message:
        typeof ftype === "number"
          ? `general.file_type = ${ftype}${ftype === expect.fileType ? ` (${expect.fileTypeName})` : ` (expected ${expect.fileType}, ${expect.fileTypeName})`}.`
          : "general.file_type is missing.",
    },
  ];
}

/** The header is read in growing prefixes, up to this much: llama-quantize writes general.file_type after the
 * tokenizer's arrays, which take several MiB for a large vocabulary. */
const HEADER_FIRST_BYTES = 2 * 1024 * 1024;
const HEADER_MAX_BYTES = 32 * 1024 * 1024;

/** `length` bytes from `offset` of a file and the file's whole size; null when the file cannot be read. */
export type RangeReader = (offset: number, length: number) => Promise<{ bytes: Buffer; size: number } | null>;

/**
 * Reads growing prefixes of a GGUF file (on a host, or on the Hub by ranged GETs) until its header holds
 * general.architecture and general.file_type, the file ends, or HEADER_MAX_BYTES were read.
 */
export async function readGgufHeaderPrefix(read: RangeReader): Promise<{ header: GgufHeader; size: number } | null> {
  let bytes = Buffer.alloc(0);
  let want = HEADER_FIRST_BYTES;
  for (;;) {
    const chunk = await read(bytes.length, want - bytes.length);
    if (!chunk) return null;
    bytes = Buffer.concat([bytes, chunk.bytes]);
    const header = parseGgufHeader(bytes, chunk.size);
    const found = "general.architecture" in header.metadata && "general.file_type" in header.metadata;
    if (found || header.complete || bytes.length >= chunk.size || want >= HEADER_MAX_BYTES)
      return { header, size: chunk.size };
    want = Math.min(want * 4, HEADER_MAX_BYTES);
  }
}
