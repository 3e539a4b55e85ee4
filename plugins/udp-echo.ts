// The tutorial's UDP server (2.5): every datagram goes back to its sender.
import { definePlugin } from "parley";

export default definePlugin({
  name: "udp-echo",
  description: "UDP echo server",
  udpModes: [
    {
      name: "echo",
      summary: "send every datagram back to its sender (tutorial 2.5)",
      args: {
        port: { type: "string", valueHint: "PORT", required: true, description: "UDP port to listen on (0 picks a free one)" },
        host: { type: "string", valueHint: "ADDRESS", description: "address to listen on (default: every IPv4 interface; :: for IPv6)" },
        reuse: { type: "boolean", default: false, description: "share the port with other programs that ask too (SO_REUSEADDR)" },
      },
      async run(ctx, args) {
        const port = ctx.check.port("port", args.port, { bind: true });
        const host = args.host === undefined ? undefined : ctx.check.address("host", args.host);
        const socket = await ctx.open({ host, port, reuse: args.reuse === true });
        ctx.log.info(`echo listening on ${ctx.endpoint(socket.address, socket.port)}`);
        socket.onMessage((d) => {
          ctx.log.debug(`${d.data.length} bytes from ${ctx.endpoint(d.address, d.port)}, sent back`);
          if (ctx.json) ctx.print(d);
          socket.send(d.data, d.port, d.address).catch((error: Error) => ctx.log.warn(error.message));
        });
        await ctx.stopped();
      },
    },
  ],
});
