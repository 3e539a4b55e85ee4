// The tutorial's `l`: who is in the room you talk in, and how long each has
// been idle; `/list #room` another room. The answer is structured: a telnet
// user reads it as lines, a program gets a list frame.
import { defineCommand, definePlugin, roomKey } from "parley";

export default definePlugin({
  name: "list",
  description: "who is online",
  commands: [
    defineCommand({
      name: "list",
      aliases: ["l", "who"],
      params: ["room?"],
      usage: "list [#ROOM]",
      summary: "everyone in your room (or ROOM), with how long each has been idle",
      run(ctx, [room]) {
        const name = room || ctx.room;
        const users = ctx.members(name);
        if (!users) return ctx.error(`there is no room ${room} (see /rooms)`, "no_room");
        const here = ctx.rooms().find((r) => roomKey(r.name) === roomKey(name))?.name ?? name;
        // The default room holds everyone who never typed a room command: there, `l` lists everyone online, as ever.
        const all = here === ctx.defaultRoom && ctx.rooms().length === 1;
        ctx.answer({ type: "list", users: all ? ctx.users() : users, room: here });
      },
    }),
  ],
});
