// A server frame with its wire bytes, built on first use per framing and
// then shared by every recipient: no per-recipient string building on the
// fan-out path.

import type { ServerFrame } from "./protocol.ts";
import { linesOf, plain } from "./render.ts";
import { escapeIAC } from "./telnet.ts";

/** The text a telnet user reads for a frame, lines joined by "\n"; `self` is the reader's nick, for answers to one user. */
export function renderText(frame: ServerFrame, self?: string): string {
  return linesOf(frame, self).map(plain).join("\n");
}

export class Frame {
  readonly event: ServerFrame;
  /** the one reader's nick, when the frame goes to one user (their own rename, "(you)" in a list) */
  private readonly self: string | undefined;
  private textBytes: Buffer | null = null;
  private jsonBytes: Buffer | null = null;
  private telnetBytes: Uint8Array | null = null;

  constructor(event: ServerFrame, self?: string) {
    this.event = event;
    this.self = self;
  }

  /** CRLF-terminated text lines, as telnet expects. */
  text(): Buffer {
    this.textBytes ??= Buffer.from(renderText(this.event, this.self).replaceAll("\n", "\r\n") + "\r\n");
    return this.textBytes;
  }

  /** The text lines with 0xFF doubled for telnet clients; the same bytes (UTF-8 never holds 0xFF), checked once per event. */
  telnetText(): Uint8Array {
    this.telnetBytes ??= escapeIAC(this.text());
    return this.telnetBytes;
  }

  /** One JSON object and LF. */
  json(): Buffer {
    this.jsonBytes ??= Buffer.from(JSON.stringify(this.event) + "\n");
    return this.jsonBytes;
  }
}
