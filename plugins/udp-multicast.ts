// The tutorial's multicast (2.8): join a group, print what arrives, and
// optionally send text or the time every N seconds. The group is left
// (dropMembership) on the way out. --source makes the join
// source-specific (IGMPv3 / MLDv2): only that sender is heard. --group may
// be given several times: each group gets a socket bound to the group's
// address (not the wildcard), so a member hears its groups only, whatever
// else this host has joined, and each datagram says which group it came to.
import { definePlugin, type UdpContext, type UdpSocket } from "parley";

export default definePlugin({
  name: "udp-multicast",
  description: "join a multicast group, print what arrives, send to it",
  udpModes: [
    {
      name: "multicast",
      summary: "join multicast groups (--group, repeatable) and print what arrives; --send TEXT or the time --every N seconds (tutorial 2.8)",
      args: {
        group: { type: "string", valueHint: "GROUP", required: true, description: "224.0.0.0-239.255.255.255 or ff00::/8 (ff02::1%eth0 names the interface); give it again to join several" },
        port: { type: "string", valueHint: "PORT", required: true, description: "the group's UDP port" },
        interface: { type: "string", valueHint: "NAME|IP", description: "join and send on this interface (default: the one the kernel picks)" },
        source: { type: "string", valueHint: "ADDRESS", description: "hear only this sender (source-specific multicast)" },
        ttl: { type: "string", valueHint: "N", default: "1", description: "hops a datagram may take (1-255): 1 stays on the local network" },
        loopback: { type: "boolean", default: true, description: "this host's own listeners get what it sends" },
        send: { type: "string", valueHint: "TEXT", description: "send TEXT to each group once joined (every --every seconds if given)" },
        every: { type: "string", valueHint: "SECONDS", description: "send the time (or --send TEXT) every SECONDS" },
        count: { type: "string", valueHint: "N", description: "stop after sending N times" },
        reuse: { type: "boolean", default: false, description: "share the port with other programs that ask too (SO_REUSEADDR)" },
      },
      async run(ctx, args) {
        const groups = [...new Set(ctx.values("group").map((g) => ctx.check.group("group", g)))];
        if (groups.length === 0) ctx.fail("--group needs a value");
        const family = (await ctx.resolve(groups[0]!)).family;
        for (const g of groups) if ((await ctx.resolve(g)).family !== family) ctx.fail(`--group ${g} and --group ${groups[0]} are not of the same IP version`);
        const group = groups.join(", ");
        const port = ctx.check.port("port", args.port);
        const ttl = ctx.check.ttl("ttl", args.ttl);
        const source = args.source === undefined ? undefined : ctx.check.address("source", args.source);
        if (source && (await ctx.resolve(source)).family !== family) ctx.fail(`--source ${source} and --group ${groups[0]} are not of the same IP version`);
        const every = args.every === undefined ? undefined : ctx.check.seconds("every", args.every, 0.01, 86_400);
        const count = args.count === undefined ? undefined : ctx.check.integer("count", args.count, 1, 1_000_000);
        const text = typeof args.send === "string" ? args.send : undefined;
        if (text !== undefined) ctx.check.payload(text, family);
        if (count !== undefined && text === undefined && every === undefined) ctx.fail("--count counts sends: give --send TEXT or --every SECONDS too");
        const iface = typeof args.interface === "string" ? args.interface : undefined;

        const members: { group: string; socket: UdpSocket }[] = [];
        for (const g of groups) {
          // Bound to the group's address: the kernel gives this socket that group's datagrams only.
          const socket = await ctx.open({ family, host: g, port, reuse: args.reuse === true });
          socket.setMulticastTTL(ttl);
          socket.setMulticastLoopback(args.loopback !== false);
          if (iface) socket.setMulticastInterface(iface);
          socket.join(g, { interface: iface, source });
          socket.onMessage((d) => ctx.print(d));
          members.push({ group: g, socket });
        }
        const how = [iface && `on ${iface}`, source && `from source ${source}`].filter(Boolean).join(" ");
        ctx.log.info(`joined ${group} port ${port}${how ? " " + how : ""}`);
        if (text !== undefined || every !== undefined) {
          const sent = await sendLoop(ctx, members, { port, text, every, count });
          if (count !== undefined && sent >= count) return;
        }
        await ctx.stopped();
      },
    },
  ],
});

interface Sending {
  port: number;
  text?: string;
  every?: number;
  count?: number;
}

/** Sends the text (or the time) once, or every `every` seconds; returns how many were sent. */
async function sendLoop(ctx: UdpContext, members: { group: string; socket: UdpSocket }[], { port, text, every, count }: Sending): Promise<number> {
  let sent = 0;
  for (;;) {
    for (const { group, socket } of members) {
      const bytes = await socket.send(text ?? new Date().toLocaleString(), port, group);
      ctx.log.debug(`sent ${bytes} bytes to ${ctx.endpoint(group, port)}`);
    }
    sent++;
    if (every === undefined || (count !== undefined && sent >= count)) return sent;
    if (!(await ctx.sleep(every * 1000))) return sent;
  }
}
