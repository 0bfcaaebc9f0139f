// One round trip gathering what a conversion's checks need: the directories involved, free disk where the output
// goes, whether mm-convert is on PATH in the host's environment, and the release the checkout is at.
import type { HostExecutor } from "../hosts/executor.js";
import { shellJoin } from "../hosts/quote.js";
import { CONVERT_MARKER } from "./marker.js";

export interface DirFacts {
  path: string;
  /** The path with symlinks resolved. */
  real: string;
  exists: boolean;
  isDir: boolean;
  entries: string[];
  /** du -skL (symlinks followed: HF caches link into blobs/). */
  sizeKb: number | null;
  /** latest_checkpointed_iteration.txt, trimmed. */
  tracker: string | null;
  /** Entries of the directory the tracker names (release/ or iter_NNNNNNN/). */
  trackedEntries: string[];
  /** Marker text, newlines removed. */
  marker: string | null;
  /** Whether some file below (depth <= 3) is a DCP .metadata. */
  dcpMetadata: boolean;
}

export interface ConvertHostFacts {
  hf: DirFacts | null;
  input: DirFacts | null;
  output: DirFacts;
  /** Free KiB on the filesystem that will hold the output (its nearest existing ancestor). */
  freeKb: number | null;
  mmConvert: string | null;
  checkoutTag: string | null;
  /** mm-convert processes running now with the output among their arguments: "pid args". */
  busy: string[];
}

const M = "@@ascend-convert";

// Arguments: workdir, then hf, input, output directories ("" when not part of this conversion).
const SCRIPT = String.raw`
emit() { printf '${M} %s\t%s\n' "$1" "$2"; }
dir_facts() {
  k=$1; p=$2
  [ -z "$p" ] && return 0
  case $p in "~"*) p="$HOME${"$"}{p#"~"}";; esac
  emit "$k.real" "$(realpath -m -- "$p" 2>/dev/null)"
  if [ -d "$p" ]; then
    emit "$k.dir" 1
    emit "$k.entries" "$(ls -1A -- "$p" 2>/dev/null | head -n 5000 | tr '\n' '/')"
    emit "$k.du" "$(du -skL -- "$p" 2>/dev/null | cut -f1)"
    if [ -f "$p/latest_checkpointed_iteration.txt" ]; then
      t=$(head -c 64 "$p/latest_checkpointed_iteration.txt" | tr -d ' \n\r')
      emit "$k.tracker" "$t"
      case $t in
        release) sub=release ;;
        *[!0-9]*|'') sub='' ;;
        *) sub=$(printf 'iter_%07d' "$t") ;;
      esac
      [ -n "$sub" ] && [ -d "$p/$sub" ] && emit "$k.tracked" "$(ls -1A -- "$p/$sub" | head -n 5000 | tr '\n' '/')"
    fi
    [ -f "$p/${CONVERT_MARKER}" ] && emit "$k.marker" "$(head -c 65536 "$p/${CONVERT_MARKER}" | tr -d '\n')"
    [ -n "$(find "$p" -maxdepth 3 -name .metadata -print -quit 2>/dev/null)" ] && emit "$k.dcp" 1
  elif [ -e "$p" ]; then
    emit "$k.dir" 0
  fi
  return 0
}
# An mm-convert still writing into the output (one whose caller lost its connection, or one started by hand).
busy() {
  command -v pgrep >/dev/null 2>&1 || return 0
  for pid in $(pgrep -f -- mm-convert 2>/dev/null); do
    [ -r "/proc/$pid/cmdline" ] || continue
    if tr '\0' '\n' < "/proc/$pid/cmdline" 2>/dev/null | OUT="$1" REAL="$2" awk '
      { n = $0; sub(/.*\//, "", n); if (NR <= 2 && n == "mm-convert") c = 1; if ($0 == ENVIRON["OUT"] || $0 == ENVIRON["REAL"]) o = 1 }
      END { exit !(c && o) }'; then
      emit "busy.$pid" "$(tr '\0\n' '  ' < "/proc/$pid/cmdline" 2>/dev/null | head -c 300)"
    fi
  done
  return 0
}
wd=$1
dir_facts hf "$2"
dir_facts input "$3"
dir_facts output "$4"
d=$4
while [ -n "$d" ] && [ ! -e "$d" ]; do d=$(dirname -- "$d"); done
emit free "$(df -Pk -- "$d" 2>/dev/null | awk 'NR==2 {print $4}')"
busy "$4" "$(realpath -m -- "$4" 2>/dev/null)"
emit mmconvert "$(command -v mm-convert 2>/dev/null)"
[ -n "$wd" ] && [ -e "$wd/.git" ] && emit tag "$(git -C "$wd" describe --tags --exact-match HEAD 2>/dev/null)"
exit 0
`;

/** The probe script with its arguments passed positionally (nothing interpolated). */
export function probeScript(prelude: string, args: { workdir?: string; hf?: string; input?: string; output: string }) {
  const argv = [args.workdir ?? "", args.hf ?? "", args.input ?? "", args.output];
  return `${prelude}\nset -- ${shellJoin(argv)}\n${SCRIPT}`;
}

function emptyDir(path: string): DirFacts {
  return {
    path,
    real: path,
    exists: false,
    isDir: false,
    entries: [],
    sizeKb: null,
    tracker: null,
    trackedEntries: [],
    marker: null,
    dcpMetadata: false,
  };
}

const listOf = (v: string | undefined) => (v ? v.split("/").filter(Boolean) : []);
const intOrNull = (v: string | undefined) => (v && /^\d+$/.test(v) ? Number(v) : null);

export function parseProbe(stdout: string, paths: { hf?: string; input?: string; output: string }): ConvertHostFacts {
  const kv = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(`${M} `)) continue;
    const rest = line.slice(M.length + 1);
    const tab = rest.indexOf("\t");
    if (tab > 0) kv.set(rest.slice(0, tab), rest.slice(tab + 1));
  }
  const dir = (key: string, path: string | undefined): DirFacts | null => {
    if (!path) return null;
    const flag = kv.get(`${key}.dir`);
    const real = kv.get(`${key}.real`) || path;
    if (flag === undefined) return { ...emptyDir(path), real };
    return {
      path,
      real,
      exists: true,
      isDir: flag === "1",
      entries: listOf(kv.get(`${key}.entries`)),
      sizeKb: intOrNull(kv.get(`${key}.du`)),
      tracker: kv.get(`${key}.tracker`) || null,
      trackedEntries: listOf(kv.get(`${key}.tracked`)),
      marker: kv.get(`${key}.marker`) || null,
      dcpMetadata: kv.get(`${key}.dcp`) === "1",
    };
  };
  return {
    hf: dir("hf", paths.hf),
    input: dir("input", paths.input),
    output: dir("output", paths.output) ?? emptyDir(paths.output),
    freeKb: intOrNull(kv.get("free")),
    mmConvert: kv.get("mmconvert") || null,
    checkoutTag: kv.get("tag") || null,
    busy: [...kv].filter(([k]) => /^busy\.\d+$/.test(k)).map(([k, v]) => `${k.slice(5)} ${v.trim()}`),
  };
}

export async function probeConvertHost(
  executor: HostExecutor,
  prelude: string,
  paths: { workdir?: string; hf?: string; input?: string; output: string },
): Promise<ConvertHostFacts> {
  const r = await executor.runScript(probeScript(prelude, paths), { timeoutMs: 120_000 });
  if (r.exitCode !== 0 && !r.stdout.includes(M)) {
    throw new Error(`the host probe failed (exit ${r.exitCode}): ${r.stderr.trim().slice(-500)}`);
  }
  return parseProbe(r.stdout, paths);
}
