// The everyday comforts (issue 14) against dist/parley, for text users (a
// raw socket, as nc is) and JSON clients in one room: /away and /back,
// /whois, /ignore, /quiet, /timestamps, /bell and mentions. The telnet and
// parley connect terminals are in comforts-terminal.test.ts; ignores kept
// with an account in comforts-ignore-account.test.ts.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

const ADMIN = "rootpass1";
let parley: Parley;
beforeAll(async () => {
  parley = await startChat(["--admin-password", ADMIN]);
});
afterAll(() => parley.stop());

type JsonFrame = Record<string, unknown> & { type: string };

/** A program speaking JSON lines. */
class Json {
  readonly client: Client;
  private constructor(client: Client) {
    this.client = client;
  }
  static async join(nick: string): Promise<Json> {
    const client = await Client.connect(parley.port);
    client.send(JSON.stringify({ type: "hello", version: 1 }));
    const json = new Json(client);
    await json.next("welcome");
    json.frame({ type: "nick", nick });
    await json.next("joined");
    return json;
  }
  frame(frame: Record<string, unknown>): void {
    this.client.send(JSON.stringify(frame));
  }
  command(name: string, ...args: string[]): void {
    this.frame({ type: "command", name, args });
  }
  async next(type: string): Promise<JsonFrame> {
    for (;;) {
      const frame = JSON.parse(await this.client.waitFor(/^\{/)) as JsonFrame;
      if (frame.type === type) return frame;
    }
  }
  /** Every frame until the answer to a ping: all the server sent before it has arrived. */
  async sync(): Promise<JsonFrame[]> {
    this.frame({ type: "ping", id: "sync" });
    const seen: JsonFrame[] = [];
    for (;;) {
      const frame = JSON.parse(await this.client.waitFor(/^\{/)) as JsonFrame;
      if (frame.type === "pong" && frame.id === "sync") return seen;
      seen.push(frame);
    }
  }
}

/** The rows of a text user's `l`, after its heading. */
async function listRows(client: Client): Promise<string[]> {
  client.send("l");
  const heading = await client.waitFor(/^\* \d+ online:$/);
  const n = Number(/\d+/.exec(heading)![0]);
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(await client.waitFor(/^\*   /));
  return rows;
}

const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
/** The minute now and the one before (a line may cross a minute's end on its way). */
const nowStamps = () => new Set([hhmm(new Date()), hhmm(new Date(Date.now() - 60_000))]);

describe("away", () => {
  test("/away TEXT marks you in `l`; a private message to you is answered with TEXT; /back ends it", async () => {
    const amy = await Client.join(parley.port, "awayamy");
    const bob = await Client.join(parley.port, "awaybob");
    amy.send("/away at lunch, back at 2");
    expect(await amy.waitFor("you are away")).toBe("* you are away: at lunch, back at 2 (/back when you return)");
    expect((await listRows(bob)).find((r) => r.includes("awayamy"))).toMatch(/^\*   awayamy  idle \d+s  \(away: at lunch, back at 2\)$/);
    expect((await listRows(bob)).find((r) => r.includes("awaybob"))).not.toContain("away:");

    bob.send("/msg awayamy are you there?");
    expect(await bob.waitFor("[private]")).toBe("[private] you -> awayamy: are you there?");
    expect(await bob.waitFor("is away")).toBe("* awayamy is away: at lunch, back at 2");
    // The message itself still reaches them, for when they are back.
    expect(await amy.waitFor("[private]")).toBe("[private] awaybob: are you there?");
    // The colon form is the same command.
    bob.send("c:awayamy:hello?");
    expect(await bob.waitFor("is away")).toBe("* awayamy is away: at lunch, back at 2");

    // Saying something does not end it; /back does.
    amy.send("just passing");
    await bob.waitFor("just passing");
    expect((await listRows(bob)).find((r) => r.includes("awayamy"))).toContain("(away: at lunch");
    amy.send("/back");
    expect(await amy.waitFor("back")).toBe("* you are back");
    expect((await listRows(bob)).find((r) => r.includes("awayamy"))).not.toContain("(away");
    bob.send("/msg awayamy welcome back");
    await bob.waitFor("[private] you -> awayamy: welcome back");
    expect((await bob.sync()).filter((l) => l.includes("is away"))).toEqual([]);

    amy.send("/back");
    expect(await amy.waitFor(/^! /)).toBe("! you are not away (/away TEXT marks you)");
    amy.send("/away");
    expect(await amy.waitFor("you are away")).toBe("* you are away (/back when you return)");
    expect((await listRows(bob)).find((r) => r.includes("awayamy"))).toMatch(/\(away\)$/);
    amy.close();
    bob.close();
  });

  test("an away text is cleaned and kept to one short line", async () => {
    const amy = await Client.join(parley.port, "awayclean");
    const bob = await Client.join(parley.port, "awayclean2");
    amy.send(`/away \x1b[31mred\x1b[0m \x07${"x".repeat(400)}`);
    await amy.waitFor("you are away");
    bob.send("/msg awayclean hi");
    const answer = await bob.waitFor("is away");
    expect(answer).toBe(`* awayclean is away: red ${"x".repeat(200 - "red ".length)}`);
    amy.close();
    bob.close();
  });

  test("JSON: the list frame carries `away`, /away answers with an away frame, and a private message with the target's", async () => {
    const amy = await Json.join("awayjson");
    const bob = await Json.join("awayjson2");
    amy.command("away", "in a meeting");
    expect(await amy.next("away")).toEqual({ type: "away", nick: "awayjson", text: "in a meeting", self: true });
    bob.frame({ type: "list", id: 7 });
    const list = await bob.next("list");
    expect(list.id).toBe(7);
    const users = list.users as { nick: string; away?: string }[];
    expect(users.find((u) => u.nick === "awayjson")!.away).toBe("in a meeting");
    expect(users.find((u) => u.nick === "awayjson2")).not.toHaveProperty("away");
    bob.frame({ type: "msg", to: "awayjson", text: "ping", id: "m1" });
    expect(await bob.next("away")).toEqual({ type: "away", nick: "awayjson", text: "in a meeting", id: "m1" });
    amy.frame({ type: "command", name: "back", id: "b" });
    expect(await amy.next("back")).toEqual({ type: "back", nick: "awayjson", id: "b" });
    amy.client.close();
    bob.client.close();
  });
});

describe("whois", () => {
  test("idle time, connected since and away text; the address only for operators", async () => {
    const amy = await Client.join(parley.port, "whoamy");
    const bob = await Client.join(parley.port, "whobob");
    amy.send("/away brb");
    await amy.waitFor("you are away");
    bob.send("/whois WHOAMY");
    expect(await bob.waitFor(/^\* whoamy$/)).toBe("* whoamy");
    const rows = [await bob.waitFor(/^\*   /), await bob.waitFor(/^\*   /), await bob.waitFor(/^\*   /)];
    // How they are connected too: whois tells a browser user from a telnet one.
    expect(rows[0]).toMatch(/^\*   connected since \d{4}-\d\d-\d\d \d\d:\d\d, in text \(telnet, nc, PuTTY\)$/);
    expect(/(\d\d:\d\d),/.exec(rows[0]!)![1]).toBeOneOf([...nowStamps()]);
    expect(rows[1]).toMatch(/^\*   idle \d+s$/);
    expect(rows[2]).toBe("*   away: brb");
    const after = await bob.sync();
    expect(after.join("\n")).not.toContain("127.0.0.1");
    expect(after.join("\n")).not.toContain("address");

    bob.send(`/op ${ADMIN}`);
    await bob.waitFor("operator now");
    bob.send("/whois whoamy");
    await bob.waitFor(/^\* whoamy$/);
    const port = amy.socket.localPort;
    expect(await bob.waitFor("address")).toBe(`*   address 127.0.0.1:${port}`);

    bob.send("/whois nobody_here");
    expect(await bob.waitFor(/^! /)).toBe("! no one called nobody_here is online (type l to see who is)");
    bob.send("/whois");
    expect(await bob.waitFor(/^! /)).toBe("! usage: /whois NICK");
    amy.close();
    bob.close();
  });

  test("JSON: a whois frame; address only for an operator", async () => {
    const amy = await Json.join("whojson");
    const bob = await Json.join("whojson2");
    bob.frame({ type: "command", name: "whois", args: ["whojson"], id: 1 });
    const frame = await bob.next("whois");
    expect(Object.keys(frame).sort()).toEqual(["client", "connectedAt", "id", "idle", "nick", "rooms", "type"]);
    expect(frame.client).toBe("json");
    expect(frame.nick).toBe("whojson");
    expect(frame.rooms).toEqual(["#lobby"]);
    expect(Math.abs(Date.parse(frame.connectedAt as string) - Date.now())).toBeLessThan(60_000);
    expect(frame.idle).toBeNumber();
    bob.command("op", ADMIN);
    await bob.next("system");
    bob.command("whois", "whojson");
    expect((await bob.next("whois")).address).toBe(`127.0.0.1:${amy.client.socket.localPort}`);
    amy.client.close();
    bob.client.close();
  });

  test("a registered user's whois says so", async () => {
    const amy = await Client.join(parley.port, "whoreg");
    amy.send("/register longpassword");
    await amy.waitFor("registered to you");
    const bob = await Client.join(parley.port, "whoreg2");
    bob.send("/whois whoreg");
    await bob.waitFor(/^\* whoreg$/);
    expect(await bob.waitFor(/^\*   /)).toBe("*   registered, logged in as whoreg");
    amy.close();
    bob.close();
  });
});

describe("ignore", () => {
  test("an ignored user's room lines, actions and private messages do not reach you; everyone else's do, and others still see them", async () => {
    const amy = await Client.join(parley.port, "ignamy");
    const troll = await Client.join(parley.port, "igntroll");
    const carl = await Client.join(parley.port, "igncarl");
    amy.send("/ignore IGNTROLL");
    expect(await amy.waitFor("ignore")).toBe("* you ignore (1): igntroll");
    troll.send("spam spam");
    troll.send("/me spams");
    troll.send("/msg ignamy psst");
    troll.send("c:ignamy:psst again");
    carl.send("hello all");
    expect(await amy.waitFor("hello all")).toBe("igncarl: hello all");
    expect(await carl.waitFor("spam spam")).toBe("igntroll: spam spam");
    expect(await carl.waitFor("spams")).toBe("** igntroll spams");
    // The troll is not told: their own copies of the private messages say they went.
    expect(await troll.waitFor("[private] you")).toBe("[private] you -> ignamy: psst");
    expect(await troll.waitFor("[private] you")).toBe("[private] you -> ignamy: psst again");
    // All the troll sent was handled before amy asks for the list.
    const seen = await amy.sync();
    expect(seen.filter((l) => l.includes("igntroll"))).toEqual([]);
    expect(amy.lines.filter((l) => l.includes("spam") || l.includes("psst"))).toEqual([]);

    // Nor in what /history shows them; others see it all.
    amy.send("/history 100");
    await amy.waitFor("the last");
    carl.send("/history 100");
    await carl.waitFor("the last");
    expect(await carl.waitFor("spam spam")).toMatch(/^\[\d\d:\d\d\] igntroll: spam spam$/);
    const shown = await amy.sync();
    expect(shown.some((l) => l.includes("igncarl: hello all"))).toBe(true);
    expect(shown.filter((l) => l.includes("igntroll"))).toEqual([]);

    amy.send("/ignore");
    expect(await amy.waitFor("ignore")).toBe("* you ignore (1): igntroll");
    amy.send("/unignore igntroll");
    expect(await amy.waitFor("ignore")).toBe("* you ignore no one");
    troll.send("now you hear me");
    expect(await amy.waitFor("now you hear me")).toBe("igntroll: now you hear me");
    for (const c of [amy, troll, carl]) c.close();
  });

  test("an ignore follows its person through a rename; the rename notice is shown", async () => {
    const amy = await Client.join(parley.port, "folamy");
    const troll = await Client.join(parley.port, "foltroll");
    amy.send("/ignore foltroll");
    await amy.waitFor("you ignore");
    troll.send("/nick folnice");
    expect(await amy.waitFor("is now")).toBe("* foltroll is now folnice");
    troll.send("I am someone else now");
    troll.send("/msg folamy really");
    await troll.waitFor("[private] you -> folamy: really");
    expect((await amy.sync()).filter((l) => l.includes("someone else") || l.includes("really"))).toEqual([]);
    amy.send("/ignore");
    expect(await amy.waitFor("ignore")).toBe("* you ignore (1): folnice");
    // Either name ends it.
    amy.send("/unignore foltroll");
    expect(await amy.waitFor("ignore")).toBe("* you ignore no one");
    amy.close();
    troll.close();
  });

  test("mistakes get one line each and the connection lives", async () => {
    const amy = await Client.join(parley.port, "igmiss");
    amy.send("/ignore igmiss");
    expect(await amy.waitFor(/^! /)).toBe("! you cannot ignore yourself");
    amy.send("/unignore nobody");
    expect(await amy.waitFor(/^! /)).toBe("! you do not ignore nobody");
    amy.send("/ignore someone");
    await amy.waitFor("you ignore (1): someone");
    amy.send("/ignore SOMEONE");
    expect(await amy.waitFor(/^! /)).toBe("! you ignore SOMEONE already (/unignore SOMEONE to stop)");
    amy.send("/ignore a b");
    expect(await amy.waitFor(/^! /)).toBe("! usage: /ignore [NICK]");
    // A word as long as a line is kept short.
    amy.send(`/ignore ${"z".repeat(3000)}`);
    expect(await amy.waitFor("you ignore (2)")).toBe(`* you ignore (2): someone, ${"z".repeat(64)}`);
    expect(await listRows(amy)).toContainEqual(expect.stringContaining("igmiss"));
    amy.close();
  });

  test("at most 100 people; the 101st is refused", async () => {
    const amy = await Client.join(parley.port, "igfull");
    for (let i = 0; i < 100; i++) amy.send(`/ignore p${i}`);
    await amy.waitFor("you ignore (100):");
    amy.send("/ignore p100");
    expect(await amy.waitFor(/^! /)).toBe("! you ignore 100 people already; /unignore someone first");
    amy.close();
  });

  test("JSON: an ignore frame, and an ignored user's frames do not arrive", async () => {
    const amy = await Json.join("igjson");
    const troll = await Client.join(parley.port, "igjsontroll");
    amy.frame({ type: "command", name: "ignore", args: ["igjsontroll"], id: "i" });
    expect(await amy.next("ignore")).toEqual({ type: "ignore", nicks: ["igjsontroll"], id: "i" });
    troll.send("noise");
    troll.send("/msg igjson noise");
    await troll.waitFor("[private] you");
    expect((await amy.sync()).filter((f) => f.type === "said" || f.type === "private")).toEqual([]);
    amy.client.close();
    troll.close();
  });
});

describe("quiet", () => {
  test("hides join and leave notices only; lines, renames and answers still come", async () => {
    const amy = await Client.join(parley.port, "qamy");
    amy.send("/quiet on");
    expect(await amy.waitFor("quiet")).toBe("* quiet: join and leave notices are hidden (/quiet off shows them)");
    // A user without quiet is sent every notice in the same pass as amy would be.
    const watcher = await Client.join(parley.port, "qwatch");
    const bob = await Client.join(parley.port, "qbob");
    await watcher.waitFor("* qbob joined");
    bob.send("/nick qrob");
    bob.send("hi there");
    expect(await amy.waitFor("hi there")).toBe("qrob: hi there");
    bob.close();
    await watcher.waitFor("* qrob left");
    const seen = await amy.sync();
    expect(amy.lines.filter((l) => / joined \(| left \(/.test(l))).toEqual([]);
    expect(seen.filter((l) => l.includes("left"))).toEqual([]);
    expect(amy.lines).toContain("* qbob is now qrob");

    amy.send("/quiet off");
    expect(await amy.waitFor("notices")).toBe("* join and leave notices are shown again");
    const cat = await Client.join(parley.port, "qcat");
    expect(await amy.waitFor("joined")).toMatch(/^\* qcat joined \(\d+ online\)$/);
    cat.close();
    expect(await amy.waitFor("left")).toBe("* qcat left (connection closed)");
    // Alone, it flips; a wrong word is one line.
    amy.send("/quiet");
    expect(await amy.waitFor("quiet")).toStartWith("* quiet: join and leave notices are hidden");
    amy.send("/quiet maybe");
    expect(await amy.waitFor(/^! /)).toBe("! /quiet takes on or off");
    amy.close();
    watcher.close();
  });
});

describe("quiet, for a program", () => {
  test("no joined or left frames of others while on; renamed and said frames still come", async () => {
    const amy = await Json.join("qjson");
    amy.frame({ type: "command", name: "quiet", args: ["on"], id: "q" });
    expect(await amy.next("system")).toEqual({ type: "system", text: "* quiet: join and leave notices are hidden (/quiet off shows them)", id: "q" });
    // A text user without quiet sees what amy is spared; each notice reaches every member at once.
    const carl = await Client.join(parley.port, "qjsoncarl");
    const bob = await Client.join(parley.port, "qjsonbob");
    await carl.waitFor("* qjsonbob joined");
    bob.send("/nick qjsonrob");
    bob.send("still here");
    await bob.waitFor("you are now qjsonrob");
    bob.close();
    await carl.waitFor("* qjsonrob left");
    const frames = await amy.sync();
    expect(frames.filter((f) => f.type === "joined" || f.type === "left")).toEqual([]);
    expect(frames).toContainEqual({ type: "renamed", room: "#lobby", from: "qjsonbob", to: "qjsonrob" });
    expect(frames).toContainEqual({ type: "said", room: "#lobby", from: "qjsonrob", text: "still here" });
    amy.client.close();
    carl.close();
  });
});

describe("timestamps", () => {
  test("a text user's live lines start with [HH:MM], the server's local time; answers to their own commands do not", async () => {
    const amy = await Client.join(parley.port, "tsamy");
    const bob = await Client.join(parley.port, "tsbob");
    amy.send("/timestamps on");
    expect(await amy.waitFor("timestamps")).toBe("* timestamps on: live lines start with [HH:MM], the server's local time");
    bob.send("hi amy-less");
    const line = await amy.waitFor("hi amy-less");
    expect(line).toMatch(/^\[\d\d:\d\d\] tsbob: hi amy-less$/);
    expect(nowStamps()).toContain(line.slice(1, 6));
    bob.send("/me waves");
    expect(await amy.waitFor("waves")).toMatch(/^\[\d\d:\d\d\] \*\* tsbob waves$/);
    bob.send("/msg tsamy psst");
    expect(await amy.waitFor("psst")).toMatch(/^\[\d\d:\d\d\] \[private\] tsbob: psst$/);
    bob.send("/nick tsrob");
    expect(await amy.waitFor("is now")).toMatch(/^\[\d\d:\d\d\] \* tsbob is now tsrob$/);
    // Answers to one's own commands are not live lines.
    const rows = await listRows(amy);
    expect(rows.every((r) => r.startsWith("*   "))).toBe(true);
    // Bob, without timestamps, reads plain lines.
    amy.send("hello back");
    expect(await bob.waitFor("hello back")).toBe("tsamy: hello back");
    amy.send("/timestamps off");
    await amy.waitFor("timestamps off");
    bob.send("plain again");
    expect(await amy.waitFor("plain again")).toBe("tsrob: plain again");
    amy.close();
    bob.close();
  });

  test("a line cannot pass for another's: the real time and sender always come first", async () => {
    const amy = await Client.join(parley.port, "tsfamy");
    const bob = await Client.join(parley.port, "tsfbob");
    amy.send("/timestamps on");
    await amy.waitFor("timestamps on");
    bob.send("[09:00] tsfcarl: I owe bob $100");
    bob.send("\r[09:00] tsfcarl: carriage return");
    bob.send("\x1b[2K\r[09:00] tsfcarl: escapes");
    bob.send(`${" ".repeat(40)}[09:00] tsfcarl: padded`);
    const lines = [await amy.waitFor("owe"), await amy.waitFor("carriage"), await amy.waitFor("escapes"), await amy.waitFor("padded")];
    for (const l of lines) expect(l).toMatch(/^\[\d\d:\d\d\] tsfbob: /);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d\] tsfbob: \[09:00\] tsfcarl: I owe bob \$100$/);
    expect(lines[3]).toMatch(/^\[\d\d:\d\d\] tsfbob: {1,9}\[09:00\] tsfcarl: padded$/);
    amy.close();
    bob.close();
  });

  test("JSON clients get the data as it is: no [HH:MM] in the text", async () => {
    const amy = await Json.join("tsjson");
    const bob = await Client.join(parley.port, "tsjsonbob");
    amy.command("timestamps", "on");
    await amy.next("system");
    bob.send("raw text");
    expect(await amy.next("said")).toEqual({ type: "said", room: "#lobby", from: "tsjsonbob", text: "raw text" });
    amy.client.close();
    bob.close();
  });
});

const BEL = 0x07;
const bells = (c: Client) => Buffer.concat(c.received).filter((b) => b === BEL).length;

describe("mentions and the bell", () => {
  test("after /bell on, a line that says your nick rings your bell (BEL), once, at its end; nothing else does", async () => {
    const amy = await Client.join(parley.port, "bellamy");
    const bob = await Client.join(parley.port, "bellbob");
    bob.send("bellamy: before the bell is on");
    expect(await amy.waitFor("before the bell")).toBe("bellbob: bellamy: before the bell is on");
    expect(bells(amy)).toBe(0);

    amy.send("/bell on");
    expect(await amy.waitFor("bell on")).toBe("* bell on: your terminal beeps when a line says your nick");
    bob.send("hey BellAmy, lunch?");
    expect(await amy.waitFor("lunch?")).toBe("bellbob: hey BellAmy, lunch?\x07");
    expect(bells(amy)).toBe(1);
    bob.send("/me pokes @bellamy");
    expect(await amy.waitFor("pokes")).toBe("** bellbob pokes @bellamy\x07");
    expect(bells(amy)).toBe(2);

    // Not a mention: another word, a private message, a bell typed in, escapes that end in BEL.
    bob.send("bellamyish is not a nick");
    bob.send("/msg bellamy private bellamy");
    bob.send("ring \x07\x07 ring");
    bob.send("\x1b]0;title\x07 title");
    bob.send("/me \x07");
    bob.send("/nick bellbob2");
    await amy.waitFor("is now");
    await amy.sync();
    const all = amy.lines.join("\n");
    expect(all).toContain("bellbob: bellamyish is not a nick");
    expect(all).toContain("[private] bellbob: private bellamy");
    expect(all).toContain("bellbob: ring  ring");
    expect(bells(amy)).toBe(2);
    // Bob's own screen never rings for amy's name.
    expect(bells(bob)).toBe(0);

    amy.send("/bell off");
    await amy.waitFor("bell off");
    bob.send("bellamy again");
    await amy.waitFor("bellamy again");
    expect(bells(amy)).toBe(2);
    amy.close();
    bob.close();
  });

  test("with timestamps and the bell: the stamp in front, the bell at the end", async () => {
    const amy = await Client.join(parley.port, "bothamy");
    const bob = await Client.join(parley.port, "bothbob");
    amy.send("/bell on");
    amy.send("/timestamps on");
    await amy.waitFor("timestamps on");
    bob.send("bothamy!");
    expect(await amy.waitFor("bothamy!")).toMatch(/^\[\d\d:\d\d\] bothbob: bothamy!\x07$/);
    amy.close();
    bob.close();
  });

  test("JSON: a said frame that names you carries mention: true, and never a BEL", async () => {
    const amy = await Json.join("menjson");
    const bob = await Client.join(parley.port, "menjsonbob");
    const carl = await Json.join("menjsoncarl");
    amy.command("bell", "on");
    await amy.next("system");
    bob.send("MenJson, look");
    expect(await amy.next("said")).toEqual({ type: "said", room: "#lobby", from: "menjsonbob", text: "MenJson, look", mention: true });
    expect(await carl.next("said")).toEqual({ type: "said", room: "#lobby", from: "menjsonbob", text: "MenJson, look" });
    bob.send("menjsonish");
    expect(await amy.next("said")).toEqual({ type: "said", room: "#lobby", from: "menjsonbob", text: "menjsonish" });
    // A sender's own acknowledged copy is no mention of itself.
    amy.frame({ type: "say", text: "I am menjson", id: "s" });
    expect(await amy.next("said")).toEqual({ type: "said", room: "#lobby", from: "menjson", text: "I am menjson", id: "s" });
    expect(Buffer.concat(amy.client.received).includes(BEL)).toBe(false);
    for (const c of [amy.client, bob, carl.client]) c.close();
  });
});

describe("help lists the comforts", () => {
  test("every new command, with its forms", async () => {
    const amy = await Client.join(parley.port, "helpamy");
    amy.send("/help");
    await amy.waitFor("Commands:");
    const rows: string[] = [];
    for (let line = await amy.waitFor(/^\*/); !line.includes("help COMMAND"); line = await amy.waitFor(/^\*/)) rows.push(line);
    for (const form of ["/away [TEXT]", "/back", "/whois NICK", "/ignore [NICK]", "/unignore NICK", "/quiet [on|off]", "/timestamps [on|off]", "/bell [on|off]"]) {
      expect(rows.some((r) => r.includes(form))).toBe(true);
    }
    amy.close();
  });
});
