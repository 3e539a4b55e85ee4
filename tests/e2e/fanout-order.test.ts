// The room's fan-out through its turn buffer (core/chat/turn-buffer.ts),
// against dist/parley with real sockets: senders paste bursts of lines in
// one write, so many lines share an event-loop turn and one write per
// reader. Every reader, whichever way it reads (plain text, JSON lines,
// with timestamps on, in two rooms), gets every other sender's lines whole
// and in order, never its own; a private message sent in the middle of a
// burst arrives between the lines sent before it and after it; a JSON
// reader named in a line gets that line's mention flag.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";

let parley: Parley;
beforeAll(async () => {
  parley = await startChat([]);
});
afterAll(() => parley.stop());

/** A JSON-lines client on the chat port: hello, then a nick. */
async function jsonClient(port: number, nick: string): Promise<Client> {
  const c = await Client.connect(port);
  c.send(JSON.stringify({ type: "hello", client: "fanout-test", version: 1 }));
  await c.waitFor('"type":"welcome"');
  c.send(JSON.stringify({ type: "nick", nick, id: "n" }));
  await c.waitFor('"self":true');
  return c;
}

const SENDERS = 4;
const LINES = 300;
const PM_AT = 150;

/** The numbers of `sender`'s burst lines in what a text reader saw, in the order seen. */
function burstOf(lines: readonly string[], sender: string): number[] {
  const re = new RegExp(`^(?:\\[\\d\\d:\\d\\d\\] )?(?:\\[#lobby\\] )?${sender}: burst (\\d+)$`);
  return lines.flatMap((l) => {
    const m = re.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("a burst relayed through the turn buffer", () => {
  test("reaches every kind of reader whole and in order, with a private message in its place and mentions flagged", async () => {
    const port = parley.port;
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => Client.join(port, `s${i}`)));
    const plain = await Promise.all(Array.from({ length: 12 }, (_, i) => Client.join(port, `p${i}`)));
    const stamped = await Client.join(port, "stamped");
    stamped.send("/timestamps on");
    await stamped.waitFor(/timestamps/i);
    const twoRooms = await Client.join(port, "tworooms");
    twoRooms.send("/join #side");
    await twoRooms.waitFor("you are in #side");
    const json = await jsonClient(port, "jsonreader");
    for (const c of [...senders, ...plain, stamped, twoRooms]) await c.sync();

    // Each sender pastes its whole burst in one write; s0's has a private message to p0 in the middle,
    // and a line that names the JSON reader.
    await Promise.all(
      senders.map((s, i) => {
        const lines: string[] = [];
        for (let n = 0; n < LINES; n++) {
          if (i === 0 && n === PM_AT) lines.push("/msg p0 between 149 and 150");
          lines.push(`burst ${n}`);
        }
        if (i === 0) lines.push("that was it, jsonreader");
        return s.write(lines.map((l) => l + "\r\n").join(""));
      }),
    );
    const last = (i: number) => (i === 0 ? "s0: that was it, jsonreader" : `s${i}: burst ${LINES - 1}`);
    const textReaders = [...plain, stamped, twoRooms];
    for (const r of textReaders) for (let i = 0; i < SENDERS; i++) await r.waitFor(last(i));
    for (const s of senders) await s.sync();
    // Asked after every burst was relayed: the answer comes after all of them.
    json.send(JSON.stringify({ type: "list", id: "after" }));
    await json.waitFor('"id":"after"');

    for (const r of textReaders) {
      for (let i = 0; i < SENDERS; i++) expect(burstOf(r.lines, `s${i}`)).toEqual(upTo(LINES));
    }
    // Each sender saw the other senders' bursts and none of its own lines.
    for (let i = 0; i < SENDERS; i++) {
      expect(burstOf(senders[i]!.lines, `s${i}`)).toEqual([]);
      for (let j = 0; j < SENDERS; j++) if (j !== i) expect(burstOf(senders[i]!.lines, `s${j}`)).toEqual(upTo(LINES));
    }
    // The one in two rooms reads #lobby from #side: the room in front.
    expect(twoRooms.lines).toContain("[#lobby] s1: burst 0");
    // Timestamps: a reader's own setting, on every live line.
    expect(stamped.lines.some((l) => /^\[\d\d:\d\d\] s1: burst 0$/.test(l))).toBe(true);

    // The private message is where s0 sent it among its lines.
    const at = (l: string) => plain[0]!.lines.indexOf(l);
    const pm = plain[0]!.lines.findIndex((l) => l.includes("between 149 and 150"));
    expect(pm).toBeGreaterThan(-1);
    expect(at("s0: burst 149")).toBeLessThan(pm);
    expect(at("s0: burst 150")).toBeGreaterThan(pm);
    expect(plain.slice(1).some((c) => c.lines.some((l) => l.includes("between 149")))).toBe(false);

    // The JSON reader: every frame a whole JSON object, s0's burst in order, the mention flagged.
    const frames = json.lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { type: string; from?: string; text?: string; mention?: boolean });
    const s0 = frames.filter((f) => f.type === "said" && f.from === "s0");
    expect(s0.slice(0, LINES).map((f) => f.text)).toEqual(upTo(LINES).map((n) => `burst ${n}`));
    expect(s0.at(-1)).toEqual(expect.objectContaining({ text: "that was it, jsonreader", mention: true }));
    expect(s0.slice(0, LINES).some((f) => f.mention === true)).toBe(false);

    for (const c of [...senders, ...plain, stamped, twoRooms, json]) c.close();
  }, 30_000);
});
