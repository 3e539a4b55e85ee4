// The TCP transport behind `parley chat`, as a small interface, so the
// server does not care which socket API carries its bytes. Two
// implementations: Bun.listen (the default: about a third of node:net's
// memory per idle connection, and faster writes) and node:net (for
// --backlog, which Bun.listen cannot set).
//
// Every connection reaches the server at TCP accept, TLS or not, so it is
// counted (and can be refused, or cut for a handshake that never ends) from
// its first byte; `onReady` says when it carries data.

import { readFileSync, readdirSync } from "node:fs";

export interface Wire {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** a TLS connection: nothing may be written before `onReady` (the handshake) */
  readonly secure: boolean;
  /** bytes accepted by write() that the kernel has not taken yet */
  readonly writableLength: number;
  /** false: the rest is buffered; wait for the drain event before writing more */
  write(bytes: Uint8Array): boolean;
  pause(): void;
  resume(): void;
  setKeepAlive(initialDelayMs: number): void;
  /** sends what is buffered, then FIN */
  end(): void;
  /** closes at once */
  destroy(): void;
}

export interface WireEvents {
  /** the wire carries data: at once for plain TCP, after the handshake for TLS */
  onReady(): void;
  onData(bytes: Uint8Array): void;
  onDrain(): void;
  /** the client shut down its sending side (FIN) */
  onEnd(): void;
  /** always comes, once, for every accepted wire (a failed handshake too) */
  onClose(): void;
}

export interface ListenSpec {
  port: number;
  /** undefined: every interface */
  host?: string;
  backlog: number;
  /** PEM certificate and key: serve TLS */
  tls?: { cert: string; key: string };
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  /** stops accepting; open connections are left to the caller */
  close(): void;
  /**
   * TLS only: new connections get this certificate and key; open ones keep
   * theirs. Throws (and changes nothing) when the material is refused.
   */
  setTls?(tls: { cert: string; key: string }): void;
}

/** Called for each accepted TCP connection (before any TLS handshake); returns where its events go. */
export type Accept = (wire: Wire) => WireEvents;

export type TransportName = "bun" | "net";

/** "::ffff:1.2.3.4" (an IPv4 client of a dual-stack listener) -> "1.2.3.4", so bans and limits see one form. */
export function plainAddress(address: string | undefined): string {
  if (!address) return "?";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/**
 * How many sockets this process may hold open before accept() would fail
 * with EMFILE: the soft limit on open files, less those already open and a
 * reserve for the files, plugins and Redis links the server opens later.
 * At EMFILE neither Bun.listen nor node:net backs off: the listening socket
 * stays readable, accept() fails at once, and the process spins at 100% CPU
 * while new clients wait. So the server never lets accepted sockets reach
 * the limit: past this many, a new connection is closed as soon as it is
 * accepted. Infinity where the limit cannot be read (not Linux).
 */
export function socketBudget(): number {
  let limit: number;
  let open: number;
  try {
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    if (soft === undefined || soft === "unlimited") return Infinity;
    limit = Number(soft);
    open = readdirSync("/proc/self/fd").length;
  } catch {
    return Infinity;
  }
  const reserve = Math.max(16, Math.ceil(limit / 32));
  return Math.max(1, limit - open - reserve);
}
