// What a sending mode sends, cut from its input: lines of bytes split on \n
// only, raw pieces, hex; pieces too big are skipped and the rest goes on;
// and the receive-side figures (the summary's drops, the real port limit).

import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { byteLines, inputDatagrams, parseHex, rawPieces } from "../../core/udp/input.ts";
import { unprivilegedPortStart } from "../../core/udp/errors.ts";
import { datagramJson, datagramLine, summaryLine } from "../../core/udp/format.ts";
import { sanitize } from "../../core/wire/sanitize.ts";

async function* chunks(...parts: (string | number[])[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === "string" ? new TextEncoder().encode(p) : new Uint8Array(p);
}
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const text = (bytes: Uint8Array[]) => bytes.map((b) => Buffer.from(b).toString("latin1"));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe("input pieces", () => {
  test("lines split on \\n only, across chunks; CRLF loses its \\r, a lone \\r and U+2028 stay", async () => {
    expect(text(await all(byteLines(chunks("a\rb", "\nc\r\n", "d\u2028e\n", "tail"))))).toEqual(["a\rb", "c", Buffer.from("d\u2028e").toString("latin1"), "tail"]);
  });

  test("raw pieces are cut at the size, the last one shorter", async () => {
    expect((await all(rawPieces(chunks([1, 2, 3], [4, 5, 6, 7]), 3))).map((b) => [...b])).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  test("hex: pairs of digits, spaces and colons allowed", () => {
    expect([...parseHex("00 ff:0a")!]).toEqual([0, 255, 10]);
    expect(parseHex("abc")).toBeUndefined();
    expect(parseHex("zz")).toBeUndefined();
  });

  test("a line too big for one datagram is reported and skipped, the others go", async () => {
    const warned: string[] = [];
    const log = { ...quiet, warn: (m: string) => warned.push(m) };
    const stdin = Readable.from([Buffer.from(`one\n${"x".repeat(65508)}\ntwo\n`)]);
    const got = await all(inputDatagrams({ family: 4 }, { log, signal: new AbortController().signal, sleep: async () => true, stdin }));
    expect(text(got)).toEqual(["one", "two"]);
    expect(warned).toEqual(["line 2 is 65508 bytes; one UDP datagram over IPv4 carries at most 65507: skipped", "skipped 1 line of input"]);
  });

  test("--count caps stdin, and the interval is slept between datagrams, not before the first", async () => {
    const sleeps: number[] = [];
    const stdin = Readable.from([Buffer.from("a\nb\nc\nd\n")]);
    const got = await all(inputDatagrams({ family: 4, count: 3, interval: 25 }, { log: quiet, signal: new AbortController().signal, sleep: async (ms) => (sleeps.push(ms), true), stdin }));
    expect(text(got)).toEqual(["a", "b", "c"]);
    expect(sleeps).toEqual([25, 25]);
  });

  test("a file is read as stdin would be", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "parley-input-")), "f");
    writeFileSync(file, Buffer.from([0, 1, 2, 3, 4]));
    const got = await all(inputDatagrams({ family: 4, file, format: "raw", size: 2 }, { log: quiet, signal: new AbortController().signal, sleep: async () => true }));
    expect(got.map((b) => [...b])).toEqual([[0, 1], [2, 3], [4]]);
    await expect(all(inputDatagrams({ family: 4, file: file + ".missing" }, { log: quiet, signal: new AbortController().signal, sleep: async () => true }))).rejects.toThrow("cannot read --file");
  });
});

describe("figures and lines", () => {
  test("the summary names the kernel's drops only when there were some", () => {
    const base = { sent: 0, received: 3, bytesSent: 0, bytesReceived: 9 };
    expect(summaryLine(base)).toBe("sent 0 datagrams (0 bytes), received 3 (9 bytes)");
    expect(summaryLine({ ...base, dropped: 4 })).toBe("sent 0 datagrams (0 bytes), received 3 (9 bytes), dropped 4 (the kernel's receive buffer was full; --rcvbuf makes it bigger)");
  });

  test("a datagram that came to a group says which", () => {
    const d = { data: new Uint8Array([104, 105]), address: "10.0.0.2", port: 5000, family: 4 as const, time: new Date(0), text: "hi", to: "239.1.1.1" };
    expect(datagramLine(d)).toEndWith("  10.0.0.2:5000  to 239.1.1.1  2 bytes  hi");
    expect(JSON.parse(datagramJson(d))).toMatchObject({ to: "239.1.1.1", text: "hi" });
  });

  test("the unprivileged port limit is read from the kernel, not assumed", () => {
    const file = join(mkdtempSync(join(tmpdir(), "parley-ports-")), "start");
    writeFileSync(file, "2000\n");
    expect(unprivilegedPortStart(file)).toBe(2000);
    expect(unprivilegedPortStart(file + ".none")).toBeUndefined();
  });

  test("the chat's text goes through the chat server's sanitizer: a line break cannot start a line", () => {
    expect(sanitize("hi\n* bob left\u2028x\x1b[2J")).toBe("hi* bob leftx");
  });
});
