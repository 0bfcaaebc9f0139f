// Finds any of many literals in a byte buffer in one pass (Wu-Manber: a shift table over byte triples lets the
// scan skip several bytes at a time). Only lines holding a literal are decoded and handed to the rules.

// 20 bits keep most byte triples apart (16 kept only 4 bits of the first byte): far fewer false stops to verify,
// for a 1 MiB shift table and a 4 MiB chain head table.
const BITS = 20;
const MASK = (1 << BITS) - 1;
const hash3 = (a: number, b: number, c: number) => ((a << 14) ^ (b << 7) ^ c) & MASK;

export class LiteralScanner {
  /** Window length: the shortest literal. */
  readonly window: number;
  private readonly shift = new Uint8Array(1 << BITS);
  private readonly heads = new Int32Array(1 << BITS).fill(-1);
  private readonly next: Int32Array;
  /** All literals back to back, with start offsets and lengths. */
  private readonly bytes: Uint8Array;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  /** First two bytes of each literal, checked before a full compare. */
  private readonly prefix: Int32Array;
  /** Where each literal's key window (its least common run of `window` bytes) starts. */
  private readonly keyOffset: Int32Array;

  constructor(literals: readonly string[]) {
    if (literals.length === 0) throw new Error("LiteralScanner needs at least one literal");
    const bufs = literals.map((l) => Buffer.from(l, "utf8"));
    const m = Math.min(...bufs.map((b) => b.length));
    if (m < 3) throw new Error("LiteralScanner literals must be at least 3 bytes long");
    this.window = m;
    this.bytes = Buffer.concat(bufs);
    this.starts = new Int32Array(bufs.length);
    this.lengths = new Int32Array(bufs.length);
    this.prefix = new Int32Array(bufs.length);
    this.next = new Int32Array(bufs.length).fill(-1);
    this.keyOffset = new Int32Array(bufs.length);
    this.shift.fill(Math.min(m - 2, 255));
    let at = 0;
    bufs.forEach((lit, i) => {
      this.starts[i] = at;
      this.lengths[i] = lit.length;
      this.prefix[i] = (lit[0]! << 8) | lit[1]!;
      at += lit.length;
      const o = rarestWindow(lit, m);
      this.keyOffset[i] = o;
      for (let j = 2; j < m; j++) {
        const h = hash3(lit[o + j - 2]!, lit[o + j - 1]!, lit[o + j]!);
        const s = m - 1 - j;
        if (s < this.shift[h]!) this.shift[h] = s;
      }
      const last = hash3(lit[o + m - 3]!, lit[o + m - 2]!, lit[o + m - 1]!);
      this.next[i] = this.heads[last]!;
      this.heads[last] = i;
    });
  }

  /**
   * Scans buf[from, to). For each literal found, `onHit(literal, start)` runs and returns where to resume
   * (for example the end of the line, so one line is handled once).
   */
  scan(buf: Uint8Array, from: number, to: number, onHit: (literal: number, start: number) => number): void {
    const { window: m, shift, heads, next, bytes, starts, lengths, prefix, keyOffset } = this;
    let pos = from + m - 1;
    while (pos < to) {
      const h = hash3(buf[pos - 2]!, buf[pos - 1]!, buf[pos]!);
      const s = shift[h]!;
      if (s !== 0) {
        pos += s;
        continue;
      }
      const keyStart = pos - m + 1;
      let resume = -1;
      for (let i = heads[h]!; i !== -1; i = next[i]!) {
        const start = keyStart - keyOffset[i]!;
        const len = lengths[i]!;
        if (start < from || start + len > to) continue;
        if (prefix[i] !== ((buf[start]! << 8) | buf[start + 1]!)) continue;
        const o = starts[i]!;
        let k = 2;
        while (k < len && buf[start + k] === bytes[o + k]) k++;
        if (k === len) {
          resume = onHit(i, start);
          break;
        }
      }
      pos = resume > keyStart ? resume + m - 1 : pos + 1;
    }
  }
}

/**
 * The literals none of which holds another: a line that holds a dropped literal also holds the shorter one inside
 * it, so a scan that stops at lines finds the same lines with fewer literals (and fewer false stops). Shorter
 * literals are indexed by their first three characters, so each literal is checked only where one may start.
 */
export function minimalLiterals(literals: readonly string[]): string[] {
  const byLength = [...new Set(literals)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  const starts = new Map<string, string[]>();
  for (const lit of byLength) {
    let covered = false;
    for (let i = 0; i + 3 <= lit.length && !covered; i++) {
      for (const k of starts.get(lit.slice(i, i + 3)) ?? []) {
        if (lit.startsWith(k, i)) {
          covered = true;
          break;
        }
      }
    }
    if (covered) continue;
    kept.push(lit);
    const key = lit.slice(0, 3);
    starts.set(key, [...(starts.get(key) ?? []), lit]);
  }
  return kept;
}

/** How common a byte is in log text: letters, digits, spaces and path punctuation are everywhere. */
function weight(b: number): number {
  if ((b >= 97 && b <= 122) || b === 32) return 4;
  if ((b >= 48 && b <= 57) || b === 46 || b === 58 || b === 44 || b === 47 || b === 124 || b === 45) return 3;
  if (b >= 65 && b <= 90) return 1.5;
  return 1;
}

/** Offset of the run of `m` bytes whose byte triples are least common: fewer false stops while scanning. */
function rarestWindow(lit: Uint8Array, m: number): number {
  let best = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let o = 0; o + m <= lit.length; o++) {
    let cost = 0;
    for (let j = o + 2; j < o + m; j++) cost += weight(lit[j - 2]!) * weight(lit[j - 1]!) * weight(lit[j]!);
    if (cost < bestCost) {
      bestCost = cost;
      best = o;
    }
  }
  return best;
}
