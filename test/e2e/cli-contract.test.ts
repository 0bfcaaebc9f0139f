// The CLI as a person meets it: exit codes, positional arguments, flag errors and hints in its own words, against a
// simulated host laid out by `sim init` in a fresh directory.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseShell } from "shell-quote";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandToType } from "../../src/cli/hints.js";
import { hintProblems, printedCommands } from "../helpers/cli-hints.js";
import { CLI } from "../helpers/mcp.js";
import { freePort } from "../helpers/server-probe.js";

const work = mkdtempSync(join(tmpdir(), "cli-contract-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ASCEND_TRAIN_FROM_SOURCE: "1",
  ASCEND_TRAIN_AUDIT_LOG: join(work, "audit.jsonl"),
};
delete env.ASCEND_TRAIN_CONFIG;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: work, env, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("the CLI contract", () => {
  let init: ReturnType<typeof cli>;
  beforeAll(async () => {
    // A MASTER_PORT of its own: the hints it checks run launch-train, whose pre-flight would wait on another file's 6000.
    init = cli("sim", "init", "./sim-host", "--master-port", String(await freePort()));
  }, 180_000);
  afterAll(() => {
    cli("sim", "stop", "./sim-host");
    rmSync(work, { recursive: true, force: true });
  });

  it("sim init lays out a model and a LLaVA dataset with images at build_configs' defaults and says what to type next", () => {
    expect(init.code).toBe(0);
    const mm = join(work, "sim-host", "MindSpeed-MM");
    const hf = join(mm, "ckpt", "hf_path", "Qwen2.5-VL-3B-Instruct");
    expect(JSON.parse(readFileSync(join(hf, "config.json"), "utf8")).model_type).toBe("qwen2_5_vl");
    expect(readdirSync(hf).some((f) => f.endsWith(".safetensors"))).toBe(true);
    const images = readdirSync(join(mm, "data", "images"));
    expect(images.length).toBeGreaterThan(0);
    expect(
      readFileSync(join(mm, "data", "images", images[0]!))
        .subarray(1, 4)
        .toString(),
    ).toBe("PNG");
    const llava = JSON.parse(readFileSync(join(mm, "data", "llava_colours.json"), "utf8"));
    expect(llava[0].conversations[0].from).toBe("human");
    const mllm = JSON.parse(readFileSync(join(mm, "data", "mllm_format_llava_instruct_data.json"), "utf8"));
    expect(mllm[0].messages[0].role).toBe("user");
    expect(init.out).toContain(hf);
    // As the person can type it: `npx ascend-train` unless `ascend-train` is on PATH and npm did not start it.
    const typed = commandToType(env);
    expect(init.out).toContain(`Next:\n  ${typed} check-env --host sim --model qwen2.5vl-3b`);
    // The build-configs it suggests is the README's first run, word for word: following either gives the same files.
    const suggested = init.out.split("\n").find((l) => l.includes(" build-configs "))!;
    const readmeLine = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("npx ascend-train build-configs --host sim --model qwen2.5vl-3b"))!;
    expect(
      suggested
        .replace(/\s+#.*$/, "")
        .trim()
        .replace(typed, "npx ascend-train"),
    ).toBe(readmeLine.trim());
  });

  it("a healthy simulated host raises no warning (exit 0)", async () => {
    const port = await freePort();
    // A port of its own: another suite may hold the default 6000 meanwhile.
    const r = cli("check-env", "--host", "sim", "--model", "qwen2.5vl-3b", "--master-port", String(port), "--json");
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.out).findings as { severity: string; id: string }[];
    expect(findings.filter((f) => f.severity !== "info")).toEqual([]);
  });

  it("build-configs warns, with a fix in the terminal's words, for each configured path the host lacks", () => {
    const r = cli("build-configs", "--host", "sim", "--model", "qwen2.5vl-3b", "--hf-dir", "/nonexistent/hf");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: --hf-dir \/nonexistent\/hf does not exist on the host; .*--hf-dir/);
    expect(r.out).toMatch(
      /warning: --ckpt-dir \S+ does not exist on the host; (npx )?ascend-train convert-weights --host sim --model qwen2.5vl-3b/,
    );
    expect(r.out).not.toMatch(/warning: dataset /);
    const json = JSON.parse(
      cli("build-configs", "--host", "sim", "--model", "qwen2.5vl-3b", "--hf-dir", "/nonexistent/hf", "--json").out,
    );
    expect(json.missingPaths.map((m: { field: string }) => m.field).sort()).toEqual(["ckptDir", "hfDir"]);
  });

  it("nothing written exits 1 and names --overwrite", () => {
    const r = cli("build-configs", "--host", "sim", "--model", "qwen2.5vl-3b", "--train-iters", "7");
    expect(r.code).toBe(1);
    expect(r.out).toContain("nothing written");
    expect(r.out).toContain("--overwrite");
    expect(r.out).not.toContain("overwrite: true");
  });

  it("exit 0 for a match, 1 for no match, with the query positional", () => {
    expect(cli("find-model", "qwen2.5vl-3b").code).toBe(0);
    const none = cli("find-model", "no-such-model-anywhere");
    expect(none.code).toBe(1);
    expect(none.out).toContain("No model matches");
  });

  it("find-model with no query lists every model by family; a family word names all its models", () => {
    const all = cli("find-model");
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/^ {2}Qwen2\.5-VL +qwen2\.5vl-3b, qwen2\.5vl-7b, qwen2\.5vl-32b, qwen2\.5vl-72b$/m);
    const qwen = cli("find-model", "qwen");
    expect(qwen.code).toBe(0);
    expect(qwen.out).toContain("Qwen2.5-VL: qwen2.5vl-3b, qwen2.5vl-7b, qwen2.5vl-32b, qwen2.5vl-72b");
  });

  it("audit-log --tool takes the command's name as its table prints it, and the MCP name", () => {
    expect(cli("list-hosts").code).toBe(0);
    const shown = cli("audit-log", "--tool", "list-hosts");
    expect(shown.out).toMatch(/ list-hosts +exit=0 /);
    const asMcp = JSON.parse(cli("audit-log", "--tool", "list_hosts", "--json").out).entries;
    const asCli = JSON.parse(cli("audit-log", "--tool", "list-hosts", "--json").out).entries;
    expect(asCli.length).toBeGreaterThan(0);
    expect(asCli).toEqual(asMcp);
  });

  it("exit 2 for a missing flag, naming it with an example value", () => {
    const r = cli("build-configs", "--host", "sim");
    expect(r.code).toBe(2);
    expect(r.err).toContain("missing --model (e.g. --model qwen2.5vl-3b)");
    expect(r.err).not.toContain("received undefined");
  });

  it("exit 2 for an unknown flag, a value of the wrong kind, or a positional given twice", () => {
    expect(cli("find-model", "--bogus").code).toBe(2);
    const wrong = cli("build-configs", "--host", "sim", "--model", "qwen2.5vl-3b", "--tp", "two");
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("--tp");
    expect(cli("find-model", "a", "--query", "b").code).toBe(2);
  });

  it("a value refused by its own check names its flag once", () => {
    const bad = cli("tail-logs", "not-a-run");
    expect(bad.code).toBe(2);
    expect(bad.err.split("\n")[0]).toBe(
      "error: --run-id must look like run-YYYYMMDD-HHMMSS-xxxx (from launch-train or list-runs)",
    );
    const wrongKind = cli("tail-logs", "--lines", "many", "--log-file", "/tmp/x.log", "--host", "sim");
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.err).toMatch(/^error: .*--lines/m);
  });

  it("with --json an error is a JSON object on stdout in the CLI's words, for usage (exit 2) and refusals (exit 1)", () => {
    const unknownFlag = cli("find-model", "--bogus", "--json");
    expect(unknownFlag.code).toBe(2);
    expect(JSON.parse(unknownFlag.out)).toEqual({ error: "unknown option '--bogus'", kind: "usage" });
    const missing = cli("build-configs", "--host", "sim", "--json");
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.out)).toMatchObject({ kind: "usage", error: expect.stringContaining("missing --model") });
    const noRun = cli("tail-logs", "run-20990101-000000-abcd", "--host", "sim", "--json");
    expect(noRun.code).toBe(1);
    const refusal = JSON.parse(noRun.out) as { error: string; kind: string };
    expect(refusal.kind).toBe("tool");
    expect(refusal.error).toContain("ascend-train list-runs");
    expect(refusal.error).toContain("--log-file");
    expect(refusal.error).not.toMatch(/list_runs|logFile/);
    expect(noRun.err).toContain(refusal.error);
  });

  it("a word left over (a value given to a switch, a name not quoted) is a usage error that says which", () => {
    for (const args of [
      ["stop-run", "run-20990101-000000-abcd", "--host", "sim", "--confirm", "yes"],
      ["find-model", "qwen", "2.5", "vl", "3"],
    ]) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain("too many arguments");
      expect(r.err).toContain("takes no value (write it alone), and a value with spaces needs quotes");
    }
  });

  it("a lone word given to a command whose one missing required flag takes it is printed back as that flag", () => {
    const r = cli("estimate-memory", "qwen2.5vl-3b", "--npus", "4", "--chip", "910B4");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /estimate-memory takes its model as --model: (npx )?ascend-train estimate-memory --model qwen2\.5vl-3b --npus 4 --chip 910B4\n/,
    );
    // Two words left over, or a command with no required flag missing: the general advice, no guess.
    const two = cli("estimate-memory", "qwen2.5", "vl-3b");
    expect(two.err).toContain("a value with spaces needs quotes");
    expect(two.err).not.toContain("takes its model as");
  });

  it("a run and a save directory given together, or neither, is a usage error in flag words", () => {
    for (const args of [
      ["export-model", "--run-id", "run-20990101-000000-abcd", "--checkpoint-dir", "/tmp/x", "--confirm"],
      ["run-inference"],
      ["evaluate-model", "--run-id", "run-20990101-000000-abcd", "--checkpoint-dir", "/tmp/x"],
    ]) {
      const r = cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain("Pass exactly one of --run-id (see list-runs) and --checkpoint-dir (a save directory).");
    }
  });

  it("positional run ids for tail-logs, stop-run and resume-run", () => {
    for (const tool of ["tail-logs", "stop-run", "resume-run"]) {
      const r = cli(tool, "run-20990101-000000-abcd", "--host", "sim");
      expect(r.err, tool).not.toContain("too many arguments");
      expect(r.code, tool).toBe(1);
    }
  });

  it("--help documents the exit codes, describes every flag and lists no --no- twins for plain switches", () => {
    const help = cli("build-configs", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 /);
    expect(help.out).toContain("--overwrite");
    expect(help.out).not.toContain("--no-overwrite");
    for (const line of help.out.split("\n").filter((l) => /^ {2}--[a-z]/.test(l))) {
      expect(line.trim(), line).toMatch(/^--\S+(?: <[^>]+>)?\s{2,}\S/);
    }
    expect(cli("serve", "--help").out).toContain("--bind");
    expect(cli("chat", "--help").out).toContain("--claude-model");
  });

  it("build-configs reads a relative dataset from the host's workdir, as prepare-dataset and validate-dataset do", () => {
    const r = cli(
      "build-configs",
      "--host",
      "sim",
      "--model",
      "qwen2.5vl-3b",
      "--dataset",
      "data/mllm_format_llava_instruct_data.json",
      "--overwrite",
    );
    expect(r.err).not.toContain("cannot read");
    expect(r.code, r.err).toBe(0);
    // It names the call that starts what it wrote (the script's path on the host), not only what it wrote.
    expect(r.out).toMatch(
      /\nNext \(once the paths above exist\): (?:npx )?ascend-train launch-train --host sim --script \S+\.sh shows its plan/,
    );
  });

  it("every command a hint prints runs as shown: its subcommand, its flags and every required one", () => {
    const mm = join(work, "sim-host", "MindSpeed-MM");
    const outputs: string[] = [init.out];
    const run = (...args: string[]) => {
      const r = cli(...args);
      outputs.push(`${r.out}\n${r.err}`);
      return r;
    };
    const built = run(
      "build-configs",
      "--host",
      "sim",
      "--model",
      "qwen2.5vl-3b",
      "--dataset",
      "data/mllm_format_llava_instruct_data.json",
      "--train-iters",
      "7",
      "--save-interval",
      "5",
      "--overwrite",
      "--json",
    );
    expect(built.code, built.err).toBe(0);
    const build = JSON.parse(built.out);
    const script = build.files.find((f: { role: string }) => f.role === "launch-script").path as string;
    const converted = run("convert-weights", "--host", "sim", "--model", "qwen2.5vl-3b", "--confirm");
    expect(converted.code, converted.err).toBe(0);
    // The configs built above load this checkpoint: the next step is their launch script, not another build.
    const launchNext = printedCommands(converted.out).find((c) => c.tool === "launch_train");
    expect(launchNext?.args).toMatchObject({ host: "sim", script });
    expect(printedCommands(converted.out).map((c) => c.tool)).not.toContain("build_configs");
    // The same conversion again, as a script retrying would: nothing to do, exit 0, the same next step.
    const repeated = run("convert-weights", "--host", "sim", "--model", "qwen2.5vl-3b", "--confirm");
    expect(repeated.code, repeated.err).toBe(0);
    expect(repeated.out).toMatch(/already holds \S+\.hf_to_mm of .*nothing to convert/);
    expect(printedCommands(repeated.out).find((c) => c.tool === "launch_train")?.args).toMatchObject({ script });
    // Converted elsewhere: the rebuild printed points the existing configs there and runs as shown (exit 0).
    const elsewhere = run(
      "convert-weights",
      "--host",
      "sim",
      "--model",
      "qwen2.5vl-3b",
      "--ckpt-dir",
      "ckpt/mm-second",
      "--confirm",
    );
    expect(elsewhere.code, elsewhere.err).toBe(0);
    const rebuildNext = printedCommands(elsewhere.out).find((c) => c.tool === "build_configs");
    expect(rebuildNext?.args).toMatchObject({ overwrite: true, trainIters: "7", saveInterval: "5" });
    const rebuiltArgv = parseShell(
      elsewhere.out
        .slice(elsewhere.out.indexOf("build-configs ") + "build-configs ".length)
        .split("\n")[0]!
        .replace(/\.$/, ""),
    ) as string[];
    const rebuiltForNew = cli("build-configs", ...rebuiltArgv, "--json");
    expect(rebuiltForNew.code, rebuiltForNew.err).toBe(0);
    expect(JSON.parse(rebuiltForNew.out).parameters.ckptDir).toBe(join(mm, "ckpt/mm-second"));
    expect(JSON.parse(rebuiltForNew.out).parameters.trainIters).toBe(7);
    // A save directory that already holds checkpoints: pre-flight refuses and says how to rebuild.
    const saveDir = join(mm, build.parameters.saveDir);
    mkdirSync(saveDir, { recursive: true });
    writeFileSync(join(saveDir, "latest_checkpointed_iteration.txt"), "5\n");
    const refused = run("launch-train", "--host", "sim", "--script", script);
    expect(refused.code).toBe(1);
    run("plan-finetune", "--host", "sim", "--model", "qwen2.5vl-3b");
    const all = outputs.join("\n");
    expect(printedCommands(all).map((c) => c.tool)).toEqual(
      expect.arrayContaining(["build_configs", "launch_train", "list_runs"]),
    );
    expect(hintProblems(all, { host: "sim" })).toEqual([]);

    // Following the rebuild hint changes only what it names: the dataset and lengths stay the build's own.
    const rebuild = printedCommands(refused.out).find((c) => c.tool === "build_configs" && c.args.saveDir);
    expect(rebuild).toBeDefined();
    const argv = Object.entries(rebuild!.args).flatMap(([field, value]) => {
      const flag = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      if (value === true) return [flag];
      return [flag, field === "saveDir" ? "./save-new" : value];
    });
    const again = cli("build-configs", ...argv, "--json");
    expect(again.code, again.err).toBe(0);
    const rebuilt = JSON.parse(again.out).parameters;
    expect(rebuilt).toMatchObject({
      trainIters: 7,
      saveDir: "./save-new",
      dataset: build.parameters.dataset,
    });
    expect(readFileSync(script, "utf8")).toMatch(/--save-interval 5\b/);
  });

  it("diagnose-error prints, under each fix apply-fix can make, the apply-fix command that plans that fix as typed", () => {
    writeFileSync(
      join(work, "oom.log"),
      "RuntimeError: NPU out of memory. Tried to allocate 2.00 GiB (NPU 0; 60.00 GiB total capacity; 58.10 GiB already allocated; 0 bytes free; 59.00 GiB reserved in total by PyTorch)\n",
    );
    writeFileSync(join(work, "train.sh"), "#!/bin/bash\ntorchrun pretrain.py --micro-batch-size 4 --lr 1e-4\n");
    const config = JSON.stringify({ scriptPath: join(work, "train.sh") });
    const d = cli("diagnose-error", "--log-file", join(work, "oom.log"), "--config", config);
    expect(d.code, d.err).toBe(0);
    const applies = d.out.split("\n").filter((l) => /^\s+apply: /.test(l));
    expect(applies.length).toBeGreaterThanOrEqual(2);
    expect(hintProblems(applies.join("\n"))).toEqual([]);
    const halve = applies.find((l) => l.includes("--fix halve-micro-batch-edit"));
    expect(halve).toBeDefined();
    const words = parseShell(halve!.replace(/^\s+apply: (npx )?ascend-train /, "")) as string[];
    const plan = cli(...words);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toContain("Plan for npu-oom/halve-micro-batch-edit");
    expect(plan.out).toContain("+torchrun pretrain.py --micro-batch-size 2 --lr 1e-4");
    // Only a plan: the script is as it was.
    expect(readFileSync(join(work, "train.sh"), "utf8")).toContain("--micro-batch-size 4");

    // A CUDA log: the allocator setting is CUDA's in the fix and in the edit; no unfilled placeholder is printed.
    writeFileSync(
      join(work, "cuda-oom.log"),
      "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.65 GiB total capacity; 21.10 GiB already allocated; 1.50 GiB free; 21.20 GiB reserved in total by PyTorch)\n",
    );
    const bare = cli("diagnose-error", "--log-file", join(work, "cuda-oom.log"));
    expect(bare.out).toContain("export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True");
    expect(bare.out).not.toMatch(/PYTORCH_NPU_ALLOC_CONF|<micro_batch>|<new_micro_batch> →/);
    const cuda = cli("diagnose-error", "--log-file", join(work, "cuda-oom.log"), "--config", config);
    expect(cuda.out).toContain("+export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True");
    const noScript = cli(
      "apply-fix",
      "--log-file",
      join(work, "cuda-oom.log"),
      "--rule",
      "npu-oom",
      "--fix",
      "alloc-conf",
    );
    expect(noScript.code).toBe(1);
    expect(noScript.err).toContain("setting the allocator's expandable segments edits the run's launch script");
  });

  it("diagnose-error reads a log piped in or redirected, or named '-' or with '..'; with no log and nothing piped it says every way", () => {
    const log = join(work, "piped-hccl.log");
    writeFileSync(
      log,
      "[rank3]: RuntimeError: NPU out of memory. Tried to allocate 1.50 GiB (NPU 3; 60.00 GiB total capacity)\n" +
        "[rank0]: EI0002: The wait execution of the Notify register times out.\n",
    );
    const sh = (line: string) => {
      const r = spawnSync("/bin/sh", ["-c", line], { cwd: work, env, encoding: "utf8", timeout: 120_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    const node = `'${process.execPath}' '${CLI}'`;
    const byFile = cli("diagnose-error", log, "--json");
    expect(byFile.code, byFile.err).toBe(0);
    const expected = JSON.parse(byFile.out).findings.map((f: { category: string }) => f.category);
    expect(expected[0]).toBe("npu_oom");
    // A shell pipe, a redirect, and '-' (the positional and the flag): the same findings as the file named.
    for (const line of [
      `cat '${log}' | ${node} diagnose-error --json`,
      `${node} diagnose-error --json < '${log}'`,
      `${node} diagnose-error - --json < '${log}'`,
      `cat '${log}' | ${node} diagnose-error --log-file - --json`,
    ]) {
      const r = sh(line);
      expect(r.code, `${line}\n${r.err}`).toBe(0);
      expect(JSON.parse(r.out).findings.map((f: { category: string }) => f.category)).toEqual(expected);
    }
    // Nothing named and nothing piped (stdin from /dev/null): a usage error naming every way, piping included.
    const none = sh(`${node} diagnose-error < /dev/null`);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/missing the log: a file \((npx )?ascend-train diagnose-error \/path\/to\/train\.log\)/);
    expect(none.err).toMatch(/piped in \(cat train\.log \| (npx )?ascend-train diagnose-error\)/);
    // '-' with --text asks which one was meant, and a named file is read, not standard input.
    expect(sh(`${node} diagnose-error - --text 'x' < '${log}'`).code).toBe(2);
    const named = sh(`echo 'Segmentation fault (core dumped)' | ${node} diagnose-error '${log}' --json`);
    expect(JSON.parse(named.out).findings[0].category).toBe("npu_oom");
    // A path typed with '..' on the local host reads what the shell would; outside the readable directories it is
    // still refused.
    mkdirSync(join(work, "sub"), { recursive: true });
    const up = spawnSync(process.execPath, [CLI, "diagnose-error", "../piped-hccl.log", "--json"], {
      cwd: join(work, "sub"),
      env,
      encoding: "utf8",
    });
    expect(up.status, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).findings[0].category).toBe("npu_oom");
    const outside = spawnSync(process.execPath, [CLI, "diagnose-error", "../../../../../../../../etc/hostname"], {
      cwd: join(work, "sub"),
      env,
      encoding: "utf8",
    });
    expect(outside.status).toBe(1);
    expect(outside.stderr).toMatch(/outside the directories ascend-train may read/);
  });

  it("prepare-dataset prints the validate-dataset command that accepts what it wrote, images read where they were found", () => {
    mkdirSync(join(work, "sim-host", "MindSpeed-MM", "prepared"), { recursive: true });
    const prepared = cli(
      "prepare-dataset",
      "--host",
      "sim",
      "--input",
      "data/llava_colours.json",
      "--output",
      "prepared/my_mllm.json",
    );
    expect(prepared.code, prepared.err).toBe(0);
    expect(hintProblems(prepared.out, { host: "sim" })).toEqual([]);
    const validate = printedCommands(prepared.out).find((c) => c.tool === "validate_dataset");
    expect(validate?.args).toMatchObject({ path: "prepared/my_mllm.json", host: "sim" });
    // No family given: the build is described, with no '<model>' to fill in; with one, its first size is named.
    expect(prepared.out).not.toMatch(/'<\w+>'/);
    const forFamily = cli(
      ...["prepare-dataset", "--host", "sim", "--input", "data/llava_colours.json"],
      ...["--output", "prepared/qwen.json", "--family", "qwen2.5vl"],
    );
    expect(forFamily.code, forFamily.err).toBe(0);
    expect(printedCommands(forFamily.out).find((c) => c.tool === "build_configs")?.args).toMatchObject({
      model: "qwen2.5vl-3b",
      dataset: "prepared/qwen.json",
    });
    expect(hintProblems(forFamily.out, { host: "sim" })).toEqual([]);
    const followed = cli(
      "validate-dataset",
      String(validate!.args.path),
      ...Object.entries(validate!.args)
        .filter(([field]) => field !== "path")
        .flatMap(([field, value]) => [`--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(value)]),
    );
    expect(followed.code, followed.out).toBe(0);
    // Absolute image paths validate-dataset never reads: the next step writes the file without the prefix.
    const prefixed = cli(
      "prepare-dataset",
      "--host",
      "sim",
      "--input",
      "data/llava_colours.json",
      "--output",
      "prepared/prefixed.json",
      "--image-prefix",
      join(work, "sim-host", "MindSpeed-MM", "data"),
    );
    expect(prefixed.code, prefixed.err).toBe(0);
    expect(hintProblems(prefixed.out, { host: "sim" })).toEqual([]);
    const rewrite = printedCommands(prefixed.out).find((c) => c.tool === "prepare_dataset");
    expect(rewrite?.args).toMatchObject({ input: "data/llava_colours.json", output: "prepared/prefixed.json" });
    expect(rewrite?.args.imagePrefix).toBeUndefined();
    // Without the folder, the refusal names where it looked and the flag that changes it.
    const bare = cli("validate-dataset", "prepared/my_mllm.json", "--host", "sim");
    expect(bare.code).toBe(1);
    expect(bare.out).toContain(`read from ${join(work, "sim-host", "MindSpeed-MM", "prepared")}`);
    expect(bare.out).toContain("--image-dir");
  });

  it("build-configs warns how many epochs a tiny dataset is read for, and proposes fewer iterations or smaller steps", () => {
    const data = join(work, "sim-host", "MindSpeed-MM", "data");
    const sample = JSON.parse(readFileSync(join(data, "mllm_format_llava_instruct_data.json"), "utf8")) as unknown[];
    writeFileSync(join(data, "tiny.json"), JSON.stringify(sample.slice(0, 8)));
    const r = cli(
      "build-configs",
      "--host",
      "sim",
      "--model",
      "qwen2.5vl-3b",
      "--dataset",
      "data/tiny.json",
      "--train-iters",
      "200",
      "--global-batch-size",
      "256",
      "--output-dir",
      join(work, "sim-host", "MindSpeed-MM", "configs", "tiny"),
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      "warning: dataset: 8 records, but 200 iterations x 256 samples per step read 51200 samples, about 6400 epochs",
    );
    // Even one step reads the 8 records 32 times over: said as it is, not as the 3 epochs a longer run would aim for.
    expect(r.out).toContain("even --train-iters 1 reads the data about 32 times over");
    // One step reads the data 32 times over: a smaller global batch (a multiple of MBS 1 x DP 8) is offered too,
    // and the build it names reads the data about 3 times, with no warning.
    expect(r.out).toContain(
      "or take smaller steps (--global-batch-size 8 --train-iters 3: about 3 epochs in 3 iterations)",
    );
    const smaller = cli(
      "build-configs",
      "--host",
      "sim",
      "--model",
      "qwen2.5vl-3b",
      "--dataset",
      "data/tiny.json",
      "--global-batch-size",
      "8",
      "--train-iters",
      "3",
      "--output-dir",
      join(work, "sim-host", "MindSpeed-MM", "configs", "tiny-smaller"),
    );
    expect(smaller.code, smaller.err).toBe(0);
    expect(smaller.out).not.toContain("epochs over the data");
    // Without --dataset, the recipe's default dataset on the host (60 records here) is counted the same way.
    const byDefault = cli(
      "build-configs",
      "--host",
      "sim",
      "--model",
      "qwen2.5vl-3b",
      "--train-iters",
      "300",
      "--output-dir",
      join(work, "sim-host", "MindSpeed-MM", "configs", "tiny-default"),
    );
    expect(byDefault.code, byDefault.err).toBe(0);
    expect(byDefault.out).toContain("warning: dataset: 60 records, but 300 iterations");
  });

  it("sim scenario cann-not-sourced takes effect through the host's sourceCann, and healthy restores it", () => {
    const to = cli("sim", "scenario", "./sim-host", "cann-not-sourced");
    expect(to.code, to.err).toBe(0);
    expect(to.out).toContain("host sim sourceCann false");
    // list-hosts shows the scenario the host is in now, not the one it was laid out with.
    const listed = JSON.parse(cli("list-hosts", "--json").out) as { hosts: { name: string; description?: string }[] };
    expect(listed.hosts.find((h) => h.name === "sim")?.description).toMatch(/scenario cann-not-sourced$/);
    const checked = cli("check-env", "--host", "sim", "--json");
    expect(JSON.parse(checked.out).findings.map((f: { id: string }) => f.id)).toContain("cann-not-sourced");
    const back = cli("sim", "scenario", "./sim-host", "healthy");
    expect(back.code, back.err).toBe(0);
    expect(back.out).toContain("host sim sourceCann true");
    expect(back.out).toMatch(/host sim description ".*scenario healthy"/);
    expect(
      JSON.parse(cli("check-env", "--host", "sim", "--json").out).findings.map((f: { id: string }) => f.id),
    ).not.toContain("cann-not-sourced");
  });

  it("the top-level help documents the exit codes", () => {
    expect(cli("--help").out).toContain("Exit codes:");
    expect(existsSync(join(work, "ascend-train.yaml"))).toBe(true);
  });
});
