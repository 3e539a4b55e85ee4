// The tutorial's `c:nick:text`: a private message only NICK sees. When NICK
// is away (/away), the sender is told so, with their away text.
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
        if (!ctx.whisper(nick, text)) return ctx.error(`no one called ${nick} is online (type l to see who is)`, "no_such_nick");
        const target = ctx.findUser(nick);
        if (target?.away !== undefined) ctx.answer({ type: "away", nick: target.nick, text: target.away });
      },
    }),
  ],
});
