// The tutorial's UDP client (2.6): sends a message, or stdin (lines, raw
// bytes or hex), or a file, to HOST:PORT and prints every reply with its
// sender. A unicast target is connected, so an ICMP port unreachable is
// reported as "connection refused".
import { definePlugin, type UdpContext, type UdpSocket } from "parley";

export default definePlugin({
  name: "udp-send",
  description: "send datagrams and print the replies",
  udpModes: [
    {
      name: "send",
      summary: "send MESSAGE (or stdin: lines, --raw bytes, --hex) to HOST:PORT and print the replies (tutorial 2.6)",
      args: {
        target: { type: "positional", valueHint: "HOST:PORT", description: "where to send: 127.0.0.1:5000, [::1]:5000, a host name" },
        message: { type: "positional", valueHint: "MESSAGE...", required: false, description: "what to send; without it, each line of stdin (or --file) is one datagram" },
        raw: { type: "boolean", default: false, description: "stdin (or --file) is bytes, sent as they are, cut into datagrams of --size bytes" },
        hex: { type: "boolean", default: false, description: "MESSAGE, or each line of stdin (or --file), is hex (00ff0a; spaces allowed)" },
        file: { type: "string", valueHint: "PATH", description: "read this file instead of stdin (lines, or with --raw or --hex)" },
        size: { type: "string", valueHint: "BYTES", default: "1472", description: "with --raw: bytes per datagram" },
        count: { type: "string", valueHint: "N", description: "send MESSAGE this many times (default 1); from stdin or --file, send at most N datagrams" },
        interval: { type: "string", valueHint: "MS", description: "milliseconds between two datagrams (default 1000 between repeats of MESSAGE; none for stdin)" },
        rate: { type: "string", valueHint: "PPS", description: "datagrams per second, for MESSAGE and stdin alike (instead of --interval)" },
        wait: { type: "string", valueHint: "MS", default: "1000", description: "milliseconds to wait for replies after the last send" },
        replies: { type: "string", valueHint: "N", description: "stop as soon as N replies have arrived (waiting at most --wait)" },
        ttl: { type: "string", valueHint: "N", description: "hops the datagrams may take (1-255)" },
      },
      async run(ctx, args) {
        const { host, port } = ctx.check.hostPort("HOST:PORT", args.target);
        const wait = ctx.check.integer("wait", args.wait, 0, 3_600_000);
        const replies = args.replies === undefined ? undefined : ctx.check.integer("replies", args.replies, 1, 1_000_000);
        const message = ctx.words.slice(1).join(" ");
        const to = await ctx.resolve(host);
        const input = ctx.check.input(args, message, to.family);
        const socket = await ctx.open({ family: to.family });
        if (args.ttl !== undefined) setTTL(ctx, socket, ctx.check.ttl("ttl", args.ttl), to.address);
        const unicast = !isGroup(ctx, to.address) && !to.address.endsWith(".255");
        let refused = false;
        let stop: () => void = () => {};
        const over = new Promise<void>((resolve) => (stop = resolve));
        if (unicast) {
          await socket.connect(port, to.address);
          socket.onRefused(() => {
            refused = true;
            stop();
          });
        }
        socket.onMessage((d) => {
          ctx.print(d);
          if (replies !== undefined && ctx.counts.received >= replies) stop();
        });
        for await (const bytes of ctx.input(input)) {
          const sent = unicast ? await socket.send(bytes) : await socket.send(bytes, port, to.address);
          if (refused) break;
          ctx.log.info(`sent ${sent} bytes to ${ctx.endpoint(to.address, port)}`);
        }
        if (!refused) await Promise.race([ctx.sleep(wait), over]);
        if (refused) ctx.fail(`connection refused: nothing listens on UDP ${ctx.endpoint(to.address, port)} (ICMP port unreachable)`);
      },
    },
  ],
});


function setTTL(ctx: UdpContext, socket: UdpSocket, ttl: number, address: string): void {
  if (isGroup(ctx, address)) return socket.setMulticastTTL(ttl);
  socket.setTTL(ttl);
}

/** Whether address is a multicast group, by core's own test: the group check, which throws for any other address. */
function isGroup(ctx: UdpContext, address: string): boolean {
  try {
    ctx.check.group("address", address);
    return true;
  } catch {
    return false;
  }
}
