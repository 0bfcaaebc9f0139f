// The rule base's signatures as POSIX extended regular expressions (for `grep -E -f`: the benchmark's baseline,
// and a way to pre-filter huge logs on a host with grep).
import { diagnosisRules } from "../knowledge/rules.js";
import type { Signal } from "../knowledge/rules-types.js";

const ERE_SPECIAL = /[.[\]()*+?{}|^$\\]/g;

const CLASSES: Record<string, [string, string]> = {
  d: ["[0-9]", "0-9"],
  s: ["[[:space:]]", "[:space:]"],
  w: ["[[:alnum:]_]", "[:alnum:]_"],
};

/** One JavaScript regex source in ERE syntax (the subset the rules use; a lookaround is refused, not looped on). */
export function toEre(js: string): string {
  const source = js.replaceAll("[^\\n]", ".").replaceAll("\\S", "[^[:space:]]");
  let out = "";
  let inBracket = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === "\\" && i + 1 < source.length) {
      const n = source[++i]!;
      const cls = CLASSES[n];
      if (cls) out += inBracket ? cls[1] : cls[0];
      else if (n === "n") out += inBracket ? "" : "\n";
      else if (n === "r") out += "\r";
      else if (n === "b") out += "\\b";
      else if (inBracket) out += n;
      else out += /[.[\]()*+?{}|^$\\]/.test(n) ? `\\${n}` : n;
      continue;
    }
    if (!inBracket && c === "(" && source[i + 1] === "?") {
      // (?: and (?<name> become plain groups; lookarounds have no ERE form.
      const next = source[i + 2];
      const named = next === "<" && source[i + 3] !== "=" && source[i + 3] !== "!";
      if (next !== ":" && !named) throw new Error(`no ERE form for the lookaround in /${js}/`);
      i += next === ":" ? 2 : source.indexOf(">", i) - i;
      out += "(";
      continue;
    }
    if (c === "[" && !inBracket) inBracket = true;
    else if (c === "]" && inBracket && !out.endsWith("[") && !out.endsWith("[^")) inBracket = false;
    out += c;
  }
  return out;
}

function ere(s: Signal): string {
  return "text" in s ? s.text.replace(ERE_SPECIAL, "\\$&") : toEre(s.re.source);
}

/** Every distinct trigger signal of every rule, as ERE (near/unless words such as "dataset" only qualify a match). */
export function grepPatterns(): string[] {
  return [...new Set(diagnosisRules.flatMap((r) => r.triggers.map((t) => ere(t.match))))];
}
