// Rooms and their turn buffers together (core/chat/rooms.ts, turn-buffer.ts):
// members that follow a room's buffer, driven through the real Rooms and
// Outboxes. A JSON follower who renames is found by its new nick for its
// mentions and forgotten when it leaves; a client cut in the middle of a
// line's fan-out (its outbox full) cannot make another follower get that
// line twice, lose lines, or read bytes that were never written.

import { expect, test } from "bun:test";
import { Outbox } from "../../core/chat/outbox.ts";
import { Rooms } from "../../core/chat/rooms.ts";
import type { Member, PlainReader } from "../../core/chat/room.ts";
import type { PluginStore } from "../../core/plugins/api.ts";
import type { Frame } from "../../core/wire/frame.ts";
import { nickKey } from "../../core/wire/nick.ts";
import type { ServerFrame } from "../../core/wire/protocol.ts";

function memoryStore(): PluginStore {
  const map = new Map<string, string>();
  return {
    kept: false,
    get: <T>(k: string) => (map.has(k) ? (JSON.parse(map.get(k)!) as T) : undefined),
    set: (k, v) => void map.set(k, JSON.stringify(v)),
    delete: (k) => map.delete(k),
    keys: () => [...map.keys()],
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

type Reader = Member & PlainReader & { nick: string; closed: boolean; stuck: boolean; text(): string; cap: number };

/** A JSON reader that follows its room; when its outbox overflows it leaves as a session does (the leave relayed first). */
function jsonReader(rooms: () => Rooms, nick: string, cap = 1 << 24): Reader {
  const written: Uint8Array[] = [];
  const sink = { writableLength: 0, write: (b: Uint8Array) => (written.push(b.slice()), !m.stuck) };
  const m = {
    nick,
    room: "",
    json: true,
    closed: false,
    stuck: false,
    cap,
    get key() {
      return nickKey(m.nick);
    },
    plain: () => (m.closed ? null : m),
    info: () => ({ id: 0, nick: m.nick, address: "127.0.0.1", port: 0, connectedAt: new Date(0), idle: 0 }),
    deliver: (frame: Frame) => m.outbox.push(frame.json()),
    kick: () => true,
    text: () => Buffer.concat(written).toString(),
  } as unknown as Reader & { outbox: Outbox };
  (m as { outbox: Outbox }).outbox = new Outbox(sink, cap, () => {
    m.closed = true;
    rooms().fanout({ type: "left", nick: m.nick, reason: "not reading", online: 1 }, m, m, [], false);
    rooms().leaveAll(m);
  });
  return m;
}

const said = (from: string, text: string): ServerFrame => ({ type: "said", room: "#lobby", from, text });

test("a JSON follower who renamed gets the mention flag for its new nick, and is forgotten when it leaves", async () => {
  const rooms = new Rooms({ defaultRoom: "#lobby", maxRooms: 10, maxRoomsPerUser: 10, records: memoryStore() });
  const bob = jsonReader(() => rooms, "bob");
  rooms.enter(bob);
  bob.nick = "robert";
  rooms.refollow(bob);
  rooms.fanout(said("amy", "hi robert"), undefined, undefined, [], false);
  await turn();
  expect(bob.text()).toContain('"text":"hi robert","mention":true');
  rooms.leaveAll(bob);
  expect([...rooms.lobby.jsonByKey.keys()]).toEqual([]);
});

test("a client cut while a line is fanned out (mentioned, its outbox full) leaves the others whole and in order", async () => {
  let rooms!: Rooms;
  rooms = new Rooms({ defaultRoom: "#lobby", maxRooms: 10, maxRoomsPerUser: 10, records: memoryStore() });
  // a's outbox holds at most 2 KiB and a stops reading; b reads everything.
  const a = jsonReader(() => rooms, "a", 2048);
  const b = jsonReader(() => rooms, "b");
  rooms.enter(a);
  rooms.enter(b);
  a.stuck = true;
  a.outbox.push(Buffer.alloc(900, 0x41));
  await turn();
  // Lines from x fill this turn's JSON buffer to just under its hand-out size (64 KiB; a line is
  // given 3 bytes per UTF-16 unit of room), then one names a and b: giving a its own copy overflows
  // a, whose leave, appended while b's offsets are in hand, would cross the hand-out size.
  const buffer = rooms.lobby.turn(true);
  const generation = buffer.generation;
  let n = 0;
  while (buffer.length < 65536 - 230 && n < 3000) {
    const pad = Math.max(1, Math.min(900, Math.floor((65536 - 200 - buffer.length) / 3) - 60));
    rooms.fanout(said("x", `${n++} ${"y".repeat(pad)}`), undefined, undefined, [], false);
  }
  expect(buffer.generation).toBe(generation);
  expect(buffer.length).toBeGreaterThanOrEqual(65536 - 230);
  rooms.fanout(said("x", "a b"), undefined, undefined, [], false);
  rooms.fanout(said("x", "after"), undefined, undefined, [], false);
  await turn();
  await turn();
  expect(a.closed).toBe(true);
  const lines = b.text().split("\n").filter((l) => l !== "");
  // Every line whole JSON, nothing but what was sent, in order, the mentioning line once.
  const frames = lines.map((l) => JSON.parse(l) as { type: string; text?: string; mention?: boolean; nick?: string });
  const texts = frames.filter((f) => f.type === "said").map((f) => f.text);
  expect(texts).toEqual([...Array.from({ length: n }, (_, i) => expect.stringMatching(new RegExp(`^${i} y+$`))), "a b", "after"]);
  expect(frames.find((f) => f.text === "a b")?.mention).toBe(true);
  expect(frames.filter((f) => f.type === "left" && f.nick === "a")).toHaveLength(1);
});
