// Why a Redis connection failed, in words a person can act on. Bun's
// RedisClient says "Connection closed" for a wrong password, an untrusted
// certificate and a plain/TLS mismatch alike, so when it fails this asks
// again by hand: a TCP (or TLS) connection, AUTH and PING, and reads what
// Redis answers. No password or URL with its password is ever part of the
// answer.

import net from "node:net";
import tls from "node:tls";

const PROBE_MS = 2000;

/** The URL without its password, for logs and errors. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString().replace(/\/$/, "");
  } catch {
    return "(a --redis URL that does not parse)";
  }
}

/** What is wrong, when a connection to `url` failed with `fallback`. */
export async function diagnose(url: string, ca: string | undefined, fallback: string): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "the URL does not parse (redis://[USER:PASSWORD@]HOST:PORT[/DB])";
  }
  const host = u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = Number(u.port || 6379);
  const secure = u.protocol === "rediss:";
  const auth = u.password ? [...(u.username && u.username !== "default" ? [decodeURIComponent(u.username)] : []), decodeURIComponent(u.password)] : null;
  const where = `${host}:${port}`;
  if (secure) {
    // A plain Redis answers plain text at once; a TLS port hangs up on it. Asked first, as it is quick.
    const plain = await respProbe(() => net.connect({ host, port }), null, 500);
    if (plain.kind === "reply" && /^[+-]/.test(plain.line)) return "this looks like a plain Redis; use redis:// not rediss://";
    const handshake = await tlsProbe(host, port, ca);
    if (handshake.kind === "cert") return handshake.text;
    if (handshake.kind === "error") return handshake.text;
    if (handshake.kind === "no-tls") {
      const plain = await respProbe(() => net.connect({ host, port }), null);
      if (plain.kind === "reply") return "this looks like a plain Redis; use redis:// not rediss://";
      return `Redis TLS: no TLS handshake at ${where}`;
    }
    const answer = await respProbe(() => tls.connect({ host, port, ca, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: true }), auth);
    return explain(answer, where, fallback);
  }
  const answer = await respProbe(() => net.connect({ host, port }), auth);
  if (answer.kind === "silent") {
    const handshake = await tlsProbe(host, port, undefined, false);
    if (handshake.kind === "ok") return "this looks like a TLS Redis; use rediss:// not redis://";
  }
  return explain(answer, where, fallback);
}

type Probe = { kind: "reply"; line: string } | { kind: "silent" } | { kind: "error"; code: string };

function explain(answer: Probe, where: string, fallback: string): string {
  if (answer.kind === "error") return socketError(answer.code, where);
  if (answer.kind === "silent") return `${where} closed the connection without a Redis answer (${fallback})`;
  const line = answer.line;
  if (/^-WRONGPASS/.test(line)) return "Redis refused the password";
  if (/^-NOAUTH/.test(line)) return "Redis needs a password (redis://:PASSWORD@HOST:PORT, or PARLEY_REDIS_URL to keep it out of ps)";
  if (/^-ERR AUTH .*without any password/i.test(line)) return "the URL gives a password but Redis has none set";
  if (/^-NOPERM|^-ERR.*permission/i.test(line)) return "Redis says this user may not run the commands parley needs";
  if (/^-LOADING/.test(line)) return "Redis is loading its data set; try again when it is done";
  if (/^-/.test(line)) return `Redis answered: ${line.slice(1, 200)}`;
  return fallback;
}

function socketError(code: string, where: string): string {
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused at ${where} (is redis-server running there?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `no such host: ${where.replace(/:\d+$/, "")}`;
    case "ETIMEDOUT":
    case "timeout":
      return `no answer from ${where} within ${PROBE_MS / 1000} s`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${where} cannot be reached (${code})`;
    default:
      return `${where}: ${code}`;
  }
}

const CERT_UNTRUSTED = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
]);

type Handshake = { kind: "ok" } | { kind: "cert"; text: string } | { kind: "no-tls" } | { kind: "error"; text: string };

function tlsProbe(host: string, port: number, ca: string | undefined, verify = true): Promise<Handshake> {
  const where = `${host}:${port}`;
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, ca, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: verify });
    const done = (result: Handshake) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ kind: "no-tls" }), PROBE_MS);
    socket.once("secureConnect", () => done({ kind: "ok" }));
    socket.once("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "";
      if (CERT_UNTRUSTED.has(code)) return done({ kind: "cert", text: ca ? "Redis TLS: certificate not trusted by the --redis-ca file" : "Redis TLS: certificate not trusted (give --redis-ca FILE)" });
      if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return done({ kind: "cert", text: `Redis TLS: the certificate is not for ${host}` });
      if (code === "CERT_HAS_EXPIRED") return done({ kind: "cert", text: "Redis TLS: the certificate has expired" });
      if (code === "CERT_NOT_YET_VALID") return done({ kind: "cert", text: "Redis TLS: the certificate is not valid yet" });
      if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"].includes(code)) return done({ kind: "error", text: socketError(code, where) });
      done({ kind: "no-tls" });
    });
  });
}

const resp = (...words: string[]) => `*${words.length}\r\n${words.map((w) => `$${Buffer.byteLength(w)}\r\n${w}\r\n`).join("")}`;

function respProbe(open: () => net.Socket, auth: string[] | null, ms = PROBE_MS): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = open();
    let text = "";
    const done = (result: Probe) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(text ? { kind: "reply", line: text.split("\r\n")[0]! } : { kind: "error", code: "timeout" }), ms);
    socket.once(socket instanceof tls.TLSSocket ? "secureConnect" : "connect", () => socket.write((auth ? resp("AUTH", ...auth) : "") + resp("PING")));
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      const lines = text.split("\r\n");
      // The AUTH answer (when asked) and then PING's: the first error, else the last line.
      const complete = lines.slice(0, -1);
      const error = complete.find((l) => l.startsWith("-"));
      if (error) return done({ kind: "reply", line: error });
      if (complete.length >= (auth ? 2 : 1)) done({ kind: "reply", line: complete[complete.length - 1]! });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => done(text ? { kind: "reply", line: text.split("\r\n")[0]! } : error.code === "ECONNRESET" ? { kind: "silent" } : { kind: "error", code: error.code ?? error.message }));
    socket.once("close", () => done(text ? { kind: "reply", line: text.split("\r\n")[0]! } : { kind: "silent" }));
  });
}
