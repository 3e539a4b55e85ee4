// Sanitizer: what a person typed is shown on other people's terminals, so
// nothing in it may act on a terminal. Removed before anything is relayed or
// logged:
// - ANSI/ECMA-48 escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL
//   or ST), DCS/SOS/PM/APC strings (ESC P/X/^/_ ... ST), and two-byte ESC x
// - C0 and C1 control characters (the 8-bit CSI U+009B among them)
// - Unicode bidi overrides and isolates, which can make a line display as
//   something other than what it says
// Tabs become a space. Everything else, every script and emoji, passes.

// One regular expression, so sanitizing is a single native pass.
const UNSAFE = new RegExp(
  [
    "\\x1b\\[[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?", // CSI
    "\\x9b[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?", // 8-bit CSI
    "\\x1b[\\]PX^_][\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)", // OSC, DCS, SOS, PM, APC
    "[\\x90\\x9d\\x98\\x9e\\x9f][\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)", // their 8-bit forms
    "\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?", // other escapes (ESC c resets a terminal)
    "[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f]", // remaining controls
    "[\\u202a-\\u202e\\u2066-\\u2069]", // bidi overrides and isolates
  ].join("|"),
  "g",
);
const TAB = /\t/g;
// Fast check: only printable ASCII and non-control code points above U+009F
// (outside the bidi block) mean there is nothing to do.
const CLEAN = /^[\x20-\x7e\u00a0-\u2029\u202f-\u2065\u206a-\uffff]*$/;

export function sanitize(text: string): string {
  if (CLEAN.test(text)) return text;
  return text.replace(UNSAFE, "").replace(TAB, " ");
}

/** Sanitizes text that may hold several lines (a plugin's reply): each line on its own. */
export function sanitizeBlock(text: string): string {
  return text.includes("\n") ? text.split(/\r?\n/).map(sanitize).join("\n") : sanitize(text);
}
