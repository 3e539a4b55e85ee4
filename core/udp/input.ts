// Where a sending mode's datagrams come from: the message, or stdin (or a
// file) as lines of bytes (split on \n only; a \r just before it is
// dropped, so CRLF files send what they show), raw bytes cut every N, or
// lines of hex. Nothing is decoded: bytes go out as they came. A piece that
// one datagram cannot carry, or a line that is not hex, is reported and
// skipped; the rest is sent. Pacing (interval ms between datagrams) holds
// for every source.

import { createReadStream } from "node:fs";
import type { PluginLogger, UdpInput } from "../plugins/api.ts";
import { UserError } from "../base/errors.ts";
import { MAX_PAYLOAD } from "./checks.ts";

export interface InputEnv {
  log: PluginLogger;
  signal: AbortSignal;
  sleep(ms: number): Promise<boolean>;
  /** stdin, or a test's stream */
  stdin?: NodeJS.ReadableStream;
}

/** "00 ff 0a", "00ff0a" -> bytes; undefined when not an even number of hex digits. */
export function parseHex(text: string): Uint8Array | undefined {
  const digits = text.replace(/[\s:]/g, "");
  if (!/^([0-9a-f]{2})*$/i.test(digits)) return undefined;
  return new Uint8Array(Buffer.from(digits, "hex"));
}

/** Splits chunks of bytes into lines at \n only; a \r right before the \n is dropped. The last piece, without \n, is a line too when not empty. */
export async function* byteLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    let data: Uint8Array = pending.length ? concat(pending, chunk) : chunk;
    let at: number;
    while ((at = data.indexOf(0x0a)) !== -1) {
      const end = at > 0 && data[at - 1] === 0x0d ? at - 1 : at;
      yield data.slice(0, end);
      data = data.subarray(at + 1);
    }
    pending = data.slice();
  }
  if (pending.length) yield pending;
}

/** Cuts chunks of bytes into pieces of `size` bytes; the last one may be shorter. */
export async function* rawPieces(chunks: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array = new Uint8Array(0);
  for await (const chunk of chunks) {
    let data: Uint8Array = pending.length ? concat(pending, chunk) : chunk;
    while (data.length >= size) {
      yield data.slice(0, size);
      data = data.subarray(size);
    }
    pending = data.slice();
  }
  if (pending.length) yield pending;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The chunks of stdin, ending early when the mode is stopped. */
export function stdinChunks(signal: AbortSignal): AsyncGenerator<Uint8Array> {
  return source({ family: 4 }, { log: console, signal, sleep: async () => true });
}

/** The chunks of stdin or the file, ending early when the mode is stopped. */
async function* source(options: UdpInput, env: InputEnv): AsyncGenerator<Uint8Array> {
  const stream = options.file !== undefined ? createReadStream(options.file) : (env.stdin ?? process.stdin);
  if (options.file !== undefined) {
    const file = stream as ReturnType<typeof createReadStream>;
    await new Promise<void>((resolve, reject) => {
      file.once("open", () => resolve());
      file.once("error", (error: NodeJS.ErrnoException) => reject(new UserError(`cannot read --file ${options.file}: ${error.code === "ENOENT" ? "no such file" : (error.code ?? error.message)}`)));
    });
  }
  let stop: () => void = () => {};
  const stopped = new Promise<"stop">((resolve) => (stop = () => resolve("stop")));
  env.signal.addEventListener("abort", stop, { once: true });
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  try {
    while (!env.signal.aborted) {
      const next = await Promise.race([it.next(), stopped]);
      if (next === "stop" || next.done) return;
      const v = next.value;
      yield typeof v === "string" ? new TextEncoder().encode(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    }
  } finally {
    env.signal.removeEventListener("abort", stop);
    if (options.file !== undefined) (stream as ReturnType<typeof createReadStream>).destroy();
  }
}

/** The datagrams, paced, with the bad pieces reported and skipped. */
export async function* inputDatagrams(options: UdpInput, env: InputEnv): AsyncGenerator<Uint8Array> {
  const format = options.format ?? "lines";
  const max = MAX_PAYLOAD[options.family];
  const interval = options.interval ?? 0;
  let sent = 0;
  let skipped = 0;
  let piece = 0;
  const pace = async () => sent === 0 || interval <= 0 || (await env.sleep(interval));

  if (options.message) {
    const bytes = format === "hex" ? parseHex(options.message) : new TextEncoder().encode(options.message);
    if (!bytes) throw new UserError(`MESSAGE is not hex: give pairs of hex digits, like 00ff0a (spaces allowed)`);
    if (bytes.length > max) throw new UserError(`the message is ${bytes.length} bytes; one UDP datagram over IPv${options.family} carries at most ${max}`);
    for (let i = 0; i < (options.count ?? 1); i++) {
      if (!(await pace())) return;
      sent++;
      yield bytes;
    }
    return;
  }
  if (format === "raw" && options.size !== undefined && options.size > max) {
    throw new UserError(`--size ${options.size} is more than one UDP datagram over IPv${options.family} carries (${max})`);
  }
  const chunks = source(options, env);
  const pieces = format === "raw" ? rawPieces(chunks, options.size ?? 1472) : byteLines(chunks);
  const what = format === "raw" ? "piece" : "line";
  try {
    for await (const raw of pieces) {
      piece++;
      const bytes = format === "hex" ? parseHex(new TextDecoder().decode(raw)) : raw;
      if (!bytes) {
        skipped++;
        env.log.warn(`line ${piece} is not hex (pairs of hex digits, like 00ff0a): skipped`);
        continue;
      }
      if (bytes.length > max) {
        skipped++;
        env.log.warn(`${what} ${piece} is ${bytes.length} bytes; one UDP datagram over IPv${options.family} carries at most ${max}: skipped`);
        continue;
      }
      if (options.count !== undefined && sent >= options.count) return;
      if (!(await pace())) return;
      sent++;
      yield bytes;
    }
  } finally {
    if (skipped) env.log.warn(`skipped ${skipped} ${what}${skipped === 1 ? "" : "s"} of input`);
  }
}
