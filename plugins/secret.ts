// The tutorial's `c:nick:text`: a private message only NICK sees.
import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "secret",
  description: "private messages",
  commands: [
    defineCommand({
      name: "msg",
      aliases: ["c", "tell"],
      params: ["nick", "text..."],
      summary: "send TEXT to NICK only",
      run(ctx, [nick, text]) {
        if (!ctx.whisper(nick, text)) ctx.error(`no one called ${nick} is online (type l to see who is)`, "no_such_nick");
      },
    }),
  ],
});
