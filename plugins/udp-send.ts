// The tutorial's UDP client (2.6): sends a message, or each line of stdin,
// to HOST:PORT and prints every reply with its sender.
import { definePlugin, type UdpContext, type UdpSocket } from "parley";

export default definePlugin({
  name: "udp-send",
  description: "send datagrams and print the replies",
  udpModes: [
    {
      name: "send",
      summary: "send MESSAGE (or each line of stdin) to HOST:PORT and print the replies (tutorial 2.6)",
      args: {
        target: { type: "positional", valueHint: "HOST:PORT", description: "where to send: 127.0.0.1:5000, [::1]:5000, a host name" },
        message: { type: "positional", valueHint: "MESSAGE...", required: false, description: "what to send; without it, each line of stdin is one datagram" },
        count: { type: "string", valueHint: "N", default: "1", description: "send MESSAGE this many times" },
        interval: { type: "string", valueHint: "MS", default: "1000", description: "milliseconds between sends with --count" },
        wait: { type: "string", valueHint: "MS", default: "1000", description: "milliseconds to wait for replies after the last send" },
        replies: { type: "string", valueHint: "N", description: "stop as soon as N replies have arrived (waiting at most --wait)" },
        ttl: { type: "string", valueHint: "N", description: "hops the datagrams may take (1-255; for a multicast address 0-255)" },
      },
      async run(ctx, args) {
        const { host, port } = ctx.check.hostPort("HOST:PORT", args.target);
        const count = ctx.check.integer("count", args.count, 1, 1_000_000);
        const interval = ctx.check.integer("interval", args.interval, 0, 3_600_000);
        const wait = ctx.check.integer("wait", args.wait, 0, 3_600_000);
        const replies = args.replies === undefined ? undefined : ctx.check.integer("replies", args.replies, 1, 1_000_000);
        const message = ctx.words.slice(1).join(" ");
        const to = await ctx.resolve(host);
        if (message) ctx.check.payload(message, to.family);
        const socket = await ctx.open({ family: to.family });
        if (args.ttl !== undefined) setTTL(ctx, socket, ctx.check.ttl("ttl", args.ttl), to.address);
        let enough: () => void = () => {};
        const allIn = new Promise<void>((resolve) => (enough = resolve));
        socket.onMessage((d) => {
          ctx.print(d);
          if (replies !== undefined && ctx.counts.received >= replies) enough();
        });
        const send = async (text: string) => {
          const bytes = await socket.send(text, port, to.address);
          ctx.log.info(`sent ${bytes} bytes to ${ctx.endpoint(to.address, port)}`);
        };
        for await (const text of ctx.messages(message, { count, interval })) await send(text);
        await Promise.race([ctx.sleep(wait), allIn]);
      },
    },
  ],
});

function setTTL(ctx: UdpContext, socket: UdpSocket, ttl: number, address: string): void {
  if (isGroup(ctx, address)) return socket.setMulticastTTL(ttl);
  if (ttl === 0) ctx.fail("--ttl 0 only means something for a multicast address; unicast needs 1 to 255");
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
