// Edge cases a hostile or unlucky client can hit, each found in review and
// each once a real bug: refused connections that never close, a mute left
// by a rename, unclean JSON command arguments, blank messages, a JSON
// acknowledgement of a line that was never said, an unknown protocol
// version, IPv4 clients of a dual-stack listener.

import { describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat } from "../helpers/parley.ts";

describe("a refused connection", () => {
  test("is closed by the server even when the client never closes its side", async () => {
    const parley = await startChat(["--max-connections", "1"]);
    const inside = await Client.join(parley.port, "inside");
    const refused = await Client.connect(parley.port, { allowHalfOpen: true });
    // The client keeps its side open; the server must not wait for it forever.
    await refused.whenClosed();
    expect(refused.lines).toEqual(["! server full (1 users), try again later"]);
    inside.close();
    await parley.stop();
  }, 15_000);
});

describe("operators' mutes", () => {
  test("a muted user cannot slip out of the mute with a new nickname", async () => {
    const parley = await startChat(["--admin-password", "pw"]);
    const op = await Client.join(parley.port, "mod");
    const m = await Client.join(parley.port, "mallory");
    op.send("/op pw");
    await op.waitFor("operator now");
    op.send("/mute mallory");
    await m.waitFor("muted by mod");
    m.send("/nick mallory2");
    expect(await m.waitFor(/^! /)).toBe("! you are muted: you cannot change your nickname now");
    m.send("still muted?");
    await m.waitFor("you are muted: the room");
    expect((await op.sync()).some((l) => l.includes("still muted"))).toBe(false);
    op.close();
    m.close();
    await parley.stop();
  });
});

describe("JSON clients", () => {
  const hello = JSON.stringify({ type: "hello", version: 1 });

  test("command arguments are cleaned like a typed line; blank messages are not relayed", async () => {
    const parley = await startChat();
    const j = await Client.connect(parley.port);
    j.send(hello);
    j.send(JSON.stringify({ type: "nick", nick: "jsonish", id: 1 }));
    await j.waitFor(/"joined"/);
    const t = await Client.join(parley.port, "texter");
    j.send(JSON.stringify({ type: "command", name: "me", args: ["\u001b[2J\u001b]0;owned\u0007waves\nforged"] }));
    expect(await t.waitFor("jsonish")).toBe("** jsonish wavesforged");
    j.send(JSON.stringify({ type: "say", text: "" }));
    j.send(JSON.stringify({ type: "say", text: "\u001b[2J" }));
    j.send(JSON.stringify({ type: "say", text: "visible" }));
    expect(await t.waitFor("jsonish:")).toBe("jsonish: visible");
    expect(Buffer.concat(t.received).includes(0x1b)).toBe(false);
    j.close();
    t.close();
    await parley.stop();
  });

  test("a say that a plugin drops is not acknowledged", async () => {
    const parley = await startChat(["--admin-password", "pw"]);
    const op = await Client.join(parley.port, "boss");
    const j = await Client.connect(parley.port);
    j.send(hello);
    j.send(JSON.stringify({ type: "nick", nick: "jj" }));
    await j.waitFor(/"joined"/);
    op.send("/op pw");
    await op.waitFor("operator now");
    op.send("/mute jj");
    await j.waitFor("muted by boss");
    j.send(JSON.stringify({ type: "say", text: "secret", id: 9 }));
    expect(JSON.parse(await j.waitFor(/"error"/))).toMatchObject({ message: "you are muted: the room does not see your lines", id: 9 });
    j.send(JSON.stringify({ type: "ping", id: 10 }));
    await j.waitFor(/"pong"/);
    expect(j.lines.some((l) => l.includes('"said"'))).toBe(false);
    j.close();
    op.close();
    await parley.stop();
  });

  test("a hello of another protocol version gets a JSON error and the connection closes", async () => {
    const parley = await startChat();
    const c = await Client.connect(parley.port);
    c.send(JSON.stringify({ type: "hello", version: 2 }));
    const error = JSON.parse(await c.waitFor(/^\{/));
    expect(error).toEqual({ type: "error", code: "bad_frame", message: "protocol version 2 is not supported (this server speaks 1)" });
    await c.whenClosed();
    await parley.stop();
  });
});

describe("a dual-stack listener", () => {
  test("shows an IPv4 client as 1.2.3.4, not ::ffff:1.2.3.4, so bans and limits see one form", async () => {
    const parley = await startChat(["--host", "::", "--admin-password", "pw"]);
    const op = await Client.join(parley.port, "watch");
    op.send("/op pw");
    await op.waitFor("operator now");
    op.send("/nodes");
    await op.waitFor("1 online:");
    expect(await op.waitFor(/^\*   watch/)).toMatch(/^\*   watch  127\.0\.0\.1:\d+$/);
    op.close();
    await parley.stop();
  });
});
