// Whom one user ignores: a few people, each known by the nick keys
// (nickKey) they had while the ignore followed them. An ignore names a nick;
// when the person holding an ignored nick is renamed where the ignorer sees
// it, the new nick is ignored too, so /nick does not slip out of it (and a
// registered person comes back under their registered nick with /login,
// which is still ignored). The list is data the plugin can keep with the
// ignorer's account; here it is checked and capped, since any plugin may
// set it.

import type { Ignored } from "../plugins/api.ts";
import { nickKey } from "../wire/nick.ts";

/** People one user may ignore: a list, not a database. */
export const MAX_IGNORED = 100;
/** Nick keys one ignored person is followed by: the first (ignored) and the latest ones. */
export const MAX_KEYS_PER_PERSON = 8;
const MAX_NICK_TEXT = 64;
const MAX_KEY = MAX_NICK_TEXT * 4;

export class IgnoreList {
  private people: Ignored[] = [];
  private readonly keys = new Set<string>();

  get size(): number {
    return this.people.length;
  }

  /** Whether a nick key is ignored. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  list(): readonly Ignored[] {
    return this.people;
  }

  /** Replaces the list with `given`, keeping only well-formed entries, at most MAX_IGNORED. */
  replace(given: readonly Ignored[]): void {
    const people: Ignored[] = [];
    const seen = new Set<string>();
    for (const entry of Array.isArray(given) ? given : []) {
      if (people.length >= MAX_IGNORED) break;
      if (typeof entry?.nick !== "string" || entry.nick === "" || !Array.isArray(entry.keys)) continue;
      // Whatever a plugin passes, an entry stays small: a nick is shown cut short, and a key
      // (a nick's key is at most a few times its length) past MAX_KEY is no nick's.
      const nick = entry.nick.slice(0, MAX_NICK_TEXT);
      const keys = (entry.keys as readonly unknown[]).filter((k): k is string => typeof k === "string" && k !== "" && k.length <= MAX_KEY);
      if (keys.length === 0) keys.push(nickKey(nick).slice(0, MAX_KEY));
      if (keys.some((k) => seen.has(k))) continue; // one person once
      for (const k of keys) seen.add(k);
      people.push({ nick, keys: capped(keys) });
    }
    this.people = people;
    this.rebuild();
  }

  /** Someone was renamed from `from` to `to`: an ignored person stays ignored under the new nick. */
  renamed(from: string, to: string): void {
    const fromKey = nickKey(from);
    if (!this.keys.has(fromKey)) return;
    const toKey = nickKey(to);
    this.people = this.people.map((p) => (p.keys.includes(fromKey) ? { nick: to, keys: p.keys.includes(toKey) ? p.keys : capped([...p.keys, toKey]) } : p));
    this.rebuild();
  }

  private rebuild(): void {
    this.keys.clear();
    for (const p of this.people) for (const k of p.keys) this.keys.add(k);
  }
}

/** The first key (the nick ignored) and the latest ones. */
function capped(keys: readonly string[]): string[] {
  return keys.length <= MAX_KEYS_PER_PERSON ? [...keys] : [keys[0]!, ...keys.slice(keys.length - MAX_KEYS_PER_PERSON + 1)];
}
