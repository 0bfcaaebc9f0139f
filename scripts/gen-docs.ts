// Regenerates the README's tool table from the tool definitions; with --check, fails when it is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { cliOnlyFlagNames } from "../src/cli/cli-only-flags.js";
import { flagSpecs, kebab } from "../src/cli/flags.js";
import { allTools } from "../src/tools/index.js";

const START = "<!-- tools:start -->";
const END = "<!-- tools:end -->";

function table(): string {
  const rows = allTools.map((t) => {
    const flags = flagSpecs(t.input)
      .map((f) => (f.type === "boolean" && f.defaultValue === true ? `--no-${f.flag}` : `--${f.flag}`))
      .concat(cliOnlyFlagNames(t.name))
      .map((flag) => `\`${flag}\``)
      .join(" ");
    const first = t.description.split(/(?<=\.)\s/)[0] ?? t.description;
    return `| \`${t.name}\` | \`ascend-train ${kebab(t.name)}\` | ${t.kind} | ${t.toolset} | ${first.replaceAll("|", "\\|")} | ${flags} |`;
  });
  return [
    "| tool | CLI | kind | toolset | what it does | flags |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

const readme = readFileSync("README.md", "utf8");
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start < 0 || end < 0) throw new Error(`README.md lacks the ${START} … ${END} markers`);
const next = `${readme.slice(0, start + START.length)}\n${table()}\n${readme.slice(end)}`;
if (process.argv.includes("--check")) {
  if (next !== readme) {
    console.error("README.md's tool table is out of date: run `npm run docs`.");
    process.exit(1);
  }
  console.log("README tool table is up to date.");
} else {
  writeFileSync("README.md", next);
  console.log(`README.md: ${allTools.length} tools.`);
}
