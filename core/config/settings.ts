// Every setting of `parley chat` in one table. Its flag, its parley.toml
// key, its PARLEY_* variable, its default and its help all come from the
// entry, so --help, the config file, the environment, --print-config,
// `parley config init` and shell completion cannot disagree.
//
// Adding a setting is one entry here (and reading it where it is used, in
// cmd/chat.ts's chatOptions): `{ flag: "default-room", section: "messages",
// kind: TEXT, valueHint: "NAME", default: "lobby", description: "..." }`
// gives --default-room, default_room and PARLEY_DEFAULT_ROOM.

import { LOG_LEVELS } from "../base/log.ts";
import { LIMIT_FLAGS } from "../chat/limits.ts";

export type SettingKind =
  | { type: "integer"; min: number; max: number }
  | { type: "bytes"; min: number; max: number }
  | { type: "host" }
  | { type: "choice"; choices: readonly string[] }
  /** free text; with atFile, "@FILE" names a file (resolved beside the config file) */
  | { type: "text"; atFile?: boolean }
  /** a file or folder: relative to the config file's folder when it comes from the file; `words` are taken as they are */
  | { type: "path"; words?: readonly string[] }
  | { type: "boolean" };

/** Where a setting is grouped in `parley config init` and docs/configuration.md. */
export type Section = "listen" | "limits" | "access" | "messages" | "logs" | "plugins" | "data" | "cluster" | "web";

export interface Setting {
  /** the flag without its dashes: "max-line" */
  flag: string;
  section: Section;
  kind: SettingKind;
  valueHint: string;
  /** one line for --help, the config file's comment and the docs */
  description: string;
  default?: string | boolean;
  /** a value `parley config init` shows for a setting with no default */
  example?: string;
  /** the variable, when it is not PARLEY_ and the key in capitals (kept from before the table) */
  env?: string;
  /** never shown (*** in --print-config), and takes a _file form: --X-file, X_file, PARLEY_X_FILE */
  secret?: boolean;
  /** a list: the flag may be given again, and its values are joined with commas, as the variable and the file give them */
  repeats?: boolean;
}

const PORT = { type: "integer", min: 0, max: 65535 } as const;
const TEXT = { type: "text" } as const;
const PATH = { type: "path" } as const;
const BOOLEAN = { type: "boolean" } as const;

const limitSettings: Setting[] = LIMIT_FLAGS.map((l) => ({
  flag: l.flag,
  section: "limits",
  kind: l.unit === "bytes" ? { type: "bytes", min: l.min, max: l.max } : { type: "integer", min: l.min, max: l.max },
  valueHint: l.unit.toUpperCase(),
  description: l.description,
  default: l.default,
}));

export const SETTINGS: readonly Setting[] = [
  { flag: "port", section: "listen", kind: PORT, valueHint: "PORT", default: "8088", description: "TCP port to listen on (0 picks a free one)" },
  { flag: "host", section: "listen", kind: { type: "host" }, valueHint: "HOST", example: "127.0.0.1", description: "address or host name to listen on (default: every interface)" },
  { flag: "backlog", section: "listen", kind: { type: "integer", min: 1, max: 65535 }, valueHint: "N", default: "511", description: "connections the kernel may queue before they are accepted (with --transport net)" },
  { flag: "transport", section: "listen", kind: { type: "choice", choices: ["bun", "net"] }, valueHint: "bun|net", default: "bun", description: "socket API: bun (Bun.listen, less memory) or net (node:net, honours --backlog)" },
  { flag: "max-connections", section: "listen", kind: { type: "integer", min: 0, max: 1_000_000 }, valueHint: "N", default: "0", description: "refuse connections past this many, with a message (0: no limit)" },
  { flag: "tls-cert", section: "listen", kind: PATH, valueHint: "FILE", example: "/etc/parley/cert.pem", description: "PEM certificate: serve TLS (on --tls-port if given, else on --port)" },
  { flag: "tls-key", section: "listen", kind: PATH, valueHint: "FILE", example: "/etc/parley/key.pem", description: "PEM private key for --tls-cert" },
  { flag: "tls-port", section: "listen", kind: PORT, valueHint: "PORT", example: "8443", description: "serve TLS on this port beside plain text on --port" },
  ...limitSettings,
  { flag: "idle-timeout", section: "limits", kind: { type: "integer", min: 0, max: 31_536_000 }, valueHint: "SECONDS", default: "0", description: "disconnect users silent for this many seconds (0: never)" },
  { flag: "keepalive", section: "limits", kind: { type: "integer", min: 0, max: 86_400 }, valueHint: "SECONDS", default: "0", description: "TCP keepalive after this many idle seconds (0: off)" },
  { flag: "password", section: "access", kind: TEXT, valueHint: "TEXT", secret: true, example: "a shared secret", description: "a server password asked before the nickname" },
  { flag: "admin-password", section: "access", kind: TEXT, valueHint: "TEXT", secret: true, example: "another secret", description: "the password of /op, for operators" },
  { flag: "default-room", section: "messages", kind: TEXT, valueHint: "#NAME", default: "#lobby", description: "the room everyone lands in, and the one a user who parts their last room goes back to" },
  { flag: "motd", section: "messages", kind: { type: "text", atFile: true }, valueHint: "TEXT|@FILE", example: "Welcome to the lab chat", description: "message of the day: TEXT, or @FILE to read it from a file" },
  { flag: "log-level", section: "logs", kind: { type: "choice", choices: Object.keys(LOG_LEVELS) }, valueHint: "LEVEL", default: "info", description: "silent, error, warn, info, debug or trace" },
  { flag: "json-logs", section: "logs", kind: BOOLEAN, valueHint: "", default: false, description: "write the process log as one JSON object per line" },
  { flag: "log-file", section: "logs", kind: PATH, valueHint: "FILE", example: "/var/log/parley/chat.jsonl", description: "append every chat event to FILE as one JSON line" },
  { flag: "plugins", section: "plugins", kind: PATH, valueHint: "DIR", example: "/etc/parley/plugins", description: "folder of .ts/.js plugin files (default: ./plugins if there is one)" },
  { flag: "plugins-strict", section: "plugins", kind: BOOLEAN, valueHint: "", default: false, description: "refuse to start when any plugin fails to load" },
  { flag: "watch-plugins", section: "plugins", kind: BOOLEAN, valueHint: "", default: false, description: "reload plugins when their files change" },
  { flag: "data", section: "data", kind: { type: "path", words: ["memory"] }, valueHint: "FILE|memory", example: "/var/lib/parley/parley.db", description: "SQLite file for history, accounts, bans and plugin stores (default: parley.db in the state directory); memory keeps nothing" },
  { flag: "redis", section: "cluster", kind: TEXT, valueHint: "URL", env: "PARLEY_REDIS_URL", secret: true, example: "redis://127.0.0.1:6379", description: "share the room with other parley nodes through Redis (redis:// or rediss://)" },
  { flag: "redis-ca", section: "cluster", kind: PATH, valueHint: "FILE", example: "/etc/parley/redis-ca.pem", description: "PEM file of the CA that signed a rediss:// server's certificate" },
  { flag: "redis-optional", section: "cluster", kind: BOOLEAN, valueHint: "", default: false, description: "when Redis cannot be reached at start, run alone with a warning" },
  { flag: "redis-prefix", section: "cluster", kind: TEXT, valueHint: "NAME", default: "parley", description: "names this cluster's keys and streams, so clusters can share one Redis" },
  { flag: "node-name", section: "cluster", kind: TEXT, valueHint: "NAME", example: "left", description: "this node's name in the cluster (default: host name and a random tag)" },
  { flag: "heartbeat", section: "cluster", kind: { type: "integer", min: 50, max: 600_000 }, valueHint: "MS", default: "2000", description: "presence heartbeat; a node silent for two of them is gone" },
  { flag: "http", section: "web", kind: PORT, valueHint: "PORT", example: "8080", description: "also serve the web chat page, a WebSocket (/ws), /healthz, /readyz and /metrics on this HTTP port (0 picks a free one)" },
  { flag: "http-host", section: "web", kind: { type: "host" }, valueHint: "HOST", example: "127.0.0.1", description: "address or host name for --http (default: --host's)" },
  { flag: "http-origin", section: "web", kind: TEXT, valueHint: "ORIGIN", repeats: true, example: "https://chat.example.org", description: "other sites whose pages may open /ws, comma-separated or the flag repeated (default: same origin only)" },
  { flag: "metrics-token", section: "web", kind: TEXT, valueHint: "TOKEN", secret: true, example: "a long random token", description: "a bearer token /metrics asks for (16 printable characters or more); without one, /metrics answers loopback clients only" },
  { flag: "trust-proxy", section: "web", kind: BOOLEAN, valueHint: "", default: false, description: "take the web client's address from X-Forwarded-For (only behind a proxy that sets it)" },
];

/** The flag that repeats and has no key of its own: in parley.toml, its values are the [NAME] tables. */
export const PLUGIN_OPT = { flag: "plugin-opt", valueHint: "NAME.KEY=VALUE", description: "an option for a plugin; repeat for more (in parley.toml: a [NAME] table)" } as const;

/** parley.toml's key of a setting: the flag with _ for -. */
export const keyOf = (s: Setting): string => s.flag.replaceAll("-", "_");

/** The PARLEY_* variable of a setting. */
export const envOf = (s: Setting): string => s.env ?? `PARLEY_${keyOf(s).toUpperCase()}`;

/** The names of a secret's file form, whose content (one trailing newline dropped) is the value. */
export const fileFormOf = (s: Setting) => ({ flag: `${s.flag}-file`, key: `${keyOf(s)}_file`, env: `${envOf(s)}_FILE` });

/** Every key parley.toml may hold at its top level: the settings' and the secrets' file forms. */
export function allKeys(): string[] {
  return SETTINGS.flatMap((s) => (s.secret ? [keyOf(s), fileFormOf(s).key] : [keyOf(s)]));
}

export function settingOf(flag: string): Setting {
  const found = SETTINGS.find((s) => s.flag === flag);
  if (!found) throw new Error(`no setting --${flag} in core/config/settings.ts`);
  return found;
}
