// The TCP edge of `parley chat`: accepts connections (node:net), applies the
// per-socket options, enforces --max-connections and --idle-timeout, wires
// each socket to a Session through its Outbox, and shuts down gracefully.

import net from "node:net";
import type { ChatContext } from "./chat.ts";
import { UserError } from "./errors.ts";
import { Outbox } from "./outbox.ts";
import { Session, type Connection } from "./session.ts";

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
}

// How long a closing connection may take to take its last bytes.
const CLOSE_GRACE_MS = 5000;
const SHUTDOWN_GRACE_MS = 3000;

export class ChatServer {
  private readonly sessions = new Set<Session>();
  private readonly server: net.Server;
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private stopping = false;
  private whenEmpty: () => void = () => {};

  private readonly chat: ChatContext;
  private readonly options: ListenOptions;

  private constructor(chat: ChatContext, options: ListenOptions) {
    this.chat = chat;
    this.options = options;
    // allowHalfOpen: a client that shuts down its sending side still gets
    // everything addressed to it; we close once it has been sent.
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
  }

  static async listen(chat: ChatContext, options: ListenOptions): Promise<ChatServer> {
    const server = new ChatServer(chat, options);
    await server.start();
    return server;
  }

  get address(): { host: string; port: number } {
    const a = this.server.address() as net.AddressInfo;
    return { host: a.address, port: a.port };
  }

  get connections(): number {
    return this.sessions.size;
  }

  private start(): Promise<void> {
    const { port, host, backlog, idleTimeout } = this.options;
    return new Promise((resolve, reject) => {
      this.server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, port, host)));
      this.server.listen({ port, host, backlog }, () => {
        this.server.removeAllListeners("error");
        this.server.on("error", (error) => this.chat.log.error(`server error: ${error.message}`));
        if (idleTimeout > 0) {
          const every = Math.min(5000, Math.max(100, (idleTimeout * 1000) / 4));
          this.sweeper = setInterval(() => this.sweepIdle(), every);
          this.sweeper.unref();
        }
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    const { maxConnections, keepalive } = this.options;
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const address = socket.remoteAddress ?? "?";
    const port = socket.remotePort ?? 0;
    if (maxConnections > 0 && this.sessions.size >= maxConnections) {
      this.chat.log.info(`refused ${address}:${port}: server full (${maxConnections})`);
      socket.on("error", () => {});
      socket.end(`! server full (${maxConnections} users), try again later\r\n`);
      return;
    }
    socket.setNoDelay(true);
    if (keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);

    let closing: ReturnType<typeof setTimeout> | undefined;
    const outbox = new Outbox(socket, this.chat.limits.maxOutbox, (pending) => {
      this.chat.log.warn(`${session.nick || address + ":" + port} disconnected: not reading (${pending} bytes waiting, limit ${this.chat.limits.maxOutbox})`);
      session.gone("send queue exceeded");
      socket.destroy();
    });
    const conn: Connection = {
      address,
      port,
      outbox,
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      end: () => {
        if (closing) return;
        closing = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
        closing.unref();
        outbox.whenEmpty().then(() => socket.end());
      },
      destroy: () => socket.destroy(),
    };
    const session = new Session(conn, this.chat);
    this.sessions.add(session);
    this.chat.log.debug(`connection from ${address}:${port} (${this.sessions.size} open)`);

    socket.on("data", (bytes: Buffer) => session.receive(bytes));
    socket.on("drain", () => outbox.drained());
    socket.on("end", () => session.eof());
    socket.on("error", (error: NodeJS.ErrnoException) => this.chat.log.debug(`${address}:${port}: ${error.code ?? error.message}`));
    socket.on("close", () => {
      clearTimeout(closing);
      this.sessions.delete(session);
      session.gone("connection closed");
      if (this.sessions.size === 0) this.whenEmpty();
      this.chat.log.debug(`closed ${address}:${port} (${this.sessions.size} open)`);
    });
    session.start();
  }

  private sweepIdle(): void {
    const limit = this.options.idleTimeout * 1000;
    const now = Date.now();
    for (const session of this.sessions) {
      if (session.state === "closed" || now - session.lastInput < limit) continue;
      this.chat.log.info(`${session.nick || session.conn.address + ":" + session.conn.port} disconnected: idle for ${this.options.idleTimeout}s`);
      session.system(`* You have been idle for ${this.options.idleTimeout}s; disconnecting. Bye!`);
      session.close("idle timeout");
    }
  }

  /** Stops accepting, tells everyone, sends what is queued (bounded wait), closes. */
  async close(message = "* The server is shutting down. Bye!"): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) {
      session.system(message);
      session.close("server shutting down", false);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
      this.whenEmpty = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.sessions.size === 0) this.whenEmpty();
    });
    for (const session of this.sessions) session.conn.destroy();
    await closed;
  }
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
      return new UserError(`cannot listen on ${host}: host name not found`);
    default:
      return new UserError(`cannot listen on ${where}: ${error.code ?? error.message}`);
  }
}
