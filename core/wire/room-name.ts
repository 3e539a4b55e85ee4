// Room names, in one place so /join, /part, JSON frames and plugins agree.
// A room is "#" and a name under the nickname rules (any script, no unsafe
// mix of scripts, no invisible characters), up to 32 characters after the
// "#". Two names are one room when their nickname keys match, so "#Help"
// and "#help" with a Cyrillic "е" are one room, not two that look alike.

import { checkNick, nickKey } from "./nick.ts";

export const MAX_ROOM = 32;

export type RoomNameCheck = { ok: true; name: string } | { ok: false; reason: string };

const NONE: ReadonlySet<string> = new Set();

/** Checks a room name as typed ("#help"); the name to show, or why not. */
export function checkRoomName(input: string): RoomNameCheck {
  const typed = input.trim();
  if (!typed.startsWith("#")) return { ok: false, reason: "a room name starts with #, like #help" };
  const check = checkNick(typed.slice(1), NONE, MAX_ROOM);
  // The nick rules speak of "a nickname": said of a room here.
  if (!check.ok) return { ok: false, reason: check.reason.replaceAll("a nickname", "a room name") };
  return { ok: true, name: `#${check.nick}` };
}

/** The key two room names collide on (see nickKey): for comparing, never for showing. */
export function roomKey(name: string): string {
  return nickKey(name.startsWith("#") ? name.slice(1) : name);
}
