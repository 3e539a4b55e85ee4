// A WebSocket client for parley's /ws, and the HTTP port a server announced.

import type { Parley } from "./parley.ts";

export type Frame = Record<string, unknown> & { type: string };

/** The HTTP port from the "parley web listening on" log line. */
export async function httpPort(parley: Parley): Promise<number> {
  const message = await parley.waitForLog(/parley web listening on/);
  const port = Number(/listening on [^ ]*:(\d+)[ ;]/.exec(message)?.[1]);
  if (!port) throw new Error(`no port in: ${message}`);
  return port;
}

const sockets = new Set<WebSocket>();
/** Closes what is still open (call from afterAll). */
export function closeAllWebSockets(): void {
  for (const ws of sockets) ws.close();
}

export interface WsOptions {
  /** "wss" for a server with --tls-cert (its certificate is not checked: the tests' own) */
  scheme?: "ws" | "wss";
  headers?: Record<string, string>;
}

/** A WebSocket client: every frame received, awaited by type and test. */
export class WsClient {

  readonly frames: Frame[] = [];
  private read = 0;
  private waiters: (() => void)[] = [];
  closed: { code: number } | undefined;
  readonly ws: WebSocket;
  private constructor(ws: WebSocket) {
    this.ws = ws;
    sockets.add(ws);
    ws.onmessage = (event) => {
      this.frames.push(JSON.parse(String(event.data)) as Frame);
      this.wake();
    };
    ws.onclose = (event) => {
      this.closed = { code: event.code };
      sockets.delete(ws);
      this.wake();
    };
  }

  static open(port: number, options: WsOptions = {}): Promise<WsClient> {
    const scheme = options.scheme ?? "ws";
    // Bun's WebSocket takes headers and TLS options (the browser's does not).
    const init = { headers: options.headers ?? {}, ...(scheme === "wss" ? { tls: { rejectUnauthorized: false } } : {}) };
    const ws = new WebSocket(`${scheme}://127.0.0.1:${port}/ws`, init as unknown as string[]);
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(new WsClient(ws));
      ws.onerror = () => reject(new Error("websocket failed to open"));
    });
  }

  static async join(port: number, nick: string, options: WsOptions = {}): Promise<WsClient> {
    const c = await WsClient.open(port, options);
    c.send({ type: "hello", client: "web-test", version: 1 });
    await c.next("welcome");
    c.send({ type: "nick", nick, id: "n" });
    await c.next("joined", (f) => f.self === true);
    return c;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The next frame (after those consumed) of this type that passes the test. */
  async next(type: string, test: (f: Frame) => boolean = () => true): Promise<Frame> {
    for (;;) {
      while (this.read < this.frames.length) {
        const f = this.frames[this.read++]!;
        if (f.type === type && test(f)) return f;
      }
      if (this.closed) throw new Error(`websocket closed (${this.closed.code}) before a ${type} frame; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  whenClosed(): Promise<{ code: number }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve) => this.waiters.push(() => this.closed && resolve(this.closed)));
  }
}
