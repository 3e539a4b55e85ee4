// The rooms directory (core/chat/rooms.ts) and room names, driven without
// sockets: members are plain objects that record what reaches them.

import { describe, expect, test } from "bun:test";
import { Rooms } from "../../core/chat/rooms.ts";
import type { Member } from "../../core/chat/room.ts";
import type { PluginStore } from "../../core/plugins/api.ts";
import { checkRoomName, roomKey } from "../../core/wire/room-name.ts";
import { Frame } from "../../core/wire/frame.ts";
import { linesIn, plain } from "../../core/wire/render.ts";
import { KeyReader } from "../../core/client/keys.ts";

function memoryStore(): PluginStore {
  const map = new Map<string, string>();
  return {
    get: <T>(key: string) => (map.has(key) ? (JSON.parse(map.get(key)!) as T) : undefined),
    set: (key, value) => void map.set(key, JSON.stringify(value)),
    delete: (key) => map.delete(key),
    keys: () => [...map.keys()],
    kept: false,
  };
}

interface Probe extends Member {
  seen: string[];
}

function member(nick: string): Probe {
  const seen: string[] = [];
  const m: Probe = {
    nick,
    room: "",
    seen,
    info: () => ({ id: 0, nick, address: "127.0.0.1", port: 1, connectedAt: new Date(0), idle: 0 }),
    deliver: (frame: Frame) => void seen.push(frame.textFor(m.room).toString().trimEnd()),
    kick: () => true,
  };
  return m;
}

const make = (options: { maxRooms?: number; maxRoomsPerUser?: number; records?: PluginStore } = {}) =>
  new Rooms({ defaultRoom: "#lobby", maxRooms: options.maxRooms ?? 100, maxRoomsPerUser: options.maxRoomsPerUser ?? 10, records: options.records ?? memoryStore() });

const nobody = () => false;

describe("room names follow the nickname rules, with # in front", () => {
  test("any script, up to 32 characters", () => {
    expect(checkRoomName("#help")).toEqual({ ok: true, name: "#help" });
    expect(checkRoomName("#帮助")).toEqual({ ok: true, name: "#帮助" });
    expect(checkRoomName(`#${"a".repeat(32)}`).ok).toBe(true);
    expect(checkRoomName(`#${"a".repeat(33)}`)).toEqual({ ok: false, reason: "a room name has at most 32 characters (that one has 33)" });
  });

  test("no #, spaces, or look-alike scripts mixed", () => {
    expect(checkRoomName("help")).toEqual({ ok: false, reason: "a room name starts with #, like #help" });
    expect(checkRoomName("#a b").ok).toBe(false);
    expect(checkRoomName("#hеlp").ok).toBe(false); // Cyrillic е inside Latin
    expect(checkRoomName("#").ok).toBe(false);
  });

  test("case and look-alikes make one room", () => {
    expect(roomKey("#Help")).toBe(roomKey("#help"));
    expect(roomKey("#ＨＥＬＰ")).toBe(roomKey("#help"));
    expect(roomKey("#he1p")).toBe(roomKey("#help"));
  });
});

describe("joining and parting", () => {
  test("a new user is in the default room; /join makes a room and makes it current", () => {
    const rooms = make();
    const amy = member("amy");
    rooms.enter(amy);
    expect(amy.room).toBe("#lobby");
    const joined = rooms.join(amy, "#help");
    expect(joined).toMatchObject({ ok: true, created: true, already: false });
    expect(amy.room).toBe("#help");
    expect(rooms.of(amy).map((r) => r.name)).toEqual(["#lobby", "#help"]);
    expect(rooms.join(amy, "#HELP")).toMatchObject({ ok: true, already: true });
  });

  test("parting the last room puts the user back in the default room; the default room alone cannot be parted", () => {
    const rooms = make();
    const amy = member("amy");
    rooms.enter(amy);
    rooms.join(amy, "#help");
    expect(rooms.part(amy, "#lobby")).toMatchObject({ ok: true, back: false });
    expect(rooms.part(amy)).toMatchObject({ ok: true, back: true });
    expect(amy.room).toBe("#lobby");
    expect(rooms.part(amy)).toMatchObject({ ok: false, code: "not_in_room" });
  });

  test("an empty room is forgotten, unless kept", () => {
    const rooms = make();
    const amy = member("amy");
    rooms.enter(amy);
    rooms.join(amy, "#help");
    rooms.part(amy, "#help");
    expect(rooms.find("#help")).toBeUndefined();
    rooms.keep("#exam", true);
    expect(rooms.find("#exam")?.permanent).toBe(true);
    rooms.keep("#exam", false);
    expect(rooms.find("#exam")).toBeUndefined();
  });

  test("a key given at creation locks the room: a wrong or missing key is refused", () => {
    const rooms = make();
    const [amy, bob] = [member("amy"), member("bob")];
    rooms.enter(amy);
    rooms.enter(bob);
    rooms.join(amy, "#exam", "s3cret");
    expect(rooms.join(bob, "#exam")).toMatchObject({ ok: false, code: "room_key" });
    expect(rooms.join(bob, "#exam", "guess")).toEqual({ ok: false, code: "room_key", reason: "wrong key for #exam" });
    expect(rooms.join(bob, "#exam", "s3cret")).toMatchObject({ ok: true });
  });

  test("limits: rooms per user and rooms per server", () => {
    const rooms = make({ maxRooms: 3, maxRoomsPerUser: 2 });
    const amy = member("amy");
    const bob = member("bob");
    rooms.enter(amy);
    rooms.enter(bob);
    expect(rooms.join(amy, "#a").ok).toBe(true);
    expect(rooms.join(amy, "#b")).toMatchObject({ ok: false, code: "room_limit" });
    expect(rooms.join(bob, "#b").ok).toBe(true);
    expect(rooms.join(bob, "#c")).toMatchObject({ ok: false, code: "room_limit" });
    rooms.part(bob, "#lobby");
    expect(rooms.join(bob, "#c")).toMatchObject({ ok: false, code: "rooms_full" });
  });

  test("topics and kept rooms outlive the directory (the store is the --data file)", () => {
    const records = memoryStore();
    const first = make({ records });
    const amy = member("amy");
    first.enter(amy);
    first.join(amy, "#help");
    first.setTopic(first.find("#help")!, "ask here", "amy");
    first.keep("#exam", true);
    const again = make({ records });
    expect(again.find("#exam")?.permanent).toBe(true);
    expect(again.find("#help")).toBeUndefined(); // not kept: only made when someone joins
    const bob = member("bob");
    again.enter(bob);
    again.join(bob, "#help");
    expect(again.find("#help")?.topic).toBe("ask here");
  });
});

describe("the fan-out", () => {
  test("a room's line reaches its members; others' current room shows it with the room in front", () => {
    const rooms = make();
    const [amy, bob, cat] = [member("amy"), member("bob"), member("cat")];
    for (const m of [amy, bob, cat]) rooms.enter(m);
    rooms.join(amy, "#help");
    rooms.join(bob, "#help");
    rooms.switchTo(bob, "#lobby");
    rooms.fanout({ type: "said", room: "#help", from: "amy", text: "hi" }, amy, undefined, [amy, bob, cat]);
    expect(amy.seen).toEqual([]);
    expect(bob.seen).toEqual(["[#help] amy: hi"]);
    expect(cat.seen).toEqual([]);
  });

  test("a user's leave reaches each who shares a room with them once, shown in their current room", () => {
    const rooms = make();
    const [amy, bob, cat] = [member("amy"), member("bob"), member("cat")];
    for (const m of [amy, bob, cat]) rooms.enter(m);
    for (const m of [amy, bob]) rooms.join(m, "#help");
    rooms.part(cat, "#lobby"); // not possible: cat's only room
    rooms.join(cat, "#other");
    rooms.part(cat, "#lobby");
    rooms.fanout({ type: "left", nick: "amy", reason: "quit", online: 2 }, amy, amy, [amy, bob, cat]);
    expect(bob.seen).toEqual(["* amy left (quit)"]);
    expect(cat.seen).toEqual([]);
  });
});

describe("how room frames read", () => {
  const text = (event: Parameters<typeof linesIn>[0], here?: string) => linesIn(event, "amy", here).map(plain);

  test("room events name their room, so they get nothing in front", () => {
    expect(text({ type: "join", room: "#help", nick: "bob", members: 2 }, "#lobby")).toEqual(["* bob joined #help (2 here)"]);
    expect(text({ type: "join", room: "#help", nick: "amy", members: 2, self: true, users: ["bob", "amy"], topic: "ask" })).toEqual([
      "* you are in #help now, with 2 here: bob, amy",
      "* topic of #help: ask",
    ]);
    expect(text({ type: "part", room: "#help", nick: "bob", reason: "bye", members: 1 }, "#lobby")).toEqual(["* bob left #help (bye)"]);
    expect(text({ type: "part", room: "#help", nick: "amy", reason: "bye", members: 0, self: true, back: "#lobby" })).toEqual(["* you left #help and are back in #lobby: your lines go there"]);
    expect(text({ type: "topic", room: "#help", topic: "", by: "bob", set: true })).toEqual(["* bob cleared the topic of #help"]);
    expect(text({ type: "topic", room: "#help", topic: "" })).toEqual(["* #help has no topic"]);
    expect(text({ type: "switch", room: "#help" })).toEqual(["* now talking in #help: your lines go there"]);
    expect(text({ type: "rooms", rooms: [{ room: "#lobby", members: 3 }, { room: "#exam", members: 1, keyed: true, topic: "finals" }], current: "#lobby" })).toEqual([
      "* 2 rooms (/join #room to enter one):",
      "*   #lobby  3 here    (you talk here)",
      "*   #exam   1 here    keyed  finals",
    ]);
  });

  test("a line of another room has the room in front, in parley connect as on the server", () => {
    const said = { type: "said", room: "#help", from: "bob", text: "hi" } as const;
    expect(text(said, "#help")).toEqual(["bob: hi"]);
    expect(text(said, "#lobby")).toEqual(["[#help] bob: hi"]);
    const frame = new Frame(said);
    expect(frame.textFor("#lobby").toString()).toBe("[#help] bob: hi\r\n");
    expect(frame.textFor("#help").toString()).toBe("bob: hi\r\n");
    // Several lines each get it.
    expect(new Frame({ type: "system", room: "#help", plugin: "dice", text: "one\ntwo" }).textFor("#lobby").toString()).toBe("[#help] [dice] one\r\n[#help] [dice] two\r\n");
  });
});

describe("parley connect's Tab", () => {
  test("Tab is a key of its own (it switches rooms), no longer a space", () => {
    expect(new KeyReader().feed(new TextEncoder().encode("a\tb"))).toEqual([{ name: "text", text: "a" }, { name: "tab" }, { name: "text", text: "b" }]);
  });
});
