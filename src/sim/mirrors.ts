// Local bare git mirrors of MindSpeed-MM, Megatron-LM, MindSpeed and transformers for offline installs on the simulated host, under
// the real tags and branches. The upstream MindSpeed commits the releases pin cannot be rebuilt, so the MindSpeed
// mirror names its stand-in commits with refs/replace/<upstream commit> (the host's git, files/git.sh, hands them on).
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { RELEASE_DATES, RELEASE_TAGS } from "../knowledge/release-tags.js";
import { MODEL_TRANSFORMERS_PINS, RELEASES } from "../knowledge/releases.js";
import { megatronFiles, mindspeedFiles, mindspeedMmFiles, transformersFiles } from "./checkout.js";
import { SIM_STACKS } from "./releases.js";
import { cached, contentHash, sh, writeTree } from "./util.js";

export interface MirrorInfo {
  dir: string;
  /** MindSpeed branch name -> the mirror's stand-in commit on it. */
  mindspeedCommits: Record<string, string>;
}

function gitEnv(date: string): Record<string, string> {
  const stamp = `${date}T12:00:00+08:00`;
  return {
    GIT_AUTHOR_NAME: "ascend-train sim",
    GIT_AUTHOR_EMAIL: "sim@ascend-train.invalid",
    GIT_COMMITTER_NAME: "ascend-train sim",
    GIT_COMMITTER_EMAIL: "sim@ascend-train.invalid",
    GIT_AUTHOR_DATE: stamp,
    GIT_COMMITTER_DATE: stamp,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
  };
}

const git = (cwd: string, args: string[], date = "2025-01-01") =>
  sh("git", ["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", ...args], { cwd, env: gitEnv(date) });

async function replaceTree(work: string, files: Record<string, string>) {
  for (const entry of await readdir(work)) {
    if (entry !== ".git") await rm(join(work, entry), { recursive: true, force: true });
  }
  await writeTree(work, files);
}

async function commitAll(work: string, message: string, date: string): Promise<string> {
  await git(work, ["add", "-A"], date);
  await git(work, ["commit", "-q", "-m", message], date);
  return (await git(work, ["rev-parse", "HEAD"], date)).trim();
}

/**
 * The transformers commits releases and models pin (short ids, as their requirements name them), each with the
 * version its package reports: the release's own version, else a development version.
 */
export function transformersCommits(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of Object.values(RELEASES)) {
    if (r.transformers.gitCommit) out[r.transformers.gitCommit] = r.transformers.version;
  }
  for (const p of MODEL_TRANSFORMERS_PINS) {
    if (p.pin.gitCommit && !out[p.pin.gitCommit]) out[p.pin.gitCommit] = "4.57.0.dev0";
  }
  return out;
}

async function buildMirrors(out: string): Promise<void> {
  const work = join(out, ".work");
  // MindSpeed-MM: one commit per release, tagged like upstream.
  const mm = join(work, "mm");
  await sh("mkdir", ["-p", mm]);
  await git(mm, ["init", "-q", "-b", "master"]);
  for (const tag of RELEASE_TAGS) {
    const date = RELEASE_DATES[tag];
    await replaceTree(mm, mindspeedMmFiles(tag, SIM_STACKS[tag]));
    await commitAll(mm, `MindSpeed-MM ${tag}`, date);
    await git(mm, ["tag", "-a", tag, "-m", `Release ${tag}`], date);
  }
  // Megatron-LM: the two core branches MindSpeed-MM copies megatron/ from.
  const mg = join(work, "megatron");
  await sh("mkdir", ["-p", mg]);
  await git(mg, ["init", "-q", "-b", "core_r0.8.0"]);
  await replaceTree(mg, megatronFiles("0.8.0"));
  await commitAll(mg, "Megatron-LM core_r0.8.0", "2024-08-01");
  await git(mg, ["checkout", "-q", "-b", "core_v0.12.1"]);
  await replaceTree(mg, megatronFiles("0.12.1"));
  await commitAll(mg, "Megatron-LM core_v0.12.1", "2025-05-20");
  await git(mg, ["branch", "-q", "main"]);
  // MindSpeed: one branch per MindSpeed-MM release.
  const ms = join(work, "mindspeed");
  await sh("mkdir", ["-p", ms]);
  await git(ms, ["init", "-q", "-b", "master"]);
  const commits: Record<string, string> = {};
  for (const tag of RELEASE_TAGS) {
    const stack = SIM_STACKS[tag];
    await git(ms, ["checkout", "-q", "-B", stack.mindspeedBranch]);
    await replaceTree(ms, mindspeedFiles(stack));
    commits[stack.mindspeedBranch] = await commitAll(ms, `MindSpeed ${stack.mindspeedBranch}`, RELEASE_DATES[tag]);
  }
  await git(ms, ["branch", "-q", "-f", "master", commits[SIM_STACKS["v26.1.0"].mindspeedBranch]!]);
  // transformers: one commit per pinned upstream commit, tagged with its short id (pip resolves `@<id>` by tag).
  const tf = join(work, "transformers");
  await sh("mkdir", ["-p", tf]);
  await git(tf, ["init", "-q", "-b", "main"]);
  for (const [commit, version] of Object.entries(transformersCommits())) {
    await replaceTree(tf, transformersFiles(version, commit));
    await commitAll(tf, `transformers ${version} (upstream ${commit})`, "2025-06-01");
    await git(tf, ["tag", commit]);
  }
  for (const [src, name] of [
    [mm, "MindSpeed-MM.git"],
    [mg, "Megatron-LM.git"],
    [ms, "MindSpeed.git"],
    [tf, "transformers.git"],
  ] as const) {
    await sh("git", ["clone", "-q", "--bare", "--no-local", src, join(out, name)], { env: gitEnv("2025-01-01") });
  }
  // Each release's pinned upstream commit resolves to the stand-in commit of its branch.
  for (const tag of RELEASE_TAGS) {
    const { branch, commit } = RELEASES[tag].mindspeed;
    if (commit && commits[branch]) {
      await git(join(out, "MindSpeed.git"), ["update-ref", `refs/replace/${commit}`, commits[branch]]);
    }
  }
  await writeTree(out, { "mindspeed-commits.json": `${JSON.stringify(commits, null, 2)}\n` });
  await rm(work, { recursive: true, force: true });
}

/** The cached mirror set (built once per content version). */
export async function mirrorCache(): Promise<MirrorInfo> {
  const key = `mirrors-${contentHash([
    RELEASE_TAGS.map((t) => mindspeedMmFiles(t, SIM_STACKS[t])),
    RELEASE_TAGS.map((t) => mindspeedFiles(SIM_STACKS[t])),
    megatronFiles("0.12.1"),
    RELEASE_TAGS.map((t) => RELEASES[t].mindspeed),
    Object.entries(transformersCommits()).map(([c, v]) => transformersFiles(v, c)),
  ])}`;
  const dir = await cached(key, buildMirrors);
  const mindspeedCommits = JSON.parse(await readFile(join(dir, "mindspeed-commits.json"), "utf8")) as Record<
    string,
    string
  >;
  return { dir, mindspeedCommits };
}
