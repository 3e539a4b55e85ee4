// The one point where a line meets its reader: what each member's own
// settings (personal.ts) make of a frame the room delivers. Ignore and
// quiet drop it; timestamps and the bell pick a text variant; a mention
// sets the JSON frame's flag. Every variant is built once per frame
// (core/wire/frame.ts) and shared by the readers who want it, so the
// fan-out path builds no string per reader. JSON readers get the data as it
// is: no [HH:MM], no bell, in their text.

import type { Frame } from "../wire/frame.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import type { Personal } from "./personal.ts";

/** Who reads: their framing, their nick's key (nickKey), their current room, and their settings when they made any. */
export interface Reader {
  readonly json: boolean;
  readonly key: string;
  /** where their plain lines go: a line from another room is shown with its name in front */
  readonly room: string;
  readonly personal: Personal | null;
}

/** The bytes `frame` reaches `reader` as, or null when it does not reach them. */
export function bytesFor(frame: Frame, reader: Reader): Buffer | null {
  const event = frame.event;
  const me = reader.personal;
  if (me !== null && hidden(event, frame, me)) return null;
  if (reader.json) return mentioned(frame, reader) ? frame.jsonMentioning() : frame.json();
  // The common case: a text reader who set nothing gets the shared text (with the room in front when it is
  // another room's: shared too), and no line is searched for nicks.
  if (me === null) return frame.textFor(reader.room);
  return frame.textAs({ stamp: me.timestamps && live(event), bell: me.bell && mentioned(frame, reader) }, reader.room);
}

/** Whether the frame's text says the reader's nick; a line is not news to its own sender (a program's acknowledgement). */
function mentioned(frame: Frame, reader: Reader): boolean {
  return frame.mentions(reader.key) && frame.senderKey() !== reader.key;
}

/** Whether the reader's settings keep the frame from them; follows an ignored person's rename on the way. */
function hidden(event: ServerFrame, frame: Frame, me: Personal): boolean {
  switch (event.type) {
    case "joined":
    case "join":
      return me.quiet && event.self !== true;
    case "left":
      return me.quiet;
    case "part":
      return me.quiet && event.self !== true;
    case "renamed":
      // The notice is shown (it says who the ignored person is now), and the ignore moves with them.
      if (me.ignored.size > 0) me.ignored.renamed(event.from, event.to);
      return false;
    case "said":
    case "private":
      return me.ignored.size > 0 && me.ignored.has(frame.senderKey());
    default:
      return false;
  }
}

/** The lines of the room's life that get a timestamp: what others say and do, not answers to one's own commands. */
function live(event: ServerFrame): boolean {
  switch (event.type) {
    case "said":
      return event.history !== true; // a replayed line has its own time in front
    case "private":
    case "left":
    case "renamed":
      return true;
    case "joined":
    case "join":
    case "part":
      return event.self !== true;
    case "topic":
      return event.set === true; // set by someone just now, not the answer to /topic
    case "system":
      return event.plugin !== undefined; // a plugin's notice to the room
    default:
      return false;
  }
}
