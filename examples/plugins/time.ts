// time: the tutorial's multicast server (2.8.1) as a dropped-in UDP mode.
// It announces the time to a multicast group every second:
//
//   parley udp time --plugins ./plugins                 (announce)
//   parley udp multicast --group 239.255.0.42 --port 8080   (hear it, anywhere on the network)
//
// The tutorial uses group 230.185.192.108 with TTL 128; 239.0.0.0/8 is the
// block meant for a site's own use, and TTL 1 keeps the announcements on
// the local network. Both can be changed with --group and --ttl.
import { definePlugin } from "parley";

export default definePlugin({
  name: "time",
  version: "1.0.0",
  description: "announce the time to a multicast group",
  udpModes: [
    {
      name: "time",
      summary: "announce the time to a multicast group every second (the tutorial's 2.8.1 server)",
      args: {
        group: { type: "string", valueHint: "GROUP", default: "239.255.0.42", description: "the multicast group to announce to" },
        port: { type: "string", valueHint: "PORT", default: "8080", description: "the group's UDP port" },
        every: { type: "string", valueHint: "SECONDS", default: "1", description: "seconds between announcements" },
        count: { type: "string", valueHint: "N", description: "stop after N announcements (default: until Ctrl-C)" },
        ttl: { type: "string", valueHint: "N", default: "1", description: "hops an announcement may take" },
        interface: { type: "string", valueHint: "NAME|IP", description: "announce on this interface" },
      },
      async run(ctx, args) {
        const group = ctx.check.group("group", args.group);
        const port = ctx.check.port("port", args.port);
        const every = ctx.check.seconds("every", args.every, 0.01, 86_400);
        const count = args.count === undefined ? Infinity : ctx.check.integer("count", args.count, 1, 1_000_000);
        // A socket of its own (any port): the tutorial's server only sends.
        const socket = await ctx.open({ family: group.includes(":") ? 6 : 4 });
        socket.setMulticastTTL(ctx.check.ttl("ttl", args.ttl));
        if (typeof args.interface === "string") socket.setMulticastInterface(args.interface);
        ctx.log.info(`announcing the time to ${ctx.endpoint(group, port)} every ${every}s`);
        for (let sent = 0; sent < count; ) {
          const now = new Date().toLocaleString();
          await socket.send(now, port, group);
          sent++;
          ctx.note(`${now} -> ${ctx.endpoint(group, port)}`, { event: "announce", text: now, to: ctx.endpoint(group, port) });
          if (sent < count && !(await ctx.sleep(every * 1000))) break;
        }
      },
    },
  ],
});
