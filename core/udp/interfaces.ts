// Network interfaces as --interface names them: a name (eth0), an address,
// or for IPv6 %name, ::%name or an index; and an interface's directed
// broadcast address.

import { networkInterfaces } from "node:os";
import type { UdpInterface } from "../plugins/api.ts";
import { UserError } from "../base/errors.ts";
import { splitScope } from "./checks.ts";

/** An interface as node:dgram wants it: an IPv4 address, or ::%name for IPv6. */
export function interfaceFor(value: string, family: 4 | 6): string {
  if (family === 4) return lookupInterface(value, 4).address;
  return `::%${lookupInterface(value, 6).name}`;
}

/** --interface NAME or ADDRESS (IPv6 also %NAME, ::%NAME or an index) -> the interface. */
export function lookupInterface(value: string, family: 4 | 6): UdpInterface {
  const all = networkInterfaces();
  const entries = Object.entries(all).flatMap(([name, list]) => (list ?? []).map((a) => ({ name, ...a })));
  const wanted = family === 6 && value.includes("%") ? splitScope(value)[1]! : value;
  const byIndex = /^\d+$/.test(wanted) ? entries.find((e) => e.family === "IPv6" && e.scopeid === Number(wanted))?.name : undefined;
  const name = byIndex ?? (all[wanted] ? wanted : entries.find((e) => e.address === splitScope(wanted)[0])?.name);
  if (name === undefined) {
    throw new UserError(`no interface "${value}" on this host (there are: ${Object.keys(all).join(", ")})`);
  }
  const ofFamily = entries.filter((e) => e.name === name && e.family === `IPv${family}`);
  const entry = ofFamily.find((e) => e.address === splitScope(wanted)[0]) ?? ofFamily.find((e) => !e.address.startsWith("fe80:")) ?? ofFamily[0];
  if (!entry) throw new UserError(`interface ${name} has no IPv${family} address`);
  const scopeId = family === 6 ? (ofFamily.find((e) => e.scopeid)?.scopeid ?? 0) : 0;
  return { name, address: entry.address, family, scopeId, ...(family === 4 ? { broadcast: directedBroadcast(entry.address, entry.netmask) } : {}) };
}

/** 192.168.1.7 with 255.255.255.0 -> 192.168.1.255 */
export function directedBroadcast(address: string, netmask: string): string {
  const a = address.split(".").map(Number);
  const m = netmask.split(".").map(Number);
  return a.map((octet, i) => (octet | (~m[i]! & 255)) & 255).join(".");
}

/** Every address of the family on this host; IPv6 link-local addresses carry their %name scope. */
export function localAddresses(family: 4 | 6): UdpInterface[] {
  return Object.entries(networkInterfaces()).flatMap(([name, list]) =>
    (list ?? [])
      .filter((a) => a.family === `IPv${family}`)
      .map((a) => ({
        name,
        address: family === 6 && a.address.startsWith("fe80:") ? `${a.address}%${name}` : a.address,
        family,
        scopeId: family === 6 ? (a.scopeid ?? 0) : 0,
        ...(family === 4 ? { broadcast: directedBroadcast(a.address, a.netmask) } : {}),
      })),
  );
}
