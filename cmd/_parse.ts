// Flag values of the commands other than `parley chat` (whose settings are
// checked in core/config): citty hands us strings; these turn them into
// checked values or a UserError that says what is allowed.

import { ipFamily } from "../core/base/address.ts";
import { UserError } from "../core/base/errors.ts";
import { HOSTNAME } from "../core/config/values.ts";

export { allValues } from "../core/config/argv.ts";

/** `PORT`, `HOST:PORT` or `[IPv6]:PORT`, as `parley connect` takes it; HOST defaults to `host`. */
export function parseHostPort(value: string, host: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]:|([^:]*):)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw new UserError(`expected [HOST:]PORT with a port from 1 to 65535, such as 8088 or chat.example.org:8088 (got "${value}")`, 2);
  const name = match[1] ?? (match[2] || host);
  const bare = name.trim();
  if (ipFamily(bare) === 0 && !HOSTNAME.test(bare)) throw new UserError(`"${name}" is not an IP address or a host name`, 2);
  return { host: bare, port };
}
