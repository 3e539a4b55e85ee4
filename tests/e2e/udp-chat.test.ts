// `parley udp chat`: a chat room with no server, peers on one multicast
// group, inside a network namespace the test makes (224.0.0.0/4 routed to
// its loopback). Two or three peers on one host share the port.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Netns, nthLine, type NsProcess } from "../helpers/netns.ts";

let ns: Netns;
let v6: Netns;
beforeAll(async () => {
  [ns, v6] = await Promise.all([Netns.create("multicast"), Netns.create("ipv6")]);
});
afterAll(() => {
  ns.close();
  v6.close();
});

let port = 7000;

/** A peer that has joined: its "joined" line is on stderr. */
async function peer(nick: string, args: string[] = [], at = port): Promise<NsProcess> {
  const p = ns.run(["udp", "chat", "--group", "239.7.7.7", "--port", String(at), "--nick", nick, ...args], { stdin: "pipe" });
  await p.stderr.waitFor("joined", `${nick} to join`);
  return p;
}

describe("udp chat", () => {
  test("peers see each other join, talk, list each other with l, and leave", async () => {
    port++;
    const alice = await peer("alice");
    expect(alice.stderr.lines[0]).toBe(`[info] joined 239.7.7.7 port ${port} as alice: type a line to say it, l to list peers, Ctrl-D to leave`);
    const bob = await peer("bob");
    expect(await alice.stdout.waitFor("bob")).toBe("* bob joined");
    // alice answers bob's join at once, so bob knows her without waiting for a beacon.
    expect(await bob.stdout.waitFor("alice")).toBe("* alice is here");

    bob.type("hello alice");
    expect(await alice.stdout.waitFor("hello")).toBe("bob: hello alice");
    alice.type("hi bob, 你好");
    expect(await bob.stdout.waitFor("hi bob")).toBe("alice: hi bob, 你好");
    // Nobody sees their own lines echoed.
    expect(alice.stdout.lines.some((l) => l.startsWith("alice:"))).toBe(false);

    alice.type("l");
    expect(await alice.stdout.waitFor("peer")).toBe("* 1 peer (you are alice):");
    expect(await alice.stdout.waitFor(/^\*   bob/)).toMatch(/^\*   bob  127\.0\.0\.1:\d+  heard \d+s ago$/);

    bob.endInput();
    expect(await bob.exited).toBe(0);
    expect(bob.stderr.lines.at(-2)).toBe("[info] left 239.7.7.7");
    expect(await alice.stdout.waitFor("left")).toBe("* bob left");
    alice.type("l");
    expect(await alice.stdout.waitFor("no peers")).toBe("* no peers heard yet (you are alice)");
    expect(await alice.stop()).toBe(0);
    expect(alice.stderr.lines.at(-1)).toMatch(/^\[info\] sent \d+ datagrams \(\d+ bytes\), received \d+ \(\d+ bytes\)$/);
  });

  test("--json: one object per event, l lists peers as data", async () => {
    port++;
    const carol = await peer("carol", ["--json"]);
    const dave = await peer("dave");
    expect(JSON.parse(await carol.stdout.waitFor('"join"'))).toMatchObject({ event: "join", nick: "dave", text: "* dave joined" });
    dave.type("data please");
    const said = JSON.parse(await carol.stdout.waitFor("data please"));
    expect(said).toMatchObject({ event: "say", nick: "dave", text: "data please" });
    expect(said.from).toMatch(/^127\.0\.0\.1:\d+$/);
    carol.type("l");
    const peers = JSON.parse(await carol.stdout.waitFor('"peers"'));
    expect(peers.peers).toEqual([{ nick: "dave", from: said.from, heard: expect.any(String) }]);
    await dave.stop();
    expect(JSON.parse(await carol.stdout.waitFor('"leave"'))).toMatchObject({ event: "leave", nick: "dave" });
    await carol.stop();
  });

  test("a peer that stops sending beacons is let go after three of them", async () => {
    port++;
    const erin = await peer("erin", ["--beacon", "0.1"]);
    const frank = await peer("frank", ["--beacon", "0.1"]);
    await erin.stdout.waitFor("frank joined");
    // SIGKILL: frank cannot say goodbye.
    frank.proc.kill("SIGKILL");
    expect(await erin.stdout.waitFor("frank left")).toMatch(/^\* frank left \(not heard for \d+s\)$/);
    await erin.stop();
  });

  test("a third peer hears both others", async () => {
    port++;
    const [g, h] = [await peer("gina"), await peer("hal")];
    const ivan = await peer("ivan");
    await nthLine(ivan.stdout, 2, " is here");
    expect(ivan.stdout.lines.toSorted()).toEqual(["* gina is here", "* hal is here"]);
    g.type("to all");
    expect(await h.stdout.waitFor("to all")).toBe("gina: to all");
    expect(await ivan.stdout.waitFor("to all")).toBe("gina: to all");
    await Promise.all([g.stop(), h.stop(), ivan.stop()]);
  });

  test("over IPv6: a link-local group with its scope", async () => {
    const start = async (nick: string) => {
      const p = v6.run(["udp", "chat", "--group", "ff02::7%v0", "--port", "7000", "--nick", nick], { stdin: "pipe" });
      await p.stderr.waitFor("joined");
      return p;
    };
    const jo = await start("jo");
    const kim = await start("kim");
    expect(await jo.stdout.waitFor("kim")).toBe("* kim joined");
    kim.type("over six");
    expect(await jo.stdout.waitFor("over six")).toBe("kim: over six");
    jo.type("l");
    expect(await jo.stdout.waitFor(/^\*   kim/)).toMatch(/^\*   kim  \[fe80::1%v0\]:7000  heard \d+s ago$/);
    await Promise.all([jo.stop(), kim.stop()]);
  });

  test("a look-alike of your nick is shown with its address: Аlice with a Cyrillic А is alice", async () => {
    port++;
    const alice = await peer("alice");
    const fake = await peer("\u0410lice");
    expect(await alice.stdout.waitFor("joined")).toMatch(/^\* \u0410lice \(127\.0\.0\.1\) joined$/);
    fake.type("trust me");
    expect(await alice.stdout.waitFor("trust me")).toMatch(/^\u0410lice \(127\.0\.0\.1\): trust me$/);
    await Promise.all([alice.stop(), fake.stop()]);
  });

  test("a bad nick or group is one line", async () => {
    const bad = await ns.runToEnd(["udp", "chat", "--group", "239.7.7.7", "--port", "7100", "--nick", "two words"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('parley: --nick must be 1 to 32 characters without spaces (got "two words")');
    const group = await ns.runToEnd(["udp", "chat", "--group", "192.168.1.1", "--port", "7100", "--nick", "x"]);
    expect(group.stderr).toBe('parley: --group must be a multicast group: 224.0.0.0 to 239.255.255.255, or ff00::/8 for IPv6 (got "192.168.1.1")');
  });
});
