// The tutorial's UDP server (2.5): every datagram goes back to its sender,
// and is printed. An echo server must not be turned into a loop or an
// amplifier, so it answers only unicast (it binds each address of the host
// rather than the wildcard, so broadcasts and multicast never reach it),
// never a datagram from a port of a well-known echo-like service (7 echo,
// 13 daytime, 17 qotd, 19 chargen, 37 time) or port 0, and at most --limit
// answers a second to one sender (two echo servers that find each other
// slow to that, and each says so once).
import { definePlugin, type Datagram, type UdpContext, type UdpSocket } from "parley";

const ECHO_LIKE_PORTS = new Set([0, 7, 13, 17, 19, 37]);

export default definePlugin({
  name: "udp-echo",
  description: "UDP echo server",
  udpModes: [
    {
      name: "echo",
      summary: "send every datagram back to its sender, and print it (tutorial 2.5); unicast only, rate-limited per sender",
      args: {
        port: { type: "string", valueHint: "PORT", required: true, description: "UDP port to listen on (0 picks a free one)" },
        host: { type: "string", valueHint: "ADDRESS", description: "address to listen on (default: each IPv4 address of this host; :: for each IPv6 one)" },
        limit: { type: "string", valueHint: "N", default: "1000", description: "answer one sender (address and port) at most N times a second; the rest are printed, not answered (raise it for parley udp probe at higher rates)" },
        rcvbuf: { type: "string", valueHint: "BYTES", description: "the receive buffer (SO_RCVBUF; the kernel doubles it, up to net.core.rmem_max)" },
        reuse: { type: "boolean", default: false, description: "refused: Linux hands each unicast datagram to one socket only, so echo servers cannot share a port" },
      },
      async run(ctx, args) {
        const port = ctx.check.port("port", args.port, { bind: true });
        const host = args.host === undefined ? undefined : ctx.check.address("host", args.host);
        const limit = ctx.check.integer("limit", args.limit, 1, 1_000_000);
        const rcvbuf = args.rcvbuf === undefined ? undefined : ctx.check.integer("rcvbuf", args.rcvbuf, 1024, 1 << 30);
        if (args.reuse === true) ctx.fail("--reuse cannot share an echo port: Linux hands each unicast datagram to one socket only, and echo answers unicast only; choose another port");
        if (host !== undefined && isGroup(ctx, host)) ctx.fail(`--host ${host} is a multicast group; echo answers unicast only`);
        const family = host === undefined ? 4 : (await ctx.resolve(host)).family;
        const wildcard = host === undefined || host === "0.0.0.0" || host === "::";
        const addresses = wildcard ? ctx.localAddresses(family).map((a) => a.address) : [host];
        if (addresses.length === 0) ctx.fail(`this host has no IPv${family} address to listen on`);
        const sockets: UdpSocket[] = [];
        for (const address of addresses) {
          const socket = await ctx.open({ host: address, port: sockets[0]?.port ?? port, rcvbuf });
          sockets.push(socket);
        }
        ctx.log.info(`echo listening on ${sockets.map((s) => ctx.endpoint(s.address, s.port)).join(", ")}`);
        const limiter = new Limiter(limit);
        for (const socket of sockets) socket.onMessage((d) => answer(ctx, socket, limiter, d));
        await ctx.stopped();
      },
    },
  ],
});

function answer(ctx: UdpContext, socket: UdpSocket, limiter: Limiter, d: Datagram): void {
  const from = ctx.endpoint(d.address, d.port);
  if (ECHO_LIKE_PORTS.has(d.port)) {
    ctx.print(d, { answered: false, reason: "echo-port" });
    ctx.log.warn(`not answering ${from}: port ${d.port} is an echo-like service's, and answering could start a loop`);
    return;
  }
  if (!limiter.allow(from)) {
    ctx.print(d, { answered: false, reason: "rate-limit" });
    if (limiter.firstRefusal(from)) ctx.log.warn(`${from} sends more than ${limiter.perSecond} datagrams a second: the rest of this second is not answered (--limit)`);
    return;
  }
  ctx.print(d);
  ctx.log.debug(`${d.data.length} bytes from ${from}, sent back`);
  socket.send(d.data, d.port, d.address).catch((error: Error) => ctx.log.warn(error.message));
}

/** At most perSecond answers to one sender in each second. */
class Limiter {
  readonly perSecond: number;
  private second = 0;
  private counts = new Map<string, number>();
  private told = new Set<string>();

  constructor(perSecond: number) {
    this.perSecond = perSecond;
  }

  allow(from: string): boolean {
    const now = Math.floor(Date.now() / 1000);
    if (now !== this.second) {
      this.second = now;
      this.counts.clear();
    }
    const n = (this.counts.get(from) ?? 0) + 1;
    this.counts.set(from, n);
    return n <= this.perSecond;
  }

  /** true the first time a sender is refused (once per run, so the log does not flood) */
  firstRefusal(from: string): boolean {
    if (this.told.has(from)) return false;
    if (this.told.size < 10_000) this.told.add(from);
    return true;
  }
}

function isGroup(ctx: UdpContext, address: string): boolean {
  try {
    ctx.check.group("host", address);
    return true;
  } catch {
    return false;
  }
}
