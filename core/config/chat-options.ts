// The options of a chat server from its effective settings: the checks
// that span settings (TLS needs a certificate and a key, --http-host needs
// --http, the limits must agree), the files a setting names (the MOTD,
// the certificate, the Redis CA) read, and the defaults that are not
// constants (the node's name, the plugins folder, the data file).

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { UserError } from "../base/errors.ts";
import { LIMIT_FLAGS, limitsConflict, type Limits } from "../chat/limits.ts";
import type { ChatOptions } from "../chat/start.ts";
import { loadTls, type TlsFiles } from "../chat/tls.ts";
import type { TransportName } from "../chat/transport.ts";
import { pluginFolder } from "../plugins/loader.ts";
import { parseOrigins } from "../web/access.ts";
import { checkRoomName } from "../wire/room-name.ts";
import type { LoadedSettings } from "./load.ts";
import type { Settings } from "./resolve.ts";

export function chatOptionsOf(loaded: LoadedSettings, cwd = process.cwd()): ChatOptions {
  const { settings } = loaded;
  const host = settings.text("host");
  const data = settings.text("data")!;
  return {
    listen: {
      port: settings.number("port"),
      host,
      backlog: settings.number("backlog"),
      maxConnections: settings.number("max-connections"),
      idleTimeout: settings.number("idle-timeout"),
      keepalive: settings.number("keepalive"),
      transport: settings.text("transport") as TransportName,
      ...tlsOf(settings),
    },
    password: settings.text("password") || undefined,
    ...redisOf(settings),
    ...httpOf(settings, host),
    limits: limitsOf(settings),
    motd: motdOf(settings),
    defaultRoom: roomOf(settings, "default-room"),
    logLevel: settings.text("log-level")!,
    jsonLogs: settings.flag("json-logs"),
    logFile: settings.text("log-file") || undefined,
    plugins: pluginFolder(settings.text("plugins") || undefined, cwd),
    pluginOptions: loaded.pluginOptions,
    ...(settings.file ? { configFile: { file: settings.file, tables: settings.pluginTables } } : {}),
    adminPassword: settings.text("admin-password") || undefined,
    pluginsStrict: settings.flag("plugins-strict"),
    watchPlugins: settings.flag("watch-plugins"),
    ...(data === "memory" ? {} : { data, ...(settings.values.get("data")!.source.from === "default" ? { dataDirectory: dirname(data) } : {}) }),
  };
}

function motdOf(settings: Settings): string {
  const value = settings.text("motd");
  if (value === undefined) return "";
  if (!value.startsWith("@")) return value.replaceAll("\\n", "\n");
  try {
    return readFileSync(value.slice(1), "utf8").trimEnd();
  } catch (error) {
    throw new UserError(`cannot read ${settings.nameOf("motd")} file ${value.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
}

function limitsOf(settings: Settings): Limits {
  const limits = {} as Limits;
  for (const l of LIMIT_FLAGS) limits[l.key] = settings.number(l.flag) * (l.scale ?? 1);
  const conflict = limitsConflict(limits);
  if (conflict) throw new UserError(conflict);
  return limits;
}

function tlsOf(settings: Settings): { tls?: TlsFiles; tlsPort?: number } {
  const cert = settings.text("tls-cert") || undefined;
  const key = settings.text("tls-key") || undefined;
  const port = settings.optionalNumber("tls-port");
  if (!cert && !key) {
    if (port !== undefined) throw new UserError("--tls-port needs --tls-cert and --tls-key");
    return {};
  }
  if (!cert || !key) throw new UserError("TLS needs both --tls-cert FILE and --tls-key FILE");
  return { tls: loadTls(cert, key), ...(port !== undefined ? { tlsPort: port } : {}) };
}

function roomOf(settings: Settings, flag: string): string {
  const value = settings.text(flag)!;
  const check = checkRoomName(value);
  if (!check.ok) throw new UserError(`${settings.nameOf(flag)} ${JSON.stringify(value)}: ${check.reason}`);
  return check.name;
}

function httpOf(settings: Settings, chatHost: string | undefined): { http?: NonNullable<ChatOptions["http"]> } {
  const port = settings.optionalNumber("http");
  const host = settings.text("http-host");
  const originList = settings.text("http-origin");
  // Never echoed back, in an error or a log: the token is a secret.
  const token = settings.text("metrics-token") || undefined;
  const trustProxy = settings.flag("trust-proxy");
  if (port === undefined) {
    for (const [set, name] of [[host !== undefined, "http-host"], [originList !== undefined, "http-origin"], [token !== undefined, "metrics-token"], [trustProxy, "trust-proxy"]] as const) {
      if (set) throw new UserError(`${settings.nameOf(name)} needs --http PORT`);
    }
    return {};
  }
  const origins = parseOrigins(originList === undefined ? [] : [originList]);
  if ("error" in origins) throw new UserError(origins.error);
  if (token !== undefined && !/^[\x21-\x7e]{16,}$/.test(token)) throw new UserError(`${settings.nameOf("metrics-token")} must be at least 16 printable characters, with no spaces`);
  return { http: { port, host: host ?? chatHost, origins: origins.origins, ...(token !== undefined ? { metricsToken: token } : {}), trustProxy } };
}

function redisOf(settings: Settings): { redis?: NonNullable<ChatOptions["redis"]> } {
  const url = settings.text("redis") || undefined;
  const from = settings.nameOf("redis");
  const caFile = settings.text("redis-ca") || undefined;
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
  const prefix = settings.text("redis-prefix")!;
  if (!/^[\w.-]+$/.test(prefix)) throw new UserError(`${settings.nameOf("redis-prefix")} is letters, digits, _, . or - (got "${prefix}")`);
  const node = settings.text("node-name") ?? `${hostname()}-${Math.random().toString(36).slice(2, 6)}`;
  if (!/^[\w.-]+$/.test(node)) throw new UserError(`${settings.nameOf("node-name")} is letters, digits, _, . or - (got "${node}")`);
  return { redis: { url, ...(ca ? { ca } : {}), prefix, node, heartbeatMs: settings.number("heartbeat"), optional: settings.flag("redis-optional") } };
}
