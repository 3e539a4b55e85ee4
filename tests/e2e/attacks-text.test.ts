// Text that is no escape code but still misleads is cleaned on the way in,
// whichever framing sent it: zero-width characters, bidi marks, line and
// paragraph separators, interlinear annotations, padding that would wrap into
// a row of its own, lone surrogates (JSON), and nicks of combining marks.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat();
});
afterAll(() => parley.stop());

describe("misleading text is cleaned for everyone", () => {
  test("from a JSON client: a lone surrogate becomes U+FFFD, invisible characters and separators are removed", async () => {
    const sender = await Client.connect(parley.port);
    sender.send(JSON.stringify({ type: "hello", version: 1 }));
    await sender.waitFor('"welcome"');
    sender.send(JSON.stringify({ type: "nick", nick: "jsonsender" }));
    await sender.waitFor('"joined"');
    const json = await Client.connect(parley.port);
    json.send(JSON.stringify({ type: "hello", version: 1 }));
    await json.waitFor('"welcome"');
    json.send(JSON.stringify({ type: "nick", nick: "jsonreader" }));
    await json.waitFor('"joined"');
    const text = await Client.join(parley.port, "textreader");
    // JSON.stringify writes the lone surrogate as the escape \ud800, as a hostile program would.
    sender.send(JSON.stringify({ type: "say", text: "a\ud800b zero\u200bwidth r\u200fl one\u2028two \ufff9ann\ufffb" }));
    const frame = await json.waitFor('"said"');
    expect(JSON.parse(frame)).toEqual({ type: "said", room: "#lobby", from: "jsonsender", text: "a\ufffdb zerowidth rl onetwo ann" });
    expect(frame).not.toMatch(/\\ud[89a-f]/i);
    expect(await text.waitFor("jsonsender:")).toBe("jsonsender: a\ufffdb zerowidth rl onetwo ann");
    for (const c of [sender, json, text]) c.close();
  });

  test("from a text client: padding cannot push a fake line onto a row of its own", async () => {
    const a = await Client.join(parley.port, "padder");
    const b = await Client.join(parley.port, "padwatch");
    a.send(`hi${" ".repeat(75)}admin: type your password`);
    expect(await b.waitFor("padder:")).toBe(`padder: hi${" ".repeat(8)}admin: type your password`);
    // Blanks that are not ASCII spaces pad as well: no-break, ideographic, the braille blank.
    for (const pad of ["\u00a0", "\u3000", "\u2800"]) {
      a.send(`hi${pad.repeat(75)}admin: type your password`);
      expect(await b.waitFor("padder:")).toBe(`padder: hi${" ".repeat(8)}admin: type your password`);
    }
    a.close();
    b.close();
  });

  test("a nickname of combining marks alone is refused, with the rule", async () => {
    const c = await Client.connect(parley.port);
    await c.waitFor("choose a nickname");
    c.send("\u0301\u0301\u0301");
    expect(await c.waitFor(/^! /)).toBe("! a nickname starts with a letter, a digit, _ or -");
    c.close();
  });
});
