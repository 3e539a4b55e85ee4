// The TCP edge of `parley chat`: accepts connections through a transport
// (Bun.listen or node:net), applies the per-socket options, enforces
// --max-connections and --idle-timeout, wires each connection to a Session
// through its Outbox, and shuts down gracefully.
//
// A connection counts from TCP accept, TLS or not: against --max-connections,
// --max-per-ip and the nick timeout, and a TLS one has HANDSHAKE_MS to
// finish its handshake. Every accepted socket, refused ones included, also
// counts against the process's open-file limit (socketBudget): past it a new
// connection is closed at once, so accept() never meets EMFILE.

import { DrainWait } from "./drain-wait.ts";
import type { ListenerFigures } from "./figures.ts";
import type { ChatContext } from "./shared.ts";
import { UserError } from "../base/errors.ts";
import { LOG_LEVELS } from "../base/log.ts";
import { runConnectHooks } from "../plugins/runner.ts";
import { isLoopback } from "./limits.ts";
import { sanitize } from "../wire/sanitize.ts";
import { Outbox, type OverflowSink } from "./outbox.ts";
import { Session, type Connection } from "./session.ts";
import { socketBudget, type Listener, type TransportName, type Wire, type WireEvents } from "./transport.ts";
import { listenBun } from "./transport-bun.ts";
import { AddressCounts } from "../base/address-counts.ts";

export interface ListenOptions {
  port: number;
  /** undefined: every interface */
  host?: string;
  backlog: number;
  /** 0: no limit */
  maxConnections: number;
  /** seconds without a line before a user is disconnected; 0: never */
  idleTimeout: number;
  /** seconds before TCP keepalive probes start; 0: off */
  keepalive: number;
  transport: TransportName;
  /** PEM certificate and key: TLS on `tlsPort`, or on `port` when there is no tlsPort */
  tls?: { cert: string; key: string };
  /** a second port, serving TLS beside the plain one */
  tlsPort?: number;
}

// How long a closing connection may take to take its last bytes.
const CLOSE_GRACE_MS = 5000;
const SHUTDOWN_GRACE_MS = 3000;
// How long a TLS client may take over its handshake (or the nick timeout, when shorter).
const HANDSHAKE_MS = 10_000;
// At the open-file limit, one warning per this long.
const FD_WARN_EVERY_MS = 10_000;
// Refused sockets are told why and given CLOSE_GRACE_MS to go (a TLS one
// first needs its handshake); past this many at once, the next are closed
// without a word, so a flood of refused connections holds few sockets.
const MAX_LINGERING = 64;

/** One accepted connection: the Connection a Session drives, and the wire's events. */
class Link implements Connection, WireEvents, OverflowSink {
  readonly address: string;
  readonly port: number;
  readonly outbox: Outbox;
  readonly session: Session;
  private readonly wire: Wire;
  private readonly server: ChatServer;
  private closing: ReturnType<typeof setTimeout> | undefined;
  /** the wire carries data (a TLS handshake is done); nothing is written before */
  ready = false;
  private handshake: ReturnType<typeof setTimeout> | undefined;

  constructor(server: ChatServer, wire: Wire, chat: ChatContext, handshakeMs: number) {
    this.server = server;
    this.wire = wire;
    this.address = wire.remoteAddress;
    this.port = wire.remotePort;
    this.outbox = new Outbox(wire, chat.limits.maxOutbox, this);
    this.session = new Session(this, chat);
    if (wire.secure) {
      this.handshake = setTimeout(() => {
        chat.log.info(`${this.who} disconnected: no TLS handshake after ${handshakeMs / 1000}s`);
        this.session.gone("no TLS handshake");
        wire.destroy();
      }, handshakeMs);
      this.handshake.unref();
    }
  }

  /** OverflowSink: the client stopped reading (a method, not a closure per connection). */
  outboxOverflow(pending: number): void {
    const { chat } = this.session;
    chat.log.warn(`${this.session.nick || this.who} disconnected: not reading (${pending} bytes waiting, limit ${chat.limits.maxOutbox})`);
    this.session.gone("not reading: too much waiting");
    this.wire.destroy();
  }

  get who(): string {
    return `${this.address}:${this.port}`;
  }

  // -- Connection: what the session asks of the socket --
  pause(): void {
    this.wire.pause();
  }
  resume(): void {
    this.wire.resume();
  }
  end(): void {
    if (!this.ready) return this.wire.destroy();
    if (this.closing) return;
    this.closing = setTimeout(() => this.wire.destroy(), CLOSE_GRACE_MS);
    this.closing.unref();
    this.outbox.whenEmpty().then(() => this.wire.end());
  }
  destroy(): void {
    this.wire.destroy();
  }

  // -- WireEvents: what the socket tells us --
  onReady(): void {
    clearTimeout(this.handshake);
    if (this.ready || this.session.state === "closed") return;
    this.ready = true;
    this.session.welcome();
  }
  onData(bytes: Uint8Array): void {
    this.session.receive(bytes);
  }
  onDrain(): void {
    this.outbox.drained();
  }
  /** The client's FIN: answer what it sent, then close (half-close). */
  onEnd(): void {
    this.session.eof();
  }
  onClose(): void {
    clearTimeout(this.closing);
    clearTimeout(this.handshake);
    // The client went away (FIN, reset, or a socket error) before the session ended.
    this.session.gone("connection closed");
    this.server.forget(this);
  }
}

export class ChatServer implements ListenerFigures {
  private readonly links = new Set<Link>();
  /** open connections per remote address, for --max-per-ip */
  private readonly perIp = new AddressCounts();
  private readonly chat: ChatContext;
  private readonly options: ListenOptions;
  private listener: Listener | undefined;
  private tlsListener: Listener | undefined;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  /** accepted sockets not yet closed (links and refused ones), the refused ones, and how many the open-file limit allows */
  private sockets = 0;
  private lingering = 0;
  private budget = Infinity;
  private fdWarned = 0;
  private readonly handshakeMs: number;
  private stopping = false;
  private readonly drained = new DrainWait();

  private constructor(chat: ChatContext, options: ListenOptions) {
    this.chat = chat;
    this.options = options;
    this.handshakeMs = chat.limits.nickTimeout > 0 ? Math.min(HANDSHAKE_MS, chat.limits.nickTimeout * 1000) : HANDSHAKE_MS;
  }

  static async listen(chat: ChatContext, options: ListenOptions): Promise<ChatServer> {
    const server = new ChatServer(chat, options);
    server.budget = socketBudget();
    chat.log.debug(`the open-file limit leaves room for ${server.budget} sockets`);
    const accept = (wire: Wire) => server.accept(wire);
    const open = async (port: number, tls: ListenOptions["tls"]) => {
      const spec = { port, host: options.host, backlog: options.backlog, tls };
      try {
        // TLS always goes through node:tls: its certificate can be renewed
        // while it runs (setSecureContext; SIGHUP, /reload), and Bun.listen's
        // cannot (its reload() takes socket handlers only and ignores tls).
        // The price, measured with Bun 1.4.5: about 28 KiB per idle TLS
        // connection instead of 13.
        // node:net and node:tls are loaded only by a server that uses them (about 7 MB at rest).
        if (options.transport === "net" || tls) return (await import("./transport-net.ts")).listenNet(spec, accept);
        return listenBun(spec, accept);
      } catch (error) {
        throw listenError(error as NodeJS.ErrnoException, port, options.host);
      }
    };
    const separate = options.tls && options.tlsPort !== undefined;
    server.listener = await open(options.port, separate ? undefined : options.tls);
    if (separate) {
      try {
        server.tlsListener = await open(options.tlsPort!, options.tls);
      } catch (error) {
        server.listener.close();
        throw error;
      }
    }
    // One timer checks both idle users and connections still without a nick.
    const timeouts = [options.idleTimeout, chat.limits.nickTimeout].filter((t) => t > 0);
    if (timeouts.length > 0) {
      const every = Math.min(5000, Math.max(100, (Math.min(...timeouts) * 1000) / 4));
      server.sweeper = setInterval(() => server.sweep(), every);
      server.sweeper.unref();
    }
    return server;
  }

  get address(): { host: string; port: number } {
    return { host: this.listener!.host, port: this.listener!.port };
  }

  /** The TLS port when it is separate (--tls-port). */
  get tlsAddress(): { host: string; port: number } | undefined {
    return this.tlsListener && { host: this.tlsListener.host, port: this.tlsListener.port };
  }

  /**
   * A renewed certificate and key for the TLS listener: new connections get
   * them, connected users keep the session they have. Throws when the
   * material is refused; then the previous certificate stays.
   */
  setTls(tls: { cert: string; key: string }): void {
    const listener = this.tlsListener ?? (this.options.tls ? this.listener : undefined);
    if (!listener?.setTls) throw new Error("this server has no TLS listener");
    listener.setTls(tls);
  }

  get connections(): number {
    return this.links.size;
  }

  /** Open connections in text and in JSON lines (read when /metrics or /stats asks). */
  framings(): { text: number; json: number } {
    let json = 0;
    for (const link of this.links) if (link.session.json) json++;
    return { text: this.links.size - json, json };
  }

  outboxWaiting(): number {
    let bytes = 0;
    for (const link of this.links) bytes += link.outbox.pending;
    return bytes;
  }

  /** Open connections from one address (what --max-per-ip counts); the web listener adds its own. */
  connectionsFrom(address: string): number {
    return this.perIp.of(address);
  }

  /** A TCP connection was accepted (a TLS one before its handshake). */
  private accept(wire: Wire): WireEvents {
    if (this.sockets >= this.budget) {
      // At the open-file limit: close at once, before any handshake or greeting.
      const now = Date.now();
      if (now - this.fdWarned >= FD_WARN_EVERY_MS) {
        this.fdWarned = now;
        this.chat.log.warn(`${this.sockets} sockets open, all the open-file limit allows: closing new connections at once (raise the limit with ulimit -n, or set --max-connections lower)`);
      }
      wire.destroy();
      return DROPPED;
    }
    const admitted = this.admit(wire);
    if (admitted instanceof Link) {
      this.sockets++;
      return admitted;
    }
    if (this.lingering >= MAX_LINGERING) {
      wire.destroy();
      return DROPPED;
    }
    // A refused socket counts against the open-file limit until it closes.
    this.sockets++;
    this.lingering++;
    return refuse(wire, admitted.line, () => {
      this.sockets--;
      this.lingering--;
    });
  }

  /** A new Link, or why the connection is refused. */
  private admit(wire: Wire): Link | { line?: string } {
    const { maxConnections, keepalive } = this.options;
    if (this.stopping) return {};
    if (maxConnections > 0 && this.links.size >= maxConnections) {
      this.chat.log.info(`refused ${wire.remoteAddress}:${wire.remotePort}: server full (${maxConnections})`);
      return { line: `! server full (${maxConnections} users), try again later` };
    }
    const { maxPerIp } = this.chat.limits;
    const fromHere = this.perIp.of(wire.remoteAddress);
    if (maxPerIp > 0 && fromHere >= maxPerIp && !isLoopback(wire.remoteAddress)) {
      this.chat.log.info(`refused ${wire.remoteAddress}:${wire.remotePort}: ${fromHere} connections from that address already (--max-per-ip ${maxPerIp})`);
      return { line: `! too many connections from your address (${maxPerIp}), try again later` };
    }
    const banned = runConnectHooks(this.chat.services, { address: wire.remoteAddress, port: wire.remotePort });
    if (banned) {
      this.chat.log.info(`refused ${wire.remoteAddress}:${wire.remotePort}: ${banned}`);
      return { line: `! ${sanitize(banned)}` };
    }
    this.perIp.add(wire.remoteAddress);
    if (keepalive > 0) wire.setKeepAlive(keepalive * 1000);
    const link = new Link(this, wire, this.chat, this.handshakeMs);
    this.links.add(link);
    // Formatted only when it is shown: this runs for every connection.
    if (this.chat.log.level >= LOG_LEVELS.debug) this.chat.log.debug(`connection from ${link.who}${wire.secure ? " (TLS handshake)" : ""} (${this.links.size} open)`);
    // Greeted from onReady: at once in plain TCP, after the handshake in TLS.
    return link;
  }

  /** A link closed. */
  forget(link: Link): void {
    if (!this.links.delete(link)) return;
    this.sockets--;
    this.perIp.remove(link.address);
    // Every disconnect is explained, with the nick the connection had.
    const { nick, endReason } = link.session;
    this.chat.log.info(`closed ${link.who}${nick ? ` (${nick})` : ""}: ${endReason || "connection closed"} (${this.links.size} open)`);
    this.drained.left(this.links.size);
  }

  private sweep(): void {
    const idle = this.options.idleTimeout * 1000;
    const nickless = this.chat.limits.nickTimeout * 1000;
    const now = Date.now();
    for (const link of this.links) {
      const { session, who } = link;
      if (!link.ready) continue; // the handshake timer covers it
      if ((session.state === "nick" || session.state === "password") && nickless > 0 && now - session.connectedAt >= nickless) {
        this.chat.log.info(`${who} disconnected: no nickname after ${this.chat.limits.nickTimeout}s`);
        session.error(`no nickname after ${this.chat.limits.nickTimeout}s; disconnecting`, "nick_timeout");
        session.close("nick timeout");
      } else if (session.state !== "closed" && idle > 0 && now - session.lastInput >= idle) {
        this.chat.log.info(`${session.nick || who} disconnected: idle for ${this.options.idleTimeout}s`);
        session.system(`* You have been idle for ${this.options.idleTimeout}s; disconnecting. Bye!`);
        session.close("idle timeout");
      }
    }
  }

  /** Stops accepting, tells everyone, sends what is queued (bounded wait), closes. */
  async close(message = "* The server is shutting down. Bye!"): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.sweeper);
    this.listener?.close();
    this.tlsListener?.close();
    for (const link of this.links) {
      const { session } = link;
      if (!link.ready) {
        link.destroy();
        continue;
      }
      session.system(message);
      session.close("server shutting down", false);
    }
    await this.drained.wait(this.links.size, SHUTDOWN_GRACE_MS);
    for (const link of this.links) link.destroy();
  }
}

const DROPPED: WireEvents = { onReady() {}, onData() {}, onDrain() {}, onEnd() {}, onClose() {} };

/**
 * Says why (once the wire is ready: after a TLS handshake), and closes; a
 * refused client that never closes its side, or never finishes its
 * handshake, is cut after the grace period, so refusals cannot pile up.
 */
function refuse(wire: Wire, line: string | undefined, closed: () => void): WireEvents {
  const timer = setTimeout(() => wire.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  return {
    onReady() {
      if (line) wire.write(Buffer.from(line + "\r\n"));
      wire.end();
    },
    onData() {},
    onDrain() {},
    onEnd() {},
    onClose() {
      clearTimeout(timer);
      closed();
    },
  };
}

function listenError(error: NodeJS.ErrnoException, port: number, host: string | undefined): UserError {
  const where = `${host ?? "*"}:${port}`;
  switch (error.code) {
    case "EADDRINUSE":
      return new UserError(`port ${port} is already in use (${where}); stop what holds it or pick another with --port`);
    case "EACCES":
    case "EPERM":
      return new UserError(`permission denied to listen on ${where}${port < 1024 ? " (ports below 1024 need root; try --port 8088)" : ""}`);
    case "EADDRNOTAVAIL":
      return new UserError(`cannot listen on ${host}: that address is not on this machine`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case undefined:
      return new UserError(`cannot listen on ${where}: ${error.code ? "host name not found" : error.message}`);
    default:
      return new UserError(`cannot listen on ${where}: ${error.code}`);
  }
}
