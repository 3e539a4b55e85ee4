// Prints every datagram that arrives on a port: time, sender, size, and the
// text, or hex when it is not UTF-8. With --json, one object per datagram.
import { definePlugin } from "parley";

export default definePlugin({
  name: "udp-listen",
  description: "print the datagrams that arrive on a port",
  udpModes: [
    {
      name: "listen",
      summary: "print each datagram that arrives: time, sender, size, text or hex",
      args: {
        port: { type: "string", valueHint: "PORT", required: true, description: "UDP port to listen on (0 picks a free one)" },
        host: { type: "string", valueHint: "ADDRESS", description: "address to listen on (default: every IPv4 interface; :: for IPv6)" },
        reuse: { type: "boolean", default: false, description: "share the port with other programs that ask too (SO_REUSEADDR)" },
      },
      async run(ctx, args) {
        const port = ctx.check.port("port", args.port, { bind: true });
        const host = args.host === undefined ? undefined : ctx.check.address("host", args.host);
        const socket = await ctx.open({ host, port, reuse: args.reuse === true });
        ctx.log.info(`listening on ${ctx.endpoint(socket.address, socket.port)}`);
        socket.onMessage((d) => ctx.print(d));
        await ctx.stopped();
      },
    },
  ],
});
