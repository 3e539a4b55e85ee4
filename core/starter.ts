// The starter file `parley plugins new NAME` writes: a working command and a
// message hook, commented, using the public API only.

export function starterPlugin(name: string): string {
  return `// ${name}: a parley plugin. Edit it, save, and run
//   parley chat --plugins <this folder>           (add --watch-plugins to reload on save)
// For editor types: parley plugins types > parley.d.ts
// The whole API with examples: docs/plugins.md in the parley sources.
import { definePlugin } from "parley";

export default definePlugin({
  name: "${name}",
  description: "what ${name} does, in a few words",
  commands: [
    {
      // Typed as /${name} TEXT. A one-letter alias would also give the colon form (x:TEXT).
      name: "${name}",
      params: ["text...?"],
      summary: "say hello (replace me)",
      run(ctx, [text]) {
        // ctx.reply goes to this user only; ctx.broadcast to everyone, shown as [${name}].
        ctx.reply(\`hello \${ctx.user.nick}\${text ? ", you said: " + text : ""}\`);
        // Options: parley chat --plugin-opt ${name}.greeting=hi  ->  ctx.config.greeting
        // A store that survives restarts with --data: ctx.store.get / ctx.store.set
      },
    },
  ],
  hooks: {
    // Every line said to the room passes here first: return a new string to
    // rewrite it, null to drop it, nothing to leave it as it is.
    message(ctx, text) {
      return text;
    },
  },
});
`;
}
