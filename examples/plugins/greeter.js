// Greets each newcomer, privately, as they join. Plain JavaScript: a plugin
// needs no import and no build step, only a default export with a name.
//
// Options (parley chat --plugin-opt greeter.message="Hi {nick}, be kind!",
// or [greeter] in parley.toml):
//   message   the greeting; {nick} becomes the newcomer's nickname and
//             {online} how many people are online (default "Welcome, {nick}!")

export default {
  name: "greeter",
  version: "1.0.0",
  description: "greet newcomers",
  hooks: {
    join(ctx) {
      const template = ctx.config.message ?? "Welcome, {nick}!";
      ctx.reply(template.replaceAll("{nick}", ctx.user.nick).replaceAll("{online}", String(ctx.users().length)));
    },
  },
};
