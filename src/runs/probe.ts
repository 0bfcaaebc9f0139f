// One round trip per node gathering what the pre-flight needs: files and their hashes, the converted weights'
// layout, the save directory, free disk, listening TCP ports and `npu-smi info`.
import type { HostExecutor } from "../hosts/executor.js";
import type { HostSettings } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";

export interface FileFact {
  path: string;
  abs: string;
  exists: boolean;
  sha256: string | null;
}

export interface CheckpointDirFact {
  path: string;
  abs: string;
  exists: boolean;
  /** Content of latest_checkpointed_iteration.txt, null when absent. */
  tracker: string | null;
  /** When the tracker was last written (Unix seconds): which run wrote the latest checkpoint. */
  trackerMtime: number | null;
  /** Entries of the directory the tracker points at (release/ or iter_XXXXXXX/). */
  trackedEntries: string[] | null;
  /** iter_* / release subdirectories. */
  iterDirs: string[];
  /** The ascend-train-convert.json convert_weights wrote there, when present. */
  convertMarker: string | null;
  /** Size in KiB (du -sk), null when unknown. */
  sizeKb: number | null;
  empty: boolean;
}

export interface NodeFacts {
  files: FileFact[];
  load: CheckpointDirFact | null;
  save: CheckpointDirFact | null;
  /** Free KiB on the filesystem that will hold the save directory. */
  freeKb: number | null;
  listening: Set<number>;
  npuSmi: { exitCode: number | null; text: string };
  workdirExists: boolean;
}

const M = "@@ascend-train@@";

function dirProbe(tag: string, path: string): string[] {
  const p = shellQuote(path);
  return [
    `d=${p}`,
    `echo "${M} ${tag}-abs $(realpath -m -- "$d")"`,
    `if [ -d "$d" ]; then`,
    `  echo "${M} ${tag}-exists"`,
    `  [ -z "$(ls -A -- "$d" 2>/dev/null)" ] && echo "${M} ${tag}-empty"`,
    `  if [ -f "$d/latest_checkpointed_iteration.txt" ]; then`,
    `    t=$(head -c 64 "$d/latest_checkpointed_iteration.txt" | tr -d '[:space:]'); echo "${M} ${tag}-tracker $t"`,
    `    echo "${M} ${tag}-tracker-mtime $(stat -c %Y -- "$d/latest_checkpointed_iteration.txt" 2>/dev/null)"`,
    `    case $t in release) s=release;; *[!0-9]*|'') s=;; *) s=$(printf 'iter_%07d' "$t");; esac`,
    `    [ -n "$s" ] && [ -d "$d/$s" ] && echo "${M} ${tag}-tracked $(ls -A -- "$d/$s" | tr '\\n' ' ')"`,
    "  fi",
    // convert_weights' record of the split it converted with, base64 so it stays on one line.
    `  [ -f "$d/ascend-train-convert.json" ] && echo "${M} ${tag}-marker $(head -c 65536 "$d/ascend-train-convert.json" | base64 | tr -d '\\n')"`,
    `  echo "${M} ${tag}-iters $(cd -- "$d" && ls -d iter_* release 2>/dev/null | tr '\\n' ' ')"`,
    `  echo "${M} ${tag}-kb $(du -sk -- "$d" 2>/dev/null | cut -f1)"`,
    "fi",
  ];
}

export function probeScript(
  settings: HostSettings,
  opts: { files: string[]; loadPath: string | null; savePath: string | null },
): string {
  // runScript already puts the host's PATH and env first (npu-smi lives there on simulated hosts).
  const lines = [
    settings.workdir ? `cd ${shellQuote(settings.workdir)} 2>/dev/null && echo "${M} workdir"` : `echo "${M} workdir"`,
  ];
  for (const f of opts.files) {
    const q = shellQuote(f);
    lines.push(
      `if [ -f ${q} ]; then echo "${M} file ok $(sha256sum < ${q} | cut -c1-64) $(realpath -m -- ${q})"; elif [ -d ${q} ]; then echo "${M} file dir - $(realpath -m -- ${q})"; else echo "${M} file missing - $(realpath -m -- ${q})"; fi`,
    );
  }
  if (opts.loadPath) lines.push(...dirProbe("load", opts.loadPath));
  if (opts.savePath) {
    lines.push(...dirProbe("save", opts.savePath));
    // Free space where the save directory is (or will be): its nearest existing ancestor.
    lines.push(
      `p=$(realpath -m -- ${shellQuote(opts.savePath)}); while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname -- "$p"); done`,
      `echo "${M} df $(df -Pk -- "$p" 2>/dev/null | awk 'NR==2 {print $4}')"`,
    );
  }
  lines.push(
    `echo "${M} tcp"`,
    "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null",
    `echo "${M} npu-smi"`,
    "npu-smi info 2>&1; rc=$?",
    `echo "${M} npu-smi-rc $rc"`,
  );
  return lines.join("\n");
}

/** Listening ports from /proc/net/tcp{,6} (state 0A). */
export function listeningPorts(text: string): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== "0A") continue;
    const port = Number.parseInt(cols[1]!.split(":").pop()!, 16);
    if (Number.isFinite(port)) ports.add(port);
  }
  return ports;
}

export function parseProbe(
  stdout: string,
  exitCode: number | null,
  opts: { files: string[]; loadPath: string | null; savePath: string | null },
): NodeFacts {
  const facts: NodeFacts = {
    files: [],
    load: null,
    save: null,
    freeKb: null,
    listening: new Set(),
    npuSmi: { exitCode: null, text: "" },
    workdirExists: false,
  };
  const dirs: Record<string, CheckpointDirFact> = {};
  const dir = (tag: string, path: string) =>
    (dirs[tag] ??= {
      path,
      abs: path,
      exists: false,
      tracker: null,
      trackerMtime: null,
      trackedEntries: null,
      convertMarker: null,
      iterDirs: [],
      sizeKb: null,
      empty: false,
    });
  let section: "none" | "tcp" | "npu" = "none";
  const tcp: string[] = [];
  const npu: string[] = [];
  let fileIndex = 0;
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(M)) {
      if (section === "tcp") tcp.push(line);
      else if (section === "npu") npu.push(line);
      continue;
    }
    const rest = line.slice(M.length + 1);
    const sp = rest.indexOf(" ");
    const key = sp < 0 ? rest : rest.slice(0, sp);
    const value = sp < 0 ? "" : rest.slice(sp + 1);
    section = "none";
    if (key === "workdir") facts.workdirExists = true;
    else if (key === "file") {
      const [status, sha, ...abs] = value.split(" ");
      facts.files.push({
        path: opts.files[fileIndex++] ?? abs.join(" "),
        abs: abs.join(" "),
        exists: status === "ok" || status === "dir",
        sha256: status === "ok" ? sha! : null,
      });
    } else if (key === "tcp") section = "tcp";
    else if (key === "npu-smi") section = "npu";
    else if (key === "npu-smi-rc") facts.npuSmi.exitCode = Number(value);
    else if (key === "df") facts.freeKb = value ? Number(value) : null;
    else {
      const m = /^(load|save)-(abs|exists|empty|tracker|tracker-mtime|tracked|iters|kb|marker)$/.exec(key);
      if (!m) continue;
      const d = dir(m[1]!, (m[1] === "load" ? opts.loadPath : opts.savePath) ?? "");
      if (m[2] === "abs") d.abs = value;
      else if (m[2] === "exists") d.exists = true;
      else if (m[2] === "empty") d.empty = true;
      else if (m[2] === "tracker") d.tracker = value;
      else if (m[2] === "tracker-mtime") d.trackerMtime = /^\d+$/.test(value) ? Number(value) : null;
      else if (m[2] === "tracked") d.trackedEntries = value.split(" ").filter(Boolean);
      else if (m[2] === "iters") d.iterDirs = value.split(" ").filter(Boolean);
      else if (m[2] === "kb") d.sizeKb = value ? Number(value) : null;
      else if (m[2] === "marker") d.convertMarker = Buffer.from(value, "base64").toString("utf8");
    }
  }
  facts.load = dirs.load ?? null;
  facts.save = dirs.save ?? null;
  facts.listening = listeningPorts(tcp.join("\n"));
  facts.npuSmi.text = npu.join("\n");
  if (facts.npuSmi.exitCode === null) facts.npuSmi.exitCode = exitCode;
  return facts;
}

export async function probeNode(
  executor: HostExecutor,
  settings: HostSettings,
  opts: { files: string[]; loadPath: string | null; savePath: string | null },
): Promise<NodeFacts> {
  const r = await executor.runScript(probeScript(settings, opts), { timeoutMs: 60_000 });
  if (r.timedOut) throw new Error(`The pre-flight probe timed out on ${executor.name}.`);
  return parseProbe(r.stdout, r.exitCode, opts);
}
