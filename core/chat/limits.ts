// Every protective limit of `parley chat` in one place: its flag, its
// default, and why it exists. The flags of `parley chat` are generated from
// this table, and the server reads the parsed values from `Limits`.

export interface Limits {
  /** longest line a client may send, in bytes */
  maxLine: number;
  /** longest nickname, in characters */
  maxNick: number;
  /** bytes that may wait for one client before it is cut off as not reading */
  maxOutbox: number;
  /** how long a plugin handler may run before the user is answered anyway, ms */
  handlerTimeout: number;
  /** lines per second a user may keep sending (0: no flood control) */
  floodRate: number;
  /** lines a user may send at once before the rate applies */
  floodBurst: number;
  /** connections from one address (0: no limit; loopback is exempt) */
  maxPerIp: number;
  /** seconds a connection may stay without a nickname (0: forever) */
  nickTimeout: number;
  /** room messages shown to a user who joins */
  history: number;
  /** rooms one user may be in at once */
  maxRoomsPerUser: number;
  /** rooms the server holds at once (the default room and kept ones count) */
  maxRooms: number;
}

export interface LimitFlag {
  key: keyof Limits;
  flag: string;
  unit: "bytes" | "count" | "seconds";
  default: string;
  min: number;
  max: number;
  /** what it does and why, for --help */
  description: string;
  /** the value Limits holds, from the parsed flag (seconds -> ms where needed) */
  scale?: number;
}

export const LIMIT_FLAGS: readonly LimitFlag[] = [
  { key: "maxLine", flag: "max-line", unit: "bytes", default: "4096", min: 16, max: 16 * 1024 * 1024, description: "longest line a client may send; longer ones are refused, and never held in memory" },
  { key: "maxNick", flag: "max-nick", unit: "count", default: "24", min: 1, max: 64, description: "longest nickname, in characters (a Chinese character counts as one)" },
  { key: "maxOutbox", flag: "max-outbox", unit: "bytes", default: "1m", min: 4096, max: 1024 ** 3, description: "bytes that may wait for a client before it is cut off as not reading (SendQ); at least 4 × --max-line" },
  { key: "floodRate", flag: "flood-rate", unit: "count", default: "5", min: 0, max: 1_000_000, description: "lines per second a user may keep sending: past it, a warning and dropped lines; ten bursts more, a disconnect (0: off)" },
  { key: "floodBurst", flag: "flood-burst", unit: "count", default: "10", min: 1, max: 1_000_000, description: "lines a user may send at once before --flood-rate applies" },
  { key: "maxPerIp", flag: "max-per-ip", unit: "count", default: "10", min: 0, max: 1_000_000, description: "connections from one address; loopback is exempt (0: no limit)" },
  { key: "nickTimeout", flag: "nick-timeout", unit: "seconds", default: "60", min: 0, max: 86_400, description: "disconnect a connection that has not chosen a nickname in this time: the slowloris guard (0: never)" },
  { key: "handlerTimeout", flag: "handler-timeout", unit: "seconds", default: "5", min: 1, max: 3600, scale: 1000, description: "how long a plugin command may run before its user is answered anyway" },
  { key: "history", flag: "history", unit: "count", default: "50", min: 0, max: 10_000, description: "room messages shown to a user who joins (/history shows more)" },
  { key: "maxRoomsPerUser", flag: "max-rooms-per-user", unit: "count", default: "10", min: 1, max: 1000, description: "rooms one user may be in at once: each room's lines reach them, so this bounds what one user can ask for" },
  { key: "maxRooms", flag: "max-rooms", unit: "count", default: "1000", min: 1, max: 1_000_000, description: "rooms the server holds at once (the default room and kept ones count): every room costs memory, so /join cannot grow it without bound" },
];

// One legal line can reach a recipient as three times its bytes (each
// invalid UTF-8 byte becomes U+FFFD, three bytes), plus the sender's nick.
// An outbox smaller than that would cut every recipient of such a line as
// "not reading"; four lines' worth leaves room for the rest of the traffic.
export const OUTBOX_PER_LINE = 4;

/** Limits that contradict each other: one line saying which and what to do; undefined when they agree. */
export function limitsConflict(limits: Limits): string | undefined {
  const need = OUTBOX_PER_LINE * limits.maxLine;
  if (limits.maxOutbox >= need) return undefined;
  return (
    `--max-outbox ${size(limits.maxOutbox)} is too small for --max-line ${size(limits.maxLine)}: one legal line can reach a recipient as 3 times its bytes, ` +
    `and would cut them off as not reading; --max-outbox must be at least ${OUTBOX_PER_LINE} × --max-line (${size(need)}): raise it or lower --max-line`
  );
}

/** 1048576 -> "1m", 65536 -> "64k", 1000 -> "1000" (as the flags are written). */
function size(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}m`;
  if (bytes % 1024 === 0) return `${bytes / 1024}k`;
  return String(bytes);
}

/** Loopback addresses are exempt from --max-per-ip: local bots, tests and the admin. */
export function isLoopback(address: string): boolean {
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || a.startsWith("127.");
}
