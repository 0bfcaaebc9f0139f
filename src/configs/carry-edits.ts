// A rebuild that replaces a launch script someone edited since its build (apply_fix's recomputation, a lower --lr, an
// allocator export; a person's own flag) carries those edits into the new script, so that a rebuild suggested for
// another reason (a new save directory, more NPUs) does not quietly undo a fix. A three-way merge of one-flag lines
// and `export` lines: what the build wrote, what the script is now, what the rebuild writes. An edit is carried only
// where the rebuild leaves that flag as the old build had it; a flag the rebuild itself changes keeps the new value.

/** One flag on a line of its own, as build_configs writes its argument blocks: `    --lr 1e-5 \`. */
const FLAG_LINE = /^\s*(--[A-Za-z][\w-]*)(?:[ =]+[^\s\\]+)*\s*\\?\s*$/;
/** An environment export at the top level: `export PYTORCH_NPU_ALLOC_CONF=expandable_segments:True`. */
const EXPORT_LINE = /^export\s+([A-Za-z_]\w*)=/;

/** Each name `re` captures → its line (the first line of a name given twice). */
function linesBy(text: string, re: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = re.exec(line);
    if (m && !out.has(m[1]!)) out.set(m[1]!, line);
  }
  return out;
}

/** Flag → its line, for each flag that stands alone on a line. */
const flagLines = (text: string) => linesBy(text, FLAG_LINE);
const exportLines = (text: string) => linesBy(text, EXPORT_LINE);

/** What a flag line sets, for a note: `--lr 5e-06`. */
const shown = (line: string) => line.replace(/\s*\\\s*$/, "").trim();

export interface CarriedEdits {
  text: string;
  /** Each edit carried, in words: `--recompute-granularity full`, `--lr 5e-06 (the build had --lr 1e-05)`. */
  carried: string[];
  /** Edits left out because the rebuild changes the same flag or has no place for it. */
  leftOut: string[];
  /** Every edit is of a kind carried (flag and export lines) and none was left out: nothing of the script is lost. */
  complete: boolean;
}

/**
 * `fresh` (the rebuild's script) with the edits that turned `built` (what the last build wrote) into `edited` (the
 * script now): flags added, flags whose value changed, flags removed, and exports added or changed.
 */
export function carryScriptEdits(built: string, edited: string, fresh: string): CarriedEdits {
  const merged = merge(built, edited, fresh);
  // The same edits onto the build's own text give the edited script back only when each edit is a carried kind.
  const complete = merged.leftOut.length === 0 && merge(built, edited, built).text === edited;
  return { ...merged, complete };
}

function merge(built: string, edited: string, fresh: string): Omit<CarriedEdits, "complete"> {
  const was = flagLines(built);
  const now = flagLines(edited);
  const carried: string[] = [];
  const leftOut: string[] = [];
  let lines = fresh.split("\n");
  const freshFlags = () => flagLines(lines.join("\n"));
  const indexOf = (line: string) => lines.indexOf(line);
  const editedLines = edited.split("\n");
  for (const [flag, line] of now) {
    const before = was.get(flag);
    if (before === line) continue;
    const target = freshFlags();
    const current = target.get(flag);
    if (before === undefined) {
      if (current !== undefined) continue;
      // Added: after the flag that precedes it in the edited script, where the rebuild has that flag too.
      const at = editedLines.indexOf(line);
      let anchor = -1;
      for (let i = at - 1; i >= 0 && anchor === -1; i--) {
        const m = FLAG_LINE.exec(editedLines[i]!);
        const there = m ? target.get(m[1]!) : undefined;
        if (there !== undefined && /\\\s*$/.test(there)) anchor = indexOf(there);
      }
      if (anchor === -1 || !/\\\s*$/.test(line)) {
        leftOut.push(shown(line));
        continue;
      }
      lines.splice(anchor + 1, 0, line);
      carried.push(shown(line));
    } else if (current === before) {
      lines[indexOf(current)] = line;
      carried.push(`${shown(line)} (the build had ${shown(before)})`);
    } else if (current !== undefined) {
      leftOut.push(`${shown(line)} (this build sets ${shown(current)})`);
    }
  }
  for (const [flag, line] of was) {
    if (now.has(flag)) continue;
    const current = freshFlags().get(flag);
    if (current !== line) continue;
    lines = lines.filter((l) => l !== line);
    carried.push(`${flag} removed`);
  }
  const wasExports = exportLines(built);
  const freshExports = exportLines(lines.join("\n"));
  for (const [name, line] of exportLines(edited)) {
    if (wasExports.get(name) === line) continue;
    const current = freshExports.get(name);
    if (current === undefined) {
      lines.splice(lines[0]?.startsWith("#!") ? 1 : 0, 0, line);
      carried.push(line);
    } else if (current === wasExports.get(name)) {
      lines[indexOf(current)] = line;
      carried.push(line);
    } else if (current !== line) leftOut.push(`${line} (this build sets ${current})`);
  }
  return { text: lines.join("\n"), carried, leftOut };
}
