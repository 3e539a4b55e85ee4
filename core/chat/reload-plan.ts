// What a reload (SIGHUP, /reload) may change in a running server, and what
// it may not. start.ts's reload(next) takes a whole new set of settings
// (today cmd/ re-reads what the flags point at: the MOTD file, the TLS
// files; a config file can plug in the same way) and applies the live ones.
// Every other setting that differs is named, by its flag, in one warning
// line: the port cannot move under connected users, and a limit or a
// password changed in the file must not look applied when it is not.

import { LIMIT_FLAGS } from "./limits.ts";

/** Settings a reload applies while the server runs (paths into ChatOptions). */
export const LIVE_SETTINGS: readonly string[] = ["motd", "listen.tls", "password", "adminPassword"];

/** Live settings that may also be turned on or off by a reload (a password set or removed); TLS may not: it needs its listener. */
const MAY_APPEAR: ReadonlySet<string> = new Set(["password", "adminPassword"]);

/** Options with a flag of their own when turned on or off, and one per part when both are on. */
const BY_PART: ReadonlySet<string> = new Set(["http"]);

/** The flag that sets each option path, to name it in the warning line. */
const FLAG_OF: Readonly<Record<string, string>> = {
  "listen.port": "--port",
  "listen.host": "--host",
  "listen.backlog": "--backlog",
  "listen.transport": "--transport",
  "listen.maxConnections": "--max-connections",
  "listen.idleTimeout": "--idle-timeout",
  "listen.keepalive": "--keepalive",
  "listen.tls": "--tls-cert/--tls-key",
  "listen.tlsPort": "--tls-port",
  logLevel: "--log-level",
  jsonLogs: "--json-logs",
  logFile: "--log-file",
  plugins: "--plugins",
  pluginOptions: "--plugin-opt",
  pluginsStrict: "--plugins-strict",
  watchPlugins: "--watch-plugins",
  data: "--data",
  password: "--password",
  adminPassword: "--admin-password",
  redis: "--redis",
  "http.port": "--http",
  "http.host": "--http-host",
  "http.origins": "--http-origin",
  "http.metricsToken": "--metrics-token",
  "http.trustProxy": "--trust-proxy",
  // http as a whole: turned on or off
  http: "--http",
  defaultRoom: "--default-room",
  // the [NAME] tables of the config file: plugin options, as --plugin-opt gives them
  configFile: "the config file's plugin tables",
  dataDirectory: "--data",
};

/**
 * The settings that differ between what runs and what was read again but
 * cannot change while the server runs, by flag name, in the order found.
 * Values are compared, never shown: some are secrets. A live setting that
 * appears or disappears (TLS turned on or off) is not live: it needs a
 * listener that is not there. An object whose path has a flag (redis,
 * http, the TLS pair) is one setting; others (the root, listen, limits)
 * are walked. A value made afresh on every read (a random node name) must
 * be made once by the reader, or it shows up here every time.
 */
export function fixedChanges(current: object, next: object, live: readonly string[] = LIVE_SETTINGS): string[] {
  const changed: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (live.includes(path) && (MAY_APPEAR.has(path) || (a === undefined) === (b === undefined))) return;
    const flag = flagOf(path);
    // --http on in both: which of its settings changed is named, not --http itself.
    if ((flag === undefined || BY_PART.has(path)) && isPlainObject(a) && isPlainObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (typeof a[key] === "function" || typeof b[key] === "function") continue;
        walk(a[key], b[key], path ? `${path}.${key}` : key);
      }
      return;
    }
    if (!sameValue(a, b)) changed.push(flag ?? path);
  };
  walk(current, next, "");
  return [...new Set(changed)];
}

function flagOf(path: string): string | undefined {
  if (FLAG_OF[path]) return FLAG_OF[path];
  const limit = path.startsWith("limits.") ? LIMIT_FLAGS.find((l) => `limits.${l.key}` === path) : undefined;
  return limit && `--${limit.flag}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
