// Line splitter: turns a byte stream into whole UTF-8 lines.
// - A line ends at LF, CR LF, CR NUL or a bare CR (old Macs, some raw clients).
// - Bytes are kept until the line ends and decoded once, so a character split
//   across TCP segments arrives whole; invalid bytes become U+FFFD.
// - A line longer than `maxLine` bytes is dropped as it streams in (only the
//   count is kept) and reported once when it ends: memory stays bounded.
// - An unfinished line is kept in one buffer that grows (doubling, never
//   past `maxLine`) as its bytes come, however TCP cuts them: a line sent a
//   byte per segment costs its bytes, not an array per segment.
// - Backspace and DEL erase the previous character, ^U the whole line, as a
//   terminal in line mode would have done (Windows telnet sends them raw).
// Pure: no I/O, driven byte by byte by the unit tests.

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const BS = 0x08;
const DEL = 0x7f;
const NAK = 0x15; // ^U, and what the telnet filter turns IAC EL into

export interface LineSink {
  line(text: string): void;
  /** a line of `bytes` bytes (more than the limit) was discarded */
  tooLong(bytes: number): void;
}

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

// The first buffer for an unfinished line; it doubles as the line grows.
const FIRST_BUFFER = 256;

export class LineSplitter {
  // Allocated only while a line spans several chunks (rare), and dropped
  // when it ends: an idle connection holds no buffer.
  private buffer: Uint8Array | null = null;
  private size = 0;
  private discarding = false;
  private afterCR = false;

  private readonly maxLine: number;
  private readonly sink: LineSink;
  /** apply backspace, DEL and ^U (people typing); off for JSON lines, where they are data */
  erase = true;

  constructor(maxLine: number, sink: LineSink) {
    this.maxLine = maxLine;
    this.sink = sink;
  }

  /** Bytes of an unfinished line held right now (bounded by maxLine). */
  get pending(): number {
    return this.discarding ? 0 : this.size;
  }

  feed(chunk: Uint8Array): void {
    let start = 0;
    if (this.afterCR && chunk.length > 0) {
      this.afterCR = false;
      if (chunk[0] === LF || chunk[0] === NUL) start = 1;
    }
    while (start < chunk.length) {
      const end = nextEnd(chunk, start);
      if (end === -1) {
        this.keep(chunk.subarray(start));
        return;
      }
      if (this.size === 0 && !this.discarding && end - start <= this.maxLine) {
        // Whole line inside this chunk (the common case): decode in place.
        this.sink.line(this.edit(decoder.decode(chunk.subarray(start, end))));
      } else {
        this.keep(chunk.subarray(start, end));
        this.finish();
      }
      start = end + 1;
      if (chunk[end] === CR) {
        if (start === chunk.length) this.afterCR = true;
        else if (chunk[start] === LF || chunk[start] === NUL) start++;
      }
    }
  }

  /** The stream ended: an unterminated last line still counts. */
  end(): void {
    if (this.size > 0 || this.discarding) this.finish();
  }

  private edit(text: string): string {
    return this.erase ? applyErasures(text) : text;
  }

  private keep(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const at = this.size;
    this.size += bytes.length;
    if (this.discarding) return;
    if (this.size > this.maxLine) {
      this.discarding = true;
      this.buffer = null;
      return;
    }
    // Copied: the caller may reuse its buffer after feed() returns.
    let buffer = this.buffer;
    if (!buffer || buffer.length < this.size) {
      let room = buffer ? buffer.length * 2 : FIRST_BUFFER;
      while (room < this.size) room *= 2;
      const grown = new Uint8Array(Math.min(room, this.maxLine));
      if (buffer) grown.set(buffer.subarray(0, at));
      buffer = this.buffer = grown;
    }
    buffer.set(bytes, at);
  }

  private finish(): void {
    const size = this.size;
    const buffer = this.buffer;
    const discarded = this.discarding;
    this.buffer = null;
    this.size = 0;
    this.discarding = false;
    if (discarded) {
      this.sink.tooLong(size);
      return;
    }
    this.sink.line(this.edit(buffer ? decoder.decode(buffer.subarray(0, size)) : "")); // no buffer: an empty line
  }
}

function nextEnd(chunk: Uint8Array, from: number): number {
  const lf = chunk.indexOf(LF, from);
  const cr = chunk.indexOf(CR, from);
  if (cr === -1) return lf;
  if (lf === -1) return cr;
  return Math.min(lf, cr);
}

/** Applies backspace/DEL (erase one character) and ^U (erase the line). */
export function applyErasures(text: string): string {
  if (!/[\b\x7f\x15]/.test(text)) return text;
  const chars: string[] = [];
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c === BS || c === DEL) chars.pop();
    else if (c === NAK) chars.length = 0;
    else chars.push(ch);
  }
  return chars.join("");
}
