// `parley udp probe` while a link goes down mid-run: on a LAN of three
// network namespaces the test makes (tests/helpers/netns.ts,
// Netns.triangle), a sender probe in a sends to a group at a known rate
// for a known count; in c a receiving probe (--no-send) and a passive
// `parley udp listen --hex` hear the group; a third of the way in, a's
// link is taken down for 0.7 s and brought up again (its bridge port, or
// a0 itself). The receiver's summary must count the loss exactly: sent as
// the sender's summary says (with its failed sends, when the kernel
// refused them), received the distinct sequence numbers the passive
// listener saw, lost the difference. Nothing leaves those namespaces;
// every process is ended by its PID.
//
// (dist/parley's `--no-send` does not stop the probe sending yet: it still
// sends at --rate. --rate 1 keeps that small; a probe leaves its own
// datagrams out of a group's figures, and the listener's count keeps the
// sender's id only.)

import { afterAll, beforeAll, expect, test } from "bun:test";
import { Netns, type NsProcess } from "../helpers/netns.ts";

let a: Netns;
let b: Netns;
let c: Netns;
beforeAll(async () => {
  [a, b, c] = await Netns.triangle();
});
afterAll(() => {
  for (const ns of [a, b, c]) ns?.close();
});

const GROUP = "239.7.7.7";
const PORT = 7300;
const RATE = 200;
const COUNT = 600; // 3 s
const DOWN_AT_MS = 1_000;
const DOWN_FOR_MS = 700;

interface Summary {
  id: string;
  sent: number;
  sendErrors: number;
  peers: { peer: string; sent: number; received: number; lost: number; lostPercent: number; duplicated: number }[];
}

function summaryOf(p: NsProcess): Summary {
  return JSON.parse(p.stdout.lines.findLast((l) => l.includes('"summary"'))!);
}

async function sh(ns: Netns, script: string): Promise<void> {
  const p = ns.exec(["bash", "-c", `set -e; ${script}`]);
  const code = await p.exited;
  await p.stderr.whenEnded();
  if (code !== 0) throw new Error(`${script}: ${p.stderr.lines.join(" ")}`);
}

// Two ways to cut a: its bridge port (ab, in b) down, so a0 loses its
// carrier and a's sends still succeed, the datagrams dropped on the way;
// or a0 itself down inside a, so the kernel refuses the sends (no route)
// and the sender counts them as failed: the receiver then counts them lost.
const CUTS = [
  { name: "the bridge's port to the sender (ab in b)", down: () => sh(b, "ip link set ab down"), up: () => sh(b, "ip link set ab up"), sendsFail: false },
  {
    name: "the sender's own link (a0 in a)",
    down: () => sh(a, "ip link set a0 down"),
    // the kernel drops the group's route with the link: it is put back
    up: () => sh(a, "ip link set a0 up && ip route replace 224.0.0.0/4 dev a0"),
    sendsFail: true,
  },
];

test.each(CUTS)("a link down mid-run, $name: lost is sent - received, exactly", async (cut) => {
  // The passive listener: every datagram to the port, once the probe beside it has joined (IP_MULTICAST_ALL).
  const listen = c.run(["udp", "listen", "--port", String(PORT), "--reuse", "--hex"]);
  const receiver = c.run(["udp", "probe", `${GROUP}:${PORT}`, "--no-send", "--rate", "1", "--json", "--log-level", "info"]);
  let sender: NsProcess | undefined;
  try {
    await receiver.stdout.waitFor('"start"');
    await Bun.sleep(200); // the join (IGMP) through the bridge
    sender = a.run(["udp", "probe", `${GROUP}:${PORT}`, "--rate", String(RATE), "--count", String(COUNT), "--wait", "0", "--json", "--log-level", "info"]);
    const start = JSON.parse(await sender.stdout.waitFor('"start"'));
    await Bun.sleep(DOWN_AT_MS);
    await cut.down();
    await Bun.sleep(DOWN_FOR_MS);
    await cut.up();
    await sh(a, "for i in $(seq 300); do ip link show a0 | grep -q LOWER_UP && break; sleep 0.01; done");
    expect(await sender.exited).toBe(0);
    await Promise.all([sender.stdout.whenEnded(), sender.stderr.whenEnded()]);
    await Bun.sleep(300); // the last datagrams reach c
    expect(await receiver.stop()).toBe(0);
    expect(await listen.stop()).toBe(0);
    await Promise.all([receiver.stdout.whenEnded(), listen.stdout.whenEnded()]);

    const sent = summaryOf(sender);
    expect(sent.id).toBe(start.id);
    // The count ran out: the last datagram is the one that tells the receiver how many there were.
    expect(sent.sent + sent.sendErrors).toBe(COUNT);
    // What the passive listener heard from this sender: distinct sequence numbers.
    const seqs = new Set<number>();
    for (const line of listen.stdout.lines) {
      if (line.startsWith("50524231" + start.id)) seqs.add(Number.parseInt(line.slice(16, 24), 16));
    }
    expect(seqs.has(0)).toBe(true);
    expect(seqs.has(COUNT - 1)).toBe(true);
    const got = summaryOf(receiver);
    expect(got.peers).toHaveLength(1);
    const peer = got.peers[0]!;
    expect(peer.peer).toBe(`10.9.0.1:${PORT} (${start.id})`);
    if (cut.sendsFail) {
      // what a sent, as its summary says, and what it could not send: both are numbered
      expect(sent.sendErrors).toBeGreaterThan(0);
      expect(peer.sent).toBe(sent.sent + sent.sendErrors);
      expect(peer.lost).toBeGreaterThanOrEqual(sent.sendErrors);
    } else {
      // Its own interface only loses its carrier: the sends go on, but for the
      // one or two the kernel may refuse at the moment the carrier changes
      // (seen once in a full run: 1 of 600).
      expect(sent.sendErrors).toBeLessThanOrEqual(2);
      expect(peer.sent).toBe(sent.sent + sent.sendErrors);
    }
    expect(peer.received).toBe(seqs.size);
    expect(peer.lost).toBe(peer.sent - peer.received);
    expect(peer.duplicated).toBe(0);
    // The outage lost something, but not everything.
    expect(peer.lost).toBeGreaterThan(0);
    expect(peer.received).toBeGreaterThan(COUNT / 3);
    console.log(`${cut.name} down ${DOWN_FOR_MS} ms: sender sent ${sent.sent} (${sent.sendErrors} failed), receiver ${JSON.stringify(peer)}, listener ${seqs.size} distinct`);
  } finally {
    await cut.up().catch(() => {});
    for (const p of [sender, receiver, listen]) if (p && p.proc.exitCode === null) p.proc.kill("SIGKILL");
  }
}, 20_000);
