// Resolves a host's SSH destination the way `ssh` would: inventory fields first, then ~/.ssh/config, then defaults.
import { existsSync, readFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import SSHConfig from "ssh-config";
import type { HostSettings } from "./inventory.js";
import { expandHome } from "./inventory.js";

export interface SshTarget {
  /** The alias or host as written. */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  knownHostsFiles: string[];
  proxyJump: string | null;
  connectTimeoutMs: number;
}

export function sshConfigPath(): string {
  return process.env.ASCEND_TRAIN_SSH_CONFIG ?? join(homedir(), ".ssh", "config");
}

/** Splits `user@host:port` (also `[v6]:port`). */
export function parseDestination(dest: string): { user?: string; host: string; port?: number } {
  let rest = dest;
  let user: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at > 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) return { user, host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : undefined };
  const colon = rest.lastIndexOf(":");
  if (colon > 0 && rest.indexOf(":") === colon && /^\d+$/.test(rest.slice(colon + 1))) {
    return { user, host: rest.slice(0, colon), port: Number(rest.slice(colon + 1)) };
  }
  return { user, host: rest };
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function expandTokens(path: string, vars: { host: string; user: string; port: number }): string {
  return expandHome(
    path.replace(/%([hrpud%])/g, (_, t: string) =>
      t === "h"
        ? vars.host
        : t === "r"
          ? vars.user
          : t === "p"
            ? String(vars.port)
            : t === "u"
              ? userInfo().username
              : t === "d"
                ? homedir()
                : "%",
    ),
  );
}

export function resolveSshTarget(
  settings: Pick<HostSettings, "ssh" | "user" | "port" | "identityFile" | "knownHostsFile" | "proxyJump">,
): SshTarget {
  if (!settings.ssh) throw new Error("not an SSH host");
  const dest = parseDestination(settings.ssh);
  const configFile = sshConfigPath();
  let computed: Record<string, string | string[]> = {};
  if (existsSync(configFile)) {
    computed = SSHConfig.parse(readFileSync(configFile, "utf8")).compute(dest.host);
  }
  const get = (key: string) => {
    const v = computed[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const host = get("HostName") ?? dest.host;
  const port = settings.port ?? dest.port ?? (get("Port") ? Number(get("Port")) : 22);
  const user = settings.user ?? dest.user ?? get("User") ?? userInfo().username;
  const vars = { host, user, port };
  const configured = settings.identityFile ? [settings.identityFile] : asList(computed.IdentityFile);
  const defaults = ["id_ed25519", "id_ecdsa", "id_rsa"].map((f) => join(homedir(), ".ssh", f));
  const identityFiles = (configured.length > 0 ? configured : defaults).map((p) => expandTokens(p, vars));
  const knownHostsFiles = settings.knownHostsFile
    ? [expandHome(settings.knownHostsFile)]
    : computed.UserKnownHostsFile
      ? asList(computed.UserKnownHostsFile)
          .flatMap((v) => v.split(/\s+/))
          .map((p) => expandTokens(p, vars))
      : [join(homedir(), ".ssh", "known_hosts"), join(homedir(), ".ssh", "known_hosts2")];
  const proxyJump = settings.proxyJump ?? get("ProxyJump") ?? null;
  const timeout = get("ConnectTimeout");
  return {
    alias: settings.ssh,
    host,
    port,
    user,
    identityFiles,
    knownHostsFiles,
    proxyJump: proxyJump && proxyJump.toLowerCase() !== "none" ? proxyJump : null,
    connectTimeoutMs: timeout ? Number(timeout) * 1000 : 10_000,
  };
}
