#!/usr/bin/env node
// Compiles, then writes dist/src/catalog.json (tool schemas and resources) so the server starts without loading tools.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
const tsc = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
const { buildCatalog, CATALOG_FILE } = await import(pathToFileURL(join(root, "dist", "src", "catalog.js")).href);
writeFileSync(CATALOG_FILE, JSON.stringify(await buildCatalog()));
process.exit(tsc.status ?? 1);
