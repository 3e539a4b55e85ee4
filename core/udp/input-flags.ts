// The input flags every sending mode shares (--raw, --hex, --file, --size,
// --count, --interval, --rate), checked and turned into a UdpInput: one
// reading of them for `parley udp send` and `parley udp broadcast`.

import { UserError } from "../base/errors.ts";
import type { UdpArgValues, UdpChecks, UdpInput } from "../plugins/api.ts";

export function inputFlags(check: Pick<UdpChecks, "integer">, args: UdpArgValues, message: string, family: 4 | 6): UdpInput {
  const fail = (text: string): never => {
    throw new UserError(text);
  };
  if (args.raw === true && args.hex === true) fail("give --raw or --hex, not both");
  if (args.raw === true && message) fail("--raw sends stdin (or --file) as it is; it takes no MESSAGE");
  if (message && args.file !== undefined) fail("give MESSAGE or --file, not both");
  if (args.interval !== undefined && args.rate !== undefined) fail("give --interval or --rate, not both");
  const count = args.count === undefined ? undefined : check.integer("count", args.count, 1, 1_000_000_000);
  const rate = args.rate === undefined ? undefined : check.integer("rate", args.rate, 1, 1_000_000);
  const interval = rate !== undefined ? 1000 / rate : args.interval !== undefined ? check.integer("interval", args.interval, 0, 3_600_000) : message ? 1000 : 0;
  const size = check.integer("size", args.size ?? "1472", 1, family === 6 ? 65527 : 65507);
  const file = typeof args.file === "string" ? args.file : undefined;
  const format = args.raw === true ? "raw" : args.hex === true ? "hex" : "lines";
  return { message, file, format, size, count, interval, family };
}
