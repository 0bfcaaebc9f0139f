// Writes that follow no symbolic link after the guard checked the path. The guard resolves a path and checks it lies
// inside the allowed directories; between that check and the write, a directory on the way could be swapped for a
// symlink. So writers enter the parent directory once, refuse it unless its physical path is the checked one, and
// then act only on names relative to it: a later swap cannot redirect what they write.
import { posix } from "node:path";
import { shellQuote } from "./quote.js";

/** Exit codes of the shell snippets below, shared by their callers. */
export const NO_FOLLOW_EXIT = { missing: 44, exists: 47, symlink: 48, badName: 49 } as const;

/** Lexically normalised path (no `.`, no `//`, no trailing `/`); a leading `~` stays for the host to expand. */
export function normalizeTarget(path: string): string {
  const trim = (n: string) => (n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n);
  if (path.startsWith("~/")) return `~/${trim(posix.normalize(path.slice(2)))}`;
  if (path.startsWith("~")) return path;
  return trim(posix.normalize(path));
}

/**
 * Bash lines that set `f` to the absolute target, `d` to its directory and `b` to its name, then `cd` into `d` and
 * stop unless `pwd -P` equals `d`, that is unless no component of `d` is a symlink. `~` is the user's home (physical).
 */
export function enterParentScript(path: string): string {
  const x = NO_FOLLOW_EXIT;
  return [
    `f=${shellQuote(normalizeTarget(path))}`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
    'case $f in "~") f=;; "~/"*) h=$(cd -P ~ && pwd -P) || exit 44; f="${h%/}/${f#"~/"}";; "~"*) echo "~user paths are not supported: $f" >&2; exit 49;; esac',
    `case $f in /*) ;; *) f="$(pwd -P)/$f";; esac`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    'd=${f%/*}; b=${f##*/}; [ -n "$d" ] || d=/',
    `case $b in ""|.|..) echo "not a file name: $f" >&2; exit ${x.badName};; esac`,
    `cd -P -- "$d" 2>/dev/null || { echo "ENOENT: $d" >&2; exit ${x.missing}; }`,
    `[ "$(pwd -P)" = "$d" ] || { echo "$d leads through a symbolic link (it is $(pwd -P) now); not writing there" >&2; exit ${x.symlink}; }`,
  ].join("\n");
}

/**
 * Bash lines, run after enterParentScript, that move the temporary file `tmpName` (in the current directory) onto
 * `$b`: `ln` refuses an existing name atomically when exclusive, `mv -T` replaces it otherwise (a symlink at `$b` is
 * replaced, never followed). Afterwards the directory must still be at `d`.
 */
export function placeScript(tmpName: string, exclusive: boolean): string {
  const x = NO_FOLLOW_EXIT;
  const t = shellQuote(`./${tmpName}`);
  return [
    `[ -f ${t} ] && [ ! -L ${t} ] || { echo "the temporary file "${t}" is gone or was replaced" >&2; exit 46; }`,
    exclusive
      ? `ln -T -- ${t} "./$b" 2>/dev/null || { rm -f -- ${t}; echo "EEXIST: $f" >&2; exit ${x.exists}; }; rm -f -- ${t}`
      : `mv -T -f -- ${t} "./$b" || exit 46`,
    `[ "$(pwd -P)" = "$d" ] || { ${exclusive ? 'rm -f -- "./$b"; ' : ""}echo "$d was moved while writing (it is $(pwd -P) now)" >&2; exit ${x.symlink}; }`,
  ].join("\n");
}
