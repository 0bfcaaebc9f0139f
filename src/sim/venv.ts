// A real Python venv for the simulated host (copied from a cached template) and the stand-in packages inside it.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PackageSpec } from "./packages.js";
import { cached, contentHash, sh } from "./util.js";

/** /usr/bin/python3 when present: a venv on it works for every user (a pyenv python under /root does not). */
export function findPython(): string {
  return existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

const versions = new Map<string, string>();

export async function pythonVersion(python: string): Promise<string> {
  let v = versions.get(python);
  if (!v) {
    v = (await sh(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])).trim();
    versions.set(python, v);
  }
  return v;
}

export function sitePackages(venv: string, pyver: string): string {
  return join(venv, "lib", `python${pyver}`, "site-packages");
}

/** Copies a cached `python -m venv` (with pip) to `dest` and fixes the absolute paths inside it. */
export async function createVenv(dest: string, python: string): Promise<void> {
  const pyver = await pythonVersion(python);
  const template = await cached(`venv-${contentHash([python, pyver])}`, async (dir) => {
    await sh(python, ["-m", "venv", join(dir, "venv")]);
    await writeFile(join(dir, "built-at"), join(dir, "venv"));
  });
  const from = (await readFile(join(template, "built-at"), "utf8")).trim();
  await sh("cp", ["-a", join(template, "venv"), dest]);
  const fix = async (file: string) => {
    const text = await readFile(file, "utf8").catch(() => null);
    if (text?.includes(from)) await writeFile(file, text.replaceAll(from, dest));
  };
  const bin = join(dest, "bin");
  await Promise.all([...(await readdir(bin)).map((f) => fix(join(bin, f))), fix(join(dest, "pyvenv.cfg"))]);
}

function recordLine(path: string, content: string): string {
  const digest = createHash("sha256").update(content).digest("base64url");
  return `${path},sha256=${digest},${Buffer.byteLength(content)}`;
}

function consoleScript(venv: string, target: string): string {
  const [module, func] = target.split(":");
  return `#!${join(venv, "bin", "python")}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom ${module} import ${func}\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(${func}())\n`;
}

async function writeDist(
  venv: string,
  pyver: string,
  name: string,
  version: string,
  files: Record<string, string>,
  entryPoints: Record<string, Record<string, string>>,
  extra: Record<string, string> = {},
) {
  const site = sitePackages(venv, pyver);
  const di = `${name.replaceAll("-", "_")}-${version}.dist-info`;
  const all: Record<string, string> = { ...files };
  all[`${di}/METADATA`] = `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
  all[`${di}/INSTALLER`] = "pip\n";
  all[`${di}/WHEEL`] = "Wheel-Version: 1.0\nGenerator: ascend-train-sim\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
  const groups = Object.entries(entryPoints);
  if (groups.length > 0) {
    all[`${di}/entry_points.txt`] = groups
      .map(
        ([g, m]) =>
          `[${g}]\n${Object.entries(m)
            .map(([k, v]) => `${k} = ${v}\n`)
            .join("")}`,
      )
      .join("\n");
  }
  Object.assign(all, extra);
  const record = Object.entries(all).map(([p, c]) => recordLine(p, c));
  for (const [script, target] of Object.entries(entryPoints.console_scripts ?? {})) {
    const text = consoleScript(venv, target);
    const path = join(venv, "bin", script);
    await writeFile(path, text);
    await chmod(path, 0o755);
    record.push(recordLine(`../../../bin/${script}`, text));
  }
  all[`${di}/RECORD`] = `${record.join("\n")}\n${di}/RECORD,,\n`;
  await Promise.all(
    Object.entries(all).map(async ([rel, content]) => {
      const full = join(site, rel);
      await mkdir(join(full, ".."), { recursive: true });
      await writeFile(full, content);
    }),
  );
}

/** Installs stand-in packages the way pip would leave them (files, dist-info, console scripts). */
export async function installPackages(venv: string, pyver: string, packages: PackageSpec[]): Promise<void> {
  for (const pkg of packages) await writeDist(venv, pyver, pkg.name, pkg.version, pkg.files, pkg.entryPoints ?? {});
}

/** What `pip install -e <src>` leaves behind: a .pth with the source dir, dist-info, console scripts. */
export async function installEditable(
  venv: string,
  pyver: string,
  dist: { name: string; version: string; src: string; scripts?: Record<string, string> },
): Promise<void> {
  const pth = `__editable__.${dist.name}-${dist.version}.pth`;
  const di = `${dist.name}-${dist.version}.dist-info`;
  await writeDist(
    venv,
    pyver,
    dist.name,
    dist.version,
    { [pth]: `${dist.src}\n` },
    dist.scripts ? { console_scripts: dist.scripts } : {},
    { [`${di}/direct_url.json`]: `${JSON.stringify({ url: `file://${dist.src}`, dir_info: { editable: true } })}\n` },
  );
}
