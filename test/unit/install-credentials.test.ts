// Credentials in install sources (https://user:token@mirror/…) never reach a command line on the host, where `ps`
// shows every argv: pip gets the index through PIP_INDEX_URL and git rewrites the bare URL through GIT_CONFIG_*
// insteadOf, both set from variables the step script exports (the script reaches the host on stdin). A real git
// resolves the bare URL on its command line to the credentialed one.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostSettingsSchema } from "../../src/hosts/inventory.js";
import { envExports } from "../../src/hosts/quote.js";
import { type PlanContext, pip } from "../../src/install/context.js";
import {
  credentialEnv,
  gitRequirement,
  pipArgs,
  type ResolvedSources,
  resolveSources,
  torchArgs,
  withoutUserinfo,
} from "../../src/install/sources.js";
import { getRelease } from "../../src/knowledge/releases.js";

const TOKEN = "s3cr3t-t0ken";
const release = getRelease("v26.1.0");
const sources: ResolvedSources = {
  ...resolveSources({}, release, HostSettingsSchema.parse({ venv: "/v/base" })),
  pipIndex: `https://ci:${TOKEN}@pypi.example.com/simple/`,
  torchIndex: `https://ci:${TOKEN}@torch.example.com/whl/cpu/`,
  mindspeed: `https://ci:${TOKEN}@git.example.com/MindSpeed.git`,
  transformers: `https://ci:${TOKEN}@git.example.com/transformers.git`,
};
const ctx = { sources, env: { kind: "venv", path: "/v/base" } } as unknown as PlanContext;

describe("install sources with credentials", () => {
  const dir = mkdtempSync(join(tmpdir(), "creds-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("pip commands take the index from the environment, git URLs are shown bare", () => {
    const commands = [
      pip(ctx, [...pipArgs(sources), "numpy==1.26.4"]),
      pip(ctx, [...torchArgs(sources), "torch==2.7.1"]),
      pip(ctx, [gitRequirement("transformers", sources.transformers, "abc1234")]),
      `git fetch -q ${withoutUserinfo(sources.mindspeed)} main`,
    ];
    for (const c of commands) expect(c).not.toContain(TOKEN);
    expect(commands[0]).toMatch(/^PIP_INDEX_URL="\$ASCEND_TRAIN_PIP_INDEX" /);
    expect(commands[1]).toMatch(/^PIP_INDEX_URL="\$ASCEND_TRAIN_TORCH_INDEX" /);
    const env = credentialEnv(sources);
    expect(env.ASCEND_TRAIN_PIP_INDEX).toContain(TOKEN);
    expect(env.GIT_CONFIG_COUNT).toBe("2");
  });

  it("git rewrites the bare URL on its command line to the credentialed one from the environment", () => {
    const script = [
      envExports(credentialEnv(sources)),
      `git ls-remote --get-url ${withoutUserinfo(sources.mindspeed)}`,
    ];
    const r = spawnSync("bash", ["-c", script.join("\n")], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: dir },
    });
    expect(r.stdout.trim(), r.stderr).toBe(sources.mindspeed);
  });
});
