// A server frame with its wire bytes, built on first use per framing and
// then shared by every recipient: no per-recipient string building on the
// fan-out path.

import type { ServerFrame } from "./protocol.ts";
import { awayPrefix, linesOf, plain, shownAway } from "./render.ts";

/** The text a telnet user reads for a frame, lines joined by "\n"; `self` is the reader's nick, for answers to one user. */
export function renderText(frame: ServerFrame, self?: string): string {
  // The one event of the fan-out path, rendered without building display
  // lines: the same text linesOf gives for the server's own (clean) fields,
  // as tests/unit/frame.test.ts checks for any nick and text.
  if (frame.type === "said" && frame.history !== true) return frame.action === true ? `** ${frame.from} ${frame.text}` : `${frame.from}: ${frame.text}`;
  return linesOf(frame, self).map(plain).join("\n");
}

export class Frame {
  readonly event: ServerFrame;
  /** the one reader's nick, when the frame goes to one user (their own rename, "(you)" in a list) */
  private readonly self: string | undefined;
  private textBytes: Buffer | null = null;
  private awayBytes: Buffer | null = null;
  private jsonBytes: Buffer | null = null;

  constructor(event: ServerFrame, self?: string) {
    this.event = event;
    this.self = self;
  }

  /** CRLF-terminated text lines, as telnet expects. */
  text(): Buffer {
    this.textBytes ??= Buffer.from(renderText(this.event, this.self).replaceAll("\n", "\r\n") + "\r\n");
    return this.textBytes;
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
    this.jsonBytes ??= Buffer.from(JSON.stringify(this.event) + "\n");
    return this.jsonBytes;
  }
}
