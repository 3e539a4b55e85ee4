// `parley udp multicast` (tutorial 2.8), inside network namespaces the test
// makes: IPv4 groups are routed to the namespace's loopback, IPv6 groups
// go over a veth pair of its own (Linux turns an IPv6 route through lo into
// a reject route). No datagram can reach a real network.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Netns, nthLine, type NsProcess } from "../helpers/netns.ts";

const TIME = /\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d\d:\d\d [AP]M/;

let v4: Netns;
let v6: Netns;
beforeAll(async () => {
  [v4, v6] = await Promise.all([Netns.create("multicast"), Netns.create("ipv6")]);
});
afterAll(() => {
  v4.close();
  v6.close();
});

/** Starts `parley udp multicast ARGS` and waits until it has joined. */
async function joined(ns: Netns, args: string[]): Promise<NsProcess> {
  const p = ns.run(["udp", "multicast", ...args]);
  await p.stderr.waitFor("joined", "the joined line");
  return p;
}

describe("join a group, hear what is sent to it, leave on exit", () => {
  test("a member prints what another sends, with the sender's address; both leave with dropMembership", async () => {
    const member = await joined(v4, ["--group", "239.1.2.3", "--port", "5000", "--reuse"]);
    expect(member.stderr.lines[0]).toBe("[info] joined 239.1.2.3 port 5000");
    const sender = await joined(v4, ["--group", "239.1.2.3", "--port", "5000", "--reuse", "--send", "hello group"]);
    expect(await member.stdout.waitFor("hello group")).toMatch(/^\d\d:\d\d:\d\d\.\d{3}  127\.0\.0\.1:5000  to 239\.1\.2\.3  11 bytes  hello group$/);
    // With loopback on (the default), the sender hears itself too.
    expect(await sender.stdout.waitFor("hello group")).toContain("127.0.0.1:5000  to 239.1.2.3  11 bytes");
    expect(await sender.stop()).toBe(0);
    expect(sender.stderr.lines.slice(-2)).toEqual(["[info] left 239.1.2.3", "[info] sent 1 datagram (11 bytes), received 1 (11 bytes)"]);
    expect(await member.stop("SIGTERM")).toBe(0);
    expect(member.stderr.lines.slice(-2)).toEqual(["[info] left 239.1.2.3", "[info] sent 0 datagrams (0 bytes), received 1 (11 bytes)"]);
  });

  test("--every sends the time every N seconds, --count stops after N", async () => {
    const member = await joined(v4, ["--group", "239.1.2.4", "--port", "5000", "--reuse", "--json"]);
    const clock = v4.run(["udp", "multicast", "--group", "239.1.2.4", "--port", "5000", "--reuse", "--every", "0.05", "--count", "3"]);
    expect(await clock.exited).toBe(0);
    expect(clock.stderr.lines.at(-2)).toBe("[info] left 239.1.2.4");
    expect(clock.stderr.lines.at(-1)).toMatch(/^\[info\] sent 3 datagrams \(\d+ bytes\), received \d \(\d+ bytes\)$/);
    await nthLine(member.stdout, 3);
    const got = member.stdout.lines.map((l) => JSON.parse(l));
    expect(got).toHaveLength(3);
    for (const d of got) expect(d).toMatchObject({ address: "127.0.0.1", port: 5000, family: "IPv4", to: "239.1.2.4" });
    for (const d of got) expect(d.text).toMatch(TIME);
    await member.stop();
  });

  test("--send with --every repeats the text", async () => {
    const member = await joined(v4, ["--group", "239.1.2.5", "--port", "5000", "--reuse"]);
    const r = await v4.runToEnd(["udp", "multicast", "--group", "239.1.2.5", "--port", "5000", "--reuse", "--send", "tick", "--every", "0.02", "--count", "2"]);
    expect(r.code).toBe(0);
    await nthLine(member.stdout, 2, "tick");
    await member.stop();
    expect(member.stdout.lines.map((l) => l.split("  ").slice(2).join("  "))).toEqual(["to 239.1.2.5  4 bytes  tick", "to 239.1.2.5  4 bytes  tick"]);
    expect(member.stderr.lines.at(-1)).toBe("[info] sent 0 datagrams (0 bytes), received 2 (8 bytes)");
  });
});

describe("source-specific multicast (--source)", () => {
  test("only datagrams from the named source arrive", async () => {
    const fromLocal = await joined(v4, ["--group", "232.1.1.1", "--port", "5001", "--source", "127.0.0.1"]);
    expect(fromLocal.stderr.lines[0]).toBe("[info] joined 232.1.1.1 port 5001 from source 127.0.0.1");
    const fromOther = await joined(v4, ["--group", "232.1.1.2", "--port", "5002", "--source", "127.0.0.2", "--reuse"]);
    await v4.runToEnd(["udp", "send", "232.1.1.1:5001", "from the right source", "--wait", "0"]);
    expect(await fromLocal.stdout.waitFor("right source")).toContain("127.0.0.1:");
    // This one comes from 127.0.0.1, not 127.0.0.2: the kernel drops it for fromOther. A member of
    // the group that names no source does get it (the kernel hands it to both sockets at once).
    const anySource = await joined(v4, ["--group", "232.1.1.2", "--port", "5002", "--reuse"]);
    await v4.runToEnd(["udp", "send", "232.1.1.2:5002", "from the wrong source", "--wait", "0"]);
    await anySource.stdout.waitFor("wrong source");
    await Bun.sleep(200);
    expect(fromOther.stdout.lines).toHaveLength(0);
    await Promise.all([fromOther.stop(), anySource.stop()]);
    expect(await fromLocal.stop()).toBe(0);
    expect(fromLocal.stderr.lines.at(-2)).toBe("[info] left 232.1.1.1 (source 127.0.0.1)");
  });
});

describe("the sender's address as the receiver sees it", () => {
  // With `ip route add 224.0.0.0/4 dev lo` (no src), lo's only address,
  // 127.0.0.1, is host-scoped and the route link-scoped, so the kernel sends
  // from 0.0.0.0 (a raw socket sees 0.0.0.0 on the wire; Node and Bun 1.4.5
  // both report it). --interface 127.0.0.1 (IP_MULTICAST_IF) gives the
  // datagrams a source address.
  test("without a source address on the route the sender is 0.0.0.0, with a warning; --interface fixes it", async () => {
    const ns = await Netns.create("multicast-nosrc");
    try {
      const member = await joined(ns, ["--group", "239.9.9.9", "--port", "5000", "--reuse"]);
      await ns.runToEnd(["udp", "multicast", "--group", "239.9.9.9", "--port", "5000", "--reuse", "--send", "anonymous", "--count", "1"]);
      expect(await member.stdout.waitFor("anonymous")).toContain("  0.0.0.0:5000  to 239.9.9.9  9 bytes  anonymous");
      expect(await member.stderr.waitFor("[warn]")).toBe(
        "[warn] a datagram came from 0.0.0.0:5000: its sender had no address on the interface it left by (a route without a source address); it can give one with --interface",
      );
      await ns.runToEnd(["udp", "multicast", "--group", "239.9.9.9", "--port", "5000", "--reuse", "--interface", "127.0.0.1", "--send", "named", "--count", "1"]);
      expect(await member.stdout.waitFor("named")).toContain("  127.0.0.1:5000  to 239.9.9.9  5 bytes  named");
      await member.stop();
    } finally {
      ns.close();
    }
  });
});

describe("IPv6 groups", () => {
  test("ff02::/16 with a %scope: joined on v0, heard from fe80::1%v0", async () => {
    const member = await joined(v6, ["--group", "ff02::4242%v0", "--port", "5000", "--reuse", "--json"]);
    expect(member.stderr.lines[0]).toBe("[info] joined ff02::4242%v0 port 5000");
    const r = await v6.runToEnd(["udp", "multicast", "--group", "ff02::4242%v0", "--port", "5000", "--reuse", "--send", "link-local", "--count", "1"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(await member.stdout.waitFor("link-local"))).toMatchObject({ from: "[fe80::1%v0]:5000", address: "fe80::1%v0", family: "IPv6", text: "link-local" });
    expect(await member.stop()).toBe(0);
    expect(member.stderr.lines.at(-2)).toBe("[info] left ff02::4242%v0");
  });

  test("ff15:: (site scope) on --interface v0, heard from v0's own address", async () => {
    const member = await joined(v6, ["--group", "ff15::4242", "--interface", "v0", "--port", "5001", "--reuse"]);
    expect(member.stderr.lines[0]).toBe("[info] joined ff15::4242 port 5001 on v0");
    await v6.runToEnd(["udp", "multicast", "--group", "ff15::4242", "--interface", "v0", "--port", "5001", "--reuse", "--send", "site", "--count", "1"]);
    expect(await member.stdout.waitFor("site")).toContain("  [fd00:7e57::1]:5001  to ff15::4242  4 bytes  site");
    // `send` to a group works too; the kernel picks the interface.
    await v6.runToEnd(["udp", "send", "[ff15::4242]:5001", "via send", "--wait", "0"]);
    expect(await member.stdout.waitFor("via send")).toContain("  8 bytes  via send");
    await member.stop();
  });

  test("--no-loopback: this host's members do not get what it sends", async () => {
    const member = await joined(v6, ["--group", "ff02::4343%v0", "--port", "5002", "--reuse"]);
    await v6.runToEnd(["udp", "multicast", "--group", "ff02::4343%v0", "--port", "5002", "--reuse", "--no-loopback", "--send", "quiet", "--count", "1"]);
    await v6.runToEnd(["udp", "multicast", "--group", "ff02::4343%v0", "--port", "5002", "--reuse", "--send", "loud", "--count", "1"]);
    await member.stdout.waitFor("loud");
    expect(member.stdout.lines).toHaveLength(1);
    await member.stop();
  });
});

describe("multicast mistakes", () => {
  test("a group in 224.0.0.0/24 works but gets a warning", async () => {
    const r = await v4.runToEnd(["udp", "multicast", "--group", "224.0.0.7", "--port", "5003", "--send", "x", "--count", "1"]);
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")[0]).toBe(
      "[warn] 224.0.0.7 is in 224.0.0.0/24, the local network control block that routing protocols use (OSPF 224.0.0.5, mDNS 224.0.0.251); routers never forward it. For your own group pick one in 239.0.0.0/8",
    );
  });

  const cases: [string, string[], string][] = [
    ["a group outside 224.0.0.0/4", ["--group", "10.1.2.3", "--port", "5000"], 'parley: --group must be a multicast group: 224.0.0.0 to 239.255.255.255, or ff00::/8 for IPv6 (got "10.1.2.3")'],
    ["an IPv6 address outside ff00::/8", ["--group", "fe80::1", "--port", "5000"], 'parley: --group must be a multicast group: 224.0.0.0 to 239.255.255.255, or ff00::/8 for IPv6 (got "fe80::1")'],
    ["a group that is not an address", ["--group", "239.1.2", "--port", "5000"], 'parley: --group must be a multicast group: 224.0.0.0 to 239.255.255.255, or ff00::/8 for IPv6 (got "239.1.2")'],
    ["a port out of range", ["--group", "239.1.2.3", "--port", "0"], 'parley: --port must be a port from 1 to 65535 (got "0")'],
    ["a TTL out of range", ["--group", "239.1.2.3", "--port", "5000", "--ttl", "300"], 'parley: --ttl must be a TTL (hop count) from 1 to 255 (got "300")'],
    ["a bad source address", ["--group", "232.1.1.1", "--port", "5000", "--source", "127.1"], 'parley: --source must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1 (got "127.1")'],
    ["a payload too big", ["--group", "239.1.2.3", "--port", "5000", "--send", "z".repeat(65508)], "parley: the message is 65508 bytes; one UDP datagram over IPv4 carries at most 65507"],
    ["an interface that is not there", ["--group", "239.1.2.3", "--port", "5004", "--interface", "eth9"], 'parley: no interface "eth9" on this host (there are: lo)'],
    ["--every out of range", ["--group", "239.1.2.3", "--port", "5000", "--every", "0"], "parley: --every must be from 0.01 to 86400 seconds (got 0)"],
    // Bun 1.4.5's setMulticastTTL refuses 0 (Node accepts it): TTLs are 1-255, and help no longer offers 0.
    ["TTL 0, which the Bun runtime refuses", ["--group", "239.1.2.3", "--port", "5005", "--ttl", "0"], 'parley: --ttl must be a TTL (hop count) from 1 to 255 (got "0")'],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const r = await v4.runToEnd(["udp", "multicast", ...args]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(message);
    });
  }

  test("a port in use suggests --reuse", async () => {
    const member = await joined(v4, ["--group", "239.1.2.6", "--port", "5006"]);
    const r = await v4.runToEnd(["udp", "multicast", "--group", "239.1.2.6", "--port", "5006"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("parley: UDP 239.1.2.6:5006 is in use by another program; add --reuse to share it (every program on the port must ask) or choose another port");
    await member.stop();
  });
});
