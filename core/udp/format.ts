// How a datagram is shown: one line of text (time, sender, size, text or
// hex) or one JSON object. Pure functions over bytes, so a unit test can
// check every shape.

import type { Datagram } from "../plugins/api.ts";

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The bytes as text when they are valid UTF-8, else undefined. */
export function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** 127.0.0.1:5000, [::1]:5000 */
export function showEndpoint(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Local wall-clock time with milliseconds: 14:03:07.125 */
export function showTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}.${String(time.getMilliseconds()).padStart(3, "0")}`;
}

// A datagram's text is printed on one line and may not act on the terminal:
// line breaks and other control characters are shown escaped.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\x1b": "\\e" };

export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** 14:03:07.125  127.0.0.1:53421  5 bytes  hello   (or  hex 00ff... when not UTF-8) */
export function datagramLine(d: Datagram): string {
  const size = `${d.data.length} byte${d.data.length === 1 ? "" : "s"}`;
  const body = d.text !== undefined ? escapeControls(d.text) : `hex ${toHex(d.data)}`;
  return `${showTime(d.time)}  ${showEndpoint(d.address, d.port)}${d.to ? `  to ${d.to}` : ""}  ${size}  ${body}`;
}

/** {"time":...,"from":"127.0.0.1:53421","address":...,"port":...,"family":"IPv4","size":5,"text":"hello"} or "hex" */
export function datagramJson(d: Datagram, fields: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({
    time: d.time.toISOString(),
    from: showEndpoint(d.address, d.port),
    address: d.address,
    port: d.port,
    family: `IPv${d.family}`,
    ...(d.to ? { to: d.to } : {}),
    size: d.data.length,
    ...(d.text !== undefined ? { text: d.text } : { hex: toHex(d.data) }),
    ...fields,
  });
}

/** A line that is not a datagram, as JSON: {"time":...,"event":"note","text":...} */
export function noteJson(text: string, fields: Readonly<Record<string, unknown>> = {}, time = new Date()): string {
  return JSON.stringify({ time: time.toISOString(), event: "note", text, ...fields });
}

/** The exit summary: sent 2 datagrams (10 bytes), received 1 (5 bytes) */
export function summaryLine(counts: { sent: number; received: number; bytesSent: number; bytesReceived: number; dropped?: number }): string {
  const n = (count: number, bytes: number, noun: boolean) =>
    `${count}${noun ? ` datagram${count === 1 ? "" : "s"}` : ""} (${bytes} byte${bytes === 1 ? "" : "s"})`;
  const dropped = counts.dropped ? `, dropped ${counts.dropped} (the kernel's receive buffer was full; --rcvbuf makes it bigger)` : "";
  return `sent ${n(counts.sent, counts.bytesSent, true)}, received ${n(counts.received, counts.bytesReceived, false)}${dropped}`;
}
