// Suggested fix commands are shown to be pasted into a terminal: every value filled in from a log or an inventory
// (a workdir, a CANN root, a file name) is quoted for the place it lands in, so it is one word and never runs as code.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { fillCommand } from "../../src/diagnosis/verdict.js";

const sh = (cmd: string) => spawnSync("bash", ["-c", `set -f; printf '%s\\n' ${cmd}`], { encoding: "utf8" }).stdout;

describe("fix command templates", () => {
  const hostile = "/opt/my dir/$(touch /tmp/pwned)`id`'\"x";

  it("a bare placeholder becomes one quoted word", () => {
    const cmd = fillCommand("source <cann_root>/set_env.sh", { cann_root: hostile });
    expect(sh(cmd.replace(/^source /, ""))).toBe(`${hostile}/set_env.sh\n`);
  });

  it("inside single and double quotes the value stays inside them", () => {
    expect(sh(fillCommand("'<v>'", { v: hostile }))).toBe(`${hostile}\n`);
    expect(sh(fillCommand('"<v>"', { v: hostile }))).toBe(`${hostile}\n`);
    expect(sh(fillCommand("'a' <v> 'b'", { v: hostile }))).toBe(`a\n${hostile}\nb\n`);
  });

  it("plain words (pids, ports, paths) are left as written; unknown placeholders stay", () => {
    expect(fillCommand("kill <pid>", { pid: "123 456" })).toBe("kill 123 456");
    expect(fillCommand("ss -ltnp 'sport = :<port>'", { port: "29500" })).toBe("ss -ltnp 'sport = :29500'");
    expect(fillCommand("ls <nope>", {})).toBe("ls <nope>");
  });

  it("a path from the home directory keeps its leading ~/ bare, so the shell expands it; anything else in it is quoted", () => {
    const home = spawnSync("bash", ["-c", "printf %s ~"], { encoding: "utf8" }).stdout;
    expect(fillCommand("rm -rf <dir>", { dir: "~/.cache/x" })).toBe("rm -rf ~/.cache/x");
    expect(sh(fillCommand("<dir>", { dir: "~/.cache/x" }))).toBe(`${home}/.cache/x\n`);
    expect(sh(fillCommand("<dir>", { dir: "~/$(id)" }))).toBe("~/$(id)\n");
  });
});
