// A progress line on stderr: rewritten in place on a terminal, one line per update otherwise.
import type { ProgressUpdate } from "../tools/tool.js";

export function progressPrinter(stream: NodeJS.WriteStream) {
  let shown = false;
  let last = "";
  return {
    update(u: ProgressUpdate) {
      const frac = u.total ? ` ${u.progress}/${u.total}` : "";
      const line = `[${frac.trim() || u.progress}] ${u.message ?? ""}`.trimEnd();
      if (line === last) return;
      last = line;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 100) - 1)}`);
        shown = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    done() {
      if (shown && stream.isTTY) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
