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

/** The starter `parley plugins new NAME --udp` writes: a working UDP mode, commented. */
export function starterUdpPlugin(name: string): string {
  return `// ${name}: a parley UDP mode. Edit it and run
//   parley udp ${name} --port 5000 --plugins <this folder>
// then, from another terminal:   parley udp send 127.0.0.1:5000 hello
// For editor types: parley plugins types > parley.d.ts
import { definePlugin } from "parley";

export default definePlugin({
  name: "${name}",
  description: "what ${name} does, in a few words",
  udpModes: [
    {
      // The word after \`parley udp\`; its flags below become --port, --shout.
      name: "${name}",
      summary: "answer every datagram in capitals (replace me)",
      args: {
        port: { type: "string", valueHint: "PORT", required: true, description: "UDP port to listen on" },
        shout: { type: "boolean", default: true, description: "answer in capitals (--no-shout: as sent)" },
      },
      async run(ctx, args) {
        // ctx.check.* turn what was typed into checked values, or stop with one clear line.
        const port = ctx.check.port("port", args.port, { bind: true });
        const socket = await ctx.open({ port });
        ctx.log.info(\`${name} listening on \${ctx.endpoint(socket.address, socket.port)}\`);
        socket.onMessage(async (d) => {
          // ctx.print shows the datagram (time, sender, size, text) or, with --json, one JSON object.
          ctx.print(d);
          const text = d.text ?? "(not text)";
          await socket.send(args.shout === false ? text : text.toUpperCase(), d.port, d.address);
        });
        // Until Ctrl-C: then parley closes the socket and prints what was sent and received.
        await ctx.stopped();
      },
    },
  ],
});
`;
}
