// A server frame with its wire bytes, built on first use per framing and
// then shared by every recipient: no per-recipient string building on the
// fan-out path. The few readers who want a line their own way (a text user
// with timestamps or the bell on, a reader the line mentions) share one
// variant each, built once per frame as well.

import { mentionedKeys } from "./mention.ts";
import { nickKey } from "./nick.ts";
import type { ServerFrame } from "./protocol.ts";
import { awayPrefix, clock, linesOf, plain, shownAway } from "./render.ts";

/** The text a telnet user reads for a frame, lines joined by "\n"; `self` is the reader's nick, for answers to one user. */
export function renderText(frame: ServerFrame, self?: string): string {
  // The one event of the fan-out path, rendered without building display
  // lines: the same text linesOf gives for the server's own (clean) fields,
  // as tests/unit/frame.test.ts checks for any nick and text.
  if (frame.type === "said" && frame.history !== true) return frame.action === true ? `** ${frame.from} ${frame.text}` : `${frame.from}: ${frame.text}`;
  return linesOf(frame, self).map(plain).join("\n");
}

/** The terminal bell: the one control byte the server ever sends in text, and only for a mention (core/chat/delivery.ts). */
export const BEL = 0x07;

/** How a text reader wants a line: `[HH:MM] ` in front of each line, and the bell after it. */
export interface TextVariant {
  stamp: boolean;
  bell: boolean;
}

export class Frame {
  readonly event: ServerFrame;
  /** the one reader's nick, when the frame goes to one user (their own rename, "(you)" in a list) */
  private readonly self: string | undefined;
  private textBytes: Buffer | null = null;
  private textLines: string | null = null;
  private jsonLine: string | null = null;
  private awayBytes: Buffer | null = null;
  private jsonBytes: Buffer | null = null;
  /** variants, made only when a reader wants one, by bits stamped 1, belled 2, from another room 4 (textAs); the JSON with mention */
  private variants: (Buffer | undefined)[] | null = null;
  private mentionJson: Buffer | null = null;
  private mentioned: Set<string> | null = null;
  private fromKey: string | null = null;
  /** the minute of the first stamped variant: every reader of this frame sees the same */
  private stampText: string | null = null;

  constructor(event: ServerFrame, self?: string) {
    this.event = event;
    this.self = self;
  }

  /** CRLF-terminated text lines, as telnet expects. */
  text(): Buffer {
    this.textBytes ??= Buffer.from(this.textString());
    return this.textBytes;
  }

  /** The same text as a string: what a room's turn buffer writes straight into its bytes (core/chat/turn-buffer.ts). */
  textString(): string {
    this.textLines ??= renderText(this.event, this.self).replaceAll("\n", "\r\n") + "\r\n";
    return this.textLines;
  }

  /**
   * The text for a reader whose current room is `here`: a line of another
   * room has the room's name in front of each of its lines ("[#help] amy: hi").
   * Still built once per frame, for every reader it applies to.
   */
  textFor(here: string): Buffer {
    const room = this.event.room;
    if (room === undefined || room === here || !shownAway(this.event)) return this.text();
    if (!this.awayBytes) {
      const prefix = awayPrefix(room);
      this.awayBytes = Buffer.from(renderText(this.event, this.self).split("\n").map((l) => prefix + l).join("\r\n") + "\r\n");
    }
    return this.awayBytes;
  }

  /** One JSON object and LF. */
  json(): Buffer {
    this.jsonBytes ??= Buffer.from(this.jsonString());
    return this.jsonBytes;
  }

  /** The same as a string. */
  jsonString(): string {
    this.jsonLine ??= JSON.stringify(this.event) + "\n";
    return this.jsonLine;
  }

  /**
   * The text for a reader whose current room is `here` and who wants a
   * variant: `[HH:MM] ` (server local time, when the frame was first
   * stamped) in front of every line, the room's name in front when the line
   * is from another room ("[12:30] [#help] amy: hi"), and/or the bell at the
   * end of the last. Each of the variants is built once per frame.
   */
  textAs({ stamp, bell }: TextVariant, here?: string): Buffer {
    const room = this.event.room;
    const away = here !== undefined && room !== undefined && room !== here && shownAway(this.event);
    if (!stamp && !bell) return away ? this.textFor(here) : this.text();
    const slot = (stamp ? 1 : 0) + (bell ? 2 : 0) + (away ? 4 : 0) - 1;
    const variants = (this.variants ??= []);
    let bytes = variants[slot];
    if (!bytes) {
      let lines = renderText(this.event, this.self).split("\n");
      if (away) {
        const prefix = awayPrefix(room);
        lines = lines.map((line) => prefix + line);
      }
      if (stamp) {
        const prefix = (this.stampText ??= `[${clock(new Date())}] `);
        lines = lines.map((line) => prefix + line);
      }
      bytes = Buffer.from(lines.join("\r\n") + (bell ? "\x07" : "") + "\r\n");
      variants[slot] = bytes;
    }
    return bytes;
  }

  /** The JSON with `mention: true`: for a reader whose nick a said frame names. */
  jsonMentioning(): Buffer {
    this.mentionJson ??= Buffer.from(JSON.stringify({ ...this.event, mention: true }) + "\n");
    return this.mentionJson;
  }

  /** The nick key of who said or sent it (said and private frames; "" for others). */
  senderKey(): string {
    const e = this.event;
    this.fromKey ??= e.type === "said" || e.type === "private" ? nickKey(e.from) : "";
    return this.fromKey;
  }

  /** Whether a live said frame's text names the nick whose key is `key` (worked out once per frame). */
  mentions(key: string): boolean {
    if (key === "") return false;
    return this.mentionedKeys().has(key);
  }

  /** The nick keys a live said frame's text names (none for any other frame), worked out once. */
  mentionedKeys(): ReadonlySet<string> {
    const e = this.event;
    if (e.type !== "said" || e.history === true) return NO_KEYS;
    this.mentioned ??= mentionedKeys(e.text);
    return this.mentioned;
  }
}

const NO_KEYS: ReadonlySet<string> = new Set();
