// What a failed socket call means to a user, in one line that says what
// to do: node:dgram's error codes, turned into UserErrors.

import type { UdpMembership } from "../plugins/api.ts";
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
    case "EACCES":
      return new UserError(`cannot listen on UDP port ${port}: ports below 1024 need root`);
    default:
      return new UserError(`cannot listen on UDP ${where}: ${error.code ?? error.message}`);
  }
}

export function sendError(error: Errno, host: string, port: number, family: 4 | 6, broadcast: boolean): UserError {
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
      return new UserError(`no route to ${to}${isMulticast(host) ? " (for a multicast group name the interface: --interface, or a scope like ff02::1%eth0)" : host === "255.255.255.255" ? " (no network to broadcast on: name one with --interface)" : ""}`);
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
