// Where each top-level key of a TOML file is written, by line (1-based).
// Bun.TOML.parse gives values without positions, and an error that names
// no line makes the user hunt; this scanner reads only what it needs: key
// lines before the first [table], skipping comments and the insides of
// multi-line strings and arrays. Dotted keys (`dice.sides = 20`) are
// tables, so they are left out.

const KEY_LINE = /^\s*(?:"([^"\\]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=(.*)$/;

export function topLevelKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let multiline: '"""' | "'''" | undefined;
  let depth = 0; // open [ of a multi-line array
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (multiline) {
      if (row.includes(multiline)) multiline = undefined;
      continue;
    }
    if (depth > 0) {
      depth = Math.max(0, depth + bracketBalance(row));
      continue;
    }
    if (/^\s*\[/.test(row)) break; // the first table: everything after belongs to one
    const match = KEY_LINE.exec(row);
    if (!match) continue;
    const key = match[1] ?? match[2] ?? match[3]!;
    if (!lines.has(key)) lines.set(key, i + 1);
    const rest = match[4]!;
    const opener = /^\s*("""|''')/.exec(rest)?.[1] as '"""' | "'''" | undefined;
    if (opener && !rest.slice(rest.indexOf(opener) + 3).includes(opener)) multiline = opener;
    else if (/^\s*\[/.test(rest)) depth = Math.max(0, bracketBalance(rest));
  }
  return lines;
}

/** [ minus ] outside strings and comments, on one line. */
function bracketBalance(row: string): number {
  let balance = 0;
  let quote: string | undefined;
  for (let i = 0; i < row.length; i++) {
    const c = row[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") break;
    else if (c === "[") balance++;
    else if (c === "]") balance--;
  }
  return balance;
}
