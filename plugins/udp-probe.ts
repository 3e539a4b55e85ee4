// A network tester: sends sequence-numbered, timestamped datagrams at
// --rate to a unicast address, a broadcast address or a multicast group,
// hears every other probe doing the same, and reports per peer: received,
// lost, duplicated, reordered, jitter (RFC 3550 interarrival), one-way
// delay when the peer is on this host (one clock), and the round trip when
// the target is `parley udp echo` (its own datagrams come back).
//
// On the wire, the first 24 bytes of every datagram (the rest is zeros up to --size):
//   0  "PRB1"           magic
//   4  id               uint32, random per run: tells peers (and our own datagrams) apart
//   8  seq              uint32, from 0
//   12 sent             float64, milliseconds since the Unix epoch (performance.timeOrigin + performance.now())
//   20 flags            uint32, 0
import { columns, definePlugin, type Datagram, type UdpContext, type UdpSocket } from "parley";

const MAGIC = 0x50524231; // "PRB1"
const HEADER = 24;
/**
 * Sequence numbers remembered per peer to spot duplicates: a copy of a
 * datagram is known as one while fewer than this many numbers lie between
 * them (later, it counts as received). 32 KiB a peer, so MAX_PEERS of them
 * stay within 32 MiB.
 */
const SEEN_WINDOW = 8192;
/** peers followed at most; datagrams from more are counted as "other" */
const MAX_PEERS = 1024;

type Ms = { min: number; avg: number; max: number };

interface Figures {
  peer: string;
  sent: number;
  received: number;
  lost: number;
  lostPercent: number;
  duplicated: number;
  reordered: number;
  jitterMs: number;
  rttMs?: Ms;
  oneWayMs?: Ms;
}

interface Stats {
  key: string;
  label: string;
  /** the peer is on this host: its clock is ours, so one-way delay means something */
  local: boolean;
  /** our own datagrams coming back from the unicast target (parley udp echo): delay is the round trip */
  echo: boolean;
  first: number;
  max: number;
  received: number;
  duplicated: number;
  reordered: number;
  /** seq + 1 of the last SEEN_WINDOW sequence numbers, each in slot seq % SEEN_WINDOW (0: none yet): a duplicate finds itself there */
  seen: Uint32Array;
  jitter: number;
  lastTransit: number | undefined;
  delay: { n: number; sum: number; min: number; max: number };
  /** what was received by the last report */
  reported: { received: number; expected: number };
}

export default definePlugin({
  name: "udp-probe",
  description: "measure loss, duplicates, reordering, jitter, delay and RTT",
  udpModes: [
    {
      name: "probe",
      summary: "send numbered, timestamped datagrams at --rate to HOST:PORT (unicast, broadcast or a group) and report loss, duplicates, reordering, jitter, delay and RTT per peer",
      args: {
        target: { type: "positional", valueHint: "HOST:PORT", description: "where to send: a unicast address (another probe, or parley udp echo for RTT), a broadcast address, or a multicast group" },
        rate: { type: "string", valueHint: "PPS", default: "10", description: "datagrams per second" },
        size: { type: "string", valueHint: "BYTES", default: "64", description: `bytes per datagram (at least ${HEADER})` },
        count: { type: "string", valueHint: "N", description: "stop after sending N datagrams" },
        duration: { type: "string", valueHint: "SECONDS", description: "stop sending after SECONDS (default: --count, else until Ctrl-C)" },
        report: { type: "string", valueHint: "SECONDS", description: "print a line per peer every SECONDS (like 1 or 1s)" },
        port: { type: "string", valueHint: "PORT", description: "the local port (default: the target's port for a group or broadcast, else any)" },
        interface: { type: "string", valueHint: "NAME|IP", description: "for a group: join and send on this interface" },
        ttl: { type: "string", valueHint: "N", default: "1", description: "hops (1-255)" },
        wait: { type: "string", valueHint: "MS", default: "1000", description: "milliseconds to keep listening after the last send" },
        rcvbuf: { type: "string", valueHint: "BYTES", description: "the receive buffer (SO_RCVBUF)" },
        "no-send": { type: "boolean", default: false, description: "only listen and report, until Ctrl-C or --duration (a passive receiver)" },
      },
      async run(ctx, args) {
        const { host, port } = ctx.check.hostPort("HOST:PORT", args.target);
        const rate = ctx.check.integer("rate", args.rate, 1, 100_000);
        const to = await ctx.resolve(host);
        const size = ctx.check.integer("size", args.size, HEADER, to.family === 6 ? 65527 : 65507);
        const count = args.count === undefined ? undefined : ctx.check.integer("count", args.count, 1, 1_000_000_000);
        const duration = args.duration === undefined ? undefined : ctx.check.seconds("duration", args.duration, 0.001, 31 * 86_400);
        const report = args.report === undefined ? undefined : ctx.check.seconds("report", String(args.report).replace(/s$/, ""), 0.05, 86_400);
        const ttl = ctx.check.ttl("ttl", args.ttl);
        const wait = ctx.check.integer("wait", args.wait, 0, 3_600_000);
        const rcvbuf = args.rcvbuf === undefined ? undefined : ctx.check.integer("rcvbuf", args.rcvbuf, 1024, 1 << 30);
        const iface = typeof args.interface === "string" ? args.interface : undefined;
        const group = isGroup(ctx, to.address);
        const broadcast = !group && to.family === 4 && (to.address === "255.255.255.255" || ctx.localAddresses(4).some((a) => a.broadcast === to.address));
        const shared = group || broadcast;
        const localPort = args.port === undefined ? (shared ? port : 0) : ctx.check.port("port", args.port, { bind: true });

        const socket = await ctx.open({ family: to.family, host: group ? to.address : undefined, port: localPort, reuse: shared, rcvbuf });
        if (group) {
          socket.setMulticastTTL(ttl);
          socket.setMulticastLoopback(true);
          if (iface) socket.setMulticastInterface(iface);
          socket.join(to.address, { interface: iface });
        } else {
          if (broadcast) socket.setBroadcast(true);
          socket.setTTL(ttl);
        }
        const probe = new Probe(ctx, { target: ctx.endpoint(to.address, port), unicast: !shared, locals: new Set(ctx.localAddresses(to.family).map((a) => a.address.split("%")[0]!)) });
        socket.onMessage((d) => probe.receive(d));
        const what = group ? "group" : broadcast ? "broadcast" : "unicast";
        ctx.log.info(`probing ${probe.options.target} (${what}) from ${ctx.endpoint(socket.address, socket.port)} as ${hex(probe.id)}: ${rate}/s, ${size} bytes${count ? `, ${count} datagrams` : ""}${duration ? `, ${duration}s` : ""}`);
        if (ctx.json) ctx.note(`probing ${probe.options.target}`, { event: "start", id: hex(probe.id), target: probe.options.target, kind: what, local: ctx.endpoint(socket.address, socket.port), rate, size });

        let reporting = true;
        const reports = report === undefined ? Promise.resolve() : (async () => {
          while (reporting && (await ctx.sleep(report * 1000))) if (reporting) probe.report();
        })();
        if (args["no-send"] !== true) {
          await sendLoop(ctx, socket, probe, { port, address: to.address, rate, size, count, duration });
          await ctx.sleep(wait);
        } else if (duration !== undefined) await ctx.sleep(duration * 1000);
        else await ctx.stopped();
        reporting = false;
        probe.final();
        void reports;
      },
    },
  ],
});

async function sendLoop(ctx: UdpContext, socket: UdpSocket, probe: Probe, o: { port: number; address: string; rate: number; size: number; count?: number; duration?: number }): Promise<void> {
  const start = performance.now();
  const gap = 1000 / o.rate;
  const end = o.duration === undefined ? Infinity : start + o.duration * 1000;
  for (let seq = 0; ; seq++) {
    if (o.count !== undefined && seq >= o.count) return;
    if (ctx.signal.aborted) return;
    // Paced against the start, so a late timer does not slow the rate down.
    const due = start + seq * gap;
    if (due >= end) return;
    const ahead = due - performance.now();
    if (ahead > 1 && !(await ctx.sleep(ahead))) return;
    const packet = new Uint8Array(o.size);
    const view = new DataView(packet.buffer);
    view.setUint32(0, MAGIC);
    view.setUint32(4, probe.id);
    view.setUint32(8, seq);
    view.setFloat64(12, now());
    try {
      await socket.send(packet, o.port, o.address);
      probe.sent++;
    } catch (error) {
      probe.sendErrors++;
      if (probe.sendErrors === 1) ctx.log.warn((error as Error).message);
    }
  }
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

function hex(id: number): string {
  return id.toString(16).padStart(8, "0");
}

class Probe {
  readonly id = crypto.getRandomValues(new Uint32Array(1))[0]!;
  sent = 0;
  sendErrors = 0;
  readonly options: { target: string; unicast: boolean; locals: Set<string> };
  private readonly ctx: UdpContext;
  private readonly peers = new Map<string, Stats>();
  private others = 0;
  // The peer of the last datagram: a burst comes from one sender, and its
  // next datagram then needs no key built and no map looked in.
  private last: { id: number; address: string; port: number; stats: Stats } | undefined;

  constructor(ctx: UdpContext, options: { target: string; unicast: boolean; locals: Set<string> }) {
    this.ctx = ctx;
    this.options = options;
  }

  receive(d: Datagram): void {
    const arrived = now();
    if (d.data.length < HEADER) return void this.others++;
    const view = new DataView(d.data.buffer, d.data.byteOffset, d.data.byteLength);
    if (view.getUint32(0) !== MAGIC) return void this.others++;
    const id = view.getUint32(4);
    const seq = view.getUint32(8);
    const sent = view.getFloat64(12);
    const own = id === this.id;
    // Our own datagrams: from a group or broadcast they are the loopback copy; from a unicast target, the echo.
    if (own && !this.options.unicast) return;
    const last = this.last;
    const s = last && last.id === id && last.port === d.port && last.address === d.address ? last.stats : this.peer(d, id, seq, own);
    if (!s) return void this.others++;
    this.count(s, seq, arrived - sent);
  }

  /** The figures kept for the sender of `d`; undefined past MAX_PEERS. */
  private peer(d: Datagram, id: number, seq: number, own: boolean): Stats | undefined {
    const from = this.ctx.endpoint(d.address, d.port);
    const key = own ? `echo ${from}` : `${hex(id)} ${from}`;
    let s = this.peers.get(key);
    if (!s && this.peers.size >= MAX_PEERS) return undefined;
    if (!s) {
      s = {
        key,
        label: own ? `${from} (echo)` : `${from} (${hex(id)})`,
        local: this.options.locals.has(d.address.split("%")[0]!),
        echo: own,
        first: seq,
        max: seq,
        received: 0,
        duplicated: 0,
        reordered: 0,
        seen: new Uint32Array(SEEN_WINDOW),
        jitter: 0,
        lastTransit: undefined,
        delay: { n: 0, sum: 0, min: Infinity, max: 0 },
        reported: { received: 0, expected: 0 },
      };
      this.peers.set(key, s);
      if (!own) this.ctx.log.info(`hearing ${s.label}`);
    }
    this.last = { id, address: d.address, port: d.port, stats: s };
    return s;
  }

  /** One datagram `seq` of peer `s`, `transit` ms after it was sent. */
  private count(s: Stats, seq: number, transit: number): void {
    const slot = seq % SEEN_WINDOW;
    const mark = (seq + 1) >>> 0;
    if (mark !== 0 && s.seen[slot] === mark) {
      s.duplicated++;
      return;
    }
    s.seen[slot] = mark;
    s.received++;
    if (seq < s.max) s.reordered++;
    if (seq < s.first) s.first = seq;
    if (seq > s.max) s.max = seq;
    // RFC 3550 A.8: J += (|D| - J) / 16, D the change in transit time between two arrivals.
    if (s.lastTransit !== undefined) s.jitter += (Math.abs(transit - s.lastTransit) - s.jitter) / 16;
    s.lastTransit = transit;
    // One clock only on one host (and for the echo, our own clock both ways).
    if (s.local || s.echo) {
      s.delay.n++;
      s.delay.sum += transit;
      s.delay.min = Math.min(s.delay.min, transit);
      s.delay.max = Math.max(s.delay.max, transit);
    }
  }

  /** What a peer sent as far as we can tell: from its first to its highest seq heard; at the end, for the echo, what we sent. */
  private expected(s: Stats, final: boolean): number {
    return s.echo && final ? this.sent : s.max - s.first + 1;
  }

  private figures(s: Stats, final = true): Figures {
    const expected = this.expected(s, final);
    const lost = Math.max(0, expected - s.received);
    const ms = (x: number) => Math.round(x * 1000) / 1000;
    const delay = s.delay.n ? { min: ms(s.delay.min), avg: ms(s.delay.sum / s.delay.n), max: ms(s.delay.max) } : undefined;
    return {
      peer: s.label,
      sent: expected,
      received: s.received,
      lost,
      lostPercent: expected ? Math.round((lost / expected) * 10_000) / 100 : 0,
      duplicated: s.duplicated,
      reordered: s.reordered,
      jitterMs: ms(s.jitter),
      ...(s.echo ? { rttMs: delay } : { oneWayMs: delay }),
    };
  }

  report(): void {
    for (const s of this.peers.values()) {
      const f = this.figures(s, false);
      const expected = f.sent - s.reported.expected;
      const received = s.received - s.reported.received;
      s.reported = { received: s.received, expected: f.sent };
      const lost = Math.max(0, expected - received);
      if (this.ctx.json) {
        this.ctx.note(`${f.peer}`, { event: "report", ...f, interval: { sent: expected, received, lost } });
        continue;
      }
      const d = f.rttMs ?? f.oneWayMs;
      this.ctx.note(
        `${f.peer}  received ${received}/${expected}  lost ${lost} (${expected ? ((lost / expected) * 100).toFixed(1) : "0.0"}%)  dup ${f.duplicated}  reordered ${f.reordered}  jitter ${f.jitterMs.toFixed(3)} ms${d ? `  ${f.rttMs ? "rtt" : "delay"} ${d.avg.toFixed(3)} ms` : ""}`,
        { event: "report" },
      );
    }
  }

  final(): void {
    const rows = [...this.peers.values()].map((s) => this.figures(s));
    if (this.ctx.json) {
      this.ctx.note(`sent ${this.sent}, ${rows.length} peer${rows.length === 1 ? "" : "s"}`, { event: "summary", id: hex(this.id), sent: this.sent, sendErrors: this.sendErrors, other: this.others, peers: rows });
      return;
    }
    const ms = (d: Ms | undefined) => (d ? `${d.min.toFixed(3)}/${d.avg.toFixed(3)}/${d.max.toFixed(3)}` : "-");
    const table = [
      ["peer", "sent", "received", "lost", "dup", "reordered", "jitter ms", "delay ms min/avg/max", "rtt ms min/avg/max"],
      ...rows.map((r) => [r.peer, String(r.sent), String(r.received), `${r.lost} (${r.lostPercent.toFixed(1)}%)`, String(r.duplicated), String(r.reordered), r.jitterMs.toFixed(3), ms(r.oneWayMs), ms(r.rttMs)]),
    ];
    const head = `probe ${hex(this.id)} to ${this.options.target}: sent ${this.sent}${this.sendErrors ? ` (${this.sendErrors} failed)` : ""}, ${rows.length} peer${rows.length === 1 ? "" : "s"} heard`;
    this.ctx.note([head, ...(rows.length ? columns(table) : ["no probe or echo heard"])].join("\n"));
  }
}

function isGroup(ctx: UdpContext, address: string): boolean {
  try {
    ctx.check.group("HOST:PORT", address);
    return true;
  } catch {
    return false;
  }
}
