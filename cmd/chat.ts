// `parley chat`: flags in, a running chat server out. No chat logic here.

import { defineCommand } from "citty";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { startChat, type ChatOptions, type RunningChat } from "../core/chat/start.ts";
import { UserError } from "../core/base/errors.ts";
import { LIMIT_FLAGS, limitsConflict, type Limits } from "../core/chat/limits.ts";
import { loadTls, type TlsFiles } from "../core/chat/tls.ts";
import { pluginFolder } from "../core/plugins/loader.ts";
import { checkRoomName } from "../core/wire/room-name.ts";
import type { TransportName } from "../core/chat/transport.ts";
import { allValues, parseBytes, parseHost, parseInteger, parsePort } from "./_parse.ts";

export default defineCommand({
  meta: { name: "chat", description: "Run a chat server that telnet, nc and PuTTY users can join" },
  args: {
    port: { type: "string", valueHint: "PORT", default: "8088", description: "TCP port to listen on (0 picks a free one)" },
    host: { type: "string", valueHint: "HOST", description: "address or host name to listen on (default: every interface)" },
    backlog: { type: "string", valueHint: "N", default: "511", description: "connections the kernel may queue before they are accepted (with --transport net)" },
    transport: { type: "string", valueHint: "bun|net", default: "bun", description: "socket API: bun (Bun.listen, less memory) or net (node:net, honours --backlog)" },
    "max-connections": { type: "string", valueHint: "N", default: "0", description: "refuse connections past this many, with a message (0: no limit)" },
    ...limitArgs(),
    "idle-timeout": { type: "string", valueHint: "SECONDS", default: "0", description: "disconnect users silent for this many seconds (0: never)" },
    keepalive: { type: "string", valueHint: "SECONDS", default: "0", description: "TCP keepalive after this many idle seconds (0: off)" },
    motd: { type: "string", valueHint: "TEXT|@FILE", description: "message of the day: TEXT, or @FILE to read it from a file" },
    "default-room": { type: "string", valueHint: "#NAME", default: "#lobby", description: "the room everyone lands in, and the one a user who parts their last room goes back to" },
    "log-level": { type: "string", valueHint: "LEVEL", default: "info", description: "silent, error, warn, info, debug or trace" },
    "json-logs": { type: "boolean", default: false, description: "write the process log as one JSON object per line" },
    "log-file": { type: "string", valueHint: "FILE", description: "append every chat event to FILE as one JSON line" },
    plugins: { type: "string", valueHint: "DIR", description: "folder of .ts/.js plugin files (default: $PARLEY_PLUGINS, else ./plugins)" },
    "plugin-opt": { type: "string", valueHint: "NAME.KEY=VALUE", description: "an option for a plugin; repeat for more" },
    "plugins-strict": { type: "boolean", default: false, description: "refuse to start when any plugin fails to load" },
    "watch-plugins": { type: "boolean", default: false, description: "reload plugins when their files change" },
    data: { type: "string", valueHint: "FILE", description: "keep history and plugin stores in this SQLite file (default: in memory)" },
    "tls-cert": { type: "string", valueHint: "FILE", description: "PEM certificate: serve TLS (on --tls-port if given, else on --port)" },
    "tls-key": { type: "string", valueHint: "FILE", description: "PEM private key for --tls-cert" },
    "tls-port": { type: "string", valueHint: "PORT", description: "serve TLS on this port beside plain text on --port" },
    password: { type: "string", valueHint: "TEXT", description: "a server password asked before the nickname (or $PARLEY_PASSWORD)" },
    redis: { type: "string", valueHint: "URL", description: "share the room with other parley nodes through Redis (redis:// or rediss://; or $PARLEY_REDIS_URL, which keeps a password out of ps)" },
    "redis-ca": { type: "string", valueHint: "FILE", description: "PEM file of the CA that signed a rediss:// server's certificate" },
    "redis-optional": { type: "boolean", default: false, description: "when Redis cannot be reached at start, run alone with a warning" },
    "redis-prefix": { type: "string", valueHint: "NAME", default: "parley", description: "names this cluster's keys and streams, so clusters can share one Redis" },
    "node-name": { type: "string", valueHint: "NAME", description: "this node's name in the cluster (default: host name and a random tag)" },
    heartbeat: { type: "string", valueHint: "MS", default: "2000", description: "presence heartbeat; a node silent for two of them is gone" },
    http: { type: "string", valueHint: "PORT", description: "also serve the web chat page, a WebSocket (/ws), /healthz, /readyz and /metrics on this HTTP port (0 picks a free one)" },
    "http-host": { type: "string", valueHint: "HOST", description: "address or host name for --http (default: --host's)" },
    "admin-password": { type: "string", valueHint: "TEXT", description: "the password of /op, for operators (or $PARLEY_ADMIN_PASSWORD)" },
  },
  async run({ args, rawArgs }) {
    // The process is ours: Ctrl-C or SIGTERM stops the server gracefully, then
    // exits 0. The handlers go in before anything listens, so a signal that
    // comes as the server starts is not the default (an exit with no goodbye).
    let chat: RunningChat | undefined;
    let asked: string | undefined;
    const stop = (signal: string) => {
      if (!chat) return void (asked ??= signal);
      void chat.stop(signal).then(() => process.exit(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
    chat = await startChat({
      listen: {
        port: parsePort("port", args.port),
        host: parseHost("host", args.host),
        backlog: parseInteger("backlog", args.backlog, 1, 65535),
        maxConnections: parseInteger("max-connections", args["max-connections"], 0, 1_000_000),
        idleTimeout: parseInteger("idle-timeout", args["idle-timeout"], 0, 31_536_000),
        keepalive: parseInteger("keepalive", args.keepalive, 0, 86_400),
        transport: parseTransport(args.transport),
        ...parseTls(args["tls-cert"], args["tls-key"], args["tls-port"]),
      },
      password: args.password ?? process.env.PARLEY_PASSWORD ?? undefined,
      ...parseRedis(args),
      ...parseHttp(args.http, args["http-host"], args.host),
      limits: parseLimits(args),
      motd: readMotd(args.motd),
      defaultRoom: parseRoom("default-room", args["default-room"]),
      logLevel: args["log-level"],
      jsonLogs: args["json-logs"],
      logFile: args["log-file"],
      plugins: pluginFolder(args.plugins),
      pluginOptions: allValues(rawArgs, "plugin-opt"),
      adminPassword: args["admin-password"] ?? process.env.PARLEY_ADMIN_PASSWORD ?? undefined,
      pluginsStrict: args["plugins-strict"],
      watchPlugins: args["watch-plugins"],
      data: args.data,
    });
    const running = chat;
    if (asked) stop(asked);
    // No plugin code, in a timer or a promise no one awaited, ends the process.
    process.on("uncaughtException", (error) => running.unexpected(error));
    process.on("unhandledRejection", (reason) => running.unexpected(reason));
    // A file size limit (a full quota) fails the write with EFBIG instead of killing the server.
    process.on("SIGXFSZ", () => {});
  },
});

function parseRoom(flag: string, value: string): string {
  const check = checkRoomName(value);
  if (!check.ok) throw new UserError(`--${flag} ${JSON.stringify(value)}: ${check.reason}`);
  return check.name;
}

function readMotd(value: string | undefined): string {
  if (value === undefined) return "";
  if (!value.startsWith("@")) return value.replaceAll("\\n", "\n");
  try {
    return readFileSync(value.slice(1), "utf8").trimEnd();
  } catch (error) {
    throw new UserError(`cannot read --motd file ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

/** The flags of core/chat/limits.ts's table, for citty. */
function limitArgs(): Record<string, { type: "string"; valueHint: string; default: string; description: string }> {
  return Object.fromEntries(
    LIMIT_FLAGS.map((l) => [l.flag, { type: "string" as const, valueHint: l.unit.toUpperCase(), default: l.default, description: l.description }]),
  );
}

function parseLimits(args: Record<string, unknown>): Limits {
  const limits = {} as Limits;
  for (const l of LIMIT_FLAGS) {
    const value = args[l.flag] as string | undefined;
    const n = l.unit === "bytes" ? parseBytes(l.flag, value, l.min, l.max) : parseInteger(l.flag, value, l.min, l.max);
    limits[l.key] = n * (l.scale ?? 1);
  }
  const conflict = limitsConflict(limits);
  if (conflict) throw new UserError(conflict);
  return limits;
}

function parseRedis(args: Record<string, unknown>): { redis?: NonNullable<ChatOptions["redis"]> } {
  const url = (args.redis as string | undefined) || process.env.PARLEY_REDIS_URL || undefined;
  const from = args.redis ? "--redis" : "PARLEY_REDIS_URL";
  const caFile = args["redis-ca"] as string | undefined;
  if (!url) {
    if (caFile) throw new UserError("--redis-ca needs --redis (or PARLEY_REDIS_URL) with a rediss:// URL");
    return {};
  }
  // Never echo the URL back: it may hold a password.
  if (!/^rediss?:\/\//.test(url)) throw new UserError(`${from} must be a redis:// or rediss:// URL (redis://[USER:PASSWORD@]HOST:PORT[/DB])`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`${from} is not a valid URL (redis://[USER:PASSWORD@]HOST:PORT[/DB])`);
  }
  if (!parsed.hostname) throw new UserError(`${from} has no host (redis://[USER:PASSWORD@]HOST:PORT[/DB])`);
  let ca: string | undefined;
  if (caFile) {
    if (parsed.protocol !== "rediss:") throw new UserError("--redis-ca is for rediss:// (TLS) URLs");
    try {
      ca = readFileSync(caFile, "utf8");
    } catch (error) {
      throw new UserError(`cannot read --redis-ca file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw new UserError(`--redis-ca file ${caFile} has no PEM certificate in it`);
  }
  const prefix = String(args["redis-prefix"] ?? "parley");
  if (!/^[\w.-]+$/.test(prefix)) throw new UserError(`--redis-prefix is letters, digits, _, . or - (got "${prefix}")`);
  const node = (args["node-name"] as string | undefined) ?? `${hostname()}-${Math.random().toString(36).slice(2, 6)}`;
  if (!/^[\w.-]+$/.test(node)) throw new UserError(`--node-name is letters, digits, _, . or - (got "${node}")`);
  return {
    redis: {
      url,
      ...(ca ? { ca } : {}),
      prefix,
      node,
      heartbeatMs: parseInteger("heartbeat", args.heartbeat as string, 50, 600_000),
      optional: Boolean(args["redis-optional"]),
    },
  };
}

function parseTls(cert: string | undefined, key: string | undefined, port: string | undefined): { tls?: TlsFiles; tlsPort?: number } {
  if (!cert && !key) {
    if (port !== undefined) throw new UserError("--tls-port needs --tls-cert and --tls-key");
    return {};
  }
  if (!cert || !key) throw new UserError("TLS needs both --tls-cert FILE and --tls-key FILE");
  return { tls: loadTls(cert, key), ...(port !== undefined ? { tlsPort: parsePort("tls-port", port) } : {}) };
}

function parseHttp(port: string | undefined, host: string | undefined, chatHost: string | undefined): { http?: { port: number; host?: string } } {
  if (port === undefined) {
    if (host !== undefined) throw new UserError("--http-host needs --http PORT");
    return {};
  }
  return { http: { port: parsePort("http", port), host: parseHost("http-host", host ?? chatHost) } };
}

function parseTransport(value: string | undefined): TransportName {
  if (value === "bun" || value === "net") return value;
  throw new UserError(`--transport must be bun or net (got "${value ?? ""}")`);
}
