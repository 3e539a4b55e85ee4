// What a failed socket call means to a user, in one line that says what
// to do: node:dgram's error codes, turned into UserErrors.

import type { UdpMembership } from "../plugins/api.ts";
import { readFileSync } from "node:fs";
import { UserError } from "../base/errors.ts";
import { isMulticast } from "./checks.ts";
import { showEndpoint } from "./format.ts";

type Errno = NodeJS.ErrnoException;

export function bindError(error: Errno, host: string, port: number, hasReuseFlag: boolean, reuse: boolean): UserError {
  const where = showEndpoint(host, port);
  switch (error.code) {
    case "EADDRINUSE":
      if (reuse) return new UserError(`UDP ${where} is in use by a program that did not ask to share it (SO_REUSEADDR); stop it or choose another port`);
      return new UserError(`UDP ${where} is in use by another program; ${hasReuseFlag ? "add --reuse to share it (every program on the port must ask) or " : ""}choose another port`);
    case "EADDRNOTAVAIL":
      return new UserError(`cannot listen on ${host}: it is not an address of this host`);
    case "EACCES": {
      const limit = unprivilegedPortStart();
      return new UserError(`cannot listen on UDP port ${port}: ${limit === undefined ? "the port needs privileges (root or CAP_NET_BIND_SERVICE)" : `ports below ${limit} need root or CAP_NET_BIND_SERVICE (net.ipv4.ip_unprivileged_port_start is ${limit})`}`);
    }
    default:
      return new UserError(`cannot listen on UDP ${where}: ${error.code ?? error.message}`);
  }
}

/** net.ipv4.ip_unprivileged_port_start: the first port anyone may bind; undefined when it cannot be read. */
export function unprivilegedPortStart(path = "/proc/sys/net/ipv4/ip_unprivileged_port_start"): number | undefined {
  try {
    const n = Number(readFileSync(path, "utf8").trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export function sendError(error: Errno, host: string, port: number, family: 4 | 6, broadcast: boolean, hasInterfaceFlag = true): UserError {
  const to = showEndpoint(host, port);
  switch (error.code) {
    case "EACCES":
      return new UserError(
        broadcast
          ? `permission denied sending to ${to} (a firewall rule?)`
          : `sending to ${to} needs permission to broadcast: it is a broadcast address (parley udp broadcast turns that on)`,
      );
    case "EMSGSIZE":
      return new UserError(`the datagram is too big to send to ${to}`);
    case "ENETUNREACH":
    case "EHOSTUNREACH":
      return new UserError(
        `no route to ${to}${
          isMulticast(host)
            ? ` (for a multicast group name the interface: ${hasInterfaceFlag ? "--interface, or " : ""}a scope like ff02::1%eth0${hasInterfaceFlag ? "" : ", or add a multicast route"})`
            : host === "255.255.255.255"
              ? hasInterfaceFlag
                ? " (no network to broadcast on: name one with --interface)"
                : " (no network to broadcast on)"
              : ""
        }`,
      );
    case "ECONNREFUSED":
      return new UserError(`connection refused: nothing listens on UDP ${to} (ICMP port unreachable)`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return new UserError(`cannot find the address of ${host}`);
    case "EINVAL":
    case "EAFNOSUPPORT":
      return new UserError(`cannot send to ${to} from an IPv${family} socket`);
    default:
      return new UserError(`cannot send to ${to}: ${error.code ?? error.message}`);
  }
}

export function membershipError(error: Errno, verb: "join" | "leave", group: string, options: UdpMembership): UserError {
  const on = options.interface ? ` on ${options.interface}` : "";
  const from = options.source ? ` from source ${options.source}` : "";
  switch (error.code) {
    case "EADDRINUSE":
      return new UserError(`already joined ${group}${on}${from}`);
    case "EADDRNOTAVAIL":
      return new UserError(verb === "leave" ? `not a member of ${group}${on}` : `cannot join ${group}${on}: no such interface address`);
    case "ENODEV":
      return new UserError(`cannot ${verb} ${group}: no interface${on || " can carry multicast (is there a multicast route?)"}`);
    default:
      return new UserError(`cannot ${verb} ${group}${on}${from}: ${error.code ?? error.message}`);
  }
}
