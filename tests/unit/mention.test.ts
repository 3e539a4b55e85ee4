// A line mentions a nick when it holds it as a word of its own, compared as
// nicknames are compared (core/wire/mention.ts): what the bell and the
// `mention` flag of parley connect rest on.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mentionedKeys, mentions } from "../../core/wire/mention.ts";
import { MAX_NICK, nickKey } from "../../core/wire/nick.ts";

const WORD_CHARS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"];
const asciiNick = fc.array(fc.constantFrom(...WORD_CHARS), { minLength: 1, maxLength: MAX_NICK }).map((c) => c.join(""));
// Characters that are never part of a word: spaces, punctuation, symbols, emoji.
const NON_WORD = [..." ,.;:!?@#()[]{}<>'\"/\\*+=~`|&^%$", "\u3001", "\uff0c", "\u{1F600}", "\u2014"];
const around = fc.array(fc.constantFrom(...NON_WORD), { maxLength: 6 }).map((c) => c.join(""));
const anyText = fc.string({ maxLength: 80 });

describe("a nick as a word of its own is a mention", () => {
  test("with anything but word characters around it, at the start, the end or inside a line", () => {
    fc.assert(
      fc.property(anyText, around, asciiNick, around, anyText, (head, left, nick, right, tail) => {
        // The surrounding text is cut off from the nick by at least one non-word character (or the line's edge).
        const text = `${head}${head ? " " : ""}${left}${nick}${right}${tail ? " " : ""}${tail}`;
        expect(mentions(text, nick)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test("in any case, and in the look-alike forms that are one nick", () => {
    fc.assert(
      fc.property(asciiNick, (nick) => {
        expect(mentions(`hey ${nick.toUpperCase()}!`, nick)).toBe(true);
        expect(mentions(`hey ${nick.toLowerCase()}!`, nick)).toBe(true);
      }),
      { numRuns: 1000 },
    );
    expect(mentions("ping Аmy", "amy")).toBe(true); // a Cyrillic А
    expect(mentions("ping Ａｍｙ", "amy")).toBe(true); // fullwidth
    expect(mentions("STRASSE?", "straße")).toBe(true);
  });

  test("in other scripts, between the punctuation those scripts use", () => {
    expect(mentions("小明，你好", "小明")).toBe(true);
    expect(mentions("こんにちは、さくら。", "さくら")).toBe(true);
    expect(mentions("привет, Маша", "маша")).toBe(true);
  });
});

describe("a nick inside a longer word is not a mention", () => {
  test("a word character glued to either side makes another word", () => {
    fc.assert(
      fc.property(asciiNick, fc.constantFrom(...WORD_CHARS), fc.boolean(), (nick, extra, before) => {
        const word = before ? extra + nick : nick + extra;
        expect(mentions(`<${word}>, ${word}!`, nick)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(mentions("amygdala", "amy")).toBe(false);
    expect(mentions("bob-amy", "amy")).toBe(false);
    expect(mentions("amy_2", "amy")).toBe(false);
  });

  test("a script without spaces has no word boundary inside a sentence", () => {
    expect(mentions("小明你好", "小明")).toBe(false);
  });

  test("a line of no word characters mentions no one", () => {
    fc.assert(
      fc.property(around, asciiNick, (text, nick) => {
        expect(mentions(text, nick)).toBe(false);
      }),
    );
  });

  test("an empty nick is never mentioned", () => {
    expect(mentions("anything at all", "")).toBe(false);
  });
});

describe("the keys of a line", () => {
  test("are the nick keys of its words, each once; a word longer than a nick is no one's", () => {
    const long = "a".repeat(MAX_NICK + 1);
    expect([...mentionedKeys(`Amy amy AMY, bob ${long}`)].sort()).toEqual([nickKey("amy"), nickKey("bob")].sort());
  });

  test("a line as long as the server allows is matched quickly", () => {
    const line = Array.from({ length: 800 }, (_, i) => `w${i}`).join(" ");
    const started = performance.now();
    for (let i = 0; i < 20; i++) mentionedKeys(line);
    expect(mentions(line, "w799")).toBe(true);
    // 20 lines of 800 words: well under a millisecond a line on any machine we run on.
    expect(performance.now() - started).toBeLessThan(500);
  });
});
