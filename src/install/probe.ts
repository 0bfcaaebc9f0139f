// The one round trip of install_stack: check_env's probe, wrapped with what only the install needs (the state file,
// the checkouts, the wheel directory, whether each source answers).
import { buildProbeScript, type ProbeOptions } from "../env/probe.js";
import type { HostSettings } from "../hosts/inventory.js";
import { shellQuote } from "../hosts/quote.js";
import { isRemote, PYPI_INDEX } from "./sources.js";

export const INSTALL_MARK = "::ascend-train-install::";
const PYTHONS = ["python3.10", "python3.11", "python3.9", "python3.8", "python3"];

export interface InstallProbeInput {
  stateFile: string;
  /** The lock a running step holds (see apply). */
  lockFile?: string;
  /** Checkouts to describe: MindSpeed-MM and MindSpeed. */
  checkouts: string[];
  workdir: string;
  venv: string | null;
  wheelDir: string | null;
  /** Git sources (URLs are asked with ls-remote, paths are looked up). */
  gitSources: string[];
  /** pip index URLs to reach; "" stands for pip's own default (PIP_INDEX_URL, pip.conf, else PyPI). */
  indexes: string[];
}

/** Source checks start first, in the background, so they overlap with the probe's slow parts. */
function sourceChecks(input: InstallProbeInput): string {
  const q = shellQuote;
  const lines = [
    `AT_NET=$(mktemp -d 2>/dev/null || { mkdir -p "/tmp/.at-install.$$" && echo "/tmp/.at-install.$$"; })`,
    'AT_T() { if command -v timeout >/dev/null 2>&1; then timeout -k 2 "$@"; else shift; "$@"; fi; }',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
    "AT_PIPIDX=\"${PIP_INDEX_URL:-$(grep -h -E '^[[:space:]]*index-url' /etc/pip.conf ~/.pip/pip.conf ~/.config/pip/pip.conf 2>/dev/null | head -n 1 | sed 's/^[^=]*=[[:space:]]*//')}\"",
    `AT_PIPIDX="\${AT_PIPIDX:-${PYPI_INDEX}}"`,
  ];
  input.gitSources.forEach((src, i) => {
    if (isRemote(src)) {
      lines.push(
        `(GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND='ssh -o BatchMode=yes -o ConnectTimeout=6' AT_T 10 git ls-remote -q ${q(src)} HEAD >/dev/null 2>&1; echo $? > "$AT_NET/git$i") &`,
      );
    } else {
      lines.push(`if [ -e ${q(src)} ]; then echo 0 > "$AT_NET/git${i}"; else echo 1 > "$AT_NET/git${i}"; fi`);
    }
  });
  input.indexes.forEach((url, i) => {
    lines.push(
      `(AT_T 10 python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=8)' ${url ? q(url) : '"$AT_PIPIDX"'} >/dev/null 2>&1; echo $? > "$AT_NET/idx${i}") &`,
    );
  });
  return lines.join("\n");
}

function extras(input: InstallProbeInput): string {
  const q = shellQuote;
  const sec = (name: string) => `printf '\\n%s%s\\n' ${q(INSTALL_MARK)} ${name}`;
  // Interpreters are only looked for when a venv has to be made (pyenv shims take a second each).
  const scan = `for p in ${PYTHONS.join(" ")}; do x=$(command -v "$p" 2>/dev/null) && printf '%s %s\\n' "$x" "$(AT_T 5 "$x" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null)"; done`;
  const venvBlock = input.venv
    ? `if [ -x ${q(`${input.venv}/bin/python`)} ]; then echo venv=1; else echo venv=0; ${scan}; fi`
    : "echo venv=";
  return [
    "wait",
    sec("state"),
    `[ -f ${q(input.stateFile)} ] && head -c 262144 ${q(input.stateFile)}`,
    sec("lock"),
    input.lockFile
      ? `if command -v flock >/dev/null 2>&1 && [ -f ${q(input.lockFile)} ] && ! flock -n ${q(input.lockFile)} true; then head -c 300 ${q(input.lockFile)}; fi`
      : "",
    sec("checkouts"),
    `for d in ${input.checkouts.map(q).join(" ")}; do`,
    `  printf 'dir=%s\\n' "$d"`,
    `  if [ -d "$d/.git" ]; then`,
    `    printf 'git=1 head=%s branch=%s modified=%s\\n' "$(git -C "$d" rev-parse -q --verify HEAD 2>/dev/null)" "$(git -C "$d" rev-parse --abbrev-ref HEAD 2>/dev/null)" "$(git -C "$d" status --porcelain --untracked-files=no 2>/dev/null | wc -l | tr -d ' ')"`,
    `  elif [ -d "$d" ]; then printf 'git=0 entries=%s\\n' "$(ls -A "$d" | head -n 1000 | wc -l | tr -d ' ')"; else echo 'absent=1'; fi`,
    "done",
    `W=${q(input.workdir)}; if [ -d "$W/logs" ] && [ -d "$W/data" ] && [ -d "$W/ckpt" ]; then echo dirs=1; fi`,
    sec("python"),
    venvBlock,
    sec("wheels"),
    input.wheelDir
      ? `if [ -d ${q(input.wheelDir)} ]; then echo exists=1; ls -1 ${q(input.wheelDir)} | grep '\\.whl$' | head -n 5000; else echo exists=0; fi`
      : "",
    sec("pip-config"),
    'printf "index=%s\\n" "$AT_PIPIDX"',
    sec("sources"),
    `for f in "$AT_NET"/*; do [ -f "$f" ] && printf '%s=%s\\n' "$(basename "$f")" "$(cat "$f")"; done`,
    `rm -rf "$AT_NET"`,
    sec("end"),
  ]
    .filter(Boolean)
    .join("\n");
}

/** check_env's probe in the target environment, with the install's sections around it. */
export function buildInstallProbe(settings: HostSettings, input: InstallProbeInput, opts: ProbeOptions): string {
  return `${sourceChecks(input)}\n${buildProbeScript(settings, opts)}\n${extras(input)}\n`;
}

export interface Checkout {
  dir: string;
  exists: boolean;
  git: boolean;
  head: string | null;
  branch: string | null;
  modified: number;
  entries: number;
}

export interface InstallExtras {
  complete: boolean;
  stateText: string | null;
  /** What the lock says when a step of an earlier apply still runs ("<step> since <time> (pid N)"). */
  runningStep: string | null;
  checkouts: Checkout[];
  workdirDirs: boolean;
  venvExists: boolean | null;
  pythons: { path: string; version: string }[];
  wheelDir: { exists: boolean; files: string[] } | null;
  /** The index pip uses when none is given (PIP_INDEX_URL, pip.conf, else PyPI). */
  pipDefaultIndex: string | null;
  /** Per git source / index, in the input's order: reachable or not. */
  gitReachable: boolean[];
  indexReachable: boolean[];
}

/** Splits the run's stdout into check_env's part and the install's sections. */
export function splitInstallOutput(stdout: string): { probe: string; sections: Map<string, string> } {
  const at = stdout.indexOf(`\n${INSTALL_MARK}`);
  const probe = at >= 0 ? stdout.slice(0, at + 1) : stdout;
  const sections = new Map<string, string>();
  if (at < 0) return { probe, sections };
  let name: string | null = null;
  let buf: string[] = [];
  for (const line of stdout.slice(at + 1).split("\n")) {
    if (line.startsWith(INSTALL_MARK)) {
      if (name) sections.set(name, buf.join("\n").trim());
      name = line.slice(INSTALL_MARK.length).trim();
      buf = [];
    } else buf.push(line);
  }
  if (name) sections.set(name, buf.join("\n").trim());
  return { probe, sections };
}

const kv = (line: string, key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1] ?? "";

export function parseInstallExtras(sections: Map<string, string>, input: InstallProbeInput): InstallExtras {
  const checkouts: Checkout[] = [];
  for (const line of (sections.get("checkouts") ?? "").split("\n")) {
    if (line.startsWith("dir=")) {
      checkouts.push({
        dir: line.slice(4),
        exists: true,
        git: false,
        head: null,
        branch: null,
        modified: 0,
        entries: 0,
      });
      continue;
    }
    const c = checkouts.at(-1);
    if (!c) continue;
    if (line === "absent=1") c.exists = false;
    else if (line.startsWith("git=1")) {
      c.git = true;
      c.head = kv(line, "head") || null;
      c.branch = kv(line, "branch") || null;
      c.modified = Number(kv(line, "modified")) || 0;
    } else if (line.startsWith("git=0")) c.entries = Number(kv(line, "entries")) || 0;
  }
  const py = (sections.get("python") ?? "").split("\n");
  const venvLine = py.find((l) => l.startsWith("venv=")) ?? "venv=";
  const pythons = py
    .filter((l) => l.startsWith("/"))
    .map((l) => {
      const [path = "", version = ""] = l.split(" ");
      return { path, version };
    })
    .filter((p) => p.version !== "");
  const wheels = (sections.get("wheels") ?? "").split("\n").filter(Boolean);
  const pipIndex = /^index=(.*)$/m.exec(sections.get("pip-config") ?? "")?.[1]?.trim() ?? "";
  const src = new Map(
    (sections.get("sources") ?? "")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).trim()] as const),
  );
  // ls-remote: 0 = answered; 2 = answered without a HEAD ref. Anything else (timeout, DNS, refused) = not reached.
  const gitReachable = input.gitSources.map((_, i) => ["0", "2"].includes(src.get(`git${i}`) ?? ""));
  const indexReachable = input.indexes.map((_, i) => src.get(`idx${i}`) === "0");
  const stateText = sections.get("state") ?? "";
  return {
    complete: sections.has("end"),
    stateText: stateText === "" ? null : stateText,
    runningStep: sections.get("lock")?.trim() || null,
    checkouts,
    workdirDirs: (sections.get("checkouts") ?? "").split("\n").includes("dirs=1"),
    venvExists: venvLine === "venv=1" ? true : venvLine === "venv=0" ? false : null,
    pythons,
    wheelDir: input.wheelDir ? { exists: wheels[0] === "exists=1", files: wheels.slice(1) } : null,
    pipDefaultIndex: pipIndex || null,
    gitReachable,
    indexReachable,
  };
}
