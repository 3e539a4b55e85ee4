// node:dgram sockets for UDP modes: open and bind, send and receive,
// broadcast, multicast membership (source-specific too), TTLs, loopback and
// interfaces, with IPv6 scope ids. Every failure becomes one line that says
// what to do (a port in use suggests --reuse), and what goes through is
// counted for the exit summary. The messages are in udp-errors.ts.
//
// Bun 1.4.5 differs from Node here, and this file covers for it:
// - setMulticastTTL(0) throws EINVAL (Node accepts it): TTLs are 1-255.
// - the socket's file descriptor is not public: the kernel's drop count for
//   it is found in /proc/net/udp by the inode of the socket bind made.
// - an interface that is not an address (addMembership(g, "eth0")) is
//   silently ignored and the kernel picks one: we turn names into addresses
//   (IPv4) or ::%name (IPv6) before calling it.
// - a bind that fails with EADDRINUSE does not carry the port: we add it.

import dgram from "node:dgram";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import type { Datagram, PluginLogger, UdpMembership, UdpSocket, UdpSocketOptions } from "../plugins/api.ts";
import { UserError } from "../base/errors.ts";
import { familyOf, isMulticast, MAX_PAYLOAD, splitScope } from "./checks.ts";
import { bindError, membershipError, sendError } from "./errors.ts";
import { decodeText, showEndpoint } from "./format.ts";
import { interfaceFor } from "./interfaces.ts";

export interface Counters {
  sent: number;
  received: number;
  bytesSent: number;
  bytesReceived: number;
  dropped: number;
}

/** What a socket needs from the mode that opens it. */
export interface SocketEnv {
  log: PluginLogger;
  counts: Counters;
  /** the mode has a --reuse flag to suggest */
  hasReuseFlag: boolean;
  /** the mode has an --interface flag to suggest */
  hasInterfaceFlag?: boolean;
}

type Errno = NodeJS.ErrnoException;

export async function openSocket(options: UdpSocketOptions, env: SocketEnv): Promise<UdpSocket> {
  const family = options.family ?? (options.host && familyOf(options.host) === 6 ? 6 : 4);
  const host = options.host ?? (family === 6 ? "::" : "0.0.0.0");
  const port = options.port ?? 0;
  const socket = dgram.createSocket({ type: family === 6 ? "udp6" : "udp4", reuseAddr: options.reuse === true });
  // --reuse shares a port only where every socket on it gets the datagram: a group, or the wildcard (broadcasts)
  const reuseHelps = env.hasReuseFlag && (isMulticast(host) || host === "0.0.0.0" || host === "::");
  const before = socketInodes();
  await new Promise<void>((resolve, reject) => {
    socket.once("error", (error: Errno) => reject(bindError(error, host, port, reuseHelps, options.reuse === true)));
    socket.bind(port, host, () => resolve());
  });
  const made = [...socketInodes()].filter((inode) => !before.has(inode));
  const opened = new Socket(socket, family, env, isMulticast(host) ? host : undefined, made.length === 1 ? made[0] : undefined);
  if (options.rcvbuf !== undefined) {
    try {
      socket.setRecvBufferSize(options.rcvbuf);
    } catch (error) {
      socket.close();
      throw new UserError(`cannot set the receive buffer to ${options.rcvbuf} bytes: ${(error as Errno).code ?? (error as Error).message}`);
    }
  }
  return opened;
}

/** The inodes of this process's sockets. */
function socketInodes(): Set<string> {
  const found = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync("/proc/self/fd");
  } catch {
    return found;
  }
  for (const fd of fds) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      if (link.startsWith("socket:[")) found.add(link.slice(8, -1));
    } catch {
      // closed meanwhile
    }
  }
  return found;
}

/** The drops column of /proc/net/udp (or udp6) for a socket inode; undefined when it is not there. */
export function procDrops(inode: string, family: 4 | 6): number | undefined {
  let table: string;
  try {
    table = readFileSync(family === 6 ? "/proc/net/udp6" : "/proc/net/udp", "utf8");
  } catch {
    return undefined;
  }
  for (const line of table.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[9] === inode && f[12] !== undefined) return Number(f[12]);
  }
  return undefined;
}

/**
 * A datagram as a handler sees it. The text (and the Date) are made when
 * first asked for, not per datagram: a probe's binary payloads are rarely valid UTF-8,
 * and a failed strict decode (an exception) on each of 100,000 datagrams a
 * second is what would make the receiver drop them.
 */
class Received implements Datagram {
  readonly data: Uint8Array;
  readonly address: string;
  readonly port: number;
  readonly family: 4 | 6;
  readonly to?: string;
  private readonly arrived = Date.now();
  private decoded: string | undefined | null = null;

  constructor(data: Uint8Array, rinfo: dgram.RemoteInfo, group: string | undefined) {
    this.data = data;
    this.address = rinfo.address;
    this.port = rinfo.port;
    this.family = rinfo.family === "IPv6" ? 6 : 4;
    if (group !== undefined) this.to = group;
  }

  get time(): Date {
    return new Date(this.arrived);
  }

  get text(): string | undefined {
    if (this.decoded === null) this.decoded = decodeText(this.data);
    return this.decoded;
  }
}

class Socket implements UdpSocket {
  readonly family: 4 | 6;
  private readonly socket: dgram.Socket;
  private readonly env: SocketEnv;
  private readonly joined = new Map<string, { group: string; options: UdpMembership }>();
  private broadcast = false;
  private closed: Promise<void> | undefined;
  private warnedUnspecified = false;
  private connected = false;
  private readonly refused: (() => void)[] = [];
  private readonly group: string | undefined;
  private readonly inode: string | undefined;
  private lastDrops: number | undefined;

  constructor(socket: dgram.Socket, family: 4 | 6, env: SocketEnv, group: string | undefined, inode: string | undefined) {
    this.socket = socket;
    this.family = family;
    this.env = env;
    this.group = group;
    this.inode = inode;
    // After bind, errors are reported where they happen (send, join); this keeps a stray one from crashing.
    // A connected socket hears of an ICMP port unreachable as ECONNREFUSED here.
    socket.on("error", (error: Errno) => {
      if (error.code === "ECONNREFUSED") for (const handler of this.refused) handler();
      else env.log.debug(`socket error: ${error.message}`);
    });
  }

  connect(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = (error: Errno) => reject(sendError(error, host, port, this.family, this.broadcast, this.env.hasInterfaceFlag === true));
      this.socket.once("error", failed);
      this.socket.connect(port, host, () => {
        this.socket.off("error", failed);
        this.connected = true;
        resolve();
      });
    });
  }

  onRefused(handler: () => void): void {
    this.refused.push(handler);
  }

  drops(): number | undefined {
    if (this.inode === undefined) return this.lastDrops;
    const now = procDrops(this.inode, this.family);
    if (now !== undefined) this.lastDrops = now;
    return this.lastDrops;
  }

  receiveBuffer(): number {
    return this.socket.getRecvBufferSize();
  }

  get address(): string {
    return this.socket.address().address;
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: string | Uint8Array, port?: number, host?: string): Promise<number> {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    if (bytes.length > MAX_PAYLOAD[this.family]) {
      return Promise.reject(new UserError(`the message is ${bytes.length} bytes; one UDP datagram over IPv${this.family} carries at most ${MAX_PAYLOAD[this.family]}`));
    }
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, sent?: number) => {
        if (error) {
          if ((error as Errno).code === "ECONNREFUSED") {
            for (const handler of this.refused) handler();
            return resolve(0);
          }
          const peer = this.connected ? this.socket.remoteAddress() : { address: host ?? "", port: port ?? 0 };
          return reject(sendError(error as Errno, peer.address, peer.port, this.family, this.broadcast, this.env.hasInterfaceFlag === true));
        }
        this.env.counts.sent++;
        this.env.counts.bytesSent += bytes.length;
        resolve(sent ?? bytes.length);
      };
      if (this.connected) this.socket.send(bytes, done);
      else this.socket.send(bytes, port!, host!, done);
    });
  }

  onMessage(handler: (datagram: Datagram) => void | Promise<void>): void {
    const failed = (error: unknown) => this.env.log.error(`handling a datagram: ${error instanceof Error ? error.message : String(error)}`);
    this.socket.on("message", (message: Buffer, rinfo: dgram.RemoteInfo) => {
      // A Buffer is a Uint8Array: handed on as it is, with no view made per datagram.
      const data: Uint8Array = message;
      this.env.counts.received++;
      this.env.counts.bytesReceived += data.length;
      if ((rinfo.address === "0.0.0.0" || rinfo.address === "::") && !this.warnedUnspecified) {
        this.warnedUnspecified = true;
        this.env.log.warn(
          `a datagram came from ${showEndpoint(rinfo.address, rinfo.port)}: its sender had no address on the interface it left by (a route without a source address); it can give one with --interface`,
        );
      }
      try {
        const handled = handler(new Received(data, rinfo, this.group));
        if (handled) handled.catch(failed);
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
    if (!this.closed) this.env.counts.dropped += this.drops() ?? 0;
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

