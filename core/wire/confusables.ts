// The Unicode TR39 skeleton: two strings that look alike have the same
// skeleton. The mapping is Unicode's own confusables.txt ("Recommended
// confusable mapping for IDN") as the unhomoglyph package ships it; the
// import is bundled into the compiled binary, so nothing is read at run time.
// A skeleton is for comparing, never for showing: "m" becomes "rn", "0"
// becomes "O", "1" becomes "l".
// Bundled as text and parsed on first use: a server whose nicks and words
// are all ASCII (nick.ts has a fast path for them) never builds the map, and
// one that does pays for it then, not at start (the parsed table and its map
// cost about 6 MB of a resting server's memory).
// (TypeScript types a .json import as its object whatever the import says: it is a string here.)
import data from "unhomoglyph/data.json" with { type: "text" };

let table: Map<number, string> | null = null;

/** code point → what it looks like (one or more code points) */
export function confusables(): ReadonlyMap<number, string> {
  if (table !== null) return table;
  const map = new Map<number, string>();
  for (const [from, to] of Object.entries(JSON.parse(data as unknown as string) as Record<string, string>)) {
    const cp = from.codePointAt(0)!;
    // confusables.txt maps single code points; anything else is not its data.
    if (String.fromCodePoint(cp) !== from) throw new Error(`confusables: a source of more than one code point: ${JSON.stringify(from)}`);
    map.set(cp, to);
  }
  table = map;
  return map;
}

/** TR39 skeleton(X): NFD, each code point through the confusables map, NFD again. */
export function skeleton(text: string): string {
  const nfd = text.normalize("NFD");
  const map = confusables();
  let out = "";
  let from = 0; // nfd[from, i) is copied as it is
  for (let i = 0; i < nfd.length; i++) {
    const cp = nfd.codePointAt(i)!;
    const to = map.get(cp);
    const width = cp > 0xffff ? 2 : 1;
    if (to !== undefined) {
      out += nfd.slice(from, i) + to;
      from = i + width;
    }
    i += width - 1;
  }
  // Nothing mapped: NFD is already NFD.
  return from === 0 ? nfd : (out + nfd.slice(from)).normalize("NFD");
}
