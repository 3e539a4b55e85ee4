// The tutorial's `l`: who is online and how long each has been idle. The
// answer is structured: a telnet user reads it as lines, a program gets a
// list frame.
import { definePlugin } from "parley";

export default definePlugin({
  name: "list",
  description: "who is online",
  commands: [
    {
      name: "list",
      aliases: ["l", "who"],
      summary: "everyone online, with how long each has been idle",
      run(ctx) {
        ctx.answer({ type: "list", users: ctx.users() });
      },
    },
  ],
});
