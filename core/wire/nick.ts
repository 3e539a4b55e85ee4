// Nickname rules, in one place so the first nick, /nick and plugins agree.
// 1-24 characters (code points, so 24 Chinese characters fit), letters of
// any script, combining marks, digits, "_" and "-". Uniqueness ignores case.

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
  if (reserved.has(nickKey(nick))) return { ok: false, reason: `"${nick}" is a command word, pick another` };
  return { ok: true, nick };
}

/**
 * The key two nicknames collide on: compatibility-normalized and case-folded
 * (upper then lower, so "STRASSE" meets "straße" and a final sigma meets σ).
 */
export function nickKey(nick: string): string {
  return nick.normalize("NFKC").toUpperCase().toLowerCase();
}
