// Per-line helpers: cleaning, which rank or node wrote a line, and when.

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const MAX_TEXT = 600;

/** Strips colour codes and control characters; keeps long lines bounded. */
export function cleanLine(raw: string): string {
  let s = raw.includes("\x1b") ? raw.replace(ANSI, "") : raw;
  if (s.endsWith("\r")) s = s.slice(0, -1);
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(s)) s = s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");
  return s;
}

/** Evidence text: long lines are cut around the interesting part. */
export function evidenceText(line: string, focus = 0): string {
  if (line.length <= MAX_TEXT) return line;
  const start = Math.max(0, Math.min(focus - 200, line.length - MAX_TEXT));
  return `${start > 0 ? "…" : ""}${line.slice(start, start + MAX_TEXT)}…`;
}

const RANK_PREFIXES: RegExp[] = [
  /^\[rank(\d+)\]:?/i, // torchrun: [rank3]:
  /^\[Rank (\d+)\]/, // Megatron memory report
  /^\[(\d+),(\d+)\]<std(?:out|err)>:/, // mpirun
  /^\((\w+) pid=(\d+)(?:, ip=[\d.]+)?\)/, // ray workers
  /^([A-Za-z0-9][\w.-]{0,62}): (?=\S)/, // pdsh: `worker-1: ...`, `10.0.0.2: ...`
];

const NOT_A_HOST =
  /^(?:File|Traceback|Error|Warning|INFO|WARNING|ERROR|DEBUG|Note|Reason|Solution|Possible Cause|TraceBack|RuntimeError|\w*Error|\w*Exception|E[A-Z0-9]\d{4}|\d{4}-\d{2}-\d{2}\S*)$/;

/** Who wrote the line: "rank3", "worker-1", or from the Ascend error header's RankID. */
export function lineSource(line: string): string | undefined {
  for (const re of RANK_PREFIXES) {
    const m = re.exec(line);
    if (!m) continue;
    if (re === RANK_PREFIXES[0] || re === RANK_PREFIXES[1]) return `rank${m[1]}`;
    if (re === RANK_PREFIXES[2]) return `rank${m[2]}`;
    if (re === RANK_PREFIXES[3]) return `${m[1]}:${m[2]}`;
    if (!NOT_A_HOST.test(m[1]!)) return m[1];
  }
  const id = /RankID:(\d+)/.exec(line);
  return id ? `rank${id[1]}` : undefined;
}

const TIMESTAMPS: RegExp[] = [
  /(\d{4})-(\d{2})-(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?/, // Ascend: 2024-05-21-11:57:54.167.645
  /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,3}))?/, // ISO and logging
  /(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})/,
];

/** Milliseconds (as if UTC; only the order matters) of the first timestamp in the text, if any. */
export function parseTime(text: string): number | undefined {
  for (const re of TIMESTAMPS) {
    const m = re.exec(text);
    if (!m) continue;
    const [, y, mo, d, h, mi, s, ms] = m;
    const t = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number((ms ?? "0").padEnd(3, "0")),
    );
    if (Number.isFinite(t)) return t;
  }
  return undefined;
}

/** The last timestamp in a block of text (the lines before an error that carry none). */
export function lastTime(text: string): number | undefined {
  let found: number | undefined;
  for (const line of text.split("\n")) {
    const t = parseTime(line);
    if (t !== undefined) found = t;
  }
  return found;
}

/** "rank3" from a per-rank file name such as rank_3.log or worker3-rank3.txt. */
export function rankFromFileName(name: string): string | undefined {
  const m = /rank[_-]?(\d+)/i.exec(name.split("/").pop() ?? name);
  return m ? `rank${m[1]}` : undefined;
}
