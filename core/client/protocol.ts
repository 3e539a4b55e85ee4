// The client's view of the wire (docs/protocol.md): the frames it sends and
// receives, a byte stream cut into lines, and a line read as a frame or as
// plain text. Pure: no sockets, driven byte by byte by the unit tests.

export const CLIENT_NAME = "parley-connect";
// The longest line kept from a server; past this a line is dropped and
// counted, so a server that never sends a newline cannot fill our memory.
export const MAX_SERVER_LINE = 1024 * 1024;

// The frames and the version are the server's own (core/wire/protocol.ts):
// one definition of the protocol for both ends.
export { PROTOCOL_VERSION, type ClientFrame, type FrameId, type HelpEntry, type ListedUser, type ServerFrame } from "../wire/protocol.ts";
import { PROTOCOL_VERSION, type ClientFrame, type ServerFrame } from "../wire/protocol.ts";

/** One frame as one line, newline included. */
export function toLine(frame: ClientFrame): string {
  return JSON.stringify(frame) + "\n";
}

export const hello = (): ClientFrame => ({ type: "hello", client: CLIENT_NAME, version: PROTOCOL_VERSION });

export type Incoming = { kind: "frame"; frame: ServerFrame } | { kind: "text"; line: string };

/**
 * A server line as a frame when it is a JSON object with a string `type`,
 * else as text (the greeting a parley server sends before hello, or
 * anything a server that is not parley says).
 */
export function readLine(line: string): Incoming {
  const trimmed = line.trim();
  if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value && typeof value === "object" && !Array.isArray(value) && typeof (value as { type?: unknown }).type === "string") {
        return { kind: "frame", frame: value as ServerFrame };
      }
    } catch {
      // not JSON: text
    }
  }
  return { kind: "text", line };
}

/**
 * Cuts a byte stream into lines at LF (a CR before it is dropped). Bytes are
 * kept until the line ends and decoded once, so a character split across
 * reads arrives whole.
 */
export class LineCutter {
  private parts: Uint8Array[] = [];
  private size = 0;
  private dropping = false;
  private readonly decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  private readonly emit: (line: string) => void;
  private readonly maxLine: number;
  /** lines dropped for being over the limit */
  dropped = 0;

  constructor(emit: (line: string) => void, maxLine = MAX_SERVER_LINE) {
    this.emit = emit;
    this.maxLine = maxLine;
  }

  feed(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const at = chunk.indexOf(0x0a, start);
      if (at === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      this.keep(chunk.subarray(start, at));
      this.finish();
      start = at + 1;
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.size > 0 || this.dropping) this.finish();
  }

  private keep(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.dropping) return;
    if (this.size + bytes.length > this.maxLine) {
      this.dropping = true;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(bytes.slice());
    this.size += bytes.length;
  }

  private finish(): void {
    if (this.dropping) {
      this.dropping = false;
      this.dropped++;
      return;
    }
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    const text = this.decoder.decode(bytes);
    this.emit(text.endsWith("\r") ? text.slice(0, -1) : text);
  }
}
