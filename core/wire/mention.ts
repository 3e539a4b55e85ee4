// Mentions: whether a line names a nickname as a word of its own. A word is
// a run of the characters nicknames are made of (letters of any script,
// combining marks, digits, "_" and "-"), so "amy," "@amy" and "amy's"
// mention amy, and "amygdala" or "bob-amy" do not. Words are compared by
// nickKey, the key nicknames collide on: a word mentions you when, typed as
// a nickname, it would be yours ("AMY", fullwidth "Ａｍｙ", "Аmy" with a
// Cyrillic А). A script written without spaces (Chinese) has no word
// boundary inside a sentence: "小明你好" is one word, and mentions no one
// but a user of that whole nick. Pure.

import { MAX_NICK, nickKey } from "./nick.ts";

const WORD = /[\p{L}\p{M}\p{N}_-]+/gu;

/**
 * The nick keys of every word of `text` that could be a nickname (at most
 * `max` characters): work it out once per line, then each reader's check is
 * one lookup.
 */
export function mentionedKeys(text: string, max = MAX_NICK): Set<string> {
  const keys = new Set<string>();
  const seen = new Set<string>();
  for (const [word] of text.matchAll(WORD)) {
    // A word longer than a nick can be is no one's (code units first: cheap, and never fewer than code points).
    if (word.length > max && [...word].length > max) continue;
    if (seen.has(word)) continue;
    seen.add(word);
    keys.add(nickKey(word));
  }
  return keys;
}

/** Whether `text` names `nick` as a word of its own, compared as nicknames are. */
export function mentions(text: string, nick: string): boolean {
  return nick !== "" && mentionedKeys(text).has(nickKey(nick));
}
