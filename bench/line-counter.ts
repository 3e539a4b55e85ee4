// Counting benchmark lines in a byte stream, without decoding it.
//
// The generator shares two cores with the server, so this is its hot path:
// whatever the kernel hands over in one read is scanned for LF with
// indexOf, each line's id is parsed backwards from its end as bytes (no
// strings, no per-line allocation), and all lines of one read share its
// arrival time. A benchmark line ends in `b<sender> <seq> <stamp>`, after
// whatever the server wraps around it (`nick: `, `:nick!user@host PRIVMSG
// #bench :`, ncat's `<user5> `), so one parser fits every target. Pure: no
// I/O, fed chunks by the client.

import type { Recorder } from "./ledger.ts";

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const MARK = 0x62; // "b", the first byte of every benchmark payload
const ZERO = 0x30;

// Bytes of an unfinished line kept between reads: only a line's tail is
// parsed, and a payload is under 40 bytes.
const CARRY = 128;

// Uint8Array's own indexOf: Buffer's (which also takes strings) costs twice as much per call.
const indexOf = Uint8Array.prototype.indexOf;

// Where a line split across reads is put back together (one thread: shared).
const SCRATCH = new Uint8Array(CARRY * 2);

export class LineCounter {
  /** where deliveries are recorded; null: lines are parsed but not counted */
  ledger: Recorder | null = null;
  /** lines that were not benchmark lines (server notices, or lines ncat mangled) */
  otherLines = 0;
  private carry: Uint8Array | null = null;
  private carryLen = 0;

  /** Counts the lines in `bytes`, which arrived at `now` (µs). */
  feed(bytes: Uint8Array, now: number): void {
    let start = 0;
    let end = indexOf.call(bytes, LF, 0);
    if (end === -1) return this.keep(bytes, 0);
    if (this.carryLen > 0) {
      this.parseSpanning(bytes, end, now);
      start = end + 1;
      end = indexOf.call(bytes, LF, start);
    }
    while (end !== -1) {
      this.parse(bytes, start, end, now);
      start = end + 1;
      end = indexOf.call(bytes, LF, start);
    }
    if (start < bytes.length) this.keep(bytes, start);
  }

  /** Keeps the tail of an unfinished line (its last CARRY bytes are enough). */
  private keep(bytes: Uint8Array, start: number): void {
    const carry = (this.carry ??= new Uint8Array(CARRY));
    const tail = bytes.subarray(start);
    if (tail.length >= CARRY) {
      carry.set(tail.subarray(tail.length - CARRY));
      this.carryLen = CARRY;
    } else if (this.carryLen + tail.length <= CARRY) {
      carry.set(tail, this.carryLen);
      this.carryLen += tail.length;
    } else {
      const kept = CARRY - tail.length;
      carry.copyWithin(0, this.carryLen - kept, this.carryLen);
      carry.set(tail, kept);
      this.carryLen = CARRY;
    }
  }

  /** The first line of a read began in an earlier read. */
  private parseSpanning(bytes: Uint8Array, end: number, now: number): void {
    if (end >= CARRY) {
      this.parse(bytes, end - CARRY, end, now);
    } else {
      const joined = SCRATCH;
      const kept = Math.min(this.carryLen, CARRY - end);
      joined.set(this.carry!.subarray(this.carryLen - kept, this.carryLen), 0);
      joined.set(bytes.subarray(0, end), kept);
      this.parse(joined, 0, kept + end, now);
    }
    this.carryLen = 0;
  }

  /** Parses `... b<sender> <seq> <stamp>[CR]` backwards from `end` (the LF). */
  private parse(buf: Uint8Array, from: number, end: number, now: number): void {
    // Digits are tested as (byte - 48) >>> 0 < 10; reads before `from` are
    // never made (they could run off the buffer, which deoptimises).
    if (end - from < 6) return void this.otherLines++;
    let i = end - 1;
    if (buf[i] === CR) i--;
    let stamp = 0;
    let scale = 1;
    const stampEnd = i;
    for (let d = buf[i]! - ZERO; i > from && d >>> 0 < 10; d = buf[--i]! - ZERO) {
      stamp += d * scale;
      scale *= 10;
    }
    if (i === stampEnd || i <= from || buf[i] !== SPACE) return void this.otherLines++;
    let seq = 0;
    scale = 1;
    const seqEnd = --i;
    for (let d = buf[i]! - ZERO; i > from && d >>> 0 < 10; d = buf[--i]! - ZERO) {
      seq += d * scale;
      scale *= 10;
    }
    if (i === seqEnd || i <= from || buf[i] !== SPACE) return void this.otherLines++;
    let sender = 0;
    scale = 1;
    const senderEnd = --i;
    for (let d = buf[i]! - ZERO; i > from && d >>> 0 < 10; d = buf[--i]! - ZERO) {
      sender += d * scale;
      scale *= 10;
    }
    if (i === senderEnd || buf[i] !== MARK) return void this.otherLines++;
    this.ledger?.record(sender, seq, now - stamp, now);
  }

}
