// The tutorial's `quit` / `byebye`: leave, with an optional reason.
import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "quit",
  description: "leave the chat",
  commands: [
    defineCommand({
      name: "quit",
      words: ["quit", "byebye", "exit"],
      params: ["reason...?"],
      usage: "quit [REASON]",
      summary: "leave the chat",
      run(ctx, [reason]) {
        ctx.reply(`* bye, ${ctx.user.nick}!`);
        ctx.disconnect(reason || "quit");
      },
    }),
  ],
});
