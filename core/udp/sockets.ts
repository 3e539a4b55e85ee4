// node:dgram sockets for UDP modes: open and bind, send and receive,
// broadcast, multicast membership (source-specific too), TTLs, loopback and
// interfaces, with IPv6 scope ids. Every failure becomes one line that says
// what to do (a port in use suggests --reuse), and what goes through is
// counted for the exit summary. The messages are in udp-errors.ts.
//
// Bun 1.4.5 differs from Node here, and this file covers for it:
// - setMulticastTTL(0) throws EINVAL (Node accepts it): we say so plainly.
// - an interface that is not an address (addMembership(g, "eth0")) is
//   silently ignored and the kernel picks one: we turn names into addresses
//   (IPv4) or ::%name (IPv6) before calling it.
// - a bind that fails with EADDRINUSE does not carry the port: we add it.

import dgram from "node:dgram";
import type { Datagram, PluginLogger, UdpMembership, UdpSocket, UdpSocketOptions } from "../plugins/api.ts";
import { UserError } from "../base/errors.ts";
import { familyOf, MAX_PAYLOAD, splitScope } from "./checks.ts";
import { bindError, membershipError, sendError } from "./errors.ts";
import { decodeText, showEndpoint } from "./format.ts";
import { interfaceFor } from "./interfaces.ts";

export interface Counters {
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
}

/** What a socket needs from the mode that opens it. */
export interface SocketEnv {
  log: PluginLogger;
  counts: Counters;
  /** the mode has a --reuse flag to suggest */
  hasReuseFlag: boolean;
}

type Errno = NodeJS.ErrnoException;

export async function openSocket(options: UdpSocketOptions, env: SocketEnv): Promise<UdpSocket> {
  const family = options.family ?? (options.host && familyOf(options.host) === 6 ? 6 : 4);
  const host = options.host ?? (family === 6 ? "::" : "0.0.0.0");
  const port = options.port ?? 0;
  const socket = dgram.createSocket({ type: family === 6 ? "udp6" : "udp4", reuseAddr: options.reuse === true });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", (error: Errno) => reject(bindError(error, host, port, env.hasReuseFlag, options.reuse === true)));
    socket.bind(port, host, () => resolve());
  });
  return new Socket(socket, family, env);
}

class Socket implements UdpSocket {
  readonly family: 4 | 6;
  private readonly socket: dgram.Socket;
  private readonly env: SocketEnv;
  private readonly joined = new Map<string, { group: string; options: UdpMembership }>();
  private broadcast = false;
  private closed: Promise<void> | undefined;
  private warnedUnspecified = false;

  constructor(socket: dgram.Socket, family: 4 | 6, env: SocketEnv) {
    this.socket = socket;
    this.family = family;
    this.env = env;
    // After bind, errors are reported where they happen (send, join); this keeps a stray one from crashing.
    socket.on("error", (error) => env.log.debug(`socket error: ${error.message}`));
  }

  get address(): string {
    return this.socket.address().address;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: string | Uint8Array, port: number, host: string): Promise<number> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    if (bytes.length > MAX_PAYLOAD[this.family]) {
      return Promise.reject(new UserError(`the message is ${bytes.length} bytes; one UDP datagram over IPv${this.family} carries at most ${MAX_PAYLOAD[this.family]}`));
    }
    return new Promise((resolve, reject) => {
      this.socket.send(bytes, port, host, (error, sent) => {
        if (error) return reject(sendError(error as Errno, host, port, this.family, this.broadcast));
        this.env.counts.sent++;
        this.env.counts.bytesSent += bytes.length;
        resolve(sent ?? bytes.length);
      });
    });
  }

  onMessage(handler: (datagram: Datagram) => void | Promise<void>): void {
    const failed = (error: unknown) => this.env.log.error(`handling a datagram: ${error instanceof Error ? error.message : String(error)}`);
    this.socket.on("message", (message: Buffer, rinfo: dgram.RemoteInfo) => {
      const data = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      this.env.counts.received++;
      this.env.counts.bytesReceived += data.length;
      if ((rinfo.address === "0.0.0.0" || rinfo.address === "::") && !this.warnedUnspecified) {
        this.warnedUnspecified = true;
        this.env.log.warn(
          `a datagram came from ${showEndpoint(rinfo.address, rinfo.port)}: its sender had no address on the interface it left by (a route without a source address); it can give one with --interface`,
        );
      }
      const family = rinfo.family === "IPv6" ? 6 : 4;
      try {
        void Promise.resolve(handler({ data, address: rinfo.address, port: rinfo.port, family, time: new Date(), text: decodeText(data) })).catch(failed);
      } catch (error) {
        failed(error);
      }
    });
  }

  setBroadcast(on: boolean): void {
    this.option("broadcast", () => this.socket.setBroadcast(on));
    this.broadcast = on;
  }

  setTTL(ttl: number): void {
    this.option(`TTL ${ttl}`, () => this.socket.setTTL(ttl));
  }

  setMulticastTTL(ttl: number): void {
    try {
      this.socket.setMulticastTTL(ttl);
    } catch (error) {
      if (ttl === 0 && (error as Errno).code === "EINVAL") {
        throw new UserError(`a multicast TTL of 0 (this host only) is refused by the Bun runtime parley is built on (Bun ${Bun.version}); use --ttl 1 to stay on the local network`);
      }
      throw new UserError(`cannot set the multicast TTL to ${ttl}: ${(error as Errno).code ?? (error as Error).message}`);
    }
  }

  setMulticastLoopback(on: boolean): void {
    this.option("multicast loopback", () => this.socket.setMulticastLoopback(on));
  }

  setMulticastInterface(iface: string): void {
    const local = interfaceFor(iface, this.family);
    this.option(`multicast interface ${iface}`, () => this.socket.setMulticastInterface(local));
  }

  join(group: string, options: UdpMembership = {}): void {
    const [bare, iface, source] = this.membership(group, options);
    try {
      if (source) this.socket.addSourceSpecificMembership(source, bare, iface);
      else this.socket.addMembership(bare, iface);
    } catch (error) {
      throw membershipError(error as Errno, "join", group, options);
    }
    this.joined.set(`${group} ${options.interface ?? ""} ${source ?? ""}`, { group, options });
  }

  leave(group: string, options: UdpMembership = {}): void {
    const [bare, iface, source] = this.membership(group, options);
    this.joined.delete(`${group} ${options.interface ?? ""} ${source ?? ""}`);
    try {
      if (source) this.socket.dropSourceSpecificMembership(source, bare, iface);
      else this.socket.dropMembership(bare, iface);
    } catch (error) {
      throw membershipError(error as Errno, "leave", group, options);
    }
  }

  /** The group without its scope, the local interface, and the source, as node:dgram wants them. */
  private membership(group: string, options: UdpMembership): [string, string | undefined, string | undefined] {
    const [bare, scope] = splitScope(group);
    const wanted = options.interface ?? (scope !== undefined ? `%${scope}` : undefined);
    return [bare, wanted === undefined ? undefined : interfaceFor(wanted, this.family), options.source];
  }

  close(): Promise<void> {
    this.closed ??= new Promise((resolve) => {
      for (const { group, options } of [...this.joined.values()]) {
        try {
          this.leave(group, options);
          this.env.log.info(`left ${group}${options.source ? ` (source ${options.source})` : ""}`);
        } catch (error) {
          this.env.log.debug(`leaving ${group}: ${(error as Error).message}`);
        }
      }
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
    return this.closed;
  }

  private option(what: string, set: () => void): void {
    try {
      set();
    } catch (error) {
      throw new UserError(`cannot set ${what}: ${(error as Errno).code ?? (error as Error).message}`);
    }
  }
}

