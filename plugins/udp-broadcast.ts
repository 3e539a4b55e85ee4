// The tutorial's broadcast (2.7): setBroadcast(true), then send to a
// broadcast address; or, with --relay, the tutorial's server: hear
// datagrams on one port and broadcast each of them to another.
import { definePlugin, type UdpContext, type UdpSocket } from "parley";

const LIMITED_BROADCAST = "255.255.255.255";

export default definePlugin({
  name: "udp-broadcast",
  description: "send to every host of the local network",
  udpModes: [
    {
      name: "broadcast",
      summary: "broadcast MESSAGE (or stdin: lines, --raw bytes, --hex) to a port on the local network, or --relay what arrives (tutorial 2.7)",
      args: {
        message: { type: "positional", valueHint: "MESSAGE...", required: false, description: "what to broadcast; without it (and without --relay), each line of stdin" },
        port: { type: "string", valueHint: "PORT", required: true, description: "the port to broadcast to" },
        address: { type: "string", valueHint: "ADDRESS", description: `the broadcast address (default ${LIMITED_BROADCAST}, or the directed one of --interface)` },
        interface: { type: "string", valueHint: "NAME|IP", description: "broadcast on this interface: to its directed broadcast address, like 192.168.1.255" },
        relay: { type: "boolean", default: false, description: "listen on --listen and broadcast every datagram that arrives there to --port" },
        listen: { type: "string", valueHint: "PORT", description: "with --relay: the port to listen on (not --port, or the relay would hear itself)" },
        raw: { type: "boolean", default: false, description: "stdin (or --file) is bytes, sent as they are, cut into datagrams of --size bytes" },
        hex: { type: "boolean", default: false, description: "MESSAGE, or each line of stdin (or --file), is hex (00ff0a; spaces allowed)" },
        file: { type: "string", valueHint: "PATH", description: "read this file instead of stdin (lines, or with --raw or --hex)" },
        size: { type: "string", valueHint: "BYTES", default: "1472", description: "with --raw: bytes per datagram" },
        count: { type: "string", valueHint: "N", description: "send MESSAGE this many times (default 1); from stdin or --file, send at most N datagrams" },
        interval: { type: "string", valueHint: "MS", description: "milliseconds between two datagrams (default 1000 between repeats of MESSAGE; none for stdin)" },
        rate: { type: "string", valueHint: "PPS", description: "datagrams per second, for MESSAGE and stdin alike (instead of --interval)" },
        wait: { type: "string", valueHint: "MS", default: "1000", description: "milliseconds to wait for replies after the last send" },
        reuse: { type: "boolean", default: false, description: "with --relay: share the port with other programs that ask too (SO_REUSEADDR)" },
      },
      async run(ctx, args) {
        const port = ctx.check.port("port", args.port);
        const address = await broadcastAddress(ctx, args.address, args.interface);
        if (args.relay === true) return relay(ctx, port, address, args.reuse === true);
        const wait = ctx.check.integer("wait", args.wait, 0, 3_600_000);
        const message = ctx.words.join(" ");
        const input = ctx.check.input(args, message, 4);
        const socket = await open(ctx, {});
        socket.onMessage((d) => ctx.print(d));
        for await (const data of ctx.input(input)) {
          const bytes = await socket.send(data, port, address);
          ctx.log.info(`broadcast ${bytes} bytes to ${address}:${port}`);
        }
        await ctx.sleep(wait);
      },
    },
  ],
});

async function broadcastAddress(ctx: UdpContext, address: string | boolean | undefined, iface: string | boolean | undefined): Promise<string> {
  if (address !== undefined && iface !== undefined) ctx.fail("give --address or --interface, not both");
  if (typeof iface === "string") return ctx.networkInterface(iface, 4).broadcast!;
  if (address === undefined) return LIMITED_BROADCAST;
  const checked = ctx.check.address("address", address);
  if ((await ctx.resolve(checked)).family === 6) ctx.fail("IPv6 has no broadcast; send to a multicast group instead (parley udp multicast --group ff02::1%eth0)");
  return checked;
}

async function open(ctx: UdpContext, options: { port?: number; reuse?: boolean }): Promise<UdpSocket> {
  const socket = await ctx.open({ family: 4, ...options });
  socket.setBroadcast(true);
  return socket;
}

async function relay(ctx: UdpContext, port: number, address: string, reuse: boolean): Promise<void> {
  if (ctx.words.length > 0) ctx.fail("--relay broadcasts what arrives; it takes no MESSAGE");
  if (ctx.args.listen === undefined) ctx.fail("--relay needs --listen PORT, the port to hear datagrams on");
  const listen = ctx.check.port("listen", ctx.args.listen, { bind: true });
  if (listen === port) ctx.fail(`--listen and --port are both ${port}: the relay would hear its own broadcasts`);
  const socket = await open(ctx, { port: listen, reuse });
  ctx.log.info(`relay listening on ${ctx.endpoint(socket.address, socket.port)}, broadcasting to ${address}:${port}`);
  socket.onMessage((d) => {
    ctx.print(d, { relayed: `${address}:${port}` });
    socket.send(d.data, port, address).catch((error: Error) => ctx.log.warn(error.message));
  });
  await ctx.stopped();
}

