#!/usr/bin/env node
// Compiles, copies the simulated host's programs (src/sim/files: Python and shell, read at run time next to the
// compiled code) and the dashboard's page files (src/ui/client), then writes dist/src/catalog.json (tool schemas and resources) so the server starts without loading
// tools.
import { spawnSync } from "node:child_process";
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const root = join(import.meta.dirname, "..");
const tsc = spawnSync("npx", ["tsc", "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
const simFiles = join(root, "dist", "src", "sim", "files");
rmSync(simFiles, { recursive: true, force: true });
cpSync(join(root, "src", "sim", "files"), simFiles, { recursive: true, filter: (p) => !p.includes("__pycache__") });
// The dashboard's page script and style, served as they are.
const uiClient = join(root, "dist", "src", "ui", "client");
rmSync(uiClient, { recursive: true, force: true });
cpSync(join(root, "src", "ui", "client"), uiClient, { recursive: true });
const { buildCatalog, CATALOG_FILE } = await import(pathToFileURL(join(root, "dist", "src", "catalog.js")).href);
writeFileSync(CATALOG_FILE, JSON.stringify(await buildCatalog()));
process.exit(tsc.status ?? 1);
