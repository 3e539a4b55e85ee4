// The server's running counts, for /metrics and /stats: plain numbers that
// the hot paths (session, outbox, room, plugin runner, backplane, history)
// bump with one `counters.x++` each. One object for the whole process, so a
// count costs an increment, never an allocation; what is cheap to read at
// scrape time (open connections, users online) is not counted here but read
// from its owner when asked (core/chat/figures.ts).

/** Why connections end, in a fixed set: a label per reason, never the free text a user or an operator typed. */
export const DISCONNECT_REASONS = ["closed", "quit", "kicked", "not_reading", "idle_timeout", "nick_timeout", "wrong_password", "flood", "protocol", "shutdown", "other"] as const;
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

// The server's own reasons, as core/chat and core/web pass them to Session.close and Session.gone.
const REASON_KINDS = new Map<string, DisconnectReason>([
  ["connection closed", "closed"],
  ["not reading: too much waiting", "not_reading"],
  ["idle timeout", "idle_timeout"],
  ["nick timeout", "nick_timeout"],
  ["no TLS handshake", "nick_timeout"],
  ["wrong password", "wrong_password"],
  ["sent too much without waiting", "flood"],
  ["no hello frame", "protocol"],
  ["unsupported protocol", "protocol"],
  ["server shutting down", "shutdown"],
]);

/** The label of one of the server's own reasons; anything else is "other". */
export function disconnectKind(reason: string): DisconnectReason {
  return REASON_KINDS.get(reason) ?? "other";
}

export const counters = {
  /** whole lines read from clients (before flood control or any command) */
  linesReceived: 0,
  /** events the room fanned out (broadcasts and private lines), and the deliveries they made to members */
  eventsRelayed: 0,
  deliveries: 0,
  /** bytes read from clients and handed to their sockets */
  bytesIn: 0,
  bytesOut: 0,
  /** lines flood control made wait their turn, and lines it refused */
  floodDelayed: 0,
  floodRefused: 0,
  /** the most bytes one client's outbox has held since start */
  outboxHighWater: 0,
  /** plugin handlers that threw, rejected or timed out; and of those, the time-outs */
  pluginErrors: 0,
  handlerTimeouts: 0,
  /** room history entries written, and writes that failed (kept in memory and tried again) */
  historyWrites: 0,
  historyWriteFailures: 0,
  /** with --redis: 1 once the link is made; whether it is up; reconnections; the last batch's round trip; items waiting */
  redisClustered: 0,
  redisUp: 0,
  redisLinkLosses: 0,
  redisPublishMs: 0,
  redisBacklog: 0,
  disconnects: Object.fromEntries(DISCONNECT_REASONS.map((r) => [r, 0])) as Record<DisconnectReason, number>,
};
