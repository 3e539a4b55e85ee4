// Checks one setting's value, whichever source it came from: a flag, a
// PARLEY_* variable or parley.toml. Every message starts with the name the
// user wrote (`--port`, `PARLEY_PORT`, `parley.toml:3: port`), so one
// checker serves every source and the messages cannot drift apart.

import { ipFamily } from "../base/address.ts";
import { UserError } from "../base/errors.ts";

export function checkInteger(name: string, value: string | undefined, min: number, max: number): number {
  const text = (value ?? "").trim();
  if (!/^\d+$/.test(text)) throw new UserError(`${name} must be a whole number from ${min} to ${max} (got "${value ?? ""}")`);
  const n = Number(text);
  if (n < min || n > max) throw new UserError(`${name} must be from ${min} to ${max} (got ${text})`);
  return n;
}

const UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** Bytes, with an optional k or m suffix (1024-based): "4096", "64k", "1m". */
export function checkBytes(name: string, value: string | undefined, min: number, max: number): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec((value ?? "").trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UserError(`${name} must be a size in bytes such as 4096, 64k or 1m (got "${value ?? ""}")`);
  const n = Number(match[1]) * unit;
  if (n < min || n > max) throw new UserError(`${name} must be from ${min} to ${max} bytes (got ${n})`);
  return n;
}

export const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;

/** An IP address (as node:net isIP checks it) or a host name (RFC 1123); brackets around IPv6 are dropped. */
export function checkHost(name: string, value: string): string {
  const host = value.trim();
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (ipFamily(bare) !== 0 || HOSTNAME.test(bare)) return bare;
  throw new UserError(`${name} must be an IP address or a host name (got "${value}")`);
}

export function checkChoice(name: string, value: string, choices: readonly string[]): string {
  if (choices.includes(value)) return value;
  throw new UserError(`${name} must be one of ${choices.join(", ")} (got "${value}")`);
}

/** true/false, yes/no, on/off, 1/0: what a PARLEY_* variable or --flag=VALUE may say. */
export function checkBoolean(name: string, value: string): boolean {
  if (/^(true|yes|on|1)$/i.test(value.trim())) return true;
  if (/^(false|no|off|0)$/i.test(value.trim())) return false;
  throw new UserError(`${name} must be true or false (got "${value}")`);
}
