// The Bun.listen transport. Bun's socket.write is unbuffered: it returns
// how many bytes the kernel took, so what it did not take waits here and
// goes out from the drain handler. Handlers are shared by all sockets and
// state lives in socket.data: no closures per connection.
//
// server.ts sends TLS listeners to node:tls (transport-net.ts), whose
// certificate can be renewed while it runs; the TLS path here stays for
// callers that need no renewal.
//
// With TLS, Bun calls `open` at TCP accept only when a `handshake` handler
// is given; without one, `open` waits for the handshake, so a client that
// never completes it would hold a socket that nothing counts or times out.

import type { Socket } from "bun";
import { plainAddress, type Accept, type ListenSpec, type Listener, type Wire, type WireEvents } from "./transport.ts";

// The three stages of a close, as bits of one field: with seven fields a
// wire is JSC's 80-byte object, with nine its 112-byte one (one per connection).
const ENDING = 1;
const FINISHED = 2;
const PEER_ENDED = 4;

class BunWire implements Wire {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  events: WireEvents | undefined;
  private rest: Uint8Array | null = null;
  /** ENDING, FINISHED, PEER_ENDED */
  private closing = 0;
  private readonly socket: Socket<BunWire>;

  constructor(socket: Socket<BunWire>, secure: boolean) {
    this.socket = socket;
    this.secure = secure;
    this.remoteAddress = plainAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort;
  }

  get writableLength(): number {
    return this.rest?.length ?? 0;
  }

  write(bytes: Uint8Array): boolean {
    if (this.rest) {
      this.rest = concat(this.rest, bytes);
      return false;
    }
    const written = this.socket.write(bytes);
    if (written === bytes.length) return true;
    this.rest = bytes.subarray(Math.max(0, written));
    return false;
  }

  /** The kernel has room again: send what waits; true when nothing is left. */
  flushRest(): boolean {
    if (!this.rest) return true;
    const written = this.socket.write(this.rest);
    if (written === this.rest.length) this.rest = null;
    else if (written > 0) this.rest = this.rest.subarray(written);
    if (this.rest === null && this.closing & ENDING) this.finish();
    return this.rest === null;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  setKeepAlive(initialDelayMs: number): void {
    this.socket.setKeepAlive(true, initialDelayMs);
  }

  end(): void {
    this.closing |= ENDING;
    if (!this.rest) this.finish();
  }

  /**
   * A lingering close: send FIN but keep reading (and dropping) what the
   * client still sends, until it closes too. Closing at once would make the
   * kernel answer that data with a reset, and a reset can destroy our last
   * lines in the client's buffer before it reads them.
   */
  private finish(): void {
    if (this.closing & FINISHED) return;
    this.closing |= FINISHED;
    this.socket.shutdown();
    if (this.closing & PEER_ENDED) this.socket.end();
  }

  /** The client sent FIN; once we have too, the connection is done. */
  peerEnd(): void {
    this.closing |= PEER_ENDED;
    if (this.closing & FINISHED) this.socket.end();
  }

  destroy(): void {
    this.rest = null;
    this.socket.terminate();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function listenBun(spec: ListenSpec, accept: Accept): Listener {
  const hostname = spec.host ?? "::";
  const secure = spec.tls !== undefined;
  const server = Bun.listen<BunWire>({
    hostname,
    port: spec.port,
    allowHalfOpen: true,
    ...(spec.tls ? { tls: { cert: spec.tls.cert, key: spec.tls.key } } : {}),
    socket: {
      open(socket) {
        socket.setNoDelay(true);
        const wire = new BunWire(socket, secure);
        socket.data = wire;
        wire.events = accept(wire);
        if (!secure) wire.events.onReady();
      },
      // Only for TLS: a plain socket is ready at open, and keeps Bun's plain path.
      ...(secure
        ? {
            handshake(socket: Socket<BunWire>, success: boolean) {
              // `success` is about the TLS exchange; there is no client certificate to verify.
              if (success) socket.data?.events?.onReady();
              else socket.terminate();
            },
          }
        : {}),
      data(socket, bytes) {
        socket.data.events?.onData(bytes);
      },
      drain(socket) {
        if (socket.data.flushRest()) socket.data.events?.onDrain();
      },
      end(socket) {
        socket.data.peerEnd();
        socket.data.events?.onEnd();
      },
      close(socket) {
        socket.data?.events?.onClose();
      },
      error(socket) {
        // Followed by close; nothing to add.
        void socket;
      },
    },
  });
  return {
    host: server.hostname,
    port: server.port,
    close: () => server.stop(false),
  };
}
