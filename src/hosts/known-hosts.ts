// known_hosts checking as OpenSSH does it: plain and hashed names, [host]:port, wildcards, negation, @revoked.
import { createHash, createHmac } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

export type HostKeyVerdict =
  | { status: "trusted" }
  | { status: "unknown"; fingerprint: string; keyType: string }
  | { status: "changed"; fingerprint: string; keyType: string; file: string; line: number }
  | { status: "revoked"; fingerprint: string; keyType: string; file: string; line: number };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The key type stored in a wire-format public key blob (first length-prefixed string). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return "unknown";
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString("ascii");
}

function globToRegex(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${escaped}$`, "i");
}

function hashedMatches(entry: string, name: string): boolean {
  const [, magic, salt, hash] = entry.split("|");
  if (magic !== "1" || !salt || !hash) return false;
  const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
  return digest === hash;
}

function patternsMatch(field: string, name: string): boolean {
  if (field.startsWith("|")) return hashedMatches(field, name);
  let matched = false;
  for (const raw of field.split(",")) {
    const negated = raw.startsWith("!");
    const pattern = negated ? raw.slice(1) : raw;
    if (globToRegex(pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export function verifyHostKey(files: readonly string[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostsName(host, port);
  const keyType = keyTypeOf(key);
  const keyB64 = key.toString("base64");
  const fingerprint = fingerprintOf(key);
  let changed: HostKeyVerdict | null = null;
  for (const file of files) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, "utf8").split("\n");
    for (const [i, rawLine] of lines.entries()) {
      const line = rawLine.trim();
      if (!line || line.startsWith("#")) continue;
      const fields = line.split(/\s+/);
      let marker: string | null = null;
      if (fields[0]?.startsWith("@")) marker = fields.shift() ?? null;
      const [hosts, type, blob] = fields;
      if (!hosts || !type || !blob || marker === "@cert-authority") continue;
      if (!patternsMatch(hosts, name)) continue;
      if (marker === "@revoked") {
        if (blob === keyB64) return { status: "revoked", fingerprint, keyType, file, line: i + 1 };
        continue;
      }
      if (type === keyType && blob === keyB64) return { status: "trusted" };
      if (type === keyType && !changed) changed = { status: "changed", fingerprint, keyType, file, line: i + 1 };
    }
  }
  return changed ?? { status: "unknown", fingerprint, keyType };
}

/** The sentence a person needs when a key is refused: what was seen and exactly how to trust it. */
export function describeRefusal(verdict: HostKeyVerdict, host: string, port: number, knownHostsFile: string): string {
  if (verdict.status === "trusted") return "";
  const name = knownHostsName(host, port);
  const scan = `ssh-keyscan ${port === 22 ? "" : `-p ${port} `}${host} >> ${knownHostsFile}`;
  if (verdict.status === "unknown") {
    return (
      `Host key for ${name} is not in ${knownHostsFile} (${verdict.keyType} ${verdict.fingerprint}). ` +
      `Check the fingerprint with the host's administrator, then trust it with: ${scan}  ` +
      `(or connect once with: ssh ${port === 22 ? "" : `-p ${port} `}${host})`
    );
  }
  if (verdict.status === "revoked") {
    return `Host key for ${name} (${verdict.keyType} ${verdict.fingerprint}) is marked @revoked in ${verdict.file}:${verdict.line}. Refusing to connect.`;
  }
  return (
    `HOST KEY CHANGED for ${name}: it now presents ${verdict.keyType} ${verdict.fingerprint}, which differs from ` +
    `${verdict.file}:${verdict.line}. This can mean the host was reinstalled, or someone is intercepting the connection. ` +
    `If the change is expected, remove the old key with: ssh-keygen -R '${name}' -f ${verdict.file} and then: ${scan}`
  );
}
