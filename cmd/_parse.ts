// Flag values: citty hands us strings; these turn them into checked values
// or a UserError that names the flag and says what is allowed.

import net from "node:net";
import { UserError } from "../core/base/errors.ts";

export function parseInteger(flag: string, value: string | undefined, min: number, max: number): number {
  const text = (value ?? "").trim();
  if (!/^\d+$/.test(text)) throw new UserError(`--${flag} must be a whole number from ${min} to ${max} (got "${value ?? ""}")`);
  const n = Number(text);
  if (n < min || n > max) throw new UserError(`--${flag} must be from ${min} to ${max} (got ${text})`);
  return n;
}

export function parsePort(flag: string, value: string | undefined, allowZero = true): number {
  return parseInteger(flag, value, allowZero ? 0 : 1, 65535);
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** Bytes, with an optional k or m suffix (1024-based): "4096", "64k", "1m". */
export function parseBytes(flag: string, value: string | undefined, min: number, max: number): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec((value ?? "").trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UserError(`--${flag} must be a size in bytes such as 4096, 64k or 1m (got "${value ?? ""}")`);
  const n = Number(match[1]) * unit;
  if (n < min || n > max) throw new UserError(`--${flag} must be from ${min} to ${max} bytes (got ${n})`);
  return n;
}

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;

/** An IP address (checked with net.isIP) or a host name (RFC 1123). */
export function parseHost(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const host = value.trim();
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (net.isIP(bare) !== 0 || HOSTNAME.test(bare)) return bare;
  throw new UserError(`--${flag} must be an IP address or a host name (got "${value}")`);
}

/** Every value of a repeatable flag (citty keeps only the last). */
export function allValues(rawArgs: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === `--${flag}` && i + 1 < rawArgs.length) values.push(rawArgs[++i]!);
    else if (arg.startsWith(`--${flag}=`)) values.push(arg.slice(flag.length + 3));
  }
  return values;
}

/** `PORT`, `HOST:PORT` or `[IPv6]:PORT`, as `parley connect` takes it; HOST defaults to `host`. */
export function parseHostPort(value: string, host: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]:|([^:]*):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw new UserError(`expected [HOST:]PORT with a port from 1 to 65535, such as 8088 or chat.example.org:8088 (got "${value}")`, 2);
  const name = match[1] ?? (match[2] || host);
  const bare = name.trim();
  if (net.isIP(bare) === 0 && !HOSTNAME.test(bare)) throw new UserError(`"${name}" is not an IP address or a host name`, 2);
  return { host: bare, port };
}
