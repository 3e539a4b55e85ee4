// Sanitizer: what a person typed is shown on other people's terminals, so
// nothing in it may act on a terminal or pass for what it is not. Removed
// before anything is relayed or logged:
// - ANSI/ECMA-48 escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL
//   or ST), DCS/SOS/PM/APC strings (ESC P/X/^/_ ... ST), and two-byte ESC x
// - C0 and C1 control characters (the 8-bit CSI U+009B among them)
// - Unicode bidi overrides, isolates and marks (LRM, RLM, ALM), which can
//   make a line display as something other than what it says
// - characters that draw nothing but change what is seen or matched: the
//   zero-width space, word joiner and invisible operators, the BOM, the soft
//   hyphen, the Mongolian vowel separator, line and paragraph separators
//   (U+2028/2029 break lines in some terminals and in JSON readers), the
//   interlinear annotation marks (U+FFF9-FFFB) and deprecated format
//   characters. The zero-width joiner and non-joiner stay: emoji sequences
//   (👩‍💻) and Persian or Indic words need them.
// - a lone surrogate becomes U+FFFD: what is relayed is always valid UTF-8.
// Tabs become a space. In what a person types, a run of more than 8 blanks
// (spaces of any kind, and characters that draw as blank) is cut to 8
// spaces, so padding cannot push text onto a row of its own that passes for
// a new line.
// Everything else, every script and emoji, passes.

// One regular expression, so sanitizing is a single native pass.
const UNSAFE = new RegExp(
  [
    "\\x1b\\[[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?", // CSI
    "\\x9b[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]?", // 8-bit CSI
    "\\x1b[\\]PX^_][\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)", // OSC, DCS, SOS, PM, APC
    "[\\x90\\x9d\\x98\\x9e\\x9f][\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)", // their 8-bit forms
    "\\x1b[\\x20-\\x2f]*[\\x30-\\x7e]?", // other escapes (ESC c resets a terminal)
    "[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f]", // remaining controls
    "[\\u202a-\\u202e\\u2066-\\u2069\\u200e\\u200f\\u061c]", // bidi overrides, isolates and marks
    "[\\u200b\\u2060-\\u2064\\u206a-\\u206f\\ufeff\\u00ad\\u180e\\u2028\\u2029\\ufff9-\\ufffb]", // invisible and separators
  ].join("|"),
  "g",
);
const TAB = /\t/g;
// A blank: any space character (no-break, em, ideographic...) and the
// characters that draw as one (the braille blank, the Hangul fillers); a
// joiner between two does not break a run. The space separators (Zs) are
// spelt out: all in the BMP, so no "u" flag, which would slow the fast check.
const BLANK = "[ \\u00a0\\u1680\\u2000-\\u200a\\u202f\\u205f\\u3000\\u2800\\u3164\\u115f\\u1160\\uffa0][\\u200c\\u200d]*";
const PADDING = new RegExp(`(?:${BLANK}){9,}`, "g");
// Fast check: only printable ASCII and non-control code points above U+009F
// (outside the blocks above) mean there is nothing to do, unless spaces pad.
const CLEAN = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u061b\u061d-\u180d\u180f-\u200a\u200c\u200d\u2010-\u2027\u202f-\u205f\u2065\u2070-\ufefe\uff00-\ufff8\ufffc-\uffff]*$/;
// Cheap signs that padding may be there: nine spaces, a space and a joiner, or any other blank
// (rare; a line that has one takes the full pass).
const PADDED = / {9}| [\u200c\u200d]|[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\u2800\u3164\u115f\u1160\uffa0]/;

/** Cleans what a person typed: also cuts padding, so it cannot wrap into a row that passes for a line. */
export function sanitize(text: string): string {
  if (CLEAN.test(text) && !PADDED.test(text) && text.isWellFormed()) return text;
  return clean(text).replace(PADDING, "        ");
}

/**
 * Sanitizes text that may hold several lines (a plugin's reply): each line
 * on its own. Runs of spaces stay: a plugin lines up its columns with them,
 * and plugin text is shown as the plugin's ("[name] ...") or to one user.
 */
export function sanitizeBlock(text: string): string {
  return text.includes("\n") ? text.split(/\r?\n/).map(cleanLine).join("\n") : cleanLine(text);
}

function cleanLine(text: string): string {
  return CLEAN.test(text) && text.isWellFormed() ? text : clean(text);
}

function clean(text: string): string {
  return text.toWellFormed().replace(UNSAFE, "").replace(TAB, " ");
}
