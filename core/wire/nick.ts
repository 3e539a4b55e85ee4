// Nickname rules, in one place so the first nick, /nick and plugins agree.
// 1-24 characters (code points, so 24 Chinese characters fit), letters of
// any script, combining marks, digits, "_" and "-", with no mix of scripts
// that Unicode TR39 calls unsafe. Uniqueness ignores case and look-alikes
// (see nickKey).

import { skeleton } from "./confusables.ts";
import { unsafeScriptMix } from "./scripts.ts";

export const MAX_NICK = 24;
const NICK = /^[\p{L}\p{M}\p{N}_-]+$/u;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;

export type NickCheck = { ok: true; nick: string } | { ok: false; reason: string };

/** Checks the shape of a nickname; `reserved` holds lower-cased command words. */
export function checkNick(input: string, reserved: ReadonlySet<string>, max = MAX_NICK): NickCheck {
  const nick = input.trim().normalize("NFC");
  if (nick.length === 0) return { ok: false, reason: "a nickname cannot be empty" };
  const length = [...nick].length;
  if (length > max) return { ok: false, reason: `a nickname has at most ${max} characters (that one has ${length})` };
  if (!NICK.test(nick)) return { ok: false, reason: "a nickname may hold only letters, digits, _ and -" };
  // Letters that draw nothing (U+3164, U+034F, variation selectors) would let
  // "Alice" and "Alice" plus an invisible mark be two people.
  if (INVISIBLE.test(nick)) return { ok: false, reason: "a nickname may not hold invisible characters" };
  // Marks need something to sit on: a nick of combining marks alone draws as
  // nothing, or on top of whatever is before it on the screen.
  if (!/^[\p{L}\p{N}_-]/u.test(nick)) return { ok: false, reason: "a nickname starts with a letter, a digit, _ or -" };
  // "Amу" with a Cyrillic у: Latin and Cyrillic (or Greek) side by side is
  // how a name is faked. Japanese, Chinese and Korean mixes are fine.
  const mix = unsafeScriptMix(nick);
  if (mix.length > 0) return { ok: false, reason: `a nickname may not mix scripts that look alike (${listed(mix.map((s) => s.replaceAll("_", " ")))})` };
  // Command words are matched by case only, not by look: "rne" is not "me".
  if (reserved.has(fold(nick))) return { ok: false, reason: `"${nick}" is a command word, pick another` };
  return { ok: true, nick };
}

function listed(names: string[]): string {
  return names.length <= 2 ? names.join(" and ") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** Compatibility-normalized and case-folded (upper then lower, so "STRASSE" meets "straße" and a final sigma meets σ). */
function fold(text: string): string {
  return text.normalize("NFKC").toUpperCase().toLowerCase();
}

/**
 * The key two nicknames collide on: NFKC, case fold, the TR39 skeleton
 * (NFD, each code point through Unicode's confusables.txt, NFD again), then
 * case fold again since the mapping yields capitals ("0" → "O"). So "Amy",
 * "AMY", fullwidth "Ａｍｙ", "Аmy" with a Cyrillic А and "Arny" are one nick.
 * A key is for comparing, never for showing: "m" becomes "rn", "0" "o",
 * "1" "l". Case is folded first, as TR39 does for case-insensitive names,
 * so "I" is "i" (not "l"); "l" and "1" are one.
 */
export function nickKey(nick: string): string {
  // The fast path: letters, digits, "_" and "-" of ASCII, a character at a time.
  let key = "";
  for (let i = 0; i < nick.length; i++) {
    const part = ASCII_KEYS[nick.charCodeAt(i)];
    if (part === undefined) return slowKey(nick);
    key += part;
  }
  return key;
}

/** nickKey without the ASCII fast path: exported for the test that the two agree. */
export function slowKey(nick: string): string {
  return skeleton(fold(nick)).toUpperCase().toLowerCase();
}

// For letters, digits, "_" and "-" of ASCII, NFKC and NFD change nothing
// and case folding goes a character at a time, so a key is the keys of the
// characters joined: lower case, but for the four confusables.txt maps
// ("0" looks like "o", "1" like "l", "m" like "rn"). Written out, not worked
// out from the data at start, so that a server whose nicks are ASCII never
// loads the confusables table (confusables.ts); tests/unit/confusables.test.ts
// checks every character against slowKey, so a new confusables.txt that maps
// one more of them fails there.
const ASCII_KEYS: readonly (string | undefined)[] = (() => {
  const keys: (string | undefined)[] = [];
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (/^[A-Za-z0-9_-]$/.test(ch)) keys[c] = ch.toLowerCase();
  }
  Object.assign(keys, { [0x30]: "o", [0x31]: "l", [0x4d]: "rn", [0x6d]: "rn" });
  return keys;
})();

/** The key of each ASCII nick character, for the test that pins it to slowKey. */
export const ASCII_NICK_KEYS: ReadonlyMap<string, string> = new Map(ASCII_KEYS.flatMap((key, c) => (key === undefined ? [] : [[String.fromCharCode(c), key] as [string, string]])));
