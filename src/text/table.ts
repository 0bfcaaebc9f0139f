// Rows of text that line up, the same in every tool's summary: each column as wide as its widest cell, two spaces
// between columns, the last column left ragged (no trailing spaces), a column empty in every row left out.

export type ColumnAlign = "left" | "right";

/** Characters as a terminal counts them for the text we print (code points, not UTF-16 units: "…" is one). */
const width = (cell: string): number => [...cell].length;

/** The rows as lines whose columns line up; `align` per column (default left; "right" suits numbers). */
export function alignColumns(rows: readonly (readonly string[])[], align: readonly ColumnAlign[] = []): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(0, ...rows.map((r) => width(r[c] ?? ""))));
  const shown = [...widths.keys()].filter((c) => widths[c]! > 0);
  return rows.map((row) =>
    shown
      .map((c, i) => {
        const cell = row[c] ?? "";
        const pad = " ".repeat(widths[c]! - width(cell));
        if (align[c] === "right") return pad + cell;
        return i === shown.length - 1 ? cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
}
