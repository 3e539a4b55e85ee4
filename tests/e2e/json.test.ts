// The JSON-lines framing (docs/protocol.md) against dist/parley: every
// client frame, every server frame, every error, with telnet users in the
// same room.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat(["--max-line", "256", "--motd", "be nice"]);
});
afterAll(() => parley.stop());

type JsonFrame = Record<string, unknown> & { type: string };

/** A program speaking JSON lines: hello, then frames. */
class JsonClient {
  readonly client: Client;
  private constructor(client: Client) {
    this.client = client;
  }

  static async hello(port: number): Promise<{ json: JsonClient; welcome: JsonFrame }> {
    const client = await Client.connect(port);
    client.send(JSON.stringify({ type: "hello", client: "test", version: 1 }));
    const json = new JsonClient(client);
    return { json, welcome: await json.next("welcome") };
  }

  static async join(port: number, nick: string): Promise<JsonClient> {
    const { json } = await JsonClient.hello(port);
    json.frame({ type: "nick", nick, id: "n" });
    await json.next("joined");
    return json;
  }

  frame(frame: Record<string, unknown>): void {
    this.client.send(JSON.stringify(frame));
  }

  raw(line: string): void {
    this.client.send(line);
  }

  /** The next frame of this type (frames before it are consumed). */
  async next(type: string): Promise<JsonFrame> {
    for (;;) {
      const line = await this.client.waitFor(/^\{/);
      const frame = JSON.parse(line) as JsonFrame;
      if (frame.type === type) return frame;
    }
  }
}

describe("switching to JSON", () => {
  test("a hello as the first line gets a welcome frame; the text greeting before it is skipped", async () => {
    await Client.join(parley.port, "someone");
    const { json, welcome } = await JsonClient.hello(parley.port);
    expect(welcome).toEqual({ type: "welcome", server: "parley", version: expect.any(String), protocol: 1, online: expect.any(Number), motd: "be nice" });
    expect(json.client.lines[0]).toStartWith("Welcome to parley!");
    json.client.close();
  });

  test("a hello that is not the first line is just a nickname attempt, as text", async () => {
    const c = await Client.connect(parley.port);
    await c.waitFor("choose a nickname");
    c.send("x y");
    await c.waitFor(/^! /);
    c.send(JSON.stringify({ type: "hello", version: 1 }));
    expect(await c.waitFor(/^! /)).toStartWith("! a nickname ");
    expect(c.lines.some((l) => l.startsWith("{"))).toBe(false);
    c.close();
  });
});

describe("client frames", () => {
  test("nick joins with the user list; a taken or bad nick gets an error frame with the id", async () => {
    const a = await JsonClient.join(parley.port, "jsonamy");
    const { json: b } = await JsonClient.hello(parley.port);
    b.frame({ type: "nick", nick: "JSONAMY", id: 1 });
    expect(await b.next("error")).toEqual({ type: "error", code: "nick_taken", message: "JSONAMY is taken, pick another", id: 1 });
    b.frame({ type: "nick", nick: "no way", id: 2 });
    expect(await b.next("error")).toMatchObject({ code: "nick_invalid", id: 2 });
    b.frame({ type: "nick", nick: "jsonbob", id: 3 });
    const joined = await b.next("joined");
    expect(joined).toMatchObject({ type: "joined", nick: "jsonbob", self: true, id: 3 });
    expect(joined.users).toContain("jsonamy");
    expect(await a.next("joined")).toEqual({ type: "joined", room: "#lobby", nick: "jsonbob", online: expect.any(Number) });
    b.frame({ type: "nick", nick: "again" });
    expect(await b.next("error")).toMatchObject({ code: "already_joined" });
    a.client.close();
    b.client.close();
  });

  test("say reaches text and JSON users alike; with an id the sender gets its own copy as the ack", async () => {
    const a = await JsonClient.join(parley.port, "sayj");
    const b = await JsonClient.join(parley.port, "hearj");
    const t = await Client.join(parley.port, "hears_text");
    a.frame({ type: "say", text: "你好 \x1b[31mworld 👋" });
    expect(await b.next("said")).toEqual({ type: "said", room: "#lobby", from: "sayj", text: "你好 world 👋" });
    expect(await t.waitFor("sayj:")).toBe("sayj: 你好 world 👋");
    a.frame({ type: "say", text: "acked", id: "m1" });
    expect(await a.next("said")).toEqual({ type: "said", room: "#lobby", from: "sayj", text: "acked", id: "m1" });
    t.send("from text");
    expect(await a.next("said")).toEqual({ type: "said", room: "#lobby", from: "hears_text", text: "from text" });
    for (const c of [a.client, b.client, t]) c.close();
  });

  test("msg is private; an unknown nick gets no_such_nick", async () => {
    const a = await JsonClient.join(parley.port, "msgj");
    const b = await JsonClient.join(parley.port, "msgtarget");
    a.frame({ type: "msg", to: "MSGTARGET", text: "psst", id: 9 });
    expect(await b.next("private")).toEqual({ type: "private", from: "msgj", to: "msgtarget", text: "psst" });
    expect(await a.next("private")).toEqual({ type: "private", from: "msgj", to: "msgtarget", text: "psst", id: 9 });
    a.frame({ type: "msg", to: "nobody", text: "hi", id: 10 });
    // The msg command's own answer, as a telnet user reads it (one command path).
    expect(await a.next("error")).toEqual({ type: "error", code: "no_such_nick", message: "no one called nobody is online (type l to see who is)", id: 10 });
    a.client.close();
    b.client.close();
  });

  test("rename tells everyone, the renamer with its id", async () => {
    const a = await JsonClient.join(parley.port, "renj");
    const b = await JsonClient.join(parley.port, "renwatch");
    a.frame({ type: "rename", nick: "renamedj", id: "r" });
    expect(await a.next("renamed")).toEqual({ type: "renamed", from: "renj", to: "renamedj", id: "r" });
    expect(await b.next("renamed")).toEqual({ type: "renamed", room: "#lobby", from: "renj", to: "renamedj" });
    a.frame({ type: "rename", nick: "renwatch", id: "r2" });
    expect(await a.next("error")).toMatchObject({ code: "nick_taken", id: "r2" });
    a.client.close();
    b.client.close();
  });

  test("list, help and ping answer with structured frames", async () => {
    const a = await JsonClient.join(parley.port, "asker");
    a.frame({ type: "list", id: 1 });
    const list = await a.next("list");
    expect(list.id).toBe(1);
    expect(list.users).toContainEqual({ nick: "asker", idle: expect.any(Number), connectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(list.online).toBe((list.users as unknown[]).length);
    a.frame({ type: "help", id: 2 });
    const help = await a.next("help");
    expect(help.commands).toContainEqual({ name: "msg", plugin: "secret", summary: "send TEXT to NICK only", forms: ["c:NICK:TEXT", "/msg NICK TEXT", "/tell"] });
    a.frame({ type: "ping", id: 3 });
    const pong = await a.next("pong");
    expect(pong.id).toBe(3);
    expect(Date.parse(pong.time as string)).not.toBeNaN();
    a.client.close();
  });

  test("command runs any plugin command; its replies come as system frames with the id", async () => {
    const a = await JsonClient.join(parley.port, "commander");
    const b = await JsonClient.join(parley.port, "witness");
    a.frame({ type: "command", name: "me", args: ["waves", "hello"] });
    expect(await b.next("said")).toEqual({ type: "said", room: "#lobby", from: "commander", text: "waves hello", action: true });
    // A command frame and the list frame run the same command, and get the same answer.
    a.frame({ type: "command", name: "list", id: "L" });
    expect(await a.next("list")).toMatchObject({ type: "list", id: "L" });
    a.frame({ type: "command", name: "msg", args: "witness via command" });
    expect(await b.next("private")).toMatchObject({ from: "commander", text: "via command" });
    a.frame({ type: "command", name: "msg", args: [], id: "u" });
    expect(await a.next("error")).toMatchObject({ code: "usage", id: "u" });
    a.frame({ type: "command", name: "nope", id: "x" });
    expect(await a.next("error")).toMatchObject({ code: "unknown_command", id: "x" });
    a.client.close();
    b.client.close();
  });

  test("quit says goodbye, closes, and the room sees why", async () => {
    const a = await JsonClient.join(parley.port, "quitterj");
    const b = await JsonClient.join(parley.port, "stayj");
    a.frame({ type: "quit", reason: "done here", id: "q" });
    expect(await a.next("system")).toEqual({ type: "system", text: "* bye, quitterj!", id: "q" });
    await a.client.whenClosed();
    expect(await b.next("left")).toEqual({ type: "left", room: "#lobby", nick: "quitterj", reason: "done here", online: expect.any(Number) });
    b.client.close();
  });
});

describe("mistakes never cost the connection", () => {
  test("malformed JSON, unknown type, wrong field types, frames before a nick, and an over-long line each get an error frame", async () => {
    const { json: a } = await JsonClient.hello(parley.port);
    a.frame({ type: "say", text: "too early", id: 1 });
    expect(await a.next("error")).toMatchObject({ code: "not_joined", id: 1 });
    a.raw("{not json");
    expect(await a.next("error")).toMatchObject({ code: "bad_json" });
    a.raw("[1,2]");
    expect(await a.next("error")).toMatchObject({ code: "bad_json" });
    a.frame({ type: "dance", id: 2 });
    expect(await a.next("error")).toMatchObject({ code: "bad_frame", id: 2 });
    a.frame({ type: "nick", nick: 42, id: 3 });
    expect(await a.next("error")).toMatchObject({ code: "bad_frame", id: 3 });
    a.frame({ type: "command", name: "me", args: [1], id: 4 });
    expect(await a.next("error")).toMatchObject({ code: "bad_frame", id: 4 });
    a.frame({ type: "say", text: "x".repeat(400) });
    expect(await a.next("error")).toMatchObject({ code: "too_long" });
    a.frame({ type: "nick", nick: "survivor", id: 5 });
    expect(await a.next("joined")).toMatchObject({ nick: "survivor", id: 5 });
    a.client.close();
  });

  test("at shutdown a JSON client gets a system frame before the close", async () => {
    const own = await startChat();
    const a = await JsonClient.join(own.port, "shut");
    await own.stop();
    await a.client.whenClosed();
    expect(JSON.parse(a.client.lines.at(-1)!)).toEqual({ type: "system", text: "* The server is shutting down. Bye!" });
  });
});
