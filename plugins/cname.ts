// The tutorial's `n:nick`: change your nickname, under the first-nick rules.
import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "cname",
  description: "change your nickname",
  commands: [
    defineCommand({
      name: "nick",
      aliases: ["n"],
      params: ["new"],
      summary: "change your nickname to NEW",
      async run(ctx, [nick]) {
        const from = ctx.user.nick;
        const result = await ctx.rename(nick);
        if (result.ok) ctx.answer({ type: "renamed", from, to: result.nick });
        else ctx.error(result.reason, result.code);
      },
    }),
  ],
});
