// The socket: TCP (node:net) or TLS (node:tls), opened with a time limit;
// what went wrong said in a few words a person understands; and the
// reconnect schedule.

import net from "node:net";
import tls from "node:tls";

export interface Target {
  host: string;
  port: number;
  tls: boolean;
  /** with tls: accept any certificate */
  insecure: boolean;
}

// Limits, each with its reason.
export const LIMITS = {
  /** how long a connection (and a TLS handshake) may take */
  connectTimeout: 10_000,
  /** first wait before reconnecting; doubles each time */
  backoffFirst: 500,
  /** the longest wait between reconnects */
  backoffMax: 10_000,
  /** reconnect attempts before giving up */
  reconnectAttempts: 20,
} as const;

/** host:port as a person writes it, with brackets around an IPv6 address. */
export function addressOf({ host, port }: { host: string; port: number }): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** The wait before reconnect attempt `attempt` (from 1): 0.5 s, 1 s, 2 s, ... at most 10 s. */
export function backoff(attempt: number): number {
  return Math.min(LIMITS.backoffMax, LIMITS.backoffFirst * 2 ** Math.max(0, attempt - 1));
}

/** An error while connecting, with the short reason to show. */
export class ConnectError extends Error {
  override readonly name = "ConnectError";
}

/** Opens a connection; rejects with a ConnectError whose message is the reason ("connection refused"). */
export function open(target: Target, timeout: number = LIMITS.connectTimeout): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const options = { host: target.host, port: target.port };
    const socket = target.tls
      ? tls.connect({
          ...options,
          rejectUnauthorized: !target.insecure,
          ...(net.isIP(target.host) === 0 ? { servername: target.host } : {}),
        })
      : net.connect(options);
    const timer = setTimeout(() => fail(new ConnectError("timed out")), timeout);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error instanceof ConnectError ? error : new ConnectError(reasonOf(error, target.tls)));
    };
    socket.once("error", fail);
    socket.once(target.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      if (socket instanceof net.Socket) socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  ENOTFOUND: "host not found",
  EAI_NONAME: "host not found",
  EAI_NODATA: "host not found",
  EAI_AGAIN: "host not found (name lookup failed)",
  EAI_FAIL: "host not found (name lookup failed)",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EADDRNOTAVAIL: "address not available",
  EPIPE: "connection closed",
  ECONNABORTED: "connection aborted",
};

// TLS certificate checks that --insecure skips.
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME/i;

/** What went wrong, in a few words. */
export function reasonOf(error: unknown, tlsUsed = false): string {
  const e = error as NodeJS.ErrnoException;
  const code = typeof e?.code === "string" ? e.code : "";
  if (REASONS[code]) return REASONS[code];
  const message = (e instanceof Error ? e.message : String(error)).split("\n")[0]!;
  if (CERTIFICATE.test(code) || (tlsUsed && CERTIFICATE.test(message))) {
    return `TLS failure: ${message.replace(/^Error: /, "")} (--insecure skips the certificate check)`;
  }
  if (tlsUsed && /SSL|TLS|handshake|wrong version|socket disconnected/i.test(code + " " + message)) return `TLS failure: ${message}`;
  return message || code || "unknown error";
}
