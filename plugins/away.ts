// /away [TEXT] and /back. An away user is marked in lists (`l`, the list
// frame) and in /whois, and whoever sends them a private message is
// answered with their away text (plugins/secret.ts). Being away lasts
// until /back or the end of the connection; saying something does not end
// it, as in IRC.
import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "away",
  description: "away and back",
  commands: [
    defineCommand({
      name: "away",
      params: ["text...?"],
      summary: "mark yourself away; a private message to you is answered with TEXT",
      run(ctx, [text = ""]) {
        ctx.setAway(text);
        ctx.answer({ type: "away", nick: ctx.user.nick, text: ctx.user.away ?? "", self: true });
      },
    }),
    defineCommand({
      name: "back",
      summary: "you are back from /away",
      run(ctx) {
        if (ctx.user.away === undefined) return ctx.error("you are not away (/away TEXT marks you)", "not_away");
        ctx.setAway(undefined);
        ctx.answer({ type: "back" });
      },
    }),
  ],
});
