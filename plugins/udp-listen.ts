// Prints every datagram that arrives on a port: time, sender, size, and the
// text, or hex when it is not UTF-8. With --json, one object per datagram;
// --hex prints each payload as one line of hex, --raw writes the payloads
// to stdout byte for byte. The datagrams the kernel dropped (a full
// receive buffer) are in the summary.
import { definePlugin } from "parley";

export default definePlugin({
  name: "udp-listen",
  description: "print the datagrams that arrive on a port",
  udpModes: [
    {
      name: "listen",
      summary: "print each datagram that arrives: time, sender, size, text or hex (--hex, --raw: the payloads only)",
      args: {
        port: { type: "string", valueHint: "PORT", required: true, description: "UDP port to listen on (0 picks a free one)" },
        host: { type: "string", valueHint: "ADDRESS", description: "address to listen on (default: every IPv4 interface; :: for IPv6)" },
        hex: { type: "boolean", default: false, description: "print each payload as one line of hex, nothing else" },
        raw: { type: "boolean", default: false, description: "write the payloads to stdout byte for byte, nothing else" },
        rcvbuf: { type: "string", valueHint: "BYTES", description: "the socket's receive buffer (SO_RCVBUF; the kernel doubles it, up to net.core.rmem_max)" },
        reuse: { type: "boolean", default: false, description: "share the port with other programs that ask too (SO_REUSEADDR), on the wildcard address only: each gets every broadcast, but Linux hands a unicast datagram to one of them" },
      },
      async run(ctx, args) {
        const port = ctx.check.port("port", args.port, { bind: true });
        const host = args.host === undefined ? undefined : ctx.check.address("host", args.host);
        if (args.hex === true && args.raw === true) ctx.fail("give --hex or --raw, not both");
        if (ctx.json && (args.hex === true || args.raw === true)) ctx.fail(`--${args.hex === true ? "hex" : "raw"} prints the payloads only; it does not go with --json`);
        if (args.reuse === true && host !== undefined && host !== "0.0.0.0" && host !== "::") {
          ctx.fail(`--reuse does not share a unicast address: Linux hands each datagram to ${host} to one socket only; share the wildcard (no --host) for broadcasts, or use parley udp multicast`);
        }
        const rcvbuf = args.rcvbuf === undefined ? undefined : ctx.check.integer("rcvbuf", args.rcvbuf, 1024, 1 << 30);
        const socket = await ctx.open({ host, port, reuse: args.reuse === true, rcvbuf });
        ctx.log.info(`listening on ${ctx.endpoint(socket.address, socket.port)}${rcvbuf ? ` (receive buffer ${socket.receiveBuffer()} bytes)` : ""}`);
        if (ctx.json) ctx.note(`listening on ${ctx.endpoint(socket.address, socket.port)}`, { event: "listening", address: socket.address, port: socket.port });
        if (args.raw === true) socket.onMessage((d) => void process.stdout.write(d.data));
        else if (args.hex === true) socket.onMessage((d) => void process.stdout.write(Buffer.from(d.data).toString("hex") + "\n"));
        else socket.onMessage((d) => ctx.print(d));
        await ctx.stopped();
      },
    },
  ],
});
