// The tutorial's `n:nick`: change your nickname, under the first-nick rules.
import { definePlugin } from "parley";

export default definePlugin({
  name: "cname",
  description: "change your nickname",
  commands: [
    {
      name: "nick",
      aliases: ["n"],
      params: ["new"],
      summary: "change your nickname to NEW",
      async run(ctx, [nick]) {
        const result = await ctx.rename(nick!);
        if (result.ok) ctx.reply(`* you are now ${result.nick}`);
        else ctx.error(result.reason);
      },
    },
  ],
});
