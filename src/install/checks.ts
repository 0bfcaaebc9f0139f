// Small checks the steps share: package versions seen by the probe, wheel files in a directory, the verify snippet.
import type { HostFacts } from "../env/facts.js";
import { shellQuote } from "../hosts/quote.js";
import { baseTorchVersion, numpySatisfies } from "../knowledge/releases.js";
import type { TransformersPin } from "./pins.js";

export type Packages = HostFacts["python"]["packages"];

/** "2.7.1.post8" matches "2.7.1.post8" and "2.7.1.post8+cpu" (a local label does not change the build). */
export const versionIs = (have: string | undefined, want: string) =>
  have !== undefined && (have === want || have.startsWith(`${want}+`));

export const torchIs = (have: string | undefined, want: string) =>
  have !== undefined && baseTorchVersion(have) === baseTorchVersion(want) && !/\+cu\d*/.test(have);

export function transformersOk(pk: Packages, pin: TransformersPin): boolean | null {
  const have = pk.transformers?.version;
  if (!have) return false;
  // A git pin leaves a dev version behind; the probe cannot tell which commit it came from.
  if (pin.gitCommit) return null;
  return pin.version ? versionIs(have, pin.version) : true;
}

export const numpyOk = (pk: Packages, constraint: string | null) =>
  constraint === null || (pk.numpy?.version !== undefined && numpySatisfies(pk.numpy.version, constraint));

/** Same directory, ignoring a trailing slash (paths come from the host's own reports). */
export const samePath = (a: string | undefined | null, b: string) =>
  a !== undefined && a !== null && a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/** A wheel file name → distribution (normalized) and version. */
export function parseWheelName(file: string): { name: string; version: string } | null {
  const parts = file.replace(/\.whl$/, "").split("-");
  if (parts.length < 5) return null;
  return { name: parts[0]!.toLowerCase().replace(/[-.]/g, "_"), version: parts[1]! };
}

/** Does the wheel directory hold a wheel for `name` that `matches` accepts? */
export function hasWheel(files: readonly string[], name: string, matches: (version: string) => boolean): boolean {
  const want = name.toLowerCase().replace(/[-.]/g, "_");
  return files.some((f) => {
    const w = parseWheelName(f);
    return w !== null && w.name === want && matches(w.version);
  });
}

// Checks installed distributions: "name==v" (local label ignored), "name<v", "name<=v", "name@/path" (editable from
// that directory), or a bare "name" (installed). Prints what it saw; exits 1 naming every mismatch.
const VERIFY_PY = `import json, os, re, sys
from importlib import metadata as md
def dist(n):
    for c in (n, n.replace("_", "-"), n.replace("-", "_")):
        try:
            return md.distribution(c)
        except Exception:
            pass
def key(v):
    return [int(x) for x in re.findall(r"\\d+", v.split("+")[0])[:4]]
bad = []
for spec in sys.argv[1:]:
    m = re.match(r"^([A-Za-z0-9_.-]+)\\s*(==|<=|<|@)?\\s*(.*)$", spec)
    name, op, want = m.group(1), m.group(2), m.group(3)
    d = dist(name)
    if d is None:
        bad.append("%s is not installed" % name)
        continue
    have = d.version
    if op is None:
        ok = True
    elif op == "==":
        ok = have == want or have.startswith(want + "+")
        if name == "torch":
            ok = ok and not re.search(r"\\+cu\\d*", have)
    elif op == "<":
        ok = key(have) < key(want)
    elif op == "<=":
        ok = key(have)[: len(key(want))] <= key(want)
    else:
        du = json.loads(d.read_text("direct_url.json") or "null") or {}
        path = du.get("url", "")[len("file://"):] if du.get("url", "").startswith("file://") else ""
        ok = bool(du.get("dir_info", {}).get("editable")) and os.path.realpath(path) == os.path.realpath(want)
        have = "editable from %s" % path if path else "%s, not an editable install" % have
    print("%s %s %s" % ("ok" if ok else "MISMATCH", name, have))
    if not ok:
        bad.append("%s: %s, expected %s%s" % (name, have, op, want))
if bad:
    print("VERIFY FAILED: " + "; ".join(bad))
    sys.exit(1)
`;

/** The verify command for a list of package specs, run with the environment's python. */
export function verifyPackages(python: string, specs: readonly string[]): string {
  return `${shellQuote(python)} -c ${shellQuote(VERIFY_PY)} ${specs.map(shellQuote).join(" ")}`;
}

/** "transformers==4.57.0" for a version pin; a bare name for a git pin (any version is what the commit says). */
export function transformersSpec(pin: TransformersPin): string {
  return pin.version && !pin.gitCommit ? `transformers==${pin.version}` : "transformers";
}
