// The bytes on the wire: telnet negotiation, line ends, UTF-8 split across
// segments, several lines per segment. Against dist/parley over loopback.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat();
});
afterAll(() => parley.stop());

const IAC = 0xff;

describe("telnet negotiation", () => {
  test("the options a telnet client offers are refused once each and never reach the nickname", async () => {
    const watcher = await Client.join(parley.port, "watcher1");
    const c = await Client.connect(parley.port);
    await c.waitFor("choose a nickname");
    // The tutorial's capture: WILL NAWS, WILL TSPEED, WILL TTYPE, WILL NEW-ENVIRON, DO ECHO, WILL SGA, DO SGA.
    const handshake = Buffer.from("FFFB1FFFFB20FFFB18FFFB27FFFD01FFFB03FFFD03", "hex");
    // Then a NAWS subnegotiation, and the nickname with an escaped 0xFF-free name.
    await c.write(Buffer.concat([handshake, Buffer.from("FFFA1F00500018FFF0", "hex"), Buffer.from("tel\r\n")]));
    expect(await watcher.waitFor("joined")).toBe("* tel joined (2 online)");
    const bytes = Buffer.concat(c.received);
    const replies: string[] = [];
    for (let i = bytes.indexOf(IAC); i !== -1; i = bytes.indexOf(IAC, i + 3)) replies.push(bytes.subarray(i, i + 3).toString("hex"));
    // DONT for each WILL, WONT for each DO, nothing for the subnegotiation.
    expect(replies.sort()).toEqual(["fffe1f", "fffe20", "fffe18", "fffe27", "fffc01", "fffe03", "fffc03"].sort());
    // A DONT for an option already off is not answered (RFC 1143: no loops).
    await c.write(Buffer.from("FFFE1FFFFC01", "hex"));
    await c.sync();
    const after = Buffer.concat(c.received);
    expect(after.subarray(bytes.length).includes(IAC)).toBe(false);
    c.close();
    watcher.close();
  });

  test("IAC IAC, IAC EC and backspace edit the line as the user saw it", async () => {
    const a = await Client.join(parley.port, "editor");
    const b = await Client.join(parley.port, "reader1");
    // "helo" + BS + "lo", "x" + IAC EC, DEL; telnet's erase-line (IAC EL) drops what came before.
    await a.write(Buffer.concat([Buffer.from("junk"), Buffer.from([IAC, 248]), Buffer.from("helo\x08lo wor"), Buffer.from("x"), Buffer.from([IAC, 247]), Buffer.from("ld!?\x7f\r\n")]));
    expect(await b.waitFor("editor:")).toBe("editor: hello world!");
    a.close();
    b.close();
  });

  test("a telnet client's 0xFF data byte (IAC IAC) is never sent raw to others", async () => {
    const a = await Client.join(parley.port, "ffsender");
    const b = await Client.join(parley.port, "ffreader");
    await a.write(Buffer.from([0x61, IAC, IAC, 0x62, 0x0d, 0x0a]));
    // 0xFF alone is not UTF-8: it arrives as U+FFFD, never as a command byte.
    expect(await b.waitFor("ffsender:")).toBe("ffsender: a\uFFFDb");
    expect(Buffer.concat(b.received).includes(IAC)).toBe(false);
    a.close();
    b.close();
  });

  test("a plain nc client that sends no IAC gets plain text with no negotiation", async () => {
    const c = await Client.connect(parley.port);
    await c.waitFor("choose a nickname");
    c.send("plainnc");
    await c.waitFor("* Hi plainnc!");
    expect(Buffer.concat(c.received).includes(IAC)).toBe(false);
    c.close();
  });
});

describe("line ends and segments", () => {
  test("LF, CR LF, CR NUL and a bare CR all end a line; several lines in one segment all arrive", async () => {
    const a = await Client.join(parley.port, "ender");
    const b = await Client.join(parley.port, "reader2");
    await a.write("one\ntwo\r\nthree\r\0four\rfive\r\n");
    for (const word of ["one", "two", "three", "four", "five"]) expect(await b.waitFor("ender:")).toBe(`ender: ${word}`);
    a.close();
    b.close();
  });

  test("one line across many segments, a character split between two, arrives whole", async () => {
    const a = await Client.join(parley.port, "splitter");
    const b = await Client.join(parley.port, "reader3");
    const bytes = Buffer.from("分段的中文 and 😀 emoji\r\n");
    // Each write is awaited before the next: separate segments, split mid-character.
    for (let i = 0; i < bytes.length; i += 2) await a.write(bytes.subarray(i, i + 2));
    expect(await b.waitFor("splitter:")).toBe("splitter: 分段的中文 and 😀 emoji");
    a.close();
    b.close();
  });

  test("invalid UTF-8 becomes U+FFFD instead of breaking anything", async () => {
    const a = await Client.join(parley.port, "badutf");
    const b = await Client.join(parley.port, "reader4");
    await a.write(Buffer.from([0x6f, 0x6b, 0x20, 0xc3, 0x28, 0x20, 0xe2, 0x82, 0x0d, 0x0a]));
    expect(await b.waitFor("badutf:")).toBe("badutf: ok \uFFFD( \uFFFD");
    a.close();
    b.close();
  });
});
