// A chat room with no server: every peer joins one multicast group, sends
// the lines it reads from stdin there, and shows the others' lines. Peers
// announce their join and leave, and say "here" every few seconds; one not
// heard from for three of those is gone. `l` lists the peers heard from.
//
// On the wire, one JSON object per datagram:
//   {"parley":"chat","v":1,"id":"3f9a0c1e","nick":"alice","type":"say","seq":4,"text":"hi"}
// type: join | here | say | leave. The random id tells a peer its own
// datagrams (multicast loopback sends them back) and two peers with one nick
// apart: a nick two peers share (compared as nickKey does: case and
// look-alikes) is shown with the address (alice (10.0.0.3)).
// seq counts the lines a peer has said (a say carries its own number, the
// others the count so far), so a receiver sees a gap: "missed 5 messages".
// What a peer sends is shown through the chat server's sanitizer: no line
// breaks, controls or escapes, so one datagram cannot pass for two lines.
// A nick is 1 to 32 code points, on both sides. The socket is bound to the
// group's address, so rooms on other groups of the same port are not heard.
import { definePlugin, nickKey, type Datagram, type UdpContext, type UdpSocket } from "parley";

// Peers that are silent for this many beacons are taken to have left.
const MISSED_BEACONS = 3;
const MAX_NICK = 32;

interface Peer {
  nick: string;
  from: string;
  address: string;
  heard: number;
  /** the last seq heard */
  seq: number;
}

interface Message {
  parley: "chat";
  v: 1;
  id: string;
  nick: string;
  type: "join" | "here" | "say" | "leave";
  seq?: number;
  text?: string;
}

/** Why a nick is not one, or undefined when it is: 1 to MAX_NICK code points, no spaces, no controls or invisible characters. */
function nickProblem(nick: string): string | undefined {
  const length = [...nick].length;
  if (length === 0 || length > MAX_NICK || /[\s\p{C}\u2028\u2029]/u.test(nick)) return `must be 1 to ${MAX_NICK} characters without spaces`;
  return undefined;
}

export default definePlugin({
  name: "udp-chat",
  description: "a chat room with no server, over multicast",
  udpModes: [
    {
      name: "chat",
      summary: "chat with everyone in a multicast group, no server: type lines, l lists peers, Ctrl-D leaves",
      args: {
        group: { type: "string", valueHint: "GROUP", required: true, description: "the multicast group all peers use, like 239.255.7.7 or ff02::7%eth0" },
        port: { type: "string", valueHint: "PORT", required: true, description: "the UDP port all peers use" },
        nick: { type: "string", valueHint: "NAME", required: true, description: `your name in the room (1 to ${MAX_NICK} characters, counted as code points)` },
        interface: { type: "string", valueHint: "NAME|IP", description: "the interface to chat on (default: the one the kernel picks)" },
        ttl: { type: "string", valueHint: "N", default: "1", description: "hops a line may take (1-255; 1: the local network)" },
        beacon: { type: "string", valueHint: "SECONDS", default: "5", description: `say "here" this often; silent for ${MISSED_BEACONS} of these means gone` },
      },
      async run(ctx, args) {
        if (ctx.values("group").length > 1) ctx.fail("a chat room is one group: give --group once");
        const group = ctx.check.group("group", args.group);
        const port = ctx.check.port("port", args.port);
        const ttl = ctx.check.ttl("ttl", args.ttl);
        const beacon = ctx.check.seconds("beacon", args.beacon, 0.05, 3600) * 1000;
        const nick = typeof args.nick === "string" ? args.nick.trim() : "";
        const problem = nickProblem(nick) ?? (ctx.clean(nick) === nick ? undefined : "must be shown as typed (no control or invisible characters)");
        if (problem) ctx.fail(`--nick ${problem} (got "${ctx.clean(nick)}")`);
        const iface = typeof args.interface === "string" ? args.interface : undefined;

        // Several peers may run on one host: they share the port. Bound to the group, a room hears its own group only.
        const socket = await ctx.open({ family: (await ctx.resolve(group)).family, host: group, port, reuse: true });
        socket.setMulticastTTL(ttl);
        socket.setMulticastLoopback(true);
        if (iface) socket.setMulticastInterface(iface);
        socket.join(group, { interface: iface });
        const room = new Room(ctx, socket, { group, port, nick, beacon });
        socket.onMessage((d) => room.receive(d));
        await room.send("join");
        ctx.log.info(`joined ${group} port ${port} as ${nick}: type a line to say it, l to list peers, Ctrl-D to leave`);
        void room.beacons();
        for await (const line of ctx.lines()) {
          const text = line.trim();
          if (text === "l" || text === "/list") room.list();
          else if (text === "/quit") break;
          else if (text) await room.say(text);
        }
        await room.send("leave");
      },
    },
  ],
});

class Room {
  private readonly peers = new Map<string, Peer>();
  private readonly id = [...crypto.getRandomValues(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, "0")).join("");
  private readonly ctx: UdpContext;
  private readonly socket: UdpSocket;
  private readonly options: { group: string; port: number; nick: string; beacon: number };
  /** the lines said so far */
  private said = 0;

  constructor(ctx: UdpContext, socket: UdpSocket, options: { group: string; port: number; nick: string; beacon: number }) {
    this.ctx = ctx;
    this.socket = socket;
    this.options = options;
  }

  send(type: Message["type"], text?: string): Promise<number> {
    if (type === "say") this.said++;
    const message: Message = { parley: "chat", v: 1, id: this.id, nick: this.options.nick, type, seq: this.said, ...(text === undefined ? {} : { text }) };
    return this.socket.send(JSON.stringify(message), this.options.port, this.options.group);
  }

  async say(text: string): Promise<void> {
    try {
      await this.send("say", text);
    } catch (error) {
      this.ctx.note(`* not sent: ${(error as Error).message}`, { event: "error" });
    }
  }

  receive(d: Datagram): void {
    const m = parse(d.text);
    if (!m) return this.ctx.log.debug(`not a chat datagram from ${this.ctx.endpoint(d.address, d.port)}`);
    if (m.id === this.id) return;
    const nick = this.ctx.clean(m.nick);
    if (nickProblem(nick)) return this.ctx.log.debug(`a chat datagram with a bad nick from ${this.ctx.endpoint(d.address, d.port)}`);
    const text = m.text === undefined ? undefined : this.ctx.clean(m.text);
    const from = this.ctx.endpoint(d.address, d.port);
    const known = this.peers.get(m.id);
    const seq = typeof m.seq === "number" && Number.isSafeInteger(m.seq) && m.seq >= 0 ? m.seq : undefined;
    // A line heard before (a duplicate) or older than the last one is not shown again.
    if (m.type === "say" && known && seq !== undefined && seq <= known.seq) return;
    const shown = this.shownNick(m.id, nick, d.address);
    const show = (line: string, event: string, extra: Record<string, unknown> = {}) => this.ctx.note(line, { event, nick, from, ...extra });
    if (known && seq !== undefined) {
      const missed = seq - known.seq - (m.type === "say" ? 1 : 0);
      if (missed > 0) show(`* missed ${missed} message${missed === 1 ? "" : "s"} from ${shown}`, "missed", { missed });
    }
    if (m.type === "leave") {
      this.peers.delete(m.id);
      if (known) show(`* ${shown} left`, "leave");
      return;
    }
    this.peers.set(m.id, { nick, from, address: d.address, heard: Date.now(), seq: seq ?? known?.seq ?? 0 });
    if (m.type === "join") {
      show(`* ${shown} joined`, "join");
      // Answer at once, so the newcomer need not wait a beacon to know who is here.
      void this.send("here").catch(() => {});
    } else if (!known) {
      show(`* ${shown} is here`, "here");
    }
    if (m.type === "say") show(`${shown}: ${text ?? ""}`, "say", { text: text ?? "" });
  }

  /** The nick, with the sender's address when someone else in the room (or this peer) has it too: alice (10.0.0.3). */
  private shownNick(id: string, nick: string, address: string): string {
    // Compared as the chat server compares nicks: case and look-alikes ("Аlice" with a Cyrillic А is alice).
    const key = nickKey(nick);
    const clash = key === nickKey(this.options.nick) || [...this.peers].some(([other, p]) => other !== id && nickKey(p.nick) === key);
    return clash ? `${nick} (${address})` : nick;
  }

  list(): void {
    const now = Date.now();
    const peers = [...this.peers.values()];
    if (this.ctx.json) {
      this.ctx.note(`${peers.length} peers`, { event: "peers", peers: peers.map((p) => ({ nick: p.nick, from: p.from, heard: new Date(p.heard).toISOString() })) });
      return;
    }
    if (peers.length === 0) return this.ctx.note(`* no peers heard yet (you are ${this.options.nick})`);
    const lines = peers.map((p) => `*   ${p.nick}  ${p.from}  heard ${Math.round((now - p.heard) / 1000)}s ago`);
    this.ctx.note([`* ${peers.length} peer${peers.length === 1 ? "" : "s"} (you are ${this.options.nick}):`, ...lines].join("\n"));
  }

  /** Says "here" every beacon, and lets go of peers not heard for MISSED_BEACONS of them. */
  async beacons(): Promise<void> {
    while (await this.ctx.sleep(this.options.beacon)) {
      await this.send("here").catch((error: Error) => this.ctx.log.warn(error.message));
      const limit = Date.now() - MISSED_BEACONS * this.options.beacon;
      for (const [id, peer] of this.peers) {
        if (peer.heard >= limit) continue;
        this.peers.delete(id);
        this.ctx.note(`* ${peer.nick} left (not heard for ${Math.round((Date.now() - peer.heard) / 1000)}s)`, { event: "gone", nick: peer.nick, from: peer.from });
      }
    }
  }
}

/** A chat message, or undefined for anything else that arrives on the port. */
function parse(text: string | undefined): Message | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = value as Partial<Message> | null;
  if (!m || m.parley !== "chat" || typeof m.id !== "string" || m.id.length > 64 || typeof m.nick !== "string" || nickProblem(m.nick)) return undefined;
  if (!["join", "here", "say", "leave"].includes(m.type as string)) return undefined;
  if (m.text !== undefined && typeof m.text !== "string") return undefined;
  return m as Message;
}
