// The HTTP side of `parley chat --http PORT`, served with Bun.serve from
// inside the binary (docs/web.md):
//   /ws       a WebSocket speaking the JSON-lines protocol, one frame per message
//   /         the chat page (core/web/page/, embedded at build time)
//   /healthz  200 while the process serves
//   /readyz   200 once the server is ready, 503 while it starts or shuts down,
//             or (with --redis) while the link to Redis is down
//   /metrics  Prometheus text: the figures of core/chat/figures.ts (a bearer
//             token, or loopback clients only: access.ts)
// With --tls-cert/--tls-key it serves HTTPS and WSS.
//
// A WebSocket is one more Connection for a Session, exactly as a TCP link
// is: its lines go through the same telnet filter, line splitter, inbox and
// JSON framing; what the session sends goes through an Outbox (--max-outbox
// cuts a browser that stops reading) to a sink that sends each line as its
// own message.

import { DrainWait } from "../chat/drain-wait.ts";
import type { Server, ServerWebSocket } from "bun";
import { counters } from "../base/counters.ts";
import { errorText, UserError } from "../base/errors.ts";
import { JsonFraming } from "../chat/json-framing.ts";
import type { WebFigures } from "../chat/figures.ts";
import { isLoopback } from "../chat/limits.ts";
import { Outbox, type ByteSink } from "../chat/outbox.ts";
import type { ChatServer } from "../chat/server.ts";
import { Session, type Connection } from "../chat/session.ts";
import type { ChatContext } from "../chat/shared.ts";
import type { TlsFiles } from "../chat/tls.ts";
import type { ServerStats } from "../plugins/api.ts";
import { runConnectHooks } from "../plugins/runner.ts";
import { sanitize } from "../wire/sanitize.ts";
import { clientAddress, metricsRefusal, originAllowed } from "./access.ts";
import { metricsText } from "./metrics.ts";
import { PAGE_FILES } from "./page.ts";
import { AddressCounts } from "../base/address-counts.ts";

export interface WebOptions {
  port: number;
  /** undefined: every interface */
  host?: string;
  /** --max-connections, shared with the TCP connections (0: no limit) */
  maxConnections: number;
  /** --idle-timeout in seconds (0: never) */
  idleTimeout: number;
  /** other sites' pages that may open /ws (--http-origin), in URL origin form */
  origins: readonly string[];
  /** --metrics-token: /metrics asks for it; without it, loopback clients only */
  metricsToken?: string;
  /** --trust-proxy: the client's address is X-Forwarded-For's last */
  trustProxy: boolean;
  /** serve HTTPS and WSS */
  tls?: TlsFiles;
  /** the server's figures now, for /metrics */
  figures(): ServerStats;
}

// As for TCP links (core/chat/server.ts): how long a closing socket may take.
const CLOSE_GRACE_MS = 5000;
const SHUTDOWN_GRACE_MS = 3000;
// Messages held while the session has paused its input (its inbox is full);
// a client that keeps sending past this is cut.
const MAX_HELD = 1024;

const encoder = new TextEncoder();

/** One WebSocket: the Connection its Session drives, and the sink its Outbox writes to. */
class WsLink implements Connection, ByteSink {
  readonly websocket = true;
  readonly address: string;
  readonly port: number;
  readonly outbox: Outbox;
  readonly session: Session;
  ws: ServerWebSocket<WsLink> | undefined;
  private readonly decoder = new TextDecoder();
  /** bytes of a line the outbox has not finished (never expected: it pushes whole lines) */
  private partial = "";
  private full = false;
  private paused = false;
  private held: string[] | null = null;
  private first = true;
  private closing: ReturnType<typeof setTimeout> | undefined;
  closed = false;

  constructor(address: string, port: number, chat: ChatContext) {
    this.address = address;
    this.port = port;
    this.outbox = new Outbox(this, chat.limits.maxOutbox, (pending) => {
      chat.log.warn(`${this.session.nick || this.who} disconnected: not reading (${pending} bytes waiting, limit ${chat.limits.maxOutbox}) (websocket)`);
      this.session.gone("not reading: too much waiting");
      this.destroy();
    });
    this.session = new Session(this, chat);
  }

  get who(): string {
    return `${this.address}:${this.port}`;
  }

  // -- ByteSink: what the outbox writes, one message per line --
  get writableLength(): number {
    if (!this.ws || this.closed) return 0;
    return this.ws.getBufferedAmount();
  }

  write(bytes: Uint8Array): boolean {
    const ws = this.ws;
    if (!ws || this.closed) return true;
    const text = this.partial + this.decoder.decode(bytes, { stream: true });
    // Corked: the messages of one flush leave in one write to the socket, not
    // one each (the outbox flushes outside Bun's callbacks, which cork by themselves).
    const start = ws.cork(() => this.sendLines(ws, text));
    this.partial = text.slice(start);
    return !this.full;
  }

  /** Sends each whole line of `text` as a message; where the unfinished rest starts. */
  private sendLines(ws: ServerWebSocket<WsLink>, text: string): number {
    let start = 0;
    let at: number;
    while ((at = text.indexOf("\n", start)) !== -1) {
      const end = at > start && text.charCodeAt(at - 1) === 13 ? at - 1 : at;
      if (end > start) {
        // -1: queued behind backpressure (wait for drain); 0: the socket is gone.
        if (ws.sendText(text.slice(start, end)) === -1) this.full = true;
      }
      start = at + 1;
    }
    return start;
  }

  drained(): void {
    this.full = false;
    this.outbox.drained();
  }

  // -- Connection: what the session asks of the socket --
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    const held = this.held;
    this.held = null;
    if (held) for (const line of held) this.feed(line);
  }
  end(): void {
    if (this.closing || this.closed) return;
    this.closing = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
    this.closing.unref();
    void this.outbox.whenEmpty().then(() => {
      if (!this.closed) this.ws?.close(1000, "bye");
    });
  }
  destroy(): void {
    if (this.closed) return;
    this.ws?.terminate();
  }

  // -- what the WebSocket tells us --
  message(data: string | Buffer): void {
    // Text messages are UTF-8 already; a binary one is taken as UTF-8 too
    // (never an 0xFF byte the telnet filter would read as a command).
    const line = typeof data === "string" ? data : this.decoder.decode(data);
    if (this.first) {
      this.first = false;
      // /ws speaks only JSON lines: the first message must be a hello frame.
      if (!JsonFraming.opens(line)) {
        this.ws?.sendText(JSON.stringify({ type: "error", code: "bad_frame", message: 'the first message must be a hello frame: {"type":"hello","client":"NAME","version":1}' }));
        this.session.gone("no hello frame");
        this.ws?.close(1002, "hello first");
        return;
      }
    }
    if (this.paused) {
      (this.held ??= []).push(line);
      if (this.held.length > MAX_HELD) {
        this.session.gone("sent too much without waiting");
        this.destroy();
      }
      return;
    }
    this.feed(line);
  }

  /** Whether the client has sent its hello: until then the session is not in JSON, so frames go straight out. */
  get helloed(): boolean {
    return !this.first;
  }

  /** A frame for a client that has not sent its hello yet, then the close (the nick timeout, a shutdown). */
  goodbye(frame: Record<string, unknown>, reason: string): void {
    this.ws?.sendText(JSON.stringify(frame));
    this.session.gone(reason);
    this.ws?.close(1000, "bye");
  }

  private feed(line: string): void {
    this.session.receive(encoder.encode(line + "\n"));
  }

  onClose(): void {
    this.closed = true;
    clearTimeout(this.closing);
    this.session.gone("connection closed");
  }
}

export class WebServer implements WebFigures {
  private readonly links = new Set<WsLink>();
  private readonly perIp = new AddressCounts();
  private readonly chat: ChatContext;
  private readonly options: WebOptions;
  private readonly tcp: ChatServer;
  private readonly server: Server<WsLink>;
  private readonly sweeper: ReturnType<typeof setInterval> | undefined;
  private state: "starting" | "ready" | "stopping" = "starting";
  private readonly drained = new DrainWait();
  private acceptedCount = 0;

  constructor(chat: ChatContext, options: WebOptions, tcp: ChatServer) {
    this.chat = chat;
    this.options = options;
    this.tcp = tcp;
    const web = this;
    const maxLine = chat.limits.maxLine;
    this.server = Bun.serve<WsLink>({
      hostname: options.host ?? "::",
      port: options.port,
      development: false,
      ...(options.tls ? { tls: { cert: options.tls.cert, key: options.tls.key } } : {}),
      fetch(request, server) {
        return web.fetch(request, server);
      },
      error(error) {
        chat.log.error(`web: ${errorText(error)}`);
        return new Response("internal error\n", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
      },
      websocket: {
        // A line over --max-line gets a too_long error from the line splitter, as on TCP; far bigger, Bun closes (1009).
        maxPayloadLength: maxLine + 64 * 1024,
        // The outbox holds what waits; Bun's own buffer only between a -1 and the drain.
        backpressureLimit: chat.limits.maxOutbox,
        closeOnBackpressureLimit: true,
        open(ws) {
          ws.data.ws = ws;
        },
        message(ws, data) {
          ws.data.message(data);
        },
        drain(ws) {
          ws.data.drained();
        },
        close(ws) {
          ws.data.onClose();
          web.forget(ws.data);
        },
      },
    });
    const timeouts = [options.idleTimeout, chat.limits.nickTimeout].filter((t) => t > 0);
    if (timeouts.length > 0) {
      const every = Math.min(5000, Math.max(100, (Math.min(...timeouts) * 1000) / 4));
      this.sweeper = setInterval(() => this.sweep(), every);
      this.sweeper.unref();
    }
  }

  get address(): { host: string; port: number } {
    return { host: this.server.hostname ?? "", port: this.server.port ?? 0 };
  }

  get connections(): number {
    return this.links.size;
  }

  /** WebSockets accepted since start */
  get accepted(): number {
    return this.acceptedCount;
  }

  outboxWaiting(): number {
    let bytes = 0;
    for (const link of this.links) bytes += link.outbox.pending;
    return bytes;
  }

  /** "https" with --tls-cert, else "http" */
  get scheme(): "http" | "https" {
    return this.options.tls ? "https" : "http";
  }

  /** The server is up: /readyz says 200 and /ws takes connections. */
  ready(): void {
    if (this.state === "starting") this.state = "ready";
  }

  private fetch(request: Request, server: Server<WsLink>): Response | undefined {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/healthz":
        return text("ok\n", 200);
      case "/readyz":
        if (this.state !== "ready") return text(`${this.state}\n`, 503);
        // A node cut off from the cluster still serves its own users, but a balancer should send new ones elsewhere.
        return counters.redisClustered && !counters.redisUp ? text("redis unreachable\n", 503) : text("ready\n", 200);
      case "/metrics": {
        const refused = metricsRefusal(request, clientAddress(request, server, this.options.trustProxy).address, this.options.metricsToken);
        if (refused) return text(`${refused.line}\n`, refused.status, refused.status === 401 ? { "www-authenticate": 'Bearer realm="parley metrics"' } : {});
        return new Response(metricsText(this.options.figures(), this.state === "ready"), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
      }
      case "/ws":
        return this.upgrade(request, server);
    }
    const file = PAGE_FILES.get(url.pathname);
    if (file && (request.method === "GET" || request.method === "HEAD")) {
      return new Response(file.body, { headers: { ...SECURITY_HEADERS, "content-type": file.type, "cache-control": "no-cache" } });
    }
    return text("not found\n", 404);
  }

  private upgrade(request: Request, server: Server<WsLink>): Response | undefined {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return text("this is a WebSocket: connect with one and send a hello frame first\n", 426);
    // A page on another site must not use a visitor's browser to chat here.
    const origin = request.headers.get("origin");
    if (!originAllowed(origin, request, this.options.origins)) {
      this.chat.log.info(`web: refused a WebSocket from origin ${sanitize(origin ?? "").slice(0, 100)}`);
      return text("cross-origin WebSocket refused\n", 403);
    }
    if (this.state !== "ready") return text(`${this.state}\n`, 503);
    const { address, port } = clientAddress(request, server, this.options.trustProxy);
    const refused = this.admit(address, port);
    if (refused) return text(`${refused}\n`, refused.startsWith("! server full") ? 503 : 429);
    const link = new WsLink(address, port, this.chat);
    if (!server.upgrade(request, { data: link })) return text("WebSocket upgrade failed\n", 400);
    this.links.add(link);
    this.perIp.add(address);
    this.acceptedCount++;
    this.chat.log.debug(`websocket from ${link.who} (${this.links.size} open)`);
    return undefined;
  }

  /** Why a new WebSocket is refused, counted with the TCP connections; undefined: welcome. */
  private admit(address: string, port: number): string | undefined {
    const { maxConnections } = this.options;
    const open = this.tcp.connections + this.links.size;
    if (maxConnections > 0 && open >= maxConnections) {
      this.chat.log.info(`refused websocket ${address}:${port}: server full (${maxConnections})`);
      return `! server full (${maxConnections} users), try again later`;
    }
    const { maxPerIp } = this.chat.limits;
    const fromHere = this.tcp.connectionsFrom(address) + this.perIp.of(address);
    if (maxPerIp > 0 && fromHere >= maxPerIp && !isLoopback(address)) {
      this.chat.log.info(`refused websocket ${address}:${port}: ${fromHere} connections from that address already (--max-per-ip ${maxPerIp})`);
      return `! too many connections from your address (${maxPerIp}), try again later`;
    }
    const banned = runConnectHooks(this.chat.services, { address, port });
    if (banned) {
      this.chat.log.info(`refused websocket ${address}:${port}: ${banned}`);
      return `! ${sanitize(banned)}`;
    }
    return undefined;
  }

  private forget(link: WsLink): void {
    if (!this.links.delete(link)) return;
    this.perIp.remove(link.address);
    const { nick, endReason } = link.session;
    this.chat.log.info(`closed websocket ${link.who}${nick ? ` (${nick})` : ""}: ${endReason || "connection closed"} (${this.links.size} open)`);
    this.drained.left(this.links.size);
  }

  private sweep(): void {
    const idle = this.options.idleTimeout * 1000;
    const nickless = this.chat.limits.nickTimeout * 1000;
    const now = Date.now();
    for (const link of this.links) {
      const { session, who } = link;
      if (!link.helloed && nickless > 0 && now - session.connectedAt >= nickless) {
        this.chat.log.info(`${who} disconnected: no hello frame after ${this.chat.limits.nickTimeout}s (websocket)`);
        link.goodbye({ type: "error", code: "nick_timeout", message: `no nickname after ${this.chat.limits.nickTimeout}s; disconnecting` }, "nick timeout");
      } else if ((session.state === "nick" || session.state === "password") && nickless > 0 && now - session.connectedAt >= nickless) {
        this.chat.log.info(`${who} disconnected: no nickname after ${this.chat.limits.nickTimeout}s (websocket)`);
        session.error(`no nickname after ${this.chat.limits.nickTimeout}s; disconnecting`, "nick_timeout");
        session.close("nick timeout");
      } else if (session.state !== "closed" && idle > 0 && now - session.lastInput >= idle) {
        this.chat.log.info(`${session.nick || who} disconnected: idle for ${this.options.idleTimeout}s (websocket)`);
        session.system(`* You have been idle for ${this.options.idleTimeout}s; disconnecting. Bye!`);
        session.close("idle timeout");
      }
    }
  }

  /** /readyz says 503 from now on, and /ws takes no one new. */
  draining(): void {
    this.state = "stopping";
  }

  /** Tells every WebSocket user, sends what is queued (bounded wait), closes, stops listening. */
  async close(message = "* The server is shutting down. Bye!"): Promise<void> {
    this.draining();
    clearInterval(this.sweeper);
    for (const link of this.links) {
      const { session } = link;
      if (!link.helloed) {
        link.goodbye({ type: "system", text: message }, "server shutting down");
        continue;
      }
      session.system(message);
      session.close("server shutting down", false);
    }
    await this.drained.wait(this.links.size, SHUTDOWN_GRACE_MS);
    for (const link of this.links) link.destroy();
    await this.server.stop(true);
  }
}

/** Starts the HTTP listener (not ready yet: call ready() once the chat is). */
export function startWeb(chat: ChatContext, options: WebOptions, tcp: ChatServer): WebServer {
  try {
    return new WebServer(chat, options, tcp);
  } catch (error) {
    throw webListenError(error as NodeJS.ErrnoException, options);
  }
}

// What the page may do: its own scripts and styles, a WebSocket back to this server, nothing else.
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function text(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers } });
}

function webListenError(error: NodeJS.ErrnoException, options: WebOptions): UserError {
  const where = `${options.host ?? "*"}:${options.port}`;
  if (error.code === "EADDRINUSE") return new UserError(`--http port ${options.port} is already in use (${where}); stop what holds it or pick another`);
  if (error.code === "EACCES" || error.code === "EPERM") return new UserError(`permission denied to listen on ${where} for --http`);
  return new UserError(`cannot listen on ${where} for --http: ${error.code ?? error.message}`);
}
