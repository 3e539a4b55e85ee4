// Greets each newcomer, privately, as they join. Plain JavaScript: a plugin
// needs no import and no build step, only a default export with a name.
//
// Its one option is declared, so parley checks it, fills in the default and
// lists it in `parley plugins`: parley chat --plugin-opt greeter.message="Hi
// {nick}, be kind!", or [greeter] in parley.toml.

export default {
  name: "greeter",
  version: "1.0.0",
  description: "greet newcomers",
  options: {
    message: {
      type: "string",
      default: "Welcome, {nick}!",
      description: "the greeting: {nick} becomes the newcomer's nickname, {online} how many are online",
    },
  },
  hooks: {
    join(ctx) {
      const template = ctx.options.message;
      ctx.reply(template.replaceAll("{nick}", ctx.user.nick).replaceAll("{online}", String(ctx.users().length)));
    },
  },
};
