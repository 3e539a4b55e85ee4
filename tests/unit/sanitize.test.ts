// The sanitizer: nothing one person types may act on another person's
// terminal, and every script and emoji still gets through untouched.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { sanitize, sanitizeBlock } from "../../core/wire/sanitize.ts";

const ESC = "\x1b";
const BEL = "\x07";
const ST = `${ESC}\\`;

/** Anything a terminal would act on or that misleads: C0, DEL, C1, bidi overrides, isolates and marks, invisible characters, separators, lone surrogates. */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u2060-\u2064\u206a-\u206f\ufeff\u00ad\u180e\u2028\u2029\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]| {9}/;

describe("escape sequences that would act on a terminal are removed", () => {
  test("colours and text styles", () => {
    expect(sanitize(`${ESC}[31mred${ESC}[0m`)).toBe("red");
    expect(sanitize(`${ESC}[1;38;5;208mbold orange${ESC}[m`)).toBe("bold orange");
    expect(sanitize(`${ESC}[38;2;255;0;0mtruecolor`)).toBe("truecolor");
  });

  test("cursor movement, clearing the screen and hiding the cursor", () => {
    expect(sanitize(`${ESC}[2J${ESC}[Hhi`)).toBe("hi");
    expect(sanitize(`a${ESC}[10;5Hb${ESC}[3Ac${ESC}[K`)).toBe("abc");
    expect(sanitize(`${ESC}[?25lgone`)).toBe("gone");
    expect(sanitize(`${ESC}7saved${ESC}8`)).toBe("saved");
  });

  test("ESC c, which resets the whole terminal", () => {
    expect(sanitize(`${ESC}cafter reset`)).toBe("after reset");
  });

  test("a character-set switch", () => {
    expect(sanitize(`${ESC}(0lqqk${ESC}(B`)).toBe("lqqk");
  });

  test("setting the window title, ended by BEL or by ST", () => {
    expect(sanitize(`${ESC}]0;pwned${BEL}hello`)).toBe("hello");
    expect(sanitize(`${ESC}]2;pwned${ST}hello`)).toBe("hello");
    expect(sanitize(`${ESC}]0;pwned\u009chello`)).toBe("hello");
  });

  test("a title sequence never ended swallows the rest of the line", () => {
    expect(sanitize(`hello${ESC}]0;pwned forever`)).toBe("hello");
  });

  test("a terminal hyperlink keeps only its visible text", () => {
    expect(sanitize(`${ESC}]8;;http://evil.example${ST}click me${ESC}]8;;${ST}`)).toBe("click me");
  });

  test("device control strings", () => {
    expect(sanitize(`a${ESC}Pq#0;2;0;0;0${ST}b`)).toBe("ab");
  });

  test("the 8-bit CSI U+009B and 8-bit OSC U+009D", () => {
    expect(sanitize("\u009b31mred\u009b0m")).toBe("red");
    expect(sanitize("\u009d0;pwned\u0007hello")).toBe("hello");
  });
});

describe("control characters are removed", () => {
  test("C0 controls: NUL, bell, backspace, CR, LF, form feed, a lone ESC", () => {
    expect(sanitize("a\0b\x07c\bd\re\nf\x0cg\x1b")).toBe("abcdefg");
  });

  test("DEL and C1 controls", () => {
    expect(sanitize("a\x7fb\u0085c\u008dd\u0099e")).toBe("abcde");
  });

  test("a tab becomes a space", () => {
    expect(sanitize("name\tvalue")).toBe("name value");
  });
});

describe("text that would display as something other than what it says is cleaned", () => {
  test("a right-to-left override cannot disguise a file name", () => {
    expect(sanitize("invoice\u202egpj.exe")).toBe("invoicegpj.exe");
  });

  test("every bidi override and isolate is removed", () => {
    for (const c of ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]) {
      expect(sanitize(`a${c}b`)).toBe("ab");
    }
  });
});

describe("text that misleads without being an escape code is cleaned", () => {
  test("zero-width spaces, soft hyphens, the BOM and word joiners are removed", () => {
    expect(sanitize("zero\u200bwidth soft\u00adhyphen \ufeffbom word\u2060joiner")).toBe("zerowidth softhyphen bom wordjoiner");
  });

  test("bidi marks (LRM, RLM, ALM) are removed like overrides", () => {
    expect(sanitize("a\u200eb\u200fc\u061cd")).toBe("abcd");
  });

  test("line and paragraph separators and interlinear annotations are removed", () => {
    expect(sanitize("one\u2028two\u2029three \ufff9base\ufffaruby\ufffb")).toBe("onetwothree baseruby");
  });

  test("a run of more than 8 spaces is cut to 8: padding cannot push text onto a row of its own", () => {
    expect(sanitize(`hi${" ".repeat(75)}admin: give me your password`)).toBe(`hi${" ".repeat(8)}admin: give me your password`);
  });

  test("so is a run of other blanks: no-break, em and ideographic spaces, the braille blank, Hangul fillers, joiners between them", () => {
    for (const pad of ["\u00a0", "\u2003", "\u3000", "\u2800", "\u3164", "\uffa0", " \u200c", "\u00a0 "]) {
      expect(sanitize(`hi${pad.repeat(75)}admin: give me your password`)).toBe(`hi${" ".repeat(8)}admin: give me your password`);
    }
    expect(sanitize("a\u00a0\u00a0\u00a0b \u3000 c")).toBe("a\u00a0\u00a0\u00a0b \u3000 c");
  });

  test("a lone surrogate becomes U+FFFD: what is relayed is valid UTF-8", () => {
    expect(sanitize("a\ud800b\udc00c")).toBe("a\ufffdb\ufffdc");
    expect(sanitize("😀")).toBe("😀");
  });
});

describe("every script, emoji and ordinary punctuation pass unchanged", () => {
  const texts = [
    "你好，世界！今天天气很好。",
    "こんにちは、世界。カタカナ、ひらがな、漢字",
    "안녕하세요",
    "مرحبا بالعالم، كيف حالك؟",
    "שלום עולם",
    "नमस्ते दुनिया",
    "Ελληνικά και русский текст",
    "👩‍👩‍👧‍👦 a family, 👩🏽‍💻 at work, 🏳️‍🌈 a flag",
    "flags: 🇯🇵 🇫🇷 🇧🇷, keycap 1️⃣, skin tones 👍🏻👍🏿",
    "Hello, world! (a) [b] {c} <d> ~`@#$%^&*_-+=|\\/?;:'\"",
    "«quotes» „more“ — dashes – and … ellipsis ¿¡ ©®™ €£¥ ½ °",
    "no\u00a0break space, a zero-width joiner in 👩\u200d💻 and a non-joiner in می\u200cخواهم",
    "indented code:        eight spaces kept",
  ];

  for (const text of texts) {
    test(text, () => {
      expect(sanitize(text)).toBe(text);
    });
  }
});

describe("a multi-line block from a plugin is sanitized line by line", () => {
  test("line breaks are kept (CR LF becomes LF), everything else is cleaned", () => {
    expect(sanitizeBlock(`* one\r\n* ${ESC}[31mtwo${ESC}[0m\n* thr\u202eee`)).toBe("* one\n* two\n* three");
  });

  test("an unterminated title in one line does not swallow the next", () => {
    expect(sanitizeBlock(`a${ESC}]0;x\nb`)).toBe("a\nb");
  });

  test("a single line is just sanitized", () => {
    expect(sanitizeBlock(`${ESC}[1mhi\r`)).toBe("hi");
  });
});

// Strings heavy in the pieces of escape sequences, with some real text.
const piece = fc.constantFrom(
  ESC, "[", "]", "P", "\\", BEL, "\u009b", "\u009c", "\u009d", "\u0090", "0", "1", ";", "?", "m", "H", "c", " ",
  "\t", "\r", "\n", "\0", "\x7f", "\u202e", "\u2066", "a", "你", "😀", "\u200d",
);
const hostile = fc.oneof(
  fc.array(piece, { maxLength: 40 }).map((p) => p.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
);

describe("property: nothing that acts on a terminal survives", () => {
  test("output never holds a C0/C1 control, DEL, or a bidi override or isolate", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(sanitize(text)).not.toMatch(UNSAFE);
      }),
      { numRuns: 2000 },
    );
  });

  test("sanitizing twice changes nothing more", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const once = sanitize(text);
        expect(sanitize(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  test("each line of a sanitized block is safe", () => {
    fc.assert(
      fc.property(hostile, (text) => {
        for (const line of sanitizeBlock(text).split("\n")) expect(line).not.toMatch(UNSAFE);
      }),
      { numRuns: 1000 },
    );
  });

  test("text without controls passes unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        fc.pre(!UNSAFE.test(text));
        expect(sanitize(text)).toBe(text);
      }),
    );
  });
});
