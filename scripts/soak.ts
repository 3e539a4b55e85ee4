// npm run soak [-- --minutes 3 --clients 1000 --rate 40 --seed 1]
//
// Not in CI: a bounded soak of dist/parley with 1000+ clients. Clients run in
// child processes (so each stays far below the fd limit, and some can be
// killed): "stable" workers hold the clients that stay the whole run, and a
// few that stop reading; "churn" workers connect, chat and leave (quit, FIN,
// close, reset) over and over, and one of them is SIGKILLed now and then and
// replaced. At the end:
//   - every client that stayed got every message of every other one, in
//     order and unchanged (0 lost);
//   - server memory is flat (RSS of the last third against the first third);
//   - the server holds no connection once every client is gone;
//   - the --json-logs log explains every disconnect: a reason on the
//     `closed` line, or another line naming the connection or its nick.
// Prints the figures; exits non-zero when a check fails.

import net from "node:net";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { mb, messageText, PARLEY, Random, RssSampler, startParley, type Server } from "./fuzz.ts";

const HOST = "127.0.0.1";
const STAYER = /^s\d+x\d+$/;

// -- messages between the processes ----------------------------------------------

interface WorkerSpec {
  id: number;
  role: "stable" | "churn";
  /** clients held at once */
  clients: number;
  /** stable workers: how many of their clients stop reading at some point */
  slowReaders: number;
  port: number;
  seed: number;
  /** mean seconds between two messages of one client */
  interval: number;
  /** epoch ms after which the worker exits, whatever happens */
  deadline: number;
}

type ToWorker = { t: "go" } | { t: "stop" } | { t: "verify"; table: [string, number][] } | { t: "exit" };
type Verdict = { receivers: number; expected: number; lost: number; disorder: number; changed: number; gone: string[]; examples: string[] };
type FromWorker =
  | { t: "ready" }
  | { t: "conns"; list: [string, string][] }
  | { t: "ends"; list: [string, End][]; messages: number }
  | { t: "stopped"; table: [string, number][]; unacked: number; cut: number; slowReaders: number }
  | { t: "verified"; verdict: Verdict };

/** How a connection ended, as its client saw it. */
type End = "quit" | "fin" | "close" | "reset" | "cut" | "killed";

// -- one client ---------------------------------------------------------------------

interface Track {
  last: number;
  count: number;
  gaps: number;
  disorder: number;
  changed: number;
}

class SoakClient {
  readonly nick: string;
  readonly json: boolean;
  readonly track: boolean;
  socket!: net.Socket;
  who = "";
  sent = 0;
  acked = 0;
  closed = false;
  /** true when this side decided to close (so a close is not "cut by the server") */
  leaving = false;
  readonly got = new Map<string, Track>();
  private buffer = "";
  private readonly decoder = new TextDecoder();
  private waiters: { test: (line: string) => boolean; resolve: () => void }[] = [];
  private readonly seed: number;

  constructor(nick: string, json: boolean, track: boolean, seed: number) {
    this.nick = nick;
    this.json = json;
    this.track = track;
    this.seed = seed;
  }

  async join(port: number): Promise<void> {
    this.socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ port, host: HOST });
      const timer = setTimeout(() => (s.destroy(), reject(new Error("connect timed out"))), 10_000);
      s.once("connect", () => (clearTimeout(timer), resolve(s)));
      s.once("error", (e) => (clearTimeout(timer), reject(e)));
    });
    this.who = `${this.socket.localAddress}:${this.socket.localPort}`;
    this.socket.setNoDelay(true);
    this.socket.on("error", () => {});
    this.socket.on("data", (bytes: Buffer) => this.receive(bytes));
    this.socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.resolve();
    });
    if (this.json) {
      this.socket.write(`{"type":"hello","client":"soak","version":1}\n{"type":"nick","nick":"${this.nick}","id":"j"}\n`);
      await this.until((l) => l.startsWith('{"type":"joined"') && l.includes('"id":"j"'), 30_000);
    } else {
      this.socket.write(`${this.nick}\r\n`);
      await this.until((l) => l.startsWith(`* Hi ${this.nick}!`), 30_000);
    }
    if (this.closed) throw new Error(`${this.nick} was closed while joining`);
  }

  say(): void {
    if (this.closed) return;
    const text = messageText(this.seed, this.nick, this.sent);
    this.socket.write(this.json ? JSON.stringify({ type: "say", text, id: this.sent }) + "\n" : text + "\r\n");
    this.sent++;
  }

  /** Everything sent before was handled, and everything relayed before has arrived. */
  sync(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const token = `sync${Math.random().toString(36).slice(2)}`;
    if (this.json) this.socket.write(`{"type":"ping","id":"${token}"}\n`);
    else this.socket.write("/list\r\n");
    return this.until((l) => (this.json ? l.includes(token) : /^\* \d+ online:$/.test(l)), ms);
  }

  /** Stops reading, and asks for the (large) user list a few times a second, under the flood limit. */
  async stopReading(until: () => boolean): Promise<void> {
    this.socket.pause();
    while (!this.closed && !until()) {
      this.socket.write(this.json ? '{"type":"list"}\n' : "/list\r\n");
      await Bun.sleep(300);
    }
  }

  async leave(how: Exclude<End, "cut" | "killed">): Promise<void> {
    this.leaving = true;
    if (this.closed) return;
    if (how === "quit") {
      this.socket.write(this.json ? '{"type":"quit","reason":"soak"}\n' : "/quit soak\r\n");
      await this.until(() => false, 3000);
      this.socket.destroy();
    } else if (how === "fin") {
      this.socket.end();
      await this.until(() => false, 3000);
      this.socket.destroy();
    } else if (how === "close") this.socket.destroy();
    else this.socket.resetAndDestroy();
  }

  /** Resolves when a line matches, the connection closes, or after `ms`; true when a line matched. */
  private until(test: (line: string) => boolean, ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = { test, resolve: () => (clearTimeout(timer), resolve(!this.closed)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, ms);
      this.waiters.push(waiter);
    });
  }

  private receive(bytes: Buffer): void {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    let at: number;
    while ((at = this.buffer.indexOf("\n")) !== -1) {
      const line = this.buffer.slice(0, at).replace(/\r$/, "");
      this.buffer = this.buffer.slice(at + 1);
      if (this.track) this.line(line);
      if (this.waiters.length) this.waiters = this.waiters.filter((w) => (w.test(line) ? (w.resolve(), false) : true));
    }
  }

  private line(line: string): void {
    let from: string, text: string;
    if (this.json) {
      if (!line.startsWith('{"type":"said"')) return;
      const f = JSON.parse(line) as { from: string; text: string; id?: unknown; history?: boolean; action?: boolean };
      if (f.history || f.action) return;
      if (f.from === this.nick) {
        if (f.id !== undefined) this.acked++;
        return;
      }
      ({ from, text } = f);
    } else {
      const m = /^([A-Za-z0-9_-]+): (.*)$/.exec(line);
      if (!m) return;
      [, from, text] = m as unknown as [string, string, string];
    }
    if (!STAYER.test(from)) return;
    const seq = Number(/^m \S+ (\d+) /.exec(text)?.[1] ?? -1);
    let t = this.got.get(from);
    if (!t) this.got.set(from, (t = { last: -1, count: 0, gaps: 0, disorder: 0, changed: 0 }));
    t.count++;
    if (seq <= t.last) t.disorder++;
    else {
      t.gaps += seq - t.last - 1;
      t.last = seq;
    }
    if (text !== messageText(this.seed, from, seq)) t.changed++;
  }
}

// -- a worker process -------------------------------------------------------------

async function worker(spec: WorkerSpec): Promise<void> {
  // Bounded even if the conductor dies: its IPC channel closing ends us too.
  process.on("disconnect", () => process.exit(0));
  setTimeout(() => process.exit(3), spec.deadline - Date.now());
  const send = (m: FromWorker) => process.send!(m);
  const r = new Random(spec.seed ^ (spec.id * 7919));
  let stopping = false;
  let conns: [string, string][] = [];
  let ends: [string, End][] = [];
  let messages = 0;
  // Who connected and how connections ended, sent every half second: a
  // worker killed with SIGKILL has already told most of what it knew.
  const report = () => {
    if (conns.length) send({ t: "conns", list: conns.splice(0) });
    if (ends.length || messages) send({ t: "ends", list: ends.splice(0), messages });
    messages = 0;
  };
  const flush = setInterval(report, 500);
  const inbox: ToWorker[] = [];
  let wake: (() => void) | null = null;
  process.on("message", (m: ToWorker) => {
    if (m.t === "stop") stopping = true;
    inbox.push(m);
    wake?.();
  });
  const next = async (t: ToWorker["t"]): Promise<ToWorker> => {
    for (;;) {
      const i = inbox.findIndex((m) => m.t === t);
      if (i !== -1) return inbox.splice(i, 1)[0]!;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  const pace = () => Bun.sleep(spec.interval * 1000 * (0.5 + r.next()));
  const ended = (c: SoakClient, how: End) => ends.push([c.who, how]);

  if (spec.role === "stable") {
    const clients = Array.from({ length: spec.clients }, (_, i) => new SoakClient(`s${spec.id}x${i}`, r.chance(0.1), true, spec.seed));
    const slow = new Set(clients.slice(0, spec.slowReaders));
    for (let i = 0; i < clients.length; i += 25) {
      await Promise.all(clients.slice(i, i + 25).map(async (c) => {
        await c.join(spec.port);
        conns.push([c.who, c.nick]);
      }));
    }
    send({ t: "ready" });
    await next("go");
    const talk = clients.map(async (c) => {
      if (slow.has(c)) {
        await Bun.sleep(r.int(5, 60) * 1000);
        return c.stopReading(() => stopping);
      }
      await Bun.sleep(r.next() * spec.interval * 1000);
      while (!stopping && !c.closed) {
        c.say();
        messages++;
        await pace();
      }
    });
    await next("stop");
    await Promise.all(talk);
    const stayers = clients.filter((c) => !slow.has(c));
    // Senders' last messages handled (JSON: every one acknowledged).
    await Promise.all(stayers.map((c) => c.sync(60_000)));
    for (let i = 0; i < 100 && stayers.some((c) => c.json && !c.closed && c.acked < c.sent); i++) await Bun.sleep(100);
    const cut = [...slow].filter((c) => c.closed).length;
    for (const c of slow) if (c.closed) ended(c, "cut");
    send({
      t: "stopped",
      table: stayers.map((c) => [c.nick, c.sent]),
      unacked: stayers.reduce((n, c) => n + (c.json ? c.sent - c.acked : 0), 0),
      cut,
      slowReaders: slow.size,
    });
    const { table } = (await next("verify")) as Extract<ToWorker, { t: "verify" }>;
    await Promise.all(stayers.map((c) => c.sync(60_000)));
    const verdict: Verdict = { receivers: 0, expected: 0, lost: 0, disorder: 0, changed: 0, gone: [], examples: [] };
    for (const c of stayers) {
      if (c.closed) verdict.gone.push(c.nick);
      verdict.receivers++;
      for (const [nick, sent] of table) {
        if (nick === c.nick) continue;
        const t = c.got.get(nick) ?? { last: -1, count: 0, gaps: 0, disorder: 0, changed: 0 };
        const lost = t.gaps + (sent - 1 - t.last);
        verdict.expected += sent;
        verdict.lost += lost;
        verdict.disorder += t.disorder;
        verdict.changed += t.changed;
        if ((lost || t.disorder || t.changed) && verdict.examples.length < 5) verdict.examples.push(`${c.nick} from ${nick}: sent ${sent}, got ${t.count}, last ${t.last}, lost ${lost}, out of order ${t.disorder}, changed ${t.changed}`);
      }
    }
    send({ t: "verified", verdict });
    await next("exit");
    await Promise.all(
      clients.map(async (c) => {
        if (c.closed) {
          if (!slow.has(c)) ended(c, "cut"); // a staying client the server dropped (reported above)
          return;
        }
        await c.leave("quit");
        ended(c, "quit");
      }),
    );
  } else {
    // Churn: each slot connects, chats a while, leaves one way or another, and comes back.
    let generation = 0;
    const slot = async (n: number) => {
      await Bun.sleep(r.next() * 5000);
      while (!stopping) {
        const c = new SoakClient(`c${spec.id}g${generation++}x${n}`, r.chance(0.3), false, spec.seed);
        try {
          await c.join(spec.port);
        } catch {
          await Bun.sleep(500);
          continue;
        }
        conns.push([c.who, c.nick]);
        const until = Date.now() + r.int(3, 40) * 1000;
        while (!stopping && !c.closed && Date.now() < until) {
          await pace();
          if (!stopping && !c.closed) {
            c.say();
            messages++;
          }
        }
        const how = r.pick(["quit", "quit", "fin", "close", "reset"] as const);
        if (c.closed) ended(c, "cut");
        else {
          await c.leave(how);
          ended(c, how);
        }
        await Bun.sleep(r.int(100, 2000));
      }
    };
    send({ t: "ready" });
    await next("go");
    await Promise.all(Array.from({ length: spec.clients }, (_, n) => slot(n)));
    await next("exit");
  }
  clearInterval(flush);
  report();
  await Bun.sleep(200);
  process.exit(0);
}

// -- the conductor --------------------------------------------------------------

interface Options {
  minutes: number;
  clients: number;
  rate: number;
  seed: number;
  binary: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "3" },
      clients: { type: "string", default: "1000" },
      rate: { type: "string", default: "40" },
      seed: { type: "string" },
      binary: { type: "string", default: PARLEY },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max} (got ${value})`);
    return n;
  };
  return {
    minutes: number("minutes", values.minutes, 0.25, 120),
    clients: Math.round(number("clients", values.clients, 20, 15_000)),
    rate: number("rate", values.rate, 0.1, 10_000),
    seed: values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Math.round(number("seed", values.seed, 0, 2 ** 32 - 1)),
    binary: values.binary ?? PARLEY,
  };
}

class Worker {
  readonly spec: WorkerSpec;
  readonly proc: Bun.Subprocess;
  private readonly queue: FromWorker[] = [];
  private wake: (() => void) | null = null;
  killed = false;

  constructor(spec: WorkerSpec, onMessage: (w: Worker, m: FromWorker) => void) {
    this.spec = spec;
    this.proc = Bun.spawn([process.execPath, import.meta.path], {
      env: { ...process.env, PARLEY_SOAK_WORKER: JSON.stringify(spec) },
      stdio: ["ignore", "inherit", "inherit"],
      ipc: (m: FromWorker) => {
        onMessage(this, m);
        this.queue.push(m);
        this.wake?.();
      },
    });
  }

  send(m: ToWorker): void {
    if (!this.killed && this.proc.exitCode === null) this.proc.send(m);
  }

  /** The next message of this type, or null after `ms` or when the worker exits. */
  async next<T extends FromWorker["t"]>(t: T, ms: number): Promise<Extract<FromWorker, { t: T }> | null> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.queue.findIndex((m) => m.t === t);
      if (i !== -1) return this.queue.splice(i, 1)[0] as Extract<FromWorker, { t: T }>;
      if (Date.now() > deadline || this.proc.exitCode !== null || this.proc.signalCode !== null) return null;
      await Promise.race([new Promise<void>((resolve) => (this.wake = resolve)), Bun.sleep(200)]);
    }
  }
}

async function conduct(o: Options): Promise<number> {
  const failures: string[] = [];
  const server: Server = await startParley(["--max-line", "4096", "--log-level", "debug"], o.binary);
  const budgetEnd = Date.now() + (o.minutes * 60 + 240) * 1000;
  const workers: Worker[] = [];
  const hardStop = setTimeout(() => {
    console.error("soak: over its time budget; stopping");
    server.proc.kill("SIGKILL");
    for (const w of workers) w.proc.kill("SIGKILL");
    process.exit(1);
  }, budgetEnd - Date.now());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      server.proc.kill("SIGKILL");
      for (const w of workers) w.proc.kill("SIGKILL");
      process.exit(130);
    });
  }
  const rss = new RssSampler(() => server.rss(), 1000);
  console.log(`soak: seed ${o.seed}, ${o.minutes} min, ${o.clients} clients, ${o.rate} messages/s in the room, parley on port ${server.port} (log: ${server.logFile})`);

  // Who is who, and how each connection ended, as the clients saw it.
  const nickOf = new Map<string, string>();
  const endOf = new Map<string, End>();
  const whoOfWorker = new Map<number, string[]>();
  let messages = 0;
  const onMessage = (w: Worker, m: FromWorker) => {
    if (m.t === "conns") for (const [who, nick] of m.list) nickOf.set(who, nick), whoOfWorker.get(w.spec.id)!.push(who);
    if (m.t === "ends") {
      for (const [who, how] of m.list) endOf.set(who, how);
      messages += m.messages;
    }
  };

  const stable = Math.round(o.clients * 0.6);
  const churn = o.clients - stable;
  const interval = o.clients / o.rate;
  let nextId = 0;
  const spawn = (role: WorkerSpec["role"], clients: number, slowReaders = 0): Worker => {
    const spec: WorkerSpec = { id: nextId++, role, clients, slowReaders, port: server.port, seed: o.seed, interval, deadline: budgetEnd };
    whoOfWorker.set(spec.id, []);
    return new Worker(spec, onMessage);
  };
  const slowReaders = Math.max(2, Math.round(o.clients * 0.02));
  workers.push(
    spawn("stable", Math.ceil(stable / 2), Math.ceil(slowReaders / 2)),
    spawn("stable", Math.floor(stable / 2), Math.floor(slowReaders / 2)),
    spawn("churn", Math.ceil(churn / 2)),
    spawn("churn", Math.floor(churn / 2)),
  );
  const t0 = Date.now();
  for (const w of workers) if (!(await w.next("ready", 180_000))) failures.push(`worker ${w.spec.id} (${w.spec.role}) never got its clients in`);
  console.log(`soak: ${stable} staying clients in after ${((Date.now() - t0) / 1000).toFixed(1)} s; chatting for ${o.minutes} min`);
  for (const w of workers) w.send({ t: "go" });

  // The run: now and then a churn worker is killed with SIGKILL and replaced.
  const end = Date.now() + o.minutes * 60_000;
  const killEvery = Math.max(10_000, (o.minutes * 60_000) / 6);
  let kills = 0;
  let progress = Date.now();
  for (let nextKill = Date.now() + killEvery; Date.now() < end; await Bun.sleep(500)) {
    if (Date.now() >= nextKill && Date.now() < end - 10_000) {
      nextKill += killEvery;
      const victim = workers.filter((w) => w.spec.role === "churn" && !w.killed)[kills % 2];
      if (victim) {
        victim.killed = true;
        victim.proc.kill("SIGKILL");
        await victim.proc.exited;
        for (const who of whoOfWorker.get(victim.spec.id) ?? []) if (!endOf.has(who)) endOf.set(who, "killed");
        kills++;
        const replacement = spawn("churn", victim.spec.clients);
        workers.push(replacement);
        void replacement.next("ready", 30_000).then(() => replacement.send({ t: "go" }));
      }
    }
    if (Date.now() - progress >= 30_000) {
      progress = Date.now();
      console.log(`soak: ${Math.round((Date.now() - t0) / 1000)} s, ${messages} messages reported, ${nickOf.size} connections so far, ${kills} workers killed, server RSS ${mb(rss.last)}`);
    }
  }

  // Stop talking; the staying clients settle and check what they got.
  const live = workers.filter((w) => !w.killed);
  for (const w of live) w.send({ t: "stop" });
  const table: [string, number][] = [];
  let unacked = 0, cut = 0, slowTotal = 0;
  for (const w of live.filter((w) => w.spec.role === "stable")) {
    const stopped = await w.next("stopped", 120_000);
    if (!stopped) failures.push(`stable worker ${w.spec.id} did not settle`);
    else {
      table.push(...stopped.table);
      unacked += stopped.unacked;
      cut += stopped.cut;
      slowTotal += stopped.slowReaders;
    }
  }
  const stayerMessages = table.reduce((n, [, sent]) => n + sent, 0);
  const verdict: Verdict = { receivers: 0, expected: 0, lost: 0, disorder: 0, changed: 0, gone: [], examples: [] };
  for (const w of live.filter((w) => w.spec.role === "stable")) w.send({ t: "verify", table });
  for (const w of live.filter((w) => w.spec.role === "stable")) {
    const v = (await w.next("verified", 120_000))?.verdict;
    if (!v) failures.push(`stable worker ${w.spec.id} did not report what its clients got`);
    else for (const k of ["receivers", "expected", "lost", "disorder", "changed"] as const) verdict[k] += v[k];
    if (v) verdict.gone.push(...v.gone), verdict.examples.push(...v.examples);
  }
  for (const w of live) w.send({ t: "exit" });
  await Promise.all(live.map((w) => Promise.race([w.proc.exited, Bun.sleep(30_000).then(() => w.proc.kill("SIGKILL"))])));

  // Every client is gone: the server must hold no connection, then stop it.
  let open = -1;
  for (let i = 0; i < 100 && open !== 0; i++) {
    await Bun.sleep(100);
    open = lastOpen(server.logFile);
  }
  rss.stop();
  const finalRss = server.rss() || rss.last;
  const alive = server.alive();
  await server.stop();
  clearTimeout(hardStop);

  // The figures.
  const thirds = [rss.samples.slice(0, Math.floor(rss.samples.length / 3)), rss.samples.slice(Math.ceil((rss.samples.length * 2) / 3))].map((s) => median(s.map((x) => x.rss)));
  const growth = thirds[0] ? thirds[1]! / thirds[0] - 1 : 0;
  const log = explainDisconnects(server.logFile, nickOf, endOf);
  if (!alive) failures.push("the server exited during the run");
  if (verdict.lost) failures.push(`${verdict.lost} messages lost between staying clients (e.g. ${verdict.examples[0]})`);
  if (verdict.disorder) failures.push(`${verdict.disorder} messages out of order or repeated`);
  if (verdict.changed) failures.push(`${verdict.changed} messages changed on the way`);
  if (verdict.gone.length) failures.push(`${verdict.gone.length} staying clients were disconnected (e.g. ${verdict.gone[0]})`);
  if (unacked) failures.push(`${unacked} JSON messages never acknowledged`);
  if (growth > 0.25 && thirds[1]! - thirds[0]! > 20 * 1024 * 1024) failures.push(`memory grew ${(growth * 100).toFixed(0)}% from the first third to the last`);
  if (open !== 0) failures.push(`the server still held ${open} connections after every client left`);
  if (log.unexplained > 0) failures.push(`${log.unexplained} of ${log.closed} disconnects have no reason in the log (${log.byCause}); e.g. ${log.example}`);
  if (log.errors.length) failures.push(`${log.errors.length} error lines in the server log, e.g. ${log.errors[0]}`);

  console.log(`connections: ${log.opened} opened, peak ${log.peak} at once, ${kills} client processes killed with SIGKILL; slow readers cut by the server: ${cut} of ${slowTotal}`);
  console.log(`messages: ${messages} sent in all; between staying clients ${stayerMessages} sent, ${verdict.expected} deliveries checked at ${verdict.receivers} receivers, lost ${verdict.lost}, out of order ${verdict.disorder}, changed ${verdict.changed}`);
  console.log(`memory: peak RSS ${mb(rss.peak)}, final RSS ${mb(finalRss)}; median first third ${mb(thirds[0] ?? 0)}, last third ${mb(thirds[1] ?? 0)} (${growth >= 0 ? "+" : ""}${(growth * 100).toFixed(1)}%)`);
  console.log(`log: ${log.closed} disconnects, ${log.closed - log.unexplained} explained; by cause ${log.byCause}`);
  console.log(`soak ${failures.length ? "FAIL" : "PASS"}: seed ${o.seed}, ${o.minutes} min, ${o.clients} clients, connections ${log.opened}, messages ${messages}, lost ${verdict.lost}, peak RSS ${mb(rss.peak)}, final RSS ${mb(finalRss)}`);
  for (const f of failures) console.log(`  - ${f}`);
  return failures.length ? 1 : 0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function logLines(file: string): { level: string; message: string }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      try {
        return JSON.parse(l) as { level: string; message: string };
      } catch {
        return { level: "raw", message: l };
      }
    });
}

function lastOpen(file: string): number {
  const lines = logLines(file);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(?:closed|connection from) \S+.*\((\d+) open\)$/.exec(lines[i]!.message);
    if (m) return Number(m[1]);
  }
  return -1;
}

/**
 * Every `closed WHO (N open)` must be explained: a reason on that line, or
 * another line (at debug or above) that names WHO or the nick it had.
 */
function explainDisconnects(file: string, nickOf: Map<string, string>, endOf: Map<string, End>) {
  const lines = logLines(file);
  const named = new Set<string>();
  const closedWho: { who: string; bare: boolean }[] = [];
  let opened = 0, peak = 0;
  const errors: string[] = [];
  for (const { level, message } of lines) {
    if (level === "error" || level === "fatal" || level === "raw") errors.push(message.slice(0, 200));
    const open = /\((\d+) open\)$/.exec(message);
    if (open) peak = Math.max(peak, Number(open[1]));
    if (/^connection from \S+ \(\d+ open\)$/.test(message)) {
      opened++;
      continue;
    }
    const closed = /^closed (\S+)(.*)$/.exec(message);
    if (closed) {
      closedWho.push({ who: closed[1]!, bare: /^ \(\d+ open\)$/.test(closed[2]!) });
      continue;
    }
    for (const token of message.match(/[\w.:-]+/g) ?? []) named.add(token.replace(/[:.]$/, ""));
  }
  const causes = new Map<string, { all: number; explained: number }>();
  let unexplained = 0;
  let example = "";
  for (const { who, bare } of closedWho) {
    const nick = nickOf.get(who);
    const explained = !bare || named.has(who) || (nick !== undefined && named.has(nick));
    // A connection no worker told about: opened in a killed worker's last half second.
    const cause = endOf.get(who) ?? (nick ? "unknown" : "unreported (killed)");
    const c = causes.get(cause) ?? { all: 0, explained: 0 };
    c.all++;
    if (explained) c.explained++;
    causes.set(cause, c);
    if (!explained) {
      unexplained++;
      example ||= `"closed ${who}" (${nick ?? "no nick"}, ${cause}) has no reason line`;
    }
  }
  const byCause = [...causes].map(([cause, c]) => `${cause} ${c.explained}/${c.all}`).join(", ");
  return { opened, peak, closed: closedWho.length, unexplained, example, byCause, errors };
}

const workerSpec = process.env.PARLEY_SOAK_WORKER;
if (workerSpec) {
  worker(JSON.parse(workerSpec) as WorkerSpec).catch((error: Error) => {
    console.error(`soak worker: ${error.stack ?? error.message}`);
    process.exit(2);
  });
} else if (import.meta.main) {
  conduct(options()).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(`soak: ${error.stack ?? error.message}`);
      process.exit(2);
    },
  );
}
