// `ascend-train ui`: starts the server on loopback with a fresh token, prints a sign-in link whose token rides after
// '#', and the link signs a browser in (a session cookie); the server's own output never shows the token. `serve`
// offers the same pages at /ui behind its token.
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { CLI, startHttpServer } from "../helpers/mcp.js";

let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));
  }
  child = undefined;
});

describe("ascend-train ui", () => {
  it("prints a loopback sign-in link with a fresh token that the server trades for a cookie", async () => {
    child = spawn(process.execPath, [CLI, "ui"], {
      env: { ...process.env, ASCEND_TRAIN_TOKEN: "a-token-from-the-environment-0123" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const link = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no link: ${stdout} ${stderr}`)), 20_000);
      child!.stdout!.on("data", (c: Buffer) => {
        stdout += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/ui\/login#token=(\S+))/.exec(stdout);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const url = new URL(link);
    const token = url.hash.replace("#token=", "");
    // A fresh token, not the one in the environment.
    expect(token).not.toBe("a-token-from-the-environment-0123");
    expect(token.length).toBeGreaterThanOrEqual(24);
    const base = `${url.protocol}//${url.host}`;
    expect((await fetch(`${base}/ui/`)).status).toBe(401);
    const signIn = await fetch(`${base}/ui/login`, {
      method: "POST",
      body: new URLSearchParams({ token, next: "/ui/" }),
      redirect: "manual",
    });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).not.toContain(token);
    const page = await fetch(`${base}/ui/`, { headers: { cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Training runs");
    // The same token works for MCP clients at /mcp.
    expect(stderr).toContain(`${base}/mcp`);
    expect(stderr).not.toContain(token);
  });

  it("on a --read-only server offers no stop: the page's action is refused by the tool selection", async () => {
    const server = await startHttpServer({ args: ["--read-only"] });
    try {
      const base = server.url.replace(/\/mcp$/, "");
      const stop = await fetch(`${base}/ui/api/runs/run-20261202-120000-abcd/stop`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${server.token}`,
          "content-type": "application/json",
          "x-ascend-train-ui": "1",
        },
        body: JSON.stringify({ confirm: true }),
      });
      expect(stop.status).toBe(422);
      expect(((await stop.json()) as { error: string }).error).toContain("stop_run is not offered by this server");
    } finally {
      await server.stop();
    }
  });

  it("refuses a sign-in link's next that leaves the dashboard", async () => {
    const server = await startHttpServer();
    try {
      const base = server.url.replace(/\/mcp$/, "");
      const r = await fetch(`${base}/ui/login`, {
        method: "POST",
        body: new URLSearchParams({ token: server.token, next: "https://evil.example/" }),
        redirect: "manual",
      });
      expect(r.status).toBe(303);
      expect(r.headers.get("location")).toBe("/ui/");
      // A cross-site form cannot stop a run: the dashboard's header is required even with a valid session.
      const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
      const stop = await fetch(`${base}/ui/api/runs/run-20261202-120000-abcd/stop`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ confirm: true }),
      });
      expect(stop.status).toBe(403);
      // Another site's page is refused by its Origin.
      const foreign = await fetch(`${base}/ui/`, { headers: { cookie, origin: "https://evil.example" } });
      expect(foreign.status).toBe(403);
    } finally {
      await server.stop();
    }
  });
});

describe("how ascend-train ui ends", () => {
  // From the sources, so the test reads the code as it is now, built or not.
  const env = { ...process.env, ASCEND_TRAIN_FROM_SOURCE: "1" };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const gone = async (pid: number, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; ) {
      if (!alive(pid)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  /** Output of `proc` until `pattern` shows up on stdout. */
  const until = (proc: ChildProcess, pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`not seen: ${pattern} in ${out}`)), 30_000);
      proc.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        const m = pattern.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      });
    });
  /** A shell that starts the ui in the background, prints its pid and waits, as `sh -c` does under npx. */
  const underShell = () =>
    spawn("sh", ["-c", `"$0" "$1" ui & echo "ui pid $!"; wait`, process.execPath, CLI], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
  const leftovers: number[] = [];
  afterEach(() => {
    for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL");
  });

  it("stops when the shell that started it dies on SIGTERM without passing it on (npx's sh -c)", async () => {
    const shell = underShell();
    const pid = Number((await until(shell, /ui pid (\d+)/))[1]);
    leftovers.push(pid);
    await until(shell, /dashboard: http/);
    shell.kill("SIGTERM");
    expect(await gone(pid, 10_000)).toBe(true);
  }, 60_000);

  it("closes the server and exits 0 on SIGHUP", async () => {
    child = spawn(process.execPath, [CLI, "ui"], { env, stdio: ["ignore", "pipe", "pipe"] });
    const link = new URL((await until(child, /(http:\/\/127\.0\.0\.1:\d+)\/ui\/login/))[1]!);
    const exited = new Promise<[number | null, string | null]>((r) => child!.once("exit", (c, s) => r([c, s])));
    child.kill("SIGHUP");
    expect(await exited).toEqual([0, null]);
    await expect(fetch(`${link.origin}/ui/login`)).rejects.toThrow();
  }, 60_000);
});
