// Rooms on the compiled binary: users in several rooms see only their rooms'
// lines, with [#room] in front of a line from a room that is not their
// current one; keys, limits and bad input are one line each and the
// connection lives; history and topics are per room and survive a restart
// with --data; JSON frames carry `room`; a plugin sees ctx.room.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

/** Sends a line and waits for the answer that matches. */
async function ask(c: Client, line: string, match: string | RegExp): Promise<string> {
  c.send(line);
  return c.waitFor(match);
}

/** The connection lives: a command still gets its answer. */
async function alive(c: Client): Promise<void> {
  await c.sync();
}

/** A JSON-lines client (docs/protocol.md), after hello and nick. */
class Json {
  readonly client: Client;
  private read = 0;
  constructor(client: Client) {
    this.client = client;
  }
  static async join(port: number, nick: string): Promise<Json> {
    const c = await Client.connect(port);
    c.send(JSON.stringify({ type: "hello", version: 1 }));
    c.send(JSON.stringify({ type: "nick", nick }));
    const j = new Json(c);
    await j.next("joined");
    return j;
  }
  frame(f: Record<string, unknown>): void {
    this.client.send(JSON.stringify(f));
  }
  /** The next frame of `type` (and matching `where`), consuming those before it. */
  async next(type: string, where: (f: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
    for (;;) {
      while (this.read < this.client.lines.length) {
        const line = this.client.lines[this.read++]!;
        if (!line.startsWith("{")) continue;
        const f = JSON.parse(line) as Record<string, unknown>;
        if (f.type === type && where(f)) return f;
      }
      await this.client.waitFor(/^\{/).catch(() => {
        throw new Error(`closed before a ${type} frame; last lines:\n${this.client.lines.slice(-5).join("\n")}`);
      });
      // waitFor consumed a line in the client; re-read from our own index.
    }
  }
  /** Every frame received so far. */
  frames(): Record<string, unknown>[] {
    return this.client.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

describe("two rooms on one server", () => {
  let parley: Parley;
  beforeAll(async () => {
    parley = await startChat(["--history", "10"]);
  });
  afterAll(() => parley.stop());

  test("each user sees only their rooms' lines; another room's lines have its name in front", async () => {
    const amy = await Client.join(parley.port, "amy");
    const bob = await Client.join(parley.port, "bob");
    const cat = await Client.join(parley.port, "cat");
    expect(await ask(amy, "/join #help", "* you are in")).toBe("* you are in #help now, with 1 here: amy");
    expect(await ask(bob, "/join #help", "* you are in")).toBe("* you are in #help now, with 2 here: amy, bob");
    expect(await amy.waitFor("joined #help")).toBe("* bob joined #help (2 here)");

    bob.send("a help question");
    expect(await amy.waitFor("a help question")).toBe("bob: a help question");
    cat.send("lobby talk");
    // amy and bob are in #lobby too, but talk in #help: the lobby line says where it came from.
    expect(await amy.waitFor("lobby talk")).toBe("[#lobby] cat: lobby talk");
    expect(await bob.waitFor("lobby talk")).toBe("[#lobby] cat: lobby talk");
    // cat is not in #help: nothing of it reached cat.
    const catSaw = await cat.sync();
    expect(catSaw.some((l) => l.includes("help question") || l.includes("#help"))).toBe(false);

    expect(await ask(amy, "/switch #lobby", "now talking")).toBe("* now talking in #lobby: your lines go there");
    bob.send("still helping");
    expect(await amy.waitFor("still helping")).toBe("[#help] bob: still helping");
    amy.send("hi cat");
    expect(await cat.waitFor("hi cat")).toBe("amy: hi cat");
    expect(await bob.waitFor("hi cat")).toBe("[#lobby] amy: hi cat");

    // `l` lists the current room; /list #room another.
    expect(await ask(bob, "l", /^\* \d+ online/)).toBe("* 2 online in #help:");
    expect(await ask(cat, "/list #help", /^\* \d+ online/)).toBe("* 2 online in #help:");
    // The tutorial's forms are unchanged: c:NICK:TEXT is server-wide.
    cat.send("c:bob:psst");
    expect(await bob.waitFor("psst")).toBe("[private] cat: psst");
    for (const c of [amy, bob, cat]) c.close();
  });

  test("a user who leaves is announced once to each who shares rooms with them, and parting the last room leaves you in the default room", async () => {
    const dee = await Client.join(parley.port, "dee");
    const eve = await Client.join(parley.port, "eve");
    for (const c of [dee, eve]) await ask(c, "/join #two", "* you are in");
    eve.send("/nick eve2");
    await eve.waitFor("you are now");
    await dee.waitFor("is now eve2");
    eve.close();
    await dee.waitFor("eve2 left");
    const after = await dee.sync();
    const notices = [...dee.lines.filter((l) => l.includes("eve is now") || l.includes("eve2 left")), ...after.filter((l) => l.includes("eve2"))];
    expect(notices).toEqual(["* eve is now eve2", "* eve2 left (connection closed)"]);

    expect(await ask(dee, "/part #lobby", "you left")).toBe("* you left #lobby");
    // The last room parted: back in the default room, in one line.
    const said = dee.lines.length;
    dee.send("/part #two see you");
    expect(await dee.waitFor("you left")).toBe("* you left #two and are back in #lobby: your lines go there");
    await alive(dee);
    expect(dee.lines.slice(said).filter((l) => !/^\*( \d+ online|   )/.test(l))).toEqual(["* you left #two and are back in #lobby: your lines go there"]);
    expect(await ask(dee, "/part", "!")).toBe("! #lobby is the default room: it is where everyone is when in no other; /join another room first");
    await alive(dee);
    dee.close();
  });

  test("/rooms lists rooms with counts and topics; a keyed room says so and refuses a wrong key", async () => {
    const kim = await Client.join(parley.port, "kim");
    const lee = await Client.join(parley.port, "lee");
    await ask(kim, "/join #exam s3cret", "* you are in");
    kim.send("/topic finals, room 4");
    expect(await kim.waitFor("set the topic")).toBe("* kim set the topic of #exam: finals, room 4");
    expect(await ask(lee, "/join #exam", "!")).toBe("! #exam has a key: /join #exam KEY");
    expect(await ask(lee, "/join #exam guess", "!")).toBe("! wrong key for #exam");
    await alive(lee);
    lee.send("/rooms");
    await lee.waitFor(/^\* \d+ rooms/);
    const exam = await lee.waitFor("#exam");
    expect(exam).toMatch(/^\*   #exam +1 here +keyed {2}finals, room 4$/);
    lee.send("/join #exam s3cret");
    expect(await lee.waitFor("* you are in")).toBe("* you are in #exam now, with 2 here: kim, lee");
    expect(await lee.waitFor("topic of")).toBe("* topic of #exam: finals, room 4");
    expect(await ask(lee, "/topic", "topic of")).toBe("* topic of #exam: finals, room 4");
    for (const c of [kim, lee]) c.close();
  });

  test("bad room names and an over-long topic are one line each, and the connection lives", async () => {
    const max = await Client.join(parley.port, "max");
    expect(await ask(max, "/join help", "!")).toBe("! a room name starts with #, like #help");
    expect(await ask(max, `/join #${"x".repeat(33)}`, "!")).toBe("! a room name has at most 32 characters (that one has 33)");
    expect(await ask(max, "/join #hеlp", "!")).toMatch(/^! a room name may not mix scripts that look alike/);
    expect(await ask(max, "/switch #nowhere", "!")).toBe("! you are not in #nowhere: /join #nowhere");
    expect(await ask(max, "/part #nowhere", "!")).toBe("! you are not in #nowhere");
    expect(await ask(max, "/list #nowhere", "!")).toBe("! there is no room #nowhere (see /rooms)");
    expect(await ask(max, `/topic ${"t".repeat(301)}`, "!")).toBe("! a topic has at most 300 characters (that one has 301)");
    await alive(max);
    max.close();
  });
});

describe("limits", () => {
  test("rooms per user and rooms per server are flags; past them one line, and nothing is lost", async () => {
    const parley = await startChat(["--max-rooms-per-user", "2", "--max-rooms", "3"]);
    const a = await Client.join(parley.port, "a1");
    const b = await Client.join(parley.port, "b1");
    await ask(a, "/join #one", "* you are in");
    expect(await ask(a, "/join #two", "!")).toBe("! you are in 2 rooms, the most this server allows; /part one first");
    await ask(b, "/join #two", "* you are in");
    await ask(b, "/part #lobby", "you left");
    expect(await ask(b, "/join #three", "!")).toBe("! this server holds 3 rooms, its most; join one of /rooms");
    // Refused, b1 is where they were: in #two, talking there.
    expect(await ask(b, "/rooms", /^\* \d+ rooms/)).toBe("* 3 rooms (/join #room to enter one):");
    expect(await b.waitFor("#two")).toMatch(/^\*   #two +1 here +\(you talk here\)$/);
    await alive(a);
    await alive(b);
    a.close();
    b.close();
    await parley.stop();
  });
});

describe("--data: per-room history and topics survive a restart", () => {
  test("each room replays its own lines; the topic and a kept room come back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-rooms-"));
    const data = join(dir, "chat.db");
    const first = await startChat(["--data", data, "--history", "5", "--admin-password", "sesame"]);
    const a = await Client.join(first.port, "writer");
    a.send("in the lobby");
    await ask(a, "/join #notes", "* you are in");
    a.send("in notes");
    await ask(a, "/topic meeting notes", "set the topic");
    await ask(a, "/op sesame", "operator");
    expect(await ask(a, "/room keep #archive", "kept")).toBe("* #archive is kept, even when empty");
    await a.sync();
    // The writer is still in #notes when the server stops: a shutdown forgets no room.
    expect(await first.stop()).toBe(0);
    await a.whenClosed();

    const again = await startChat(["--data", data, "--history", "5"]);
    const b = await Client.join(again.port, "reader");
    expect(await b.waitFor("the last")).toBe("* the last 1 message:");
    expect((await b.waitFor("writer:")).replace(/^\[\d\d:\d\d\] /, "")).toBe("writer: in the lobby");
    b.send("/rooms");
    await b.waitFor(/^\* \d+ rooms/);
    expect(await b.waitFor("#archive")).toMatch(/^\*   #archive +0 here +kept$/);
    b.send("/join #notes");
    expect(await b.waitFor("topic of")).toBe("* topic of #notes: meeting notes");
    expect(await b.waitFor("the last")).toBe("* the last 1 message of #notes:");
    expect((await b.waitFor("writer:")).replace(/^\[\d\d:\d\d\] /, "")).toBe("writer: in notes");
    expect(await ask(b, "/history", "the last")).toBe("* the last 1 message:");
    expect(await b.waitFor("writer:")).toMatch(/writer: in notes$/);
    b.close();
    await again.stop();
  });
});

describe("a room that empties is forgotten", () => {
  test("with its history, topic and key: the next to make it starts afresh", async () => {
    const parley = await startChat(["--history", "5"]);
    const a = await Client.join(parley.port, "maker");
    await ask(a, "/join #scratch secret-key", "* you are in");
    a.send("a line of #scratch");
    await ask(a, "/topic the old topic", "set the topic");
    await ask(a, "/part #scratch", "you left");
    const b = await Client.join(parley.port, "later");
    b.send("/join #scratch");
    expect(await b.waitFor("you are in")).toBe("* you are in #scratch now, with 1 here: later");
    // No key asked, no topic, no replay: the room is new.
    const said = await b.sync();
    expect(said.filter((l) => l.includes("topic") || l.includes("the last") || l.includes("a line of"))).toEqual([]);
    expect(await ask(b, "/history", /^\* (nothing|the last)/)).toBe("* nothing has been said yet");
    a.close();
    b.close();
    await parley.stop();
  });
});

describe("JSON clients", () => {
  test("every frame about a room carries room; join, part, rooms, topic and switch frames", async () => {
    const parley = await startChat();
    const j = await Json.join(parley.port, "jay");
    const k = await Json.join(parley.port, "kay");
    j.frame({ type: "join", room: "#dev", id: 1 });
    expect(await j.next("join")).toEqual({ type: "join", room: "#dev", nick: "jay", members: 1, self: true, users: ["jay"], id: 1 });
    k.frame({ type: "join", room: "#dev" });
    expect(await j.next("join")).toEqual({ type: "join", room: "#dev", nick: "kay", members: 2 });
    k.frame({ type: "say", text: "in dev" });
    expect(await j.next("said")).toEqual({ type: "said", room: "#dev", from: "kay", text: "in dev" });
    // A program says into one of its rooms without switching.
    k.frame({ type: "say", text: "to the lobby", room: "#lobby" });
    expect(await j.next("said")).toEqual({ type: "said", room: "#lobby", from: "kay", text: "to the lobby" });
    k.frame({ type: "say", text: "nope", room: "#elsewhere", id: "x" });
    expect(await k.next("error")).toEqual({ type: "error", code: "not_in_room", message: "you are not in #elsewhere", id: "x" });
    j.frame({ type: "topic", text: "shipping", id: 2 });
    expect(await j.next("topic")).toEqual({ type: "topic", room: "#dev", topic: "shipping", by: "jay", set: true, id: 2 });
    expect(await k.next("topic")).toEqual({ type: "topic", room: "#dev", topic: "shipping", by: "jay", set: true });
    j.frame({ type: "rooms", id: 3 });
    expect(await j.next("rooms")).toEqual({ type: "rooms", rooms: [{ room: "#lobby", members: 2 }, { room: "#dev", members: 2, topic: "shipping" }], current: "#dev", id: 3 });
    j.frame({ type: "switch", room: "#lobby", id: 4 });
    expect(await j.next("switch")).toEqual({ type: "switch", room: "#lobby", id: 4 });
    j.frame({ type: "list", id: 5 });
    expect(await j.next("list")).toMatchObject({ type: "list", room: "#lobby", defaultRoom: true, online: 2, id: 5 });
    j.frame({ type: "part", room: "#dev", reason: "done", id: 6 });
    expect(await j.next("part")).toEqual({ type: "part", room: "#dev", nick: "jay", reason: "done", members: 1, self: true, id: 6 });
    expect(await k.next("part")).toEqual({ type: "part", room: "#dev", nick: "jay", reason: "done", members: 1 });
    j.frame({ type: "join", room: "bad name", id: 7 });
    expect(await j.next("error")).toEqual({ type: "error", code: "room_invalid", message: "a room name starts with #, like #help", id: 7 });
    // A part frame's room without its # is refused, not read as the reason for leaving the current room.
    j.frame({ type: "part", room: "lobby", id: 8 });
    expect(await j.next("error")).toEqual({ type: "error", code: "room_invalid", message: "a room name starts with #, like #help", id: 8 });
    j.frame({ type: "join", room: 5 });
    expect(await j.next("error")).toMatchObject({ code: "bad_frame" });
    // Every said, join, part, topic and list frame either client got names its room.
    for (const f of [...j.frames(), ...k.frames()]) {
      if (["said", "join", "part", "topic", "switch", "joined", "left", "renamed", "list"].includes(String(f.type))) expect(typeof f.room).toBe("string");
    }
    j.client.close();
    k.client.close();
    await parley.stop();
  });
});

describe("a plugin sees the room", () => {
  // The example of docs/plugins.md, as it is written there.
  const DOCS = resolve(import.meta.dir, "../../docs/plugins.md");
  const example = /<!-- example: room counter -->\s*```ts\n([\s\S]*?)```/.exec(readFileSync(DOCS, "utf8"))?.[1];

  test("docs/plugins.md's per-room counter: hooks get ctx.room, ctx.store keeps a count per room, ctx.broadcast goes to the room", async () => {
    expect(example).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), "parley-rooms-plugin-"));
    mkdirSync(join(dir, "plugins"));
    writeFileSync(join(dir, "plugins", "counter.ts"), example!);
    const parley = await startChat(["--plugins", "plugins"], { cwd: dir });
    const a = await Client.join(parley.port, "pa");
    const b = await Client.join(parley.port, "pb");
    await ask(a, "/join #quiz", "* you are in");
    for (const t of ["one", "two", "three"]) a.send(t);
    b.send("lobby line");
    await a.waitFor("lobby line");
    expect(await ask(a, "/count", "has heard")).toBe("* #quiz has heard 3 lines; in it: pa");
    expect(await ask(a, "/count #lobby", "has heard")).toBe("* #lobby has heard 1 line; in it: pa, pb");
    a.send("/cheer");
    expect(await a.waitFor("cheers")).toBe("[counter] three cheers for #quiz, one of 2 rooms!");
    // pb is not in #quiz: the cheer did not reach them.
    const seen = await b.sync();
    expect([...b.lines, ...seen].some((l) => l.includes("cheers"))).toBe(false);
    a.close();
    b.close();
    await parley.stop();
  });
});
