// Stand-ins for MindSpeed-MM's [evaluate] extras (portalocker, rich, xlsxwriter, openpyxl) in a simulated host's
// Python environment, for the tests that run evaluate_model.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EVALUATE_EXTRAS } from "../../src/tools/evaluate-model.js";

export function installEvaluateExtras(venv: string): void {
  const lib = join(venv, "lib");
  const site = join(lib, readdirSync(lib).find((d) => d.startsWith("python"))!, "site-packages");
  for (const m of EVALUATE_EXTRAS) writeFileSync(join(site, `${m}.py`), "# stand-in (simulated host)\n");
}
