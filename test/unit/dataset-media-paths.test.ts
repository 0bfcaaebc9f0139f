// Image paths in a dataset are read only under imageDir: an absolute path, `~` or `..` leading out is a problem of
// that record and is never opened; an image that is a FIFO is refused at once instead of holding validate_dataset
// for its whole timeout. Locally and over SSH (the same host program, run by another user).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HostSettings, HostSettingsSchema } from "../../src/hosts/inventory.js";
import { HostRegistry } from "../../src/hosts/registry.js";
import type { ToolDeps } from "../../src/tools/tool.js";
import validateDataset from "../../src/tools/validate-dataset.js";
import { readSshTestEnv, sshHostSettings } from "../helpers/ssh-env.js";

const ssh = readSshTestEnv();
const PNG = join(import.meta.dirname, "..", "fixtures", "datasets", "images", "red-20x30.png");

const record = (image: string) => ({
  image,
  conversations: [
    { from: "human", value: "<image>\nWhat colour?" },
    { from: "gpt", value: "Red." },
  ],
});

let base: string;
let dataset: string;
let hosts: HostRegistry;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "dataset-media-"));
  chmodSync(base, 0o755);
  const data = join(base, "data");
  mkdirSync(join(data, "img"), { recursive: true });
  copyFileSync(PNG, join(data, "img", "ok.png"));
  copyFileSync(PNG, join(base, "outside.png"));
  execFileSync("mkfifo", ["-m", "666", join(data, "img", "fifo.png")]);
  dataset = join(data, "train.json");
  writeFileSync(
    dataset,
    JSON.stringify([
      record("img/ok.png"),
      record("../outside.png"),
      record("img/../../outside.png"),
      record(join(base, "outside.png")),
      record("~/outside.png"),
      record("img/fifo.png"),
    ]),
  );
  chmodSync(data, 0o755);
  const settings: Record<string, HostSettings> = { local: HostSettingsSchema.parse({}) };
  if (ssh) settings.remote = sshHostSettings(ssh);
  hosts = new HostRegistry({ file: null, hosts: settings });
});

afterAll(async () => {
  await hosts.closeAll();
  rmSync(base, { recursive: true, force: true });
});

const deps = (): ToolDeps => ({ hosts, now: () => new Date(0), progress: () => {}, log: () => {} });

for (const host of ["local", "remote"]) {
  describe.skipIf(host === "remote" && !ssh)(`validate_dataset image paths (${host})`, () => {
    it("flags every path leading out of imageDir and a FIFO image, and returns promptly", async () => {
      const started = Date.now();
      const r = await validateDataset.handle(
        validateDataset.input.parse({ host, path: dataset, timeoutSec: 60, maxProblems: 20 }),
        deps(),
      );
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.valid).toBe(1);
      const kinds = r.problems.map((p) => `${p.index}:${p.kind}`);
      expect(kinds).toEqual([
        "1:image-outside",
        "2:image-outside",
        "3:image-outside",
        "4:image-outside",
        "5:image-unreadable",
      ]);
      expect(r.problems.at(-1)!.message).toMatch(/not a regular file/);
    }, 60_000);
  });
}
