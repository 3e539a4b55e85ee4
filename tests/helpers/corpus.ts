// Text a person may type into a chat, for the client-conformance tests: the
// characters stock telnet used to mangle (Latin Extended-A: ă ď Ě ą ĝ), the
// languages people chat in, emoji that are several code points, and one
// character from each of the common Unicode blocks. Every line is ordinary
// chat (no command form, no leading or trailing space), under 400 bytes,
// and left as it is by core/wire/sanitize.ts.

/**
 * One character from each of the common Unicode blocks: the block's first
 * assigned letter or symbol (after any space, control, format character or
 * combining mark it starts with). Controls, surrogates, private use,
 * noncharacters and the bidi controls the sanitizer strips are not blocks
 * anyone types in, so none is here.
 */
export const BLOCKS: readonly (readonly [block: string, codePoint: number])[] = [
  ["Basic Latin", 0x0041],
  ["Latin-1 Supplement", 0x00a1],
  ["Latin Extended-A", 0x0100],
  ["Latin Extended-B", 0x0180],
  ["IPA Extensions", 0x0250],
  ["Spacing Modifier Letters", 0x02b0],
  ["Greek and Coptic", 0x0370],
  ["Cyrillic", 0x0400],
  ["Cyrillic Supplement", 0x0500],
  ["Armenian", 0x0531],
  ["Hebrew", 0x05d0],
  ["Arabic", 0x0620],
  ["Syriac", 0x0710],
  ["Thaana", 0x0780],
  ["NKo", 0x07ca],
  ["Devanagari", 0x0904],
  ["Bengali", 0x0985],
  ["Gurmukhi", 0x0a05],
  ["Gujarati", 0x0a85],
  ["Oriya", 0x0b05],
  ["Tamil", 0x0b85],
  ["Telugu", 0x0c05],
  ["Kannada", 0x0c85],
  ["Malayalam", 0x0d05],
  ["Sinhala", 0x0d85],
  ["Thai", 0x0e01],
  ["Lao", 0x0e81],
  ["Tibetan", 0x0f00],
  ["Myanmar", 0x1000],
  ["Georgian", 0x10a0],
  ["Hangul Jamo", 0x1100],
  ["Ethiopic", 0x1200],
  ["Cherokee", 0x13a0],
  ["Unified Canadian Aboriginal Syllabics", 0x1401],
  ["Ogham", 0x1681],
  ["Runic", 0x16a0],
  ["Khmer", 0x1780],
  ["Mongolian", 0x1820],
  ["Latin Extended Additional", 0x1e00],
  ["Greek Extended", 0x1f00],
  ["General Punctuation", 0x2020],
  ["Superscripts and Subscripts", 0x2070],
  ["Currency Symbols", 0x20a0],
  ["Letterlike Symbols", 0x2100],
  ["Number Forms", 0x2150],
  ["Arrows", 0x2190],
  ["Mathematical Operators", 0x2200],
  ["Miscellaneous Technical", 0x2300],
  ["Box Drawing", 0x2500],
  ["Block Elements", 0x2580],
  ["Geometric Shapes", 0x25a0],
  ["Miscellaneous Symbols", 0x2600],
  ["Dingbats", 0x2701],
  ["Braille Patterns", 0x2801],
  ["CJK Radicals Supplement", 0x2e80],
  ["CJK Symbols and Punctuation", 0x3001],
  ["Hiragana", 0x3041],
  ["Katakana", 0x30a1],
  ["Bopomofo", 0x3105],
  ["Hangul Compatibility Jamo", 0x3131],
  ["CJK Unified Ideographs", 0x4e00],
  ["Yi Syllables", 0xa000],
  ["Hangul Syllables", 0xac00],
  ["Alphabetic Presentation Forms", 0xfb00],
  ["Arabic Presentation Forms-A", 0xfb50],
  ["Halfwidth and Fullwidth Forms", 0xff01],
  ["Linear B Syllabary", 0x10000],
  ["Gothic", 0x10330],
  ["Cuneiform", 0x12000],
  ["Egyptian Hieroglyphs", 0x13000],
  ["Musical Symbols", 0x1d100],
  ["Mathematical Alphanumeric Symbols", 0x1d400],
  ["Mahjong Tiles", 0x1f000],
  ["Miscellaneous Symbols and Pictographs", 0x1f300],
  ["Emoticons", 0x1f600],
  ["Transport and Map Symbols", 0x1f680],
  ["Supplemental Symbols and Pictographs", 0x1f910],
  ["CJK Unified Ideographs Extension B", 0x20000],
];

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));
const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** U+0100–U+017F, all of Latin Extended-A, in four lines of 32. */
const LATIN_EXTENDED_A = chunks(range(0x0100, 0x017f), 32).map((part, i) => `Latin Extended-A ${i + 1}/4 ${part.join("")}`);

/** One character per block, in lines of 20, space-separated. */
const BLOCK_LINES = chunks(BLOCKS, 20).map((part, i, all) => `blocks ${i + 1}/${all.length} ${part.map(([, cp]) => String.fromCodePoint(cp)).join(" ")}`);

/** The lines typed, in order. */
export const CORPUS: readonly string[] = [
  "the issue's letters: ă ď Ě ą ĝ",
  "ramen 🍜",
  "family 👩‍👩‍👧‍👦 and flags 🇵🇱 🇨🇿 🇷🇴",
  "skin tones 👍🏻 👋🏽 🙌🏿",
  ...LATIN_EXTENDED_A,
  "Latin Extended-B: ƀ Ɓ Ƈ ƒ Ǎ ǎ Ǆ ǅ ǆ Ș ș Ț ț ȷ ɀ",
  "combining: e\u0301 a\u0308 n\u0303 o\u0302\u0301",
  "Vietnamese: Tiếng Việt, decomposed: Tie\u0302\u0301ng Vie\u0323\u0302t",
  "Polish: Zażółć gęślą jaźń",
  "Czech: Příliš žluťoučký kůň úpěl ďábelské ódy",
  "Romanian: ș ț ă î â Ș Ț Ă Î Â",
  "Esperanto: ĉ ĝ ĥ ĵ ŝ ŭ Ĉ Ĝ Ĥ Ĵ Ŝ Ŭ",
  "Greek: Ξεσκεπάζω την ψυχοφθόρα βδελυγμία",
  "Cyrillic: Съешь же ещё этих мягких французских булок",
  "Hebrew: שלום עולם",
  "Arabic: مرحبا بالعالم",
  "CJK: 中文 日本語 한국어",
  ...BLOCK_LINES,
];

/**
 * Two lines the other user sends, that the typing client's screen must show.
 * No ZWJ sequence among them: a tmux 3.3 cell holds 21 bytes, and a pane
 * shows 👩‍👩‍👧‍👦 (25) without its last person, whatever the client.
 */
export const SCREEN_LINES: readonly string[] = ["Czech: Příliš žluťoučký kůň, Polish: Zażółć gęślą jaźń", "CJK: 中文 日本語 한국어 🍜"];

/**
 * What the telnet option bytes (IAC = 0xFF, DO = 0xFD, WILL = 0xFB) look like
 * on a screen that shows them. None is on a screen but in the users' own
 * text: the corpus has no U+FFFD, ÿ or û, and ý only in Czech.
 */
export const STRAY = ["\ufffd", "ÿ", "û", "ý"] as const;
