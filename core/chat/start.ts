// Starts a chat server from checked options: the logger, the plugins, the
// store, the room, the chat log and the listener. What it returns stops it
// gracefully; the process (signals, exit codes) is cmd/'s.

import type { ChatContext } from "./shared.ts";
import { builtinPlugins } from "../plugins/builtins.ts";
import { ChatLog } from "./chatlog.ts";
import type { Limits } from "./limits.ts";
import { createLogger } from "../base/log.ts";
import { loadPluginOptions } from "../plugins/options.ts";
import { PluginHost } from "../plugins/host.ts";
import { Room, type RoomApi } from "./room.ts";
import { ROOMS_STORE, Rooms } from "./rooms.ts";
import { sanitizeBlock } from "../wire/sanitize.ts";
import { ChatServer, type ListenOptions } from "./server.ts";
import { MemoryStore, SqliteStore, type Store } from "../store/store.ts";
import type { ServerFrame } from "../wire/protocol.ts";
import { resolveOptions, type ResolvedOptions } from "../plugins/options.ts";
import type { Plugin } from "../plugins/api.ts";
import { chatServices } from "./services.ts";
import { StallWatch } from "./stall-watch.ts";
import { GuessLimiter } from "../base/guess-limiter.ts";
import { WorkPool } from "../base/work-pool.ts";
import { BestEffortHistory } from "../store/best-effort-history.ts";
import { errorText } from "../base/errors.ts";
import type { PluginStore, ReloadResult } from "../plugins/api.ts";
import { Reloader } from "./reload.ts";
import type { WebServer } from "../web/server.ts";
import { makeStateDirectory } from "../store/state-dir.ts";
import { collectFigures } from "./figures.ts";

export interface ChatOptions {
  listen: ListenOptions;
  limits: Limits;
  motd: string;
  /** the room everyone lands in (checked: "#lobby" by default) */
  defaultRoom?: string;
  logLevel: string;
  jsonLogs: boolean;
  logFile?: string;
  /** the plugins folder, already resolved */
  plugins?: string;
  pluginOptions: string[];
  /** the config file read, and its [NAME] tables: plugin options */
  configFile?: { file: string; tables: Readonly<Record<string, Readonly<Record<string, string>>>> };
  pluginsStrict: boolean;
  watchPlugins: boolean;
  /** the SQLite file of history, accounts, bans and plugin stores; none: memory, kept nothing */
  data?: string;
  /** the state directory the default data file is in, made (0700) when it is not there */
  dataDirectory?: string;
  /** a server password asked before the nickname */
  password?: string;
  /** the password of /op (plugins may check it, never read it) */
  adminPassword?: string;
  /**
   * Reads the settings again, for a reload (SIGHUP, /reload): cmd/ re-reads
   * what its flags point at. Throws the one-line reason when it cannot.
   */
  reread?: () => ChatOptions;
  /** share the room with other nodes through Redis */
  redis?: { url: string; ca?: string; prefix: string; node: string; heartbeatMs: number; optional: boolean };
  /** serve the web page, /ws, /healthz, /readyz and /metrics over HTTP (docs/web.md); HTTPS with listen.tls */
  http?: { port: number; host?: string; origins: readonly string[]; metricsToken?: string; trustProxy: boolean };
}

export interface RunningChat {
  /** Stops accepting, tells everyone, sends what is queued, stops plugins and the cluster. */
  stop(why: string): Promise<void>;
  /**
   * An error nothing caught (a throw in a timer, a rejected promise no one
   * awaited): logged, with the plugin's name when it came from one, and
   * the server goes on.
   */
  unexpected(error: unknown): void;
  /**
   * Re-reads the settings (with `options.reread`) or takes `next`, and
   * applies what can change while running; no one is disconnected
   * (reload.ts). `why` names who asked, for the log.
   */
  reload(why: string, next?: ChatOptions): Promise<ReloadResult>;
}

export async function startChat(options: ChatOptions): Promise<RunningChat> {
  const log = createLogger(options.logLevel, options.jsonLogs);
  const pluginOptions = loadPluginOptions(options.plugins, options.pluginOptions, options.configFile);
  const host = new PluginHost(builtinPlugins, { folder: options.plugins, strict: options.pluginsStrict, log });
  await host.load();
  // Declared plugin options are checked before anything listens: a typo is one line at start.
  const resolved = new WeakMap<Plugin, ResolvedOptions>();
  const optionsOf = (name: string): ResolvedOptions => {
    const plugin = host.registry.plugins.find((p) => p.plugin.name === name)?.plugin;
    if (!plugin) return { config: pluginOptions.get(name) ?? {}, options: {} };
    let found = resolved.get(plugin);
    if (!found) resolved.set(plugin, (found = resolveOptions(plugin, pluginOptions.get(name))));
    return found;
  };
  for (const { plugin } of host.registry.plugins) optionsOf(plugin.name);
  // A [table] no plugin owns is ignored: say so, since a setting put under one ([server] port = ...) silently keeps its default.
  for (const [table, values] of Object.entries(options.configFile?.tables ?? {})) {
    if (host.registry.plugins.some((p) => p.plugin.name === table)) continue;
    log.warn(`${options.configFile!.file}: [${table}] (${Object.keys(values).join(", ")}) is the table of no plugin loaded, so it is ignored; parley chat's own settings go at the top of the file, before any [table]`);
  }

  const chatLog = options.logFile ? await ChatLog.open(options.logFile, (problem) => log.error(problem)) : undefined;
  const observe = chatLog ? (event: ServerFrame) => chatLog.write(event) : undefined;
  // With --redis, the --data file is this node's local copy of the cluster's stores and history (docs/cluster.md).
  if (options.dataDirectory) makeStateDirectory(options.dataDirectory);
  const data = options.data ? new SqliteStore(options.data) : undefined;
  const defaultRoom = options.defaultRoom ?? "#lobby";
  // The backplane and the web listener are loaded only by a server that runs them.
  const cluster = options.redis ? await (await import("../backplane/cluster.ts")).startCluster({ ...options.redis, defaultRoom, log, observe, ...(data ? { local: { store: data, file: options.data! } } : {}) }) : null;
  const store: Store = cluster?.store ?? data ?? new MemoryStore();
  const room: RoomApi = cluster?.room ?? new Room({ observe });
  // The named rooms, and the one fan-out every delivery of this node goes through.
  const rooms = new Rooms({
    defaultRoom,
    maxRooms: options.limits.maxRooms,
    maxRoomsPerUser: options.limits.maxRoomsPerUser,
    records: store.forPlugin(ROOMS_STORE),
    ...(observe ? { observe } : {}),
    ...(room.roomsChanged ? { moved: room.roomsChanged.bind(room) } : {}),
    ...(room.remoteRooms ? { remoteRooms: room.remoteRooms.bind(room) } : {}),
    // `history` is made below; a room is only forgotten once users come and go.
    forgetHistory: (key) => history.forget(key),
  });
  room.setFanout((event, except, subject, everyone, remote) => rooms.fanout(event, except, subject, everyone, remote));
  if (store.unwritable) log.error(`--data ${options.data}: cannot write it (${store.unwritable}); history, accounts and bans will not be kept`);
  // History is best effort when the disk fails: messages are relayed anyway, and everyone is told once.
  const history = new BestEffortHistory(store.history, (problem) => {
    if (problem) log.error(`history is not being kept: ${problem}; messages still reach everyone`);
    else log.info("history is being kept again");
    const text = problem ? "* history is not being kept right now (the server cannot write its data); messages still reach everyone" : "* history is being kept again";
    room.broadcast({ type: "system", text });
  });
  const stores = new Map<string, PluginStore>();
  // Both passwords may change on reload: new connections, and the next /op, get the new one.
  let password = options.password || undefined;
  let adminPassword = options.adminPassword || undefined;
  let reloader: Reloader<ChatOptions> | undefined;
  const services = chatServices({
    room,
    rooms,
    history,
    registry: () => host.registry,
    log,
    handlerTimeout: options.limits.handlerTimeout,
    config: (name) => optionsOf(name).config,
    options: (name) => optionsOf(name).options,
    // One PluginStore per plugin, made once: contexts ask for it on every call.
    store: (name) => stores.get(name) ?? stores.set(name, store.forPlugin(name)).get(name)!,
    adminPassword: () => adminPassword,
    guesses: new GuessLimiter(),
    // argon2 takes a core while it runs: no more at once than there are cores.
    work: new WorkPool(Math.max(1, Math.min(4, navigator.hardwareConcurrency))),
    // Bound once the server runs; a plugin's start hook that asks earlier is told so.
    reload: () => reloader?.reload("/reload") ?? Promise.resolve({ ok: false, lines: ["the server is still starting; nothing to reload yet"] }),
    stats: () => collectFigures(room, rooms, server, web),
  });
  // Replaced on reload; sessions read it at each welcome.
  let motd = sanitizeBlock(options.motd);
  const chat: ChatContext = {
    room,
    rooms,
    get registry() {
      return host.registry;
    },
    limits: options.limits,
    history,
    get motd() {
      return motd;
    },
    get password() {
      return password;
    },
    ...(cluster ? { node: cluster.node } : {}),
    log,
    services,
    stalls: new StallWatch(),
  };
  // services.stats() reads `server` and `web`, declared here: only called once they exist.
  const server = await ChatServer.listen(chat, options.listen);
  const web: WebServer | undefined = options.http
    ? (await import("../web/server.ts")).startWeb(chat, { ...options.http, maxConnections: options.listen.maxConnections, idleTimeout: options.listen.idleTimeout, ...(options.listen.tls ? { tls: options.listen.tls } : {}), figures: services.stats }, server)
    : undefined;
  await host.start(services);
  web?.ready();
  if (options.watchPlugins) host.watch();
  reloader = new Reloader(options, options.reread, {
    log,
    setMotd: (text) => void (motd = sanitizeBlock(text)),
    setPasswords: (next) => {
      password = next.password || undefined;
      adminPassword = next.adminPassword || undefined;
    },
    setTls: (tls) => server.setTls(tls),
    // Bun.serve's reload() takes no new certificate (oven-sh/bun#43815): the HTTPS port says so instead of pretending.
    ...(web?.scheme === "https" ? { tlsNotRenewed: `the HTTPS listener (--http ${web.address.port})` } : {}),
    plugins: host,
    ...(chatLog ? { reopenLog: () => chatLog.reopen() } : {}),
  });
  const { host: address, port } = server.address;
  const show = (host: string, p: number) => (host.includes(":") ? `[${host}]:${p}` : `${host}:${p}`);
  const shown = show(address, port);
  if (options.data) log.info(`data kept in ${options.data} (history, accounts, bans, plugin stores)`);
  else if (cluster) log.info("--data memory: no local copy of the cluster's stores and history; they live in Redis only");
  else log.info("--data memory: history, accounts, bans and plugin stores live in memory and are lost at exit");
  const tlsOnly = options.listen.tls && options.listen.tlsPort === undefined;
  const tryIt = tlsOnly ? `openssl s_client -quiet -connect localhost:${port}` : `telnet localhost ${port}`;
  log.info(`parley chat listening on ${shown}${tlsOnly ? " (TLS)" : ""}${options.listen.host ? "" : " (every interface)"}; try: ${tryIt}`);
  const tls = server.tlsAddress;
  if (tls) log.info(`parley chat listening for TLS on ${show(tls.host, tls.port)}; try: openssl s_client -quiet -connect localhost:${tls.port}`);
  if (web) log.info(`parley web listening on ${show(web.address.host, web.address.port)}${web.scheme === "https" ? " (HTTPS)" : ""}; open ${web.scheme}://${web.address.host.includes(":") ? "localhost" : web.address.host}:${web.address.port}/`);

  let stopping: Promise<void> | undefined;
  return {
    stop(why) {
      stopping ??= (async () => {
        log.info(`${why}: shutting down (${server.connections} connected)`);
        await reloader?.close();
        chat.stalls.stop();
        rooms.closing = true;
        web?.draining();
        await Promise.all([server.close(), web?.close()]);
        await host.stop();
        await cluster?.stop();
        await chatLog?.close();
        store.close();
        log.info("bye");
      })();
      return stopping;
    },
    reload: (why, next) => reloader!.reload(why, next),
    unexpected(error) {
      const owner = host.blame(error);
      const where = owner ? `plugin ${owner.plugin.name} (${owner.source}): ` : "";
      log.error(`${where}unhandled error, the server goes on: ${errorText(error)}`);
      if (error instanceof Error && error.stack) log.debug(error.stack);
    },
  };
}
