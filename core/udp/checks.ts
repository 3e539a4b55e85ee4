// Checks for what a user types to a UDP mode: ports, TTLs, addresses,
// multicast groups, HOST:PORT and payload sizes. Pure functions; each
// returns the checked value or throws a UserError of one line that names
// the flag and says what is allowed. The wording follows cmd/_parse.ts.

import net from "node:net";
import type { UdpChecks } from "../plugins/api.ts";
import { UserError } from "../base/errors.ts";
import { inputFlags } from "./input-flags.ts";

/** The largest UDP payload: 65535 minus the UDP header (8) and, for IPv4, the IP header (20). */
export const MAX_PAYLOAD = { 4: 65507, 6: 65527 } as const;

/** "port" is shown as --port; a label with capitals or symbols ("HOST:PORT") as it is. */
export function showLabel(label: string): string {
  return /^[a-z][a-z0-9-]*$/.test(label) ? `--${label}` : label;
}

function text(label: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw new UserError(`${showLabel(label)} needs a value`);
  return value.trim();
}

function integer(label: string, value: unknown, min: number, max: number): number {
  const t = text(label, value);
  if (!/^\d+$/.test(t)) throw new UserError(`${showLabel(label)} must be a whole number from ${min} to ${max} (got "${t}")`);
  const n = Number(t);
  if (n < min || n > max) throw new UserError(`${showLabel(label)} must be from ${min} to ${max} (got ${t})`);
  return n;
}

function seconds(label: string, value: unknown, min: number, max: number): number {
  const t = text(label, value);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(t)) throw new UserError(`${showLabel(label)} must be a number of seconds from ${min} to ${max} (got "${t}")`);
  const n = Number(t);
  if (n < min || n > max) throw new UserError(`${showLabel(label)} must be from ${min} to ${max} seconds (got ${t})`);
  return n;
}

function port(label: string, value: unknown, options?: { bind?: boolean }): number {
  const t = text(label, value);
  const min = options?.bind ? 0 : 1;
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > 65535) {
    throw new UserError(`${showLabel(label)} must be a port from ${min} to 65535${min === 0 ? " (0 picks a free one)" : ""} (got "${t}")`);
  }
  return Number(t);
}

function ttl(label: string, value: unknown): number {
  const t = text(label, value);
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 255) throw new UserError(`${showLabel(label)} must be a TTL (hop count) from 1 to 255 (got "${t}")`);
  return Number(t);
}

/** The family of an address, ignoring an IPv6 %scope; 0 when it is not one. */
export function familyOf(address: string): 0 | 4 | 6 {
  const [bare, scope] = splitScope(address);
  const family = net.isIP(bare);
  if (family === 4 && scope !== undefined) return 0;
  return family as 0 | 4 | 6;
}

/** "ff02::1%eth0" -> ["ff02::1", "eth0"]. */
export function splitScope(address: string): [string, string | undefined] {
  const at = address.indexOf("%");
  return at === -1 ? [address, undefined] : [address.slice(0, at), address.slice(at + 1)];
}

function address(label: string, value: unknown): string {
  const t = unbracket(text(label, value));
  if (familyOf(t) === 0) throw new UserError(`${showLabel(label)} must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1 (got "${t}")`);
  return t;
}

/** Multicast: 224.0.0.0/4 (224.0.0.0 to 239.255.255.255) or ff00::/8. */
export function isMulticast(address: string): boolean {
  const [bare] = splitScope(address);
  if (net.isIPv4(bare)) return Number(bare.split(".")[0]) >= 224 && Number(bare.split(".")[0]) <= 239;
  return net.isIPv6(bare) && /^ff[0-9a-f]{2}:/i.test(bare);
}

/** 224.0.0.0/24: the local network control block (OSPF, IGMP, mDNS...), which routers never forward. */
export function isLocalControlBlock(address: string): boolean {
  return net.isIPv4(address) && address.startsWith("224.0.0.");
}

function group(label: string, value: unknown): string {
  const t = unbracket(text(label, value));
  if (!isMulticast(t) || familyOf(t) === 0) {
    throw new UserError(`${showLabel(label)} must be a multicast group: 224.0.0.0 to 239.255.255.255, or ff00::/8 for IPv6 (got "${t}")`);
  }
  return t;
}

function hostPort(label: string, value: unknown): { host: string; port: number } {
  const t = text(label, value);
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^([^:\[\]]+):(\d+)$/.exec(t);
  if (!match) throw new UserError(`${showLabel(label)} must be HOST:PORT, like 127.0.0.1:5000 or [::1]:5000 (got "${t}")`);
  const host = match[1]!;
  if (match[0].startsWith("[") && familyOf(host) !== 6) throw new UserError(`${showLabel(label)}: [${host}] is not an IPv6 address`);
  if (familyOf(host) === 0 && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(host)) {
    throw new UserError(`${showLabel(label)}: "${host}" is neither an IP address nor a host name`);
  }
  return { host, port: port(label, match[2]) };
}

function payload(data: string | Uint8Array, family: 4 | 6): Uint8Array {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const max = MAX_PAYLOAD[family];
  if (bytes.length > max) {
    throw new UserError(`the message is ${bytes.length} bytes; one UDP datagram over IPv${family} carries at most ${max}`);
  }
  return bytes;
}

function unbracket(t: string): string {
  return t.startsWith("[") && t.endsWith("]") ? t.slice(1, -1) : t;
}

/** The checks; `warn` hears about groups in 224.0.0.0/24. */
export function makeChecks(warn: (message: string) => void): UdpChecks {
  return {
    port,
    integer,
    seconds,
    ttl,
    address,
    group(label, value) {
      const g = group(label, value);
      if (isLocalControlBlock(g)) {
        warn(`${g} is in 224.0.0.0/24, the local network control block that routing protocols use (OSPF 224.0.0.5, mDNS 224.0.0.251); routers never forward it. For your own group pick one in 239.0.0.0/8`);
      }
      return g;
    },
    hostPort,
    payload,
    input(args, message, family) {
      return inputFlags({ integer }, args, message, family);
    },
  };
}
