// Rooms: /join, /part, /rooms, /topic and /switch. A user is in one or more
// rooms and talks in their current one; the server keeps who is where, each
// room's topic, key and history (core/chat/rooms.ts). Operators keep a room
// when it is empty with /room keep (plugins/ops.ts).
import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "rooms",
  description: "rooms: join, part, list, topic, switch",
  commands: [
    defineCommand({
      name: "join",
      params: ["room", "key?"],
      summary: "join ROOM (#name; made if it does not exist, and a KEY then locks it), or talk in it when you are in it",
      run(ctx, [room, key]) {
        const done = ctx.joinRoom(room, key || undefined);
        if (!done.ok) ctx.error(done.reason, done.code);
      },
    }),
    defineCommand({
      name: "part",
      aliases: ["leave"],
      params: ["room?", "reason...?"],
      summary: "leave ROOM (by default the one you talk in); your last one puts you back in the default room",
      usage: "part [#ROOM] [REASON]",
      async run(ctx, [room, reason], raw) {
        // "/part bye all": no room named, the words are the reason.
        const named = room?.startsWith("#") ? room : undefined;
        const why = named ? reason : raw || undefined;
        const done = await ctx.partRoom(named, why);
        if (!done.ok) ctx.error(done.reason, done.code);
      },
    }),
    defineCommand({
      name: "rooms",
      summary: "every room, how many are in it, and its topic",
      run(ctx) {
        ctx.answer({ type: "rooms", rooms: ctx.rooms() });
      },
    }),
    defineCommand({
      name: "topic",
      params: ["text...?"],
      summary: "the topic of the room you talk in; with TEXT, set it (- clears it)",
      usage: "topic [TEXT]",
      async run(ctx, _args, raw) {
        if (raw === "") {
          const here = ctx.rooms().find((r) => r.name === ctx.room);
          return ctx.answer({ type: "topic", room: ctx.room, topic: here?.topic ?? "" });
        }
        const done = await ctx.setTopic(raw === "-" ? "" : raw);
        // Held by a message hook (a mute), which has said why.
        if (!done.ok && done.code !== "held") ctx.error(done.reason, done.code);
      },
    }),
    defineCommand({
      name: "switch",
      params: ["room"],
      summary: "talk in ROOM, one you are in (your plain lines go there)",
      run(ctx, [room]) {
        const done = ctx.switchRoom(room);
        if (!done.ok) ctx.error(done.reason, done.code);
      },
    }),
  ],
});
