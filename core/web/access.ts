// Who is asking the web listener, and what they may have: the client's
// address (the socket's, or with --trust-proxy the one the proxy in front
// wrote into X-Forwarded-For), whether a page's Origin may open /ws, and
// whether a request may read /metrics (a bearer token, or loopback only).

import type { Server } from "bun";
import { canonicalAddress } from "../base/address.ts";
import { safeEqual } from "../base/safe-equal.ts";
import { isLoopback } from "../chat/limits.ts";
import { plainAddress } from "../chat/transport.ts";

export interface Peer {
  address: string;
  port: number;
}

/**
 * The client's address. With `trustProxy`, the last address of
 * X-Forwarded-For: the one the proxy in front of us added (whatever comes
 * before it the client wrote itself, and could forge). Without it, or when
 * the header holds no address, the socket's peer.
 */
export function clientAddress(request: Request, server: Server<unknown>, trustProxy: boolean): Peer {
  const ip = server.requestIP(request);
  const peer = { address: plainAddress(ip?.address), port: ip?.port ?? 0 };
  if (!trustProxy) return peer;
  const forwarded = request.headers.get("x-forwarded-for");
  const last = forwarded?.slice(forwarded.lastIndexOf(",") + 1).trim();
  const address = last ? canonicalAddress(last.replace(/^\[(.*)\]$/, "$1")) : undefined;
  return address ? { address, port: 0 } : peer;
}

/**
 * Origins as --http-origin gives them ("https://chat.example.org", comma
 * lists or the flag repeated), each checked and kept in URL origin form;
 * undefined and the reason when one is not an http(s) origin.
 */
export function parseOrigins(values: readonly string[]): { origins: string[] } | { error: string } {
  const origins: string[] = [];
  for (const value of values.flatMap((v) => v.split(","))) {
    const text = value.trim();
    if (!text) continue;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { error: `--http-origin "${text}" is not an origin like https://chat.example.org` };
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" || url.search || url.hash || url.username) {
      return { error: `--http-origin "${text}" is not an origin like https://chat.example.org (scheme, host and port only)` };
    }
    origins.push(url.origin);
  }
  return { origins };
}

/**
 * Whether a WebSocket from a page at `origin` may open: the page's own
 * origin (its host is the request's Host), or one of --http-origin's.
 * Programs send no Origin, and are served.
 */
export function originAllowed(origin: string | null, request: Request, allowed: readonly string[]): boolean {
  if (!origin) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.host === (request.headers.get("host") ?? new URL(request.url).host)) return true;
  return allowed.includes(url.origin);
}

/**
 * Why a request may not read /metrics (a status and one line), or
 * undefined when it may: with a token, a matching `Authorization: Bearer`;
 * without one, loopback clients only.
 */
export function metricsRefusal(request: Request, address: string, token: string | undefined): { status: number; line: string } | undefined {
  if (token === undefined) {
    if (isLoopback(address)) return undefined;
    return { status: 403, line: "/metrics answers only loopback clients on this server (start it with --metrics-token to scrape from elsewhere)" };
  }
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
  if (given !== undefined && safeEqual(given, token)) return undefined;
  return { status: 401, line: "/metrics needs the bearer token given with --metrics-token (Authorization: Bearer TOKEN)" };
}
