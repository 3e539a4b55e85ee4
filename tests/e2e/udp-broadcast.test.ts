// `parley udp broadcast` (tutorial 2.7), inside a network namespace the
// test makes: only its loopback exists there, whose broadcast address is
// 127.255.255.255, so no datagram can reach a real network.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Netns, portIn, type NsProcess } from "../helpers/netns.ts";

let ns: Netns;
beforeAll(async () => {
  ns = await Netns.create("lo");
});
afterAll(() => ns.close());

async function listening(args: string[]): Promise<{ p: NsProcess; port: number }> {
  const p = ns.run(args);
  return { p, port: portIn(await p.stderr.waitFor("listening on", "the listening line")) };
}

describe("broadcast sends to every listener on the network", () => {
  test("to --address 127.255.255.255: two listeners sharing the port both hear it, from 127.0.0.1", async () => {
    const a = await listening(["udp", "listen", "--port", "0", "--reuse"]);
    const b = await listening(["udp", "listen", "--port", String(a.port), "--reuse"]);
    const sent = await ns.runToEnd(["udp", "broadcast", "--port", String(a.port), "--address", "127.255.255.255", "--wait", "0", "hello", "everyone"]);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain(`[info] broadcast 14 bytes to 127.255.255.255:${a.port}`);
    for (const listener of [a, b]) expect(await listener.p.stdout.waitFor("hello everyone")).toMatch(/  127\.0\.0\.1:\d+  14 bytes  hello everyone$/);
    await Promise.all([a.p.stop(), b.p.stop()]);
  });

  test("--interface lo broadcasts to lo's directed broadcast address", async () => {
    const a = await listening(["udp", "listen", "--port", "0", "--json"]);
    const sent = await ns.runToEnd(["udp", "broadcast", "--port", String(a.port), "--interface", "lo", "--wait", "0", "directed"]);
    expect(sent.code).toBe(0);
    expect(sent.stderr).toContain(`broadcast 8 bytes to 127.255.255.255:${a.port}`);
    expect(JSON.parse(await a.p.stdout.waitFor("directed"))).toMatchObject({ address: "127.0.0.1", text: "directed" });
    await a.p.stop();
  });

  test("each line of stdin, with --count repeats for a MESSAGE", async () => {
    const a = await listening(["udp", "listen", "--port", "0"]);
    const b = ns.run(["udp", "broadcast", "--port", String(a.port), "--address", "127.255.255.255", "--wait", "0"], { stdin: "pipe" });
    b.type("line one");
    await a.p.stdout.waitFor("line one");
    b.type("line two");
    await a.p.stdout.waitFor("line two");
    b.endInput();
    expect(await b.exited).toBe(0);
    const c = await ns.runToEnd(["udp", "broadcast", "--port", String(a.port), "--address", "127.255.255.255", "--count", "2", "--interval", "10", "--wait", "0", "twice"]);
    expect(c.code).toBe(0);
    await a.p.stdout.waitFor("twice");
    expect(c.stderr.split("\n").at(-1)).toBe("[info] sent 2 datagrams (10 bytes), received 0 (0 bytes)");
    await a.p.stop();
  });

  test("--relay hears datagrams on --listen and broadcasts each to --port", async () => {
    const client = await listening(["udp", "listen", "--port", "0", "--reuse"]);
    const relay = ns.run(["udp", "broadcast", "--relay", "--listen", "0", "--port", String(client.port), "--address", "127.255.255.255"]);
    const relayPort = Number(/listening on 0\.0\.0\.0:(\d+)/.exec(await relay.stderr.waitFor("relay listening on"))![1]);
    expect(relay.stderr.lines[0]).toBe(`[info] relay listening on 0.0.0.0:${relayPort}, broadcasting to 127.255.255.255:${client.port}`);
    const sent = await ns.runToEnd(["udp", "send", `127.0.0.1:${relayPort}`, "pass it on", "--wait", "0"]);
    expect(sent.code).toBe(0);
    // The relay prints what it got, and the client hears the broadcast, sent from the relay's port.
    expect(await relay.stdout.waitFor("pass it on")).toContain("  10 bytes  pass it on");
    expect(await client.p.stdout.waitFor("pass it on")).toContain(`127.0.0.1:${relayPort}  10 bytes  pass it on`);
    expect(await relay.stop()).toBe(0);
    expect(relay.stderr.lines.at(-1)).toBe("[info] sent 1 datagram (10 bytes), received 1 (10 bytes)");
    await client.p.stop();
  });
});

describe("broadcast mistakes, in one line", () => {
  test("send to a broadcast address is refused without permission (EACCES)", async () => {
    const r = await ns.runToEnd(["udp", "send", "127.255.255.255:9", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("parley: sending to 127.255.255.255:9 needs permission to broadcast: it is a broadcast address (parley udp broadcast turns that on)");
  });

  const cases: [string, string[], string][] = [
    ["--relay on its own port", ["udp", "broadcast", "--relay", "--listen", "9", "--port", "9"], "parley: --listen and --port are both 9: the relay would hear its own broadcasts"],
    ["--relay without --listen", ["udp", "broadcast", "--relay", "--port", "9"], "parley: --relay needs --listen PORT, the port to hear datagrams on"],
    ["an IPv6 address", ["udp", "broadcast", "--port", "9", "--address", "ff02::1", "x"], "parley: IPv6 has no broadcast; send to a multicast group instead (parley udp multicast --group ff02::1%eth0)"],
    ["an interface that is not there", ["udp", "broadcast", "--port", "9", "--interface", "eth9", "x"], "parley: no interface \"eth9\" on this host (there are: lo)"],
    ["a bad address", ["udp", "broadcast", "--port", "9", "--address", "255.255.255.256", "x"], "parley: --address must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1 (got \"255.255.255.256\")"],
    ["no network to broadcast on", ["udp", "broadcast", "--port", "9", "--wait", "0", "x"], "parley: no route to 255.255.255.255:9 (no network to broadcast on: name one with --interface)"],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const r = await ns.runToEnd(args);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toBe(message);
    });
  }
});
