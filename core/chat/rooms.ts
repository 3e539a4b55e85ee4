// The rooms: named groups of users ("#help", "#exam") inside the one chat
// server. The server-wide room (room.ts) still knows who is online and
// claims nicknames; this directory knows who is in which named room, each
// room's topic, key and whether it is kept when empty, and it is the one
// place a line is fanned out to its recipients (Room.deliverAll hands every
// event here). Per-recipient filters belong in `fanout`, nowhere else.
//
// A user is in one or more rooms and has a current one (Member.room), where
// their plain lines go. Lines of a room that is not the reader's current one
// are shown with the room's name in front (Frame.textAway), so a telnet user
// always knows where a line came from. Notices about a user (joined the
// server, left it, renamed) reach each user who shares a room with them
// once, however many rooms they share.
//
// Topics, kept rooms and keys live in a store of their own (ROOMS_STORE):
// the --data file when there is one, Redis in a cluster. In a cluster each
// room also knows who of other nodes is in it (NamedRoom.remote), from the
// join, part, leave and rename events the nodes relay to each other, so
// counts, lists and "empty" mean the whole cluster's.

import type { PluginStore } from "../plugins/api.ts";
import { Frame } from "../wire/frame.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import { checkRoomName, roomKey } from "../wire/room-name.ts";
import { nickKey } from "../wire/nick.ts";
import { NamedRoom, type RoomRecord } from "./named-room.ts";
import type { Except, Member, PlainReader } from "./room.ts";
import type { TurnBuffer } from "./turn-buffer.ts";
import { counters } from "../base/counters.ts";

/** One delivery, counted for /metrics. */
function deliver(member: Member, frame: Frame): void {
  counters.deliveries++;
  member.deliver(frame);
}

/** Who must not get an event, as a test. */
function skipOf(except: Except): (m: Member) => boolean {
  if (except === undefined) return () => false;
  if (except instanceof Set) return (m) => except.has(m);
  return (m) => m === except;
}

/** A member who follows a room's turn buffer: which room, which buffer, as what reader. */
interface Following {
  room: NamedRoom;
  buffer: TurnBuffer;
  reader: PlainReader;
  /** the reader's framing and nick key when it began to follow (the reader is the live session: these may have changed since) */
  json: boolean;
  key: string;
}

/** The store the rooms keep their records in: a name no plugin can have (plugin names have no "."). */
export const ROOMS_STORE = "parley.rooms";
/** Longest topic, in characters: it is shown on every /join and in /rooms. */
export const MAX_TOPIC = 300;

export type RoomRefusal = { ok: false; code: "room_invalid" | "room_key" | "room_limit" | "rooms_full" | "not_in_room"; reason: string };
export type JoinOutcome = { ok: true; room: NamedRoom; created: boolean; already: boolean } | RoomRefusal;
/** `back`: the default room the user was put back in, having parted their last room. */
export type PartOutcome = { ok: true; room: NamedRoom; current: NamedRoom; back: boolean } | RoomRefusal;

export interface RoomsOptions {
  defaultRoom: string;
  maxRooms: number;
  maxRoomsPerUser: number;
  records: PluginStore;
  /** every event fanned out, for the chat log */
  observe?: (event: ServerFrame) => void;
  /** a cluster: a user of this node is in `rooms` now */
  moved?: (member: Member, rooms: string[]) => void;
  /** a cluster: the rooms a user of another node is in, when their record says */
  remoteRooms?: (nick: string) => readonly string[] | undefined;
  /** a forgotten room's history goes (its history key): what /join of a new room made must not outlive it */
  forgetHistory?: (key: string) => void;
}

export class Rooms {
  readonly lobby: NamedRoom;
  private readonly byKey = new Map<string, NamedRoom>();
  /** the same rooms by their exact names */
  private readonly byName = new Map<string, NamedRoom>();
  private readonly joined = new Map<Member, NamedRoom[]>();
  /** the members who take a room's lines from its turn buffer (turn-buffer.ts) */
  private readonly following = new Map<Member, Following>();
  private readonly options: RoomsOptions;

  constructor(options: RoomsOptions) {
    this.options = options;
    this.lobby = this.make(options.defaultRoom, true);
    // Kept rooms exist whether or not anyone is in them.
    for (const id of options.records.keys()) {
      const record = options.records.get<RoomRecord>(id);
      if (record?.keep && roomKey(record.name) !== this.lobby.key && this.byKey.size < options.maxRooms) this.make(record.name, false);
    }
  }

  get count(): number {
    return this.byKey.size;
  }

  find(name: string): NamedRoom | undefined {
    // Every line relayed names its room as the room spells it: found without working out a key.
    const room = this.byName.get(name);
    return room !== undefined ? room : this.byKey.get(roomKey(name));
  }

  /** Every room: the default one first, then by name. */
  list(): NamedRoom[] {
    const others = [...this.byKey.values()].filter((r) => r !== this.lobby).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return [this.lobby, ...others];
  }

  /** The rooms `member` is in, in the order joined. */
  of(member: Member): readonly NamedRoom[] {
    return this.joined.get(member) ?? [];
  }

  current(member: Member): NamedRoom {
    const mine = this.joined.get(member);
    if (mine === undefined) return this.lobby;
    // Asked for every line said: most are in one room.
    if (mine.length === 1) return mine[0]!.name === member.room ? mine[0]! : this.lobby;
    return mine.find((r) => r.name === member.room) ?? this.lobby;
  }

  /** A new user: into the default room, which becomes their current one. */
  enter(member: Member): NamedRoom {
    this.add(member, this.lobby);
    return this.lobby;
  }

  join(member: Member, typed: string, key?: string): JoinOutcome {
    const check = checkRoomName(typed);
    if (!check.ok) return { ok: false, code: "room_invalid", reason: check.reason };
    const mine = this.of(member);
    let room = this.find(check.name);
    if (room && room.members.has(member)) {
      member.room = room.name;
      this.refollow(member);
      return { ok: true, room, created: false, already: true };
    }
    // A key set or dropped on another node since: the record is what counts.
    if (room) this.refreshKey(room);
    const { maxRooms, maxRoomsPerUser } = this.options;
    if (mine.length >= maxRoomsPerUser) {
      return { ok: false, code: "room_limit", reason: `you are in ${mine.length} rooms, the most this server allows; /part one first` };
    }
    if (room?.keyed && !room.opens(key)) {
      return { ok: false, code: "room_key", reason: key === undefined ? `${room.name} has a key: /join ${room.name} KEY` : `wrong key for ${room.name}` };
    }
    let created = false;
    if (!room) {
      if (this.byKey.size >= maxRooms) return { ok: false, code: "rooms_full", reason: `this server holds ${this.byKey.size} rooms, its most; join one of /rooms` };
      room = this.make(check.name, false);
      created = true;
      // Someone else made it keyed before (on another node, or before a restart): the record says so.
      if (room.keyed && !room.opens(key)) {
        this.forgetIfEmpty(room);
        return { ok: false, code: "room_key", reason: key === undefined ? `${room.name} has a key: /join ${room.name} KEY` : `wrong key for ${room.name}` };
      }
      if (key !== undefined && key !== "" && !room.keyed) {
        room.lock(key);
        this.save(room);
      }
    }
    this.add(member, room);
    return { ok: true, room, created, already: false };
  }

  part(member: Member, typed?: string): PartOutcome {
    let room: NamedRoom | undefined;
    if (typed === undefined) room = this.current(member);
    else {
      const check = checkRoomName(typed);
      if (!check.ok) return { ok: false, code: "room_invalid", reason: check.reason };
      room = this.find(check.name);
    }
    const mine = this.joined.get(member) ?? [];
    if (!room || !mine.includes(room)) return { ok: false, code: "not_in_room", reason: `you are not in ${room?.name ?? typed}` };
    if (room === this.lobby && mine.length === 1) {
      return { ok: false, code: "not_in_room", reason: `${room.name} is the default room: it is where everyone is when in no other; /join another room first` };
    }
    this.take(member, room);
    const left = this.joined.get(member) ?? [];
    let back = false;
    if (left.length === 0) {
      this.add(member, this.lobby);
      back = true;
    } else if (member.room === room.name) member.room = left[left.length - 1]!.name;
    this.refollow(member);
    this.moved(member);
    return { ok: true, room, current: this.current(member), back };
  }

  /** Makes `typed` (a room `member` is in) their current room. */
  switchTo(member: Member, typed: string): JoinOutcome {
    const check = checkRoomName(typed);
    if (!check.ok) return { ok: false, code: "room_invalid", reason: check.reason };
    const room = this.find(check.name);
    if (!room || !room.members.has(member)) return { ok: false, code: "not_in_room", reason: `you are not in ${check.name}: /join ${check.name}` };
    member.room = room.name;
    this.refollow(member);
    return { ok: true, room, created: false, already: true };
  }

  /** A user leaves the server: out of every room. */
  leaveAll(member: Member): void {
    const mine = this.joined.get(member) ?? [];
    this.joined.delete(member);
    this.refollow(member);
    for (const room of mine) {
      room.members.delete(member);
      room.direct.delete(member);
      this.forgetIfEmpty(room);
    }
  }

  /**
   * Whether `member` follows its room's turn buffer, worked out again: a
   * member in one room, whose current room it is, with nothing of their own
   * set (Member.plain) does; anyone else is delivered to one by one. Called
   * whenever one of those changes: rooms joined or parted, a setting made,
   * a framing chosen, a nick (JSON followers are found by nick key).
   */
  refollow(member: Member): void {
    const mine = this.joined.get(member);
    const room = mine?.length === 1 && mine[0]!.name === member.room ? mine[0]! : undefined;
    const reader = room ? (member.plain?.() ?? null) : null;
    const was = this.following.get(member);
    if (was && was.room === room && reader !== null && was.reader === reader && was.json === reader.json && was.key === reader.key) return;
    if (was) {
      // What the buffer holds for them is taken first: nothing is lost or reordered by the change.
      was.buffer.remove(was.reader.outbox);
      // By the key it was filed under: after a rename the reader's own key is the new one.
      if (was.json && was.room.jsonByKey.get(was.key) === member) was.room.jsonByKey.delete(was.key);
      this.following.delete(member);
      if (was.room.members.has(member)) was.room.direct.add(member);
    }
    if (room && reader !== null) {
      const buffer = room.turn(reader.json);
      buffer.add(reader.outbox);
      if (reader.json) room.jsonByKey.set(reader.key, member);
      room.direct.delete(member);
      this.following.set(member, { room, buffer, reader, json: reader.json, key: reader.key });
    }
  }

  setTopic(room: NamedRoom, topic: string, by: string): void {
    room.topic = topic;
    room.topicBy = topic ? by : "";
    room.topicAt = topic ? Date.now() : 0;
    this.save(room);
  }

  /** An operator keeps a room when empty (true), or lets it go again (false). Undefined when no room can be made. */
  keep(typed: string, on: boolean): NamedRoom | RoomRefusal {
    const check = checkRoomName(typed);
    if (!check.ok) return { ok: false, code: "room_invalid", reason: check.reason };
    let room = this.find(check.name);
    if (!room) {
      if (!on) return { ok: false, code: "not_in_room", reason: `there is no room ${check.name}` };
      if (this.byKey.size >= this.options.maxRooms) return { ok: false, code: "rooms_full", reason: `this server holds ${this.byKey.size} rooms, its most` };
      room = this.make(check.name, false);
    }
    room.permanent = on;
    this.save(room);
    if (!on) this.forgetIfEmpty(room);
    return room;
  }

  // -- the fan-out ------------------------------------------------------------

  /**
   * Delivers one event to its recipients: a room's members (an event with
   * `room`); everyone who shares a room with `subject`, once each (a user's
   * join, leave or rename); else everyone in `everyone`. Each distinct
   * display (room) gets one Frame whose bytes its recipients share.
   */
  fanout(event: ServerFrame, except: Except, subject: Member | undefined, everyone: Iterable<Member>, remote = false): void {
    this.options.observe?.(event);
    const skip = skipOf(except);
    if (event.room !== undefined) {
      const room = remote ? this.heardInRoom(event) : this.find(event.room);
      if (!room) return;
      this.toRoom(room, new Frame(room.name === event.room ? event : { ...event, room: room.name }), except, skip);
      if (remote && event.type === "part") this.forgetIfEmpty(room);
      return;
    }
    if (event.type === "joined" || event.type === "left" || event.type === "renamed") {
      // A new user is not in a room yet: their join (or a join undone) is the default room's news.
      const theirs = subject ? this.of(subject) : remote ? this.remoteRoomsOf(event) : [];
      const rooms = theirs.length > 0 ? theirs : [this.lobby];
      this.once(event, rooms, except, skip);
      if (remote) this.heardOfUser(event, rooms);
      // Everyone else is not shown the rename, but an ignore by nick must follow it (delivery.ts).
      if (event.type === "renamed") {
        for (const m of everyone) if (m.renamedElsewhere && !rooms.some((r) => r.members.has(m))) m.renamedElsewhere(event.from, event.to);
      }
      return;
    }
    const frame = new Frame(event);
    for (const m of everyone) if (!skip(m)) deliver(m, frame);
  }

  /** A frame to every member of `room` but `except`: the followers through its turn buffers, the rest one by one. */
  private toRoom(room: NamedRoom, frame: Frame, except: Except, skip: (m: Member) => boolean): void {
    this.toFollowers(room, frame, except);
    for (const m of room.direct) if (!skip(m)) deliver(m, frame);
  }

  /** A frame to the followers of `room` but `except`: one append per framing, however many they are. */
  private toFollowers(room: NamedRoom, frame: Frame, except: Except): void {
    // Once per line said: no array, closure or string made here but the line's own text.
    const text = room.followed(false);
    if (text !== null) this.toBuffer(text, frame.textString(), except);
    const json = room.followed(true);
    if (json === null) return;
    const [start, end] = this.toBuffer(json, frame.jsonString(), except);
    // Pinned while offsets into it are in hand (after the line went in, which
    // may hand the buffer out): a push or skip below can cut a client that is
    // not reading, whose leave is appended here at once; the buffer must not
    // start a new generation under the offsets (turn-buffer.ts).
    json.pin();
    try {
      // A JSON reader whose nick a said line names gets the frame that says so, in its place.
      if (frame.event.type === "said" && frame.event.history !== true && room.jsonByKey.size > 0) {
        const sender = frame.senderKey();
        for (const key of frame.mentionedKeys()) {
          const m = room.jsonByKey.get(key);
          const f = m && key !== sender ? this.following.get(m) : undefined;
          if (f === undefined || f.buffer !== json || f.key !== key || skipOf(except)(m!)) continue;
          f.reader.outbox.skip(start, end);
          f.reader.outbox.push(frame.jsonMentioning());
        }
      }
    } finally {
      json.unpin();
    }
  }

  /** Appends a line to `buffer` for its followers but `except`; where it starts and ends. */
  private toBuffer(buffer: TurnBuffer, line: string, except: Except): [number, number] {
    const start = buffer.appendText(line);
    const end = buffer.length;
    let told = buffer.followers.size;
    buffer.pin();
    try {
      if (except instanceof Set) {
        for (const m of except) if (this.skipIn(buffer, m, start, end)) told--;
      } else if (except !== undefined && this.skipIn(buffer, except as Member, start, end)) told--;
    } finally {
      buffer.unpin();
    }
    counters.deliveries += told;
    return [start, end];
  }

  /** The line at `start`..`end` of `buffer` is not for `m`; true when `m` follows it. */
  private skipIn(buffer: TurnBuffer, m: Member, start: number, end: number): boolean {
    const f = this.following.get(m);
    if (f === undefined || f.buffer !== buffer) return false;
    f.reader.outbox.skip(start, end);
    return true;
  }

  // -- what other nodes say of their users (a cluster) ----------------------------

  /**
   * The rooms a user of another node is in: for one newly known, what their
   * record says (a node that started later learns them from a snapshot);
   * else what their join and part events said.
   */
  private remoteRoomsOf(event: ServerFrame & { type: "joined" | "left" | "renamed" }): NamedRoom[] {
    if (event.type === "joined") {
      const names = this.options.remoteRooms?.(event.nick) ?? [];
      return names.map((name) => this.find(name) ?? (checkRoomName(name).ok ? this.make(name, false) : undefined)).filter((r): r is NamedRoom => r !== undefined);
    }
    const key = nickKey(event.type === "renamed" ? event.from : event.nick);
    return [...this.byKey.values()].filter((r) => r.remote.has(key));
  }

  /** A room event from another node: its room (made here when it is new to this node), kept up to date. */
  private heardInRoom(event: ServerFrame): NamedRoom | undefined {
    const name = event.room!;
    let room = this.find(name);
    if (event.type === "join") {
      // Made here too, so /rooms and counts agree on every node.
      if (!room && checkRoomName(name).ok) room = this.make(name, false);
      room?.remote.set(nickKey(event.nick), event.nick);
    } else if (event.type === "part") {
      room?.remote.delete(nickKey(event.nick));
    } else if (event.type === "topic" && room && event.set === true) {
      room.topic = event.topic;
      room.topicBy = event.topic ? (event.by ?? "") : "";
      room.topicAt = event.topic ? Date.now() : 0;
    }
    return room;
  }

  /** A user of another node joined the server, left it, or was renamed. */
  private heardOfUser(event: ServerFrame, rooms: readonly NamedRoom[]): void {
    if (event.type === "joined") {
      for (const room of rooms) room.remote.set(nickKey(event.nick), event.nick);
    } else if (event.type === "left") {
      const key = nickKey(event.nick);
      for (const room of rooms) {
        room.remote.delete(key);
        this.forgetIfEmpty(room);
      }
    } else if (event.type === "renamed") {
      const from = nickKey(event.from);
      for (const room of rooms) {
        if (!room.remote.delete(from)) continue;
        room.remote.set(nickKey(event.to), event.to);
      }
    }
  }

  /** One copy per recipient across `rooms`, shown as from their current room when it is one of them. */
  private once(event: ServerFrame, rooms: readonly NamedRoom[], except: Except, skip: (m: Member) => boolean): void {
    if (rooms.length === 1) return this.toRoom(rooms[0]!, new Frame({ ...event, room: rooms[0]!.name }), except, skip);
    const frames = new Map<NamedRoom, Frame>();
    const told = new Set<Member>();
    for (const room of rooms) {
      // A follower is in this room only: told once, from here.
      let here = frames.get(room);
      if (!here) frames.set(room, (here = new Frame({ ...event, room: room.name })));
      this.toFollowers(room, here, except);
      for (const m of room.direct) {
        if (told.has(m) || skip(m)) continue;
        told.add(m);
        const shown = rooms.find((r) => r.name === m.room && r.members.has(m)) ?? room;
        let frame = frames.get(shown);
        if (!frame) frames.set(shown, (frame = new Frame({ ...event, room: shown.name })));
        deliver(m, frame);
      }
    }
  }

  // -- inside -----------------------------------------------------------------

  private make(name: string, isDefault: boolean): NamedRoom {
    const room = new NamedRoom(name, isDefault);
    const record = this.options.records.get<RoomRecord>(`room:${room.key}`);
    if (record) {
      room.topic = record.topic ?? "";
      room.topicBy = record.by ?? "";
      room.topicAt = record.at ?? 0;
      room.permanent = record.keep === true;
      room.salt = record.salt ?? "";
      room.hash = record.hash ?? "";
    }
    this.byKey.set(room.key, room);
    this.byName.set(room.name, room);
    return room;
  }

  private refreshKey(room: NamedRoom): void {
    const record = this.options.records.get<RoomRecord>(`room:${room.key}`);
    if (!record) return;
    room.salt = record.salt ?? "";
    room.hash = record.hash ?? "";
  }

  private add(member: Member, room: NamedRoom): void {
    room.members.add(member);
    room.direct.add(member);
    const mine = this.joined.get(member);
    if (mine) mine.push(room);
    else this.joined.set(member, [room]);
    member.room = room.name;
    this.refollow(member);
    // A first room (the default one, at connect) is what a cluster assumes anyway: nothing to tell.
    if (mine) this.moved(member);
  }

  private moved(member: Member): void {
    this.options.moved?.(member, (this.joined.get(member) ?? []).map((r) => r.name));
  }

  private take(member: Member, room: NamedRoom): void {
    const mine = this.joined.get(member);
    if (mine) {
      const i = mine.indexOf(room);
      if (i >= 0) mine.splice(i, 1);
    }
    this.refollow(member);
    room.members.delete(member);
    room.direct.delete(member);
    this.forgetIfEmpty(room);
  }

  /**
   * The server is stopping: the rooms its users leave now are not forgotten
   * in the store, so their history and topics are there after a restart.
   */
  closing = false;

  /**
   * An empty room is forgotten, unless kept: with its topic, key and
   * history, so that rooms made and left again and again (/join #r1,
   * /join #r2 ...) cost nothing once empty. --max-rooms bounds the rooms
   * that exist; this bounds what they leave behind. A room emptied by a
   * shutdown keeps them for after the restart.
   */
  private forgetIfEmpty(room: NamedRoom): void {
    if (room.size > 0 || room.permanent || room === this.lobby) return;
    // Kept by an operator on another node since this node read it.
    if (this.options.records.get<RoomRecord>(`room:${room.key}`)?.keep) return void (room.permanent = true);
    this.byKey.delete(room.key);
    this.byName.delete(room.name);
    if (this.closing) return;
    room.topic = room.topicBy = "";
    room.topicAt = 0;
    // Its key goes with it: whoever makes the room next sets their own.
    room.salt = room.hash = "";
    this.save(room);
    this.options.forgetHistory?.(room.history);
  }

  private save(room: NamedRoom): void {
    const record: RoomRecord = { name: room.name };
    if (room.topic) Object.assign(record, { topic: room.topic, by: room.topicBy, at: room.topicAt });
    if (room.permanent) record.keep = true;
    if (room.keyed) Object.assign(record, { salt: room.salt, hash: room.hash });
    const id = `room:${room.key}`;
    if (Object.keys(record).length === 1) this.options.records.delete(id);
    else this.options.records.set(id, record);
  }
}
