// Tables in a terminal: each column as wide as its widest cell on screen,
// measured in terminal cells (Bun.stringWidth: a Chinese character or an
// emoji is two), so Chinese nicks line up with Latin ones.

/** Rows as lines, each column as wide as its widest cell in terminal cells (Bun.stringWidth: a Chinese character is two); no trailing spaces. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Bun.stringWidth(cell))));
  const pad = (cell: string, i: number) => cell + " ".repeat(widths[i]! - Bun.stringWidth(cell));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : pad(cell, i))).join("  ").trimEnd());
}
