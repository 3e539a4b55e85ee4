// The TCP transport behind `parley chat`, as a small interface, so the
// server does not care which socket API carries its bytes. Two
// implementations: Bun.listen (the default: about a third of node:net's
// memory per idle connection, and faster writes) and node:net (for
// --backlog, which Bun.listen cannot set).

export interface Wire {
  readonly remoteAddress: string;
  readonly remotePort: number;
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
  onData(bytes: Uint8Array): void;
  onDrain(): void;
  /** the client shut down its sending side (FIN) */
  onEnd(): void;
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
}

/** Called for each accepted connection; returns where its events go. */
export type Accept = (wire: Wire) => WireEvents;

export type TransportName = "bun" | "net";

/** "::ffff:1.2.3.4" (an IPv4 client of a dual-stack listener) -> "1.2.3.4", so bans and limits see one form. */
export function plainAddress(address: string | undefined): string {
  if (!address) return "?";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
