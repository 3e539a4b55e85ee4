// npm run fuzz [-- --seconds 30 --seed 1 --hostile 200 --max-rss 300]
//
// Throws hostile bytes at a running dist/parley over many loopback
// connections (random bytes, megabyte lines, IAC storms and broken
// subnegotiations, invalid UTF-8, escape sequences, malformed JSON, floods,
// half-closes, resets, slow readers, telnet negotiation streamed by a client
// that never reads, long lines sent a byte per packet and never ended)
// while a few well-behaved clients, text
// and JSON, chat with sequence numbers. Then checks that the server still
// answers a fresh client, that its memory stayed bounded, that every
// well-behaved client got every message of the others (in order, intact),
// and that no escape or control byte reached one of them.
//
// Everything random comes from --seed, so a failing run can be replayed.
// Bounded: hostile connections are opened during --seconds, each closes by
// itself, and the whole run is cut off at --seconds + 60.

import { optionsAtConnect } from "../core/wire/telnet.ts";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

export const PARLEY = resolve(import.meta.dir, "../dist/parley");
const HOST = "127.0.0.1";

// -- seeded randomness -------------------------------------------------------

export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** mulberry32: [0, 1) */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
  /** A child generator, so one connection's choices do not shift another's. */
  fork(salt: number): Random {
    return new Random(Math.imul(this.int(0, 0x7fffffff) ^ salt, 2654435761));
  }
}

// -- the server under test -----------------------------------------------------

export interface Server {
  proc: Bun.Subprocess;
  port: number;
  /** the --json-logs log, one JSON object per line */
  logFile: string;
  dir: string;
  alive(): boolean;
  /** RSS in bytes, from /proc; 0 once the process is gone */
  rss(): number;
  /** SIGTERM, then SIGKILL after 5 s; the exit code */
  stop(): Promise<number | null>;
}

/** Starts `dist/parley chat` on a free loopback port, in a temp folder, logging JSON to a file. */
export async function startParley(extra: string[], binary = PARLEY): Promise<Server> {
  if (!existsSync(binary)) throw new Error(`${binary} not found: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), "parley-fuzz-"));
  const logFile = join(dir, "server.log");
  const fd = openSync(logFile, "w");
  const proc = Bun.spawn([binary, "chat", "--data", "memory", "--host", HOST, "--port", "0", "--json-logs", ...extra], { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: fd });
  closeSync(fd);
  const started = Date.now();
  let port = 0;
  while (!port) {
    if (proc.exitCode !== null) throw new Error(`parley exited (${proc.exitCode}) at start:\n${readFileSync(logFile, "utf8")}`);
    if (Date.now() - started > 15_000) {
      proc.kill("SIGKILL");
      throw new Error(`parley did not start listening in 15 s:\n${readFileSync(logFile, "utf8")}`);
    }
    port = Number(/listening on [^ ]*:(\d+)/.exec(readFileSync(logFile, "utf8"))?.[1] ?? 0);
    if (!port) await Bun.sleep(50);
  }
  return {
    proc,
    port,
    logFile,
    dir,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    rss: () => readRss(proc.pid),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      const code = await proc.exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export function readRss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS at an interval: peak, and every sample with its time. */
export class RssSampler {
  readonly samples: { at: number; rss: number }[] = [];
  peak = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(read: () => number, everyMs: number) {
    const sample = () => {
      const rss = read();
      if (rss === 0) return;
      this.samples.push({ at: Date.now(), rss });
      this.peak = Math.max(this.peak, rss);
    };
    sample();
    this.timer = setInterval(sample, everyMs);
  }
  get last(): number {
    return this.samples.at(-1)?.rss ?? 0;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

// -- what must never reach a well-behaved client --------------------------------

// C0 controls but CR and LF, DEL, C1, and the bidi overrides the sanitizer removes.
const FORBIDDEN_TEXT = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
// In a JSON frame's strings: the same, and LF only in multi-line system text.
const FORBIDDEN_STRING = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
const USER_FRAMES = new Set(["said", "private", "joined", "left", "renamed"]);
// Text a hostile client writes after an unterminated subnegotiation: it must be swallowed.
const LEAK = "SBLEAK";

const SAFE_WORDS = ["héllo", "世界", "👋🏽", "ok", "привет", "مرحبا", "a-b_c", "100%", '"quoted"', "back\\slash", "{not json}", "<b>", "naïve", "🇯🇵", "x=1;y=2"];

/** The text a well-behaved client sends as its message `seq`: any receiver can recompute it. */
export function messageText(seed: number, nick: string, seq: number): string {
  const r = new Random(seed ^ Math.imul(seq + 1, 0x85ebca6b) ^ [...nick].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261));
  const words = Array.from({ length: r.int(1, 6) }, () => r.pick(SAFE_WORDS));
  return `m ${nick} ${seq} ${words.join(" ")}`;
}

// -- well-behaved clients ------------------------------------------------------------

type Frame = Record<string, unknown> & { type: string };

/** A client that follows docs/protocol.md, sends numbered messages and checks what it gets. */
class GoodClient {
  readonly nick: string;
  readonly json: boolean;
  /** what went wrong, by kind: how often, and the first example */
  readonly problems = new Map<string, { count: number; example: string }>();
  /** messages received from each other good client, in arrival order */
  readonly got = new Map<string, { seq: number; text: string }[]>();
  sent = 0;
  acked = 0;
  /** lines and frames from hostile users that reached this client (after the server cleaned them) */
  fromHostile = 0;
  private socket!: net.Socket;
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private welcomed = false;
  private waiters: { test: (line: string) => boolean; resolve: () => void }[] = [];
  closed = false;

  constructor(nick: string, json: boolean) {
    this.nick = nick;
    this.json = json;
  }

  async connect(port: number, goodNicks: ReadonlySet<string>): Promise<void> {
    this.socket = await connect(port);
    this.socket.on("data", (bytes: Buffer) => this.receive(bytes, goodNicks));
    this.socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.resolve();
    });
    if (this.json) {
      this.write({ type: "hello", client: "fuzz", version: 1 });
      this.write({ type: "nick", nick: this.nick, id: "join" });
      await this.waitFor((l) => l.includes('"joined"') && l.includes('"id":"join"'));
    } else {
      this.socket.write(`${this.nick}\r\n`);
      await this.waitFor((l) => l.startsWith(`* Hi ${this.nick}!`));
    }
    if (this.closed) throw new Error(`${this.nick} could not join`);
  }

  private write(frame: Frame): void {
    this.socket.write(JSON.stringify(frame) + "\n");
  }

  say(seed: number): void {
    const text = messageText(seed, this.nick, this.sent);
    if (this.json) this.write({ type: "say", text, id: this.sent });
    else this.socket.write(text + "\r\n");
    this.sent++;
  }

  /** Resolves once everything this client sent was handled and everything sent to it before has arrived. */
  async sync(): Promise<void> {
    const token = `sync-${Date.now()}-${Math.random()}`;
    if (this.json) {
      this.write({ type: "ping", id: token });
      await this.waitFor((l) => l.includes('"pong"') && l.includes(token));
    } else {
      this.socket.write("/list\r\n");
      await this.waitFor((l) => /^\* \d+ online:$/.test(l));
    }
  }

  private greeted = false;

  private waitFor(test: (line: string) => boolean): Promise<void> {
    return new Promise((resolve) => (this.closed ? resolve() : this.waiters.push({ test, resolve })));
  }

  private receive(chunk: Buffer, goodNicks: ReadonlySet<string>): void {
    // The telnet options parley asks for at connect come first, once; after them, no 0xFF may arrive.
    const bytes = this.greeted ? chunk : chunk.subarray(optionsAtConnect(chunk));
    this.greeted = true;
    if (bytes.includes(0xff)) this.problem("a telnet IAC byte (0xFF) arrived", bytes.toString("latin1").slice(0, 120));
    this.buffer += this.decoder.decode(bytes, { stream: true });
    let at: number;
    while ((at = this.buffer.indexOf("\n")) !== -1) {
      const line = this.buffer.slice(0, at).replace(/\r$/, "");
      this.buffer = this.buffer.slice(at + 1);
      this.line(line, goodNicks);
    }
  }

  private line(line: string, goodNicks: ReadonlySet<string>): void {
    if (line.includes(LEAK)) this.problem("text after an unterminated subnegotiation was relayed", line);
    if (this.json && (this.welcomed || line.startsWith("{"))) this.frameLine(line, goodNicks);
    else {
      if (FORBIDDEN_TEXT.test(line)) this.problem("an escape or control character reached a text client", line);
      if (/^(\[private\] )?h\d+: |^\* h\d+ /.test(line)) this.fromHostile++;
      const said = /^([A-Za-z0-9_-]+): (.*)$/.exec(line);
      if (said && goodNicks.has(said[1]!)) this.record(said[1]!, said[2]!);
    }
    this.waiters = this.waiters.filter((w) => (w.test(line) ? (w.resolve(), false) : true));
  }

  private frameLine(line: string, goodNicks: ReadonlySet<string>): void {
    let frame: Frame;
    try {
      frame = JSON.parse(line) as Frame;
    } catch {
      return this.problem("a line that is not JSON came after the welcome", line);
    }
    if (frame.type === "welcome") this.welcomed = true;
    const forbidden = USER_FRAMES.has(frame.type) ? FORBIDDEN_TEXT : FORBIDDEN_STRING;
    if ([...strings(frame)].some((s) => forbidden.test(s))) this.problem("an escape or control character reached a JSON client", line);
    if (typeof frame.from === "string" && /^h\d+$/.test(frame.from)) this.fromHostile++;
    if (frame.type !== "said" || frame.history || frame.action) return;
    if (frame.from === this.nick && frame.id !== undefined) this.acked++;
    else if (typeof frame.from === "string" && goodNicks.has(frame.from)) this.record(frame.from, String(frame.text));
  }

  private record(from: string, text: string): void {
    const seq = Number(/^m \S+ (\d+) /.exec(text)?.[1] ?? -1);
    let list = this.got.get(from);
    if (!list) this.got.set(from, (list = []));
    list.push({ seq, text });
  }

  private problem(what: string, example: string): void {
    const seen = this.problems.get(what);
    if (seen) seen.count++;
    else this.problems.set(what, { count: 1, example: `${this.nick} got ${JSON.stringify(example.slice(0, 160))}` });
  }

  close(): void {
    this.socket.destroy();
  }
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === "string") yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (value && typeof value === "object") for (const v of Object.values(value)) yield* strings(v);
}

export function connect(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: HOST, allowHalfOpen: options.allowHalfOpen ?? false });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("connect timed out"));
    }, 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// -- hostile connections ------------------------------------------------------------

const IAC = 255, SB = 250, SE = 240;
const TELNET_COMMANDS = [241, 242, 243, 244, 245, 246, 247, 248, 249]; // NOP DM BRK IP AO AYT EC EL GA
const VERBS = [251, 252, 253, 254]; // WILL WONT DO DONT
const BAD_UTF8 = [[0x80], [0xbf], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe], [0xff, 0xff], [0xe4, 0xbd], [0xf0, 0x9f, 0x98], [0xc2, 0x9b], [0xc2, 0x85], [0x9b], [0xc1, 0xbf]];
const ESCAPES = [
  "\x1b[2J", "\x1b[31mred\x1b[0m", "\x1b]0;pwned\x07", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "\x1bP+q544e\x1b\\", "\x1bc", "\u009b31m", "\u009d0;t\u009c",
  "\x07", "\b\b\b\bX", "\x00", "\x1b", "\u202eevil", "\u2066iso", "\t", "\x0b\x0c", "\x1b[999;999H", "\x1b[?1049h", "\x1b_apc\x1b\\", "\x1b^pm\x1b\\", "\x1bX sos\x1b\\", "\x7f\x7f", "\x15",
];

// TLS half-handshakes are not among them: this server has no TLS port
// (tests/e2e/attacks-connections.test.ts covers them).
type Kind = "random" | "huge" | "iac" | "subneg" | "utf8" | "escape" | "json" | "flood" | "halfclose" | "reset" | "slowreader" | "slowloris" | "idle" | "negotiate" | "partial";
const KINDS: [Kind, number][] = [
  ["random", 10], ["huge", 6], ["iac", 8], ["subneg", 7], ["utf8", 10], ["escape", 12], ["json", 14], ["flood", 4],
  ["halfclose", 5], ["reset", 5], ["slowreader", 6], ["slowloris", 3], ["idle", 3], ["negotiate", 5], ["partial", 5],
];

interface HostileStats {
  opened: number;
  connectErrors: number;
  bytes: number;
  byKind: Map<Kind, number>;
  closedByServer: number;
}

function pickKind(r: Random): Kind {
  let n = r.int(1, KINDS.reduce((s, [, w]) => s + w, 0));
  for (const [kind, weight] of KINDS) if ((n -= weight) <= 0) return kind;
  return "random";
}

/** One hostile connection: picks what to do, does it until `until`, then leaves by FIN, close or RST. */
async function hostile(id: number, r: Random, port: number, until: number, targets: string[], stats: HostileStats): Promise<void> {
  const kind = pickKind(r);
  stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
  let socket: net.Socket;
  try {
    socket = await connect(port, { allowHalfOpen: kind === "halfclose" });
  } catch {
    stats.connectErrors++;
    return;
  }
  stats.opened++;
  let gone = false;
  let iEnded = false;
  socket.on("error", () => {});
  socket.on("close", () => {
    gone = true;
    if (!iEnded) stats.closedByServer++;
  });
  if (kind === "slowreader" || kind === "negotiate") socket.pause();
  else socket.on("data", () => {});
  const live = () => !gone && Date.now() < until;
  /** Writes (waiting for drain); false once the connection is gone or its time is up. `last`: a goodbye, sent after the time is up. */
  const send = async (bytes: Uint8Array | string, last = false): Promise<boolean> => {
    if (gone || (!last && !live())) return false;
    const data = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
    stats.bytes += data.length;
    if (!socket.write(data)) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, until - Date.now()));
        const done = () => (clearTimeout(timer), resolve());
        socket.once("drain", done);
        socket.once("close", done);
      });
    }
    return live();
  };
  const pause = (ms: number) => Bun.sleep(Math.max(0, Math.min(ms, until - Date.now())));
  const nick = `h${id}`;
  const join = () => send(`${nick}\r\n`);

  switch (kind) {
    case "random":
      while (await send(r.bytes(r.chance(0.1) ? r.int(16_384, 65_536) : r.int(1, 2048)))) await pause(r.int(0, 60));
      break;
    case "huge": {
      if (r.chance(0.5)) await join();
      const block = r.bytes(65_536).map((b) => (b === 0x0a || b === 0x0d || b === IAC ? 0x78 : b));
      const total = r.int(1, 8) * 1024 * 1024;
      for (let sent = 0; sent < total && (await send(block)); sent += block.length);
      await send(`\r\nafter a huge line ${id}\r\n`);
      break;
    }
    case "iac": {
      await join();
      while (live()) {
        const storm: number[] = [];
        for (let i = r.int(10, 2000); i > 0; i--) {
          const what = r.int(0, 5);
          if (what === 0) storm.push(IAC, r.pick(VERBS), r.int(0, 255));
          else if (what === 1) storm.push(IAC, r.pick(TELNET_COMMANDS));
          else if (what === 2) storm.push(IAC, IAC);
          else if (what === 3) storm.push(IAC, SB, r.int(0, 255), ...r.bytes(r.int(0, 20)).map((b) => (b === IAC ? 0 : b)), IAC, SE);
          else storm.push(...Buffer.from(r.pick(["x", "y", " ", "iac"])));
        }
        if (!(await send(Uint8Array.from(storm)))) break;
        await send(`\r\niac storm ${id}\r\n`);
        await pause(r.int(100, 400));
      }
      break;
    }
    case "subneg": {
      await join();
      await pause(50);
      // An unterminated subnegotiation: everything after it, however long, is its payload.
      await send(Uint8Array.of(IAC, SB, r.int(0, 254)));
      const payload = r.bytes(r.chance(0.3) ? r.int(100_000, 2_000_000) : r.int(0, 200)).map((b) => (b === IAC ? 0x20 : b));
      for (let i = 0; i + 1 < payload.length; i += r.int(50, 5000)) if (r.chance(0.5)) [payload[i], payload[i + 1]] = [IAC, r.pick([IAC, 1, 3, 24, 31, 251, 253, 249])];
      if (payload.length > 0 && payload[payload.length - 1] === IAC) payload[payload.length - 1] = 0x20;
      for (let i = 0; i < payload.length && (await send(payload.subarray(i, i + 65_536))); i += 65_536);
      while (await send(`${LEAK} ${id} this must never be relayed\r\n`)) await pause(r.int(200, 600));
      break;
    }
    case "utf8":
      await join();
      while (live()) {
        const parts: number[] = [];
        for (let i = r.int(1, 8); i > 0; i--) parts.push(...(r.chance(0.5) ? r.pick(BAD_UTF8) : Buffer.from(r.pick(SAFE_WORDS) + " ")));
        if (!(await send(Uint8Array.from([...parts, 0x0d, 0x0a])))) break;
        await pause(r.int(250, 500));
      }
      break;
    case "escape": {
      await join();
      const forms = [(t: string) => t, (t: string) => `/me ${t}`, (t: string) => `/msg ${r.pick(targets)} ${t}`, (t: string) => `c:${r.pick(targets)}:${t}`, (t: string) => `/nick ${t}`, (t: string) => `b:${t}`];
      while (live()) {
        const text = Array.from({ length: r.int(1, 5) }, () => r.pick(ESCAPES) + r.pick(SAFE_WORDS)).join("");
        if (!(await send(r.pick(forms)(text) + "\r\n"))) break;
        await pause(r.int(250, 500));
      }
      if (r.chance(0.3)) await send(`/quit ${r.pick(ESCAPES)}bye${r.pick(ESCAPES)}\r\n`, true);
      break;
    }
    case "json":
      await send(JSON.stringify({ type: "hello", client: "\x1b[2Jfuzz", version: 1 }) + "\n");
      await send(JSON.stringify({ type: "nick", nick, id: 1 }) + "\n");
      while (live()) {
        if (!(await send(jsonJunk(r, targets) + (r.chance(0.5) ? "\n" : "\r\n")))) break;
        await pause(r.int(250, 500));
      }
      if (r.chance(0.5)) await send(JSON.stringify({ type: "quit", reason: `${r.pick(ESCAPES)}bye${r.pick(ESCAPES)}` }) + "\n", true);
      break;
    case "flood":
      await join();
      while (await send(Array.from({ length: r.int(20, 300) }, (_, i) => `flood ${id} ${i}`).join("\r\n") + "\r\n")) await pause(r.int(0, 100));
      break;
    case "halfclose":
      if (r.chance(0.7)) await join();
      await send(r.chance(0.5) ? "/list\r\nhalf a line without an end" : "l\r\n");
      socket.end(); // FIN: the server answers what it got, then closes
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, until - Date.now()));
        socket.once("close", () => (clearTimeout(timer), resolve()));
      });
      break;
    case "reset":
      if (r.chance(0.5)) await join();
      await send(r.bytes(r.int(0, 3000)));
      await pause(r.int(0, 300));
      iEnded = true;
      socket.resetAndDestroy();
      return;
    case "slowreader":
      await join();
      while (await send(r.pick(["help\r\n", "l\r\n", "/help\r\n"]))) await pause(r.int(250, 400));
      break;
    case "slowloris":
      while (await send(String.fromCharCode(r.int(0x61, 0x7a)))) await pause(r.int(300, 1000));
      break;
    case "idle":
      await pause(until - Date.now());
      break;
    case "negotiate": {
      // WILL/DO/WONT/DONT for any option, as fast as the server takes them, and
      // never a byte read: every WILL or DO it refuses costs a 3-byte reply.
      if (r.chance(0.5)) await join();
      const storm = new Uint8Array(3 * r.int(1000, 20_000));
      for (let i = 0; i < storm.length; i += 3) storm.set([IAC, r.chance(0.8) ? r.pick([251, 253]) : r.pick(VERBS), r.int(0, 255)], i);
      while (await send(storm));
      break;
    }
    case "partial": {
      // A long line a byte per packet, never ended: it may pass --max-line (4096) or stop short.
      await join();
      const length = r.int(100, 6000);
      for (let i = 0; i < length && (await send(String.fromCharCode(r.int(0x61, 0x7a)))); i++) if (i % r.int(1, 20) === 0) await pause(r.int(1, 15));
      break;
    }
  }
  await Bun.sleep(50); // a goodbye written just now reaches the kernel before any reset
  iEnded = true;
  const how = r.int(0, 2);
  if (how === 0) socket.destroy();
  else if (how === 1) socket.resetAndDestroy();
  else {
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}

/** A JSON line that is broken, unknown, of the wrong shape, or valid with hostile strings in it. */
function jsonJunk(r: Random, targets: string[]): string {
  const evil = () => Array.from({ length: r.int(1, 4) }, () => r.pick(ESCAPES) + r.pick(SAFE_WORDS)).join("");
  const frames: (() => unknown)[] = [
    () => ({ type: "say", text: evil(), id: r.int(0, 9) }),
    () => ({ type: "say", text: evil() }),
    () => ({ type: "msg", to: r.pick(targets), text: evil(), id: "x" }),
    () => ({ type: "rename", nick: evil() }),
    () => ({ type: "command", name: "me", args: [evil()] }),
    () => ({ type: "command", name: evil(), args: evil() }),
    () => ({ type: evil(), id: evil() }),
    () => ({ type: "say", text: r.int(0, 9) }),
    () => ({ type: "list", id: { deep: [1, 2] } }),
    () => ({ type: "hello", version: 1 }),
    () => ({ type: "nick", nick: "again" }),
    () => ({ type: "ping", id: 1e308 }),
    () => ({ type: "help" }),
  ];
  switch (r.int(0, 6)) {
    case 0: {
      const line = JSON.stringify(r.pick(frames)());
      return line.slice(0, r.int(0, line.length - 1));
    }
    case 1:
      return "[".repeat(r.int(1, 2000)) + "]".repeat(r.int(0, 2000));
    case 2:
      return "{" + Buffer.from(r.bytes(r.int(0, 200))).toString("latin1").replace(/[\r\n]/g, " ");
    case 3:
      return `{"type":"say","text":"${"\\u001b[2J".repeat(r.int(1, 50))}"}`;
    default:
      return JSON.stringify(r.pick(frames)());
  }
}

// -- the run ---------------------------------------------------------------------

interface Options {
  seconds: number;
  seed: number;
  hostile: number;
  maxRssMb: number;
  binary: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "30" },
      seed: { type: "string" },
      hostile: { type: "string", default: "200" },
      "max-rss": { type: "string", default: "300" },
      binary: { type: "string", default: PARLEY },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got ${value})`);
    return n;
  };
  return {
    seconds: number("seconds", values.seconds, 1, 3600),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : number("seed", values.seed, 0, 2 ** 32 - 1),
    hostile: number("hostile", values.hostile, 0, 2000),
    maxRssMb: number("max-rss", values["max-rss"], 16, 65_536),
    binary: resolve(values.binary ?? PARLEY),
  };
}

async function main(): Promise<number> {
  const o = options();
  const failures: string[] = [];
  let server: Server | undefined;
  const hardStop = setTimeout(() => {
    console.error(`fuzz: still running after ${o.seconds + 60} s; giving up (seed ${o.seed})`);
    server?.proc.kill("SIGKILL");
    process.exit(1);
  }, (o.seconds + 60) * 1000);
  server = await startParley(["--max-line", "4096", "--log-level", "debug"], o.binary);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      server?.proc.kill("SIGKILL");
      process.exit(130);
    });
  }
  const rss = new RssSampler(() => server!.rss(), 200);
  const random = new Random(o.seed);
  console.log(`fuzz: seed ${o.seed}, ${o.seconds} s, ${o.hostile} hostile connections against ${o.binary} on port ${server.port} (log: ${server.logFile})`);

  // Well-behaved clients: two speaking text, two JSON.
  const good = [new GoodClient("wb0", false), new GoodClient("wb1", false), new GoodClient("wb2", true), new GoodClient("wb3", true)];
  const goodNicks = new Set(good.map((g) => g.nick));
  for (const g of good) await g.connect(server.port, goodNicks);

  const start = Date.now();
  const end = start + o.seconds * 1000;
  const stats: HostileStats = { opened: 0, connectErrors: 0, bytes: 0, byKind: new Map(), closedByServer: 0 };
  const maxLife = Math.min(15_000, Math.max(500, (o.seconds * 1000) / 2));
  const hostiles: Promise<void>[] = [];
  const plans = Array.from({ length: o.hostile }, (_, i) => ({ id: i, at: start + (i / Math.max(1, o.hostile)) * o.seconds * 850, r: random.fork(i) }));
  const opener = (async () => {
    for (const plan of plans) {
      await Bun.sleep(Math.max(0, plan.at - Date.now()));
      const until = Math.min(end, Date.now() + plan.r.int(300, maxLife));
      hostiles.push(hostile(plan.id, plan.r, server!.port, until, [...goodNicks], stats).catch(() => {}));
    }
  })();

  // The good clients chat, each under the flood limit (5 lines/s by default).
  const talkers = good.map(async (g, i) => {
    const r = random.fork(1000 + i);
    while (Date.now() < end && !g.closed) {
      g.say(o.seed);
      await Bun.sleep(r.int(250, 550));
    }
  });
  await Promise.all([opener, ...talkers]);
  await Promise.all(hostiles);

  // Everything sent was handled, and everything relayed has arrived.
  const settle = async (what: string, work: Promise<unknown>, ms: number) => {
    const timeout = Symbol();
    const result = await Promise.race([work, Bun.sleep(ms).then(() => timeout)]);
    if (result === timeout) failures.push(`${what}: no answer in ${ms / 1000} s`);
  };
  await settle("well-behaved senders' last lines", Promise.all(good.map((g) => g.sync())), 20_000);
  await settle("well-behaved receivers' sync", Promise.all(good.map((g) => g.sync())), 20_000);

  let sent = 0, expected = 0, lost = 0, disorder = 0, corrupt = 0, fromHostile = 0;
  for (const g of good) {
    sent += g.sent;
    fromHostile += g.fromHostile;
    if (g.closed) failures.push(`${g.nick} was disconnected`);
    if (g.json && g.acked !== g.sent) failures.push(`${g.nick}: ${g.sent} messages sent, ${g.acked} acknowledged`);
    for (const other of good) {
      if (other === g) continue;
      expected += other.sent;
      const got = g.got.get(other.nick) ?? [];
      const seqs = new Set(got.map((m) => m.seq));
      for (let s = 0; s < other.sent; s++) if (!seqs.has(s)) lost++;
      got.forEach((m, i) => {
        if (m.seq !== i) disorder++;
        if (m.text !== messageText(o.seed, other.nick, m.seq)) corrupt++;
      });
    }
  }
  const problems = new Map<string, { count: number; example: string }>();
  for (const g of good) for (const [what, p] of g.problems) problems.set(what, { count: (problems.get(what)?.count ?? 0) + p.count, example: problems.get(what)?.example ?? p.example });
  let unsafe = 0;
  for (const [what, p] of problems) {
    unsafe += p.count;
    failures.push(`${what}: ${p.count} times, e.g. ${p.example}`);
  }
  if (lost) failures.push(`${lost} messages lost between well-behaved clients`);
  if (disorder) failures.push(`${disorder} messages out of order or repeated`);
  if (corrupt) failures.push(`${corrupt} messages changed on the way`);

  // A fresh client, text and JSON: join and list.
  await settle("a fresh text client (join + list)", freshText(server.port, failures), 10_000);
  await settle("a fresh JSON client (join + list)", freshJson(server.port, failures), 10_000);
  if (!server.alive()) failures.push(`the server exited (${server.proc.exitCode ?? server.proc.signalCode})`);
  for (const g of good) g.close();
  await Bun.sleep(1000);
  rss.stop();
  const finalRss = server.rss() || rss.last;
  if (rss.peak > o.maxRssMb * 1024 * 1024) failures.push(`peak RSS ${mb(rss.peak)} is over --max-rss ${o.maxRssMb} MB`);
  await server.stop();
  const log = readFileSync(server.logFile, "utf8").split("\n").filter(Boolean);
  const errors = log.filter((l) => !l.startsWith("{") || l.includes('"level":"error"') || l.includes('"level":"fatal"'));
  if (errors.length) failures.push(`${errors.length} error lines in the server log, e.g. ${errors[0]!.slice(0, 200)}`);
  clearTimeout(hardStop);

  const kinds = [...stats.byKind].sort().map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`hostile: ${kinds}; ${mb(stats.bytes)} sent; ${stats.closedByServer} closed by the server; ${stats.connectErrors} connect errors; ${fromHostile} of their lines reached well-behaved clients, cleaned`);
  const verdict = failures.length ? "FAIL" : "PASS";
  console.log(
    `fuzz ${verdict}: seed ${o.seed}, ${o.seconds} s, connections ${stats.opened + good.length + 2} (${stats.opened} hostile, ${good.length} well-behaved, 2 fresh), ` +
      `messages ${sent} sent / ${expected} deliveries expected, lost ${lost}, out of order ${disorder}, changed ${corrupt}, unsafe lines ${unsafe}, peak RSS ${mb(rss.peak)}, final RSS ${mb(finalRss)}`,
  );
  for (const f of [...new Set(failures)].slice(0, 40)) console.log(`  - ${f}`);
  if (failures.length) console.log(`replay: bun scripts/fuzz.ts --seed ${o.seed} --seconds ${o.seconds} --hostile ${o.hostile}`);
  return failures.length ? 1 : 0;
}

async function freshText(port: number, failures: string[]): Promise<void> {
  const c = new GoodClient("fresh", false);
  try {
    await c.connect(port, new Set());
    await c.sync();
    for (const [what, p] of c.problems) failures.push(`${what}: ${p.count} times, e.g. ${p.example}`);
    if (c.closed) failures.push("the fresh text client was disconnected");
  } catch (error) {
    failures.push(`a fresh text client could not join: ${(error as Error).message}`);
  } finally {
    c.close();
  }
}

async function freshJson(port: number, failures: string[]): Promise<void> {
  const socket = await connect(port).catch((error: Error) => (failures.push(`a fresh JSON client could not connect: ${error.message}`), null));
  if (!socket) return;
  const frames: Frame[] = [];
  let buffer = "";
  const wanted = new Promise<void>((resolve) => {
    socket.on("data", (bytes: Buffer) => {
      buffer += bytes.toString("utf8");
      for (let at: number; (at = buffer.indexOf("\n")) !== -1; buffer = buffer.slice(at + 1)) {
        const line = buffer.slice(0, at);
        try {
          if (line.startsWith("{")) frames.push(JSON.parse(line) as Frame);
        } catch {
          failures.push(`the fresh JSON client got a line that is not JSON: ${JSON.stringify(line.slice(0, 120))}`);
        }
        if (frames.some((f) => f.type === "list" && f.id === "l")) resolve();
      }
    });
    socket.on("close", () => resolve());
  });
  socket.write(['{"type":"hello","client":"fresh","version":1}', '{"type":"nick","nick":"freshj","id":"n"}', '{"type":"list","id":"l"}', ""].join("\n"));
  await wanted;
  socket.destroy();
  const list = frames.find((f) => f.type === "list");
  if (!frames.some((f) => f.type === "joined" && f.id === "n")) failures.push(`the fresh JSON client did not join: ${JSON.stringify(frames).slice(0, 200)}`);
  if (!list || !(list.users as { nick: string }[]).some((u) => u.nick === "freshj")) failures.push("the fresh JSON client's list does not hold it");
}

if (import.meta.main) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`fuzz: ${error.stack ?? error.message}`);
      process.exit(2);
    },
  );
}
