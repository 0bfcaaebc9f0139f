// The Hub client's ranged read of a repo file through its resolve URL: the Range header reaches the server, a 206's
// Content-Range gives the file's size, a missing file is null, and a redirect to another origin (LFS / Xet files go to
// a CDN) is followed without the token, which is meant for the Hub only.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HfJobsClient } from "../../src/hosts/hf-jobs.js";

const TOKEN = "hf_rangetesttoken0123456789";
const FILE = Buffer.from("GGUF-and-then-some-bytes-of-the-file");
const seen: { server: string; path: string; range: string | undefined; authorization: string | undefined }[] = [];
let hub: Server;
let cdn: Server;
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

function ranged(req: IncomingMessage, res: import("node:http").ServerResponse) {
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
  const [start, end] = m ? [Number(m[1]), Math.min(Number(m[2]), FILE.length - 1)] : [0, FILE.length - 1];
  res.writeHead(m ? 206 : 200, m ? { "content-range": `bytes ${start}-${end}/${FILE.length}` } : {});
  res.end(FILE.subarray(start, end + 1));
}

beforeAll(async () => {
  cdn = createServer((req, res) => {
    seen.push({
      server: "cdn",
      path: req.url ?? "",
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
    ranged(req, res);
  });
  hub = createServer((req, res) => {
    seen.push({
      server: "hub",
      path: req.url ?? "",
      range: req.headers.range,
      authorization: req.headers.authorization,
    });
    if (req.url === "/org/model-GGUF/resolve/main/small.gguf") return ranged(req, res);
    if (req.url === "/org/model-GGUF/resolve/main/big.gguf") {
      res.writeHead(302, { location: `${urlOf(cdn)}/xet/abc123?signed=1` });
      return res.end();
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "Entry not found" }));
  });
  await Promise.all([cdn, hub].map((s) => new Promise<void>((r) => s.listen(0, "127.0.0.1", r))));
});

afterAll(async () => {
  await Promise.all([cdn, hub].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe("HfJobsClient.fileRange", () => {
  const client = () => new HfJobsClient({ endpoint: urlOf(hub), credentials: { token: TOKEN, source: "test" } });

  it("asks for the range and reads the size from Content-Range", async () => {
    const got = await client().fileRange("org/model-GGUF", "small.gguf", 0, 3);
    expect(got?.bytes.toString()).toBe("GGUF");
    expect(got?.size).toBe(FILE.length);
    expect(seen.at(-1)).toMatchObject({ server: "hub", range: "bytes=0-3", authorization: `Bearer ${TOKEN}` });
  });

  it("follows a redirect to another origin without the token", async () => {
    const got = await client().fileRange("org/model-GGUF", "big.gguf", 4, 7);
    expect(got?.bytes.toString()).toBe("-and");
    const cdnHit = seen.find((s) => s.server === "cdn");
    expect(cdnHit).toMatchObject({ path: "/xet/abc123?signed=1", range: "bytes=4-7" });
    expect(cdnHit?.authorization).toBeUndefined();
  });

  it("a missing file is null; a repo id or file name that is not one is refused before any request", async () => {
    expect(await client().fileRange("org/model-GGUF", "absent.gguf", 0, 0)).toBeNull();
    const before = seen.length;
    await expect(client().fileRange("org/../x", "a.gguf", 0, 0)).rejects.toThrow(/not a Hugging Face model repo id/);
    await expect(client().fileRange("org/model", "../a.gguf", 0, 0)).rejects.toThrow(/not a file name/);
    expect(seen.length).toBe(before);
  });
});
