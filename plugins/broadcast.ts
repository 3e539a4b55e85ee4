// The tutorial's `b:text`: say something to the whole room. A plain line
// does the same; this is the explicit form.
import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "broadcast",
  description: "say text to everyone",
  commands: [
    defineCommand({
      name: "say",
      aliases: ["b"],
      params: ["text..."],
      summary: "say TEXT to the room (a plain line does the same)",
      run(ctx, [text]) {
        ctx.say(text);
      },
    }),
  ],
});
