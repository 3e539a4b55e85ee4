// Room history: shown to a user who joins and by /history, never with
// private messages, and with --data surviving a restart and a kill -9.

import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat } from "../helpers/parley.ts";

const REPLAY = /^\[\d\d:\d\d\] /;

describe("history on join", () => {
  test("a user who joins sees the last --history messages, marked with their time; private ones are not among them", async () => {
    const parley = await startChat(["--history", "3"]);
    const a = await Client.join(parley.port, "early");
    const w = await Client.join(parley.port, "witness");
    for (const text of ["one", "two", "three"]) a.send(text);
    a.send("/me waves");
    a.send("c:witness:a secret");
    await w.waitFor("[private]");
    const late = await Client.join(parley.port, "late");
    await late.waitFor("the last 3 messages:");
    const replayed = [await late.waitFor(REPLAY), await late.waitFor(REPLAY), await late.waitFor(REPLAY)];
    expect(replayed.map((l) => l.replace(REPLAY, ""))).toEqual(["early: two", "early: three", "** early waves"]);
    expect(late.lines.some((l) => l.includes("secret"))).toBe(false);
    for (const c of [a, w, late]) c.close();
    await parley.stop();
  });

  test("a JSON client gets the replay as said frames with history: true and the time", async () => {
    const parley = await startChat(["--history", "5"]);
    const a = await Client.join(parley.port, "talker");
    a.send("before you came");
    await a.sync();
    const j = await Client.connect(parley.port);
    j.send(JSON.stringify({ type: "hello", version: 1 }));
    j.send(JSON.stringify({ type: "nick", nick: "jsonlate" }));
    const frame = JSON.parse(await j.waitFor(/"history":true/));
    expect(frame).toEqual({ type: "said", room: "#lobby", from: "talker", text: "before you came", time: expect.stringMatching(/^\d{4}-/), history: true });
    a.close();
    j.close();
    await parley.stop();
  });

  test("/history N shows more, and --history 0 shows nothing on join", async () => {
    const parley = await startChat(["--history", "0"]);
    const a = await Client.join(parley.port, "writer");
    for (let i = 1; i <= 6; i++) a.send(`m${i}`);
    await a.sync();
    const b = await Client.join(parley.port, "asker");
    b.send("/history 4");
    expect(await b.waitFor("the last")).toBe("* the last 4 messages:");
    const shown = [];
    for (let i = 0; i < 4; i++) shown.push((await b.waitFor(REPLAY)).replace(REPLAY, ""));
    expect(shown).toEqual(["writer: m3", "writer: m4", "writer: m5", "writer: m6"]);
    expect(b.lines.some((l) => l.includes("the last") && !l.includes("4"))).toBe(false);
    b.send("/history zero");
    expect(await b.waitFor(/^! /)).toStartWith("! usage: /history [COUNT]");
    a.close();
    b.close();
    await parley.stop();
  });
});

describe("--data", () => {
  test("history survives a restart and a kill -9: every message that was relayed is there", async () => {
    const data = join(mkdtempSync(join(tmpdir(), "parley-data-")), "chat.db");
    const first = await startChat(["--data", data, "--history", "50"]);
    const a = await Client.join(first.port, "durable");
    const b = await Client.join(first.port, "seer");
    for (let i = 1; i <= 20; i++) a.send(`kept ${i}`);
    // Once the last line has reached someone, it is in the store.
    await b.waitFor("durable: kept 20");
    first.proc.kill("SIGKILL");
    await first.proc.exited;

    const second = await startChat(["--data", data, "--history", "50"]);
    const c = await Client.join(second.port, "after");
    await c.waitFor("the last 20 messages:");
    const replayed = [];
    for (let i = 0; i < 20; i++) replayed.push((await c.waitFor(REPLAY)).replace(REPLAY, ""));
    expect(replayed).toEqual(Array.from({ length: 20 }, (_, i) => `durable: kept ${i + 1}`));
    c.close();
    await second.stop();

    // And a clean restart keeps them too.
    const third = await startChat(["--data", data, "--history", "2"]);
    const d = await Client.join(third.port, "later");
    await d.waitFor("the last 2 messages:");
    expect((await d.waitFor(REPLAY)).replace(REPLAY, "")).toBe("durable: kept 19");
    d.close();
    await third.stop();
  });

  test("a store written by a newer parley is refused with a clear message", async () => {
    const data = join(mkdtempSync(join(tmpdir(), "parley-data-")), "future.db");
    const { Database } = await import("bun:sqlite");
    const db = new Database(data, { create: true });
    db.run("PRAGMA user_version = 99");
    db.close();
    const { runToEnd } = await import("../helpers/parley.ts");
    const result = await runToEnd(["chat", "--port", "0", "--host", "127.0.0.1", "--data", data]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`parley: --data file ${data} was written by a newer parley (schema 99; this one knows up to 3); upgrade parley or use another file`);
  });
});
