// The offline wheel house: real .whl files of every stand-in package at every release's version.
import { join } from "node:path";
import { allWheelPackages } from "./packages.js";
import { WHEEL_BUILDER_PY } from "./shims.js";
import { cached, contentHash, sh } from "./util.js";

export async function wheelCache(python: string): Promise<string> {
  const packages = allWheelPackages();
  const key = `wheels-${contentHash([packages, WHEEL_BUILDER_PY])}`;
  return cached(key, async (dir) => {
    await sh(python, ["-c", WHEEL_BUILDER_PY], { input: JSON.stringify({ outDir: join(dir, "wheels"), packages }) });
  });
}
