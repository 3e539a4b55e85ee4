// The Unicode TR39 skeleton: two strings that look alike have the same
// skeleton. The mapping is Unicode's own confusables.txt ("Recommended
// confusable mapping for IDN") as the unhomoglyph package ships it; the
// import is bundled into the compiled binary, so nothing is read at run time.
// A skeleton is for comparing, never for showing: "m" becomes "rn", "0"
// becomes "O", "1" becomes "l".
import data from "unhomoglyph/data.json" with { type: "json" };

/** code point → what it looks like (one or more code points) */
export const CONFUSABLES: ReadonlyMap<number, string> = (() => {
  const map = new Map<number, string>();
  for (const [from, to] of Object.entries(data as Record<string, string>)) {
    const cp = from.codePointAt(0)!;
    // confusables.txt maps single code points; anything else is not its data.
    if (String.fromCodePoint(cp) !== from) throw new Error(`confusables: a source of more than one code point: ${JSON.stringify(from)}`);
    map.set(cp, to);
  }
  return map;
})();

/** TR39 skeleton(X): NFD, each code point through the confusables map, NFD again. */
export function skeleton(text: string): string {
  const nfd = text.normalize("NFD");
  let out = "";
  let from = 0; // nfd[from, i) is copied as it is
  for (let i = 0; i < nfd.length; i++) {
    const cp = nfd.codePointAt(i)!;
    const to = CONFUSABLES.get(cp);
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
