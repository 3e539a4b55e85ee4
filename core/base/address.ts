// IP addresses in one form, so a ban matches however the address was
// typed or reported: what /ban, the connect check and `parley bans` compare.

/**
 * An address in one form, so a ban matches however it was typed: IPv6 in
 * its short form (RFC 5952: "0:0::1" is "::1"), and an IPv4-mapped one
 * ("::ffff:1.2.3.4") as the plain IPv4 address, as the server shows IPv4
 * clients of a dual-stack listener. Undefined when it is not an IP address.
 * The ops plugin has the same function (plugins import only "parley");
 * tests/unit/addresses.test.ts keeps the two equal.
 */
export function canonicalAddress(text: string): string | undefined {
  const [host = "", zone, extra] = text.trim().toLowerCase().split("%");
  if (extra !== undefined || zone === "") return undefined;
  const v4 = ipv4(host);
  if (v4 !== undefined) return zone === undefined ? v4.join(".") : undefined;
  const g = ipv6(host);
  if (!g) return undefined;
  if (zone === undefined && g.slice(0, 5).every((n) => n === 0) && g[5] === 0xffff) return [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join(".");
  // The longest run of two or more zero groups (the first of equals) becomes "::".
  let at = -1;
  let run = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > run) [at, run] = [i, j - i];
    i = Math.max(j, i + 1);
  }
  const hex = g.map((n) => n.toString(16));
  const short = at < 0 ? hex.join(":") : `${hex.slice(0, at).join(":")}::${hex.slice(at + run).join(":")}`;
  return zone === undefined ? short : `${short}%${zone}`;
}

/**
 * 4 or 6 when `text` is an IPv4 or IPv6 address (an IPv6 one may have a
 * %zone), else 0: what node:net's isIP says (tests/unit/addresses.test.ts
 * holds the two equal), without loading node:net in a process that never
 * opens a socket through it.
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  const [host = "", zone, extra] = text.split("%");
  if (extra !== undefined || zone === "") return 0;
  if (ipv4(host) !== undefined) return zone === undefined ? 4 : 0;
  // A zone as node:net takes one: letters, digits, "-", "." and ":".
  if (zone !== undefined && !/^[0-9a-zA-Z.:-]+$/.test(zone)) return 0;
  return ipv6(host.toLowerCase()) !== undefined ? 6 : 0;
}

function ipv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/** The eight 16-bit groups of an IPv6 address (one that ends in dotted IPv4 too). */
function ipv6(text: string): number[] | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  let head = text;
  let tail: number[] = [];
  if (text.slice(colon + 1).includes(".")) {
    const b = ipv4(text.slice(colon + 1));
    if (!b) return undefined;
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    head = text.slice(0, colon + 1).endsWith("::") ? text.slice(0, colon + 1) : text.slice(0, colon);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN)));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...left, ...right].some(Number.isNaN)) return undefined;
  const known = left.length + right.length + tail.length;
  if (halves.length === 1) return known === 8 ? [...left, ...tail] : undefined;
  return known <= 7 ? [...left, ...Array<number>(8 - known).fill(0), ...right, ...tail] : undefined;
}
