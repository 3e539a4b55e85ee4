// Nicknames that look alike are one nickname: nickKey folds case and takes
// the Unicode TR39 skeleton (confusables.txt, as the unhomoglyph package
// ships it), and checkNick refuses the script mixes TR39 calls unsafe.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { confusables, skeleton } from "../../core/wire/confusables.ts";
import { ASCII_NICK_KEYS, checkNick, nickKey, slowKey } from "../../core/wire/nick.ts";
import { scripts, scriptsOf, unsafeScriptMix } from "../../core/wire/scripts.ts";

const NO_WORDS: ReadonlySet<string> = new Set();
const same = (...nicks: string[]) => expect(new Set(nicks.map(nickKey)).size).toBe(1);

describe("the confusables data", () => {
  test("is Unicode's mapping: thousands of single code points, the Latin A look-alikes among them", () => {
    expect(confusables().size).toBeGreaterThan(6000);
    expect(skeleton("AΑАᎪᗅꓮ")).toBe("AAAAAA"); // Latin, Greek, Cyrillic, Cherokee, Canadian syllabics, Lisu
  });

  test("maps only these ASCII characters (the fast path relies on it being read from the data)", () => {
    const ascii = [...confusables().keys()].filter((cp) => cp < 128).map((cp) => String.fromCodePoint(cp));
    expect(ascii.sort()).toEqual(['"', "%", "0", "1", "I", "`", "m", "|"].sort());
    expect(confusables().get("m".codePointAt(0)!)).toBe("rn");
    expect(confusables().get("0".codePointAt(0)!)).toBe("O");
  });
});

describe("nickKey: look-alikes are one nick", () => {
  test("Latin Amy, Cyrillic А (U+0410) and Greek Α (U+0391) in front", () => {
    same("Amy", "\u0410my", "\u0391my", "amy", "AMY");
  });

  test("fullwidth letters are the plain ones", () => {
    same("Ａｍｙ", "Amy");
    same("ａｌｉｃｅ", "ALICE", "alice");
  });

  test('"rn" is "m"', () => {
    same("Arny", "Amy");
    same("rnoon", "moon");
  });

  test('"0", "O" and "o" are one', () => {
    same("b0b", "bOb", "bob", "BOB");
  });

  test('"l" and "1" are one; "I" is "i", since case is folded before the skeleton', () => {
    same("bi1l", "bill", "BILL");
    same("Ivan", "ivan");
    expect(nickKey("Ivan")).not.toBe(nickKey("lvan"));
  });

  test("ß is SS, and a final sigma is σ and Σ", () => {
    same("straße", "STRASSE", "strasse");
    same("Σοφίας", "ΣΟΦΊΑΣ", "σοφίασ");
  });

  test("names that look different stay different", () => {
    expect(nickKey("alice")).not.toBe(nickKey("alicia"));
    expect(nickKey("张三")).not.toBe(nickKey("李四"));
    expect(nickKey("Дмитрий")).not.toBe(nickKey("Дмитрии"));
    expect(nickKey("bob")).not.toBe(nickKey("bob_"));
  });

  test("a whole-script look-alike: Cyrillic Соре is Latin Cope", () => {
    same("\u0421\u043e\u0440\u0435", "Cope");
  });

  test("the written-out key of every ASCII nick character is what confusables.txt gives it", () => {
    expect(ASCII_NICK_KEYS.size).toBe(64);
    for (const [ch, key] of ASCII_NICK_KEYS) expect(`${ch} ${key}`).toBe(`${ch} ${slowKey(ch)}`);
  });

  test("property: the ASCII fast path gives what the slow path gives", () => {
    const ascii = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
    fc.assert(fc.property(fc.string({ unit: ascii, maxLength: 30 }), (nick) => nickKey(nick) === slowKey(nick)), { numRuns: 5000 });
    // Any string at all: the fast path must step aside for what it does not know.
    const mixed = fc.oneof(ascii, fc.constantFrom(..."ÀéßİıΣς\u0301\u0410ｍ丽"), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }));
    fc.assert(fc.property(fc.string({ unit: mixed, maxLength: 30 }), (nick) => nickKey(nick) === slowKey(nick)), { numRuns: 5000 });
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 30 }), (nick) => nickKey(nick) === slowKey(nick)), { numRuns: 5000 });
  });

  test("property: case never tells two nicks apart", () => {
    const letter = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789αβγδεζηθΑΒΓΔΕΖΗΘжщыЖЩЫéÉ");
    fc.assert(
      fc.property(fc.string({ unit: letter, minLength: 1, maxLength: 24 }), (nick) => {
        expect(nickKey(nick.toUpperCase())).toBe(nickKey(nick));
        expect(nickKey(nick.toLowerCase())).toBe(nickKey(nick));
      }),
    );
  });
});

describe("checkNick: no unsafe mix of scripts", () => {
  const refusal = (nick: string) => {
    const check = checkNick(nick, NO_WORDS);
    return check.ok ? null : check.reason;
  };

  test("Latin with a Cyrillic у is refused, and the line names both", () => {
    expect(refusal("Am\u0443")).toBe("a nickname may not mix scripts that look alike (Latin and Cyrillic)");
    expect(refusal("\u0410my")).toBe("a nickname may not mix scripts that look alike (Cyrillic and Latin)");
    expect(refusal("\u0391my")).toBe("a nickname may not mix scripts that look alike (Greek and Latin)");
    expect(refusal("pa\u0443pa\u03b1")).toBe("a nickname may not mix scripts that look alike (Latin, Cyrillic and Greek)");
  });

  const refused = ["Ωmega", "Σд", "aم", "a٣", "さ김", "Ꮳalvin", "abcא", "ㄅ김", "ꓮlice"];
  for (const nick of refused) {
    test(`refused: ${nick}`, () => {
      expect(refusal(nick)).toStartWith("a nickname may not mix scripts that look alike (");
    });
  }

  const accepted = [
    "丽", "张三", "Łukasz", "Řehoř", "Ștefan", "Ĉiuĵaŭde", "Σοφία", "Дмитрий", "山田たろう", "김민준", "ラーメン",
    "タロウ", "Tanaka太郎", "taroたろう", "王ㄒㄧㄠ", "Kim김", "李김", "Дима_2000", "ᏣᎳᎩ", "محمد", "٣٤٥", "नमस्ते",
    "e\u0301mile", "x-y_1",
  ];
  for (const nick of accepted) {
    test(`accepted: ${nick}`, () => {
      expect(refusal(nick)).toBeNull();
    });
  }

  test("every script the rule must know is known to this engine", () => {
    const names = new Set(scripts().map((s) => s.name));
    const needed = ["Latin", "Greek", "Cyrillic", "Armenian", "Hebrew", "Arabic", "Syriac", "Thaana", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam", "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar", "Georgian", "Hangul", "Ethiopic", "Cherokee", "Canadian_Aboriginal", "Khmer", "Mongolian", "Hiragana", "Katakana", "Bopomofo", "Han", "Yi", "Tifinagh", "Nko", "Javanese", "Balinese", "Sundanese", "Vai", "Lisu", "Adlam"];
    expect(needed.filter((n) => !names.has(n))).toEqual([]);
  });

  test("the ASCII answers written out in scriptsOf are what the regex engine's tables say", () => {
    const common = /[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]/u;
    for (let cp = 0; cp < 0x80; cp++) {
      const ch = String.fromCharCode(cp);
      const found = scripts().filter((s) => s.test.test(ch)).map((s) => s.name);
      const fromTables = found.length > 0 ? found : common.test(ch) ? null : ["another script"];
      expect(`${cp} ${JSON.stringify(scriptsOf(ch))}`).toBe(`${cp} ${JSON.stringify(fromTables)}`);
    }
  });

  test("a character of several scripts goes with any of them (the Kana prolonged sound mark)", () => {
    expect(unsafeScriptMix("ラー")).toEqual([]);
    expect(unsafeScriptMix("らー")).toEqual([]);
    expect(unsafeScriptMix("ー김")).toEqual(["Hiragana", "Hangul"]);
  });

  test("command words are still refused by case, not by look", () => {
    const words = new Set(["me", "msg", "l"]);
    expect(checkNick("ME", words).ok).toBe(false);
    expect(checkNick("ｍｓｇ", words).ok).toBe(false);
    expect(checkNick("rne", words).ok).toBe(true);
    expect(checkNick("1", words).ok).toBe(true);
  });
});
