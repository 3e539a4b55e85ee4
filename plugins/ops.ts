// Operators: /op PASSWORD (the server's --admin-password), then /kick,
// /ban (survives a restart with --data), /mute, and their undoing, and
// /reload (the server's settings read again, as SIGHUP does). Bans and
// mutes live in the plugin's store, which every node of a cluster shares:
// a mute holds wherever the muted user is connected.
import { canonicalAddress, columns, defineCommand, definePlugin, localMinute, nickKey, roomKey, type Command, type PluginStore, type ServerStats } from "parley";

interface Ban {
  address: string;
  /** ms since the epoch; 0: forever */
  until: number;
  by: string;
  reason: string;
}

// Operator connections live as long as the connection, on its own node.
const operators = new Set<number>();
const FAILED_OP_DELAY_MS = 1000;

/**
 * A mute belongs to a person, as far as a server can tell one: the nick
 * muted, on the address it came from. Kept by address (`mute:ADDRESS`), so
 * the muted user who comes back under another nick is still muted (anyone
 * who joins from that address after the mute is), while someone else, from
 * another address, who later takes the nick is not; people already online
 * from the same address (a lab behind one router) keep their voice.
 */
interface Mute {
  /** the nick muted, and its key */
  nick: string;
  key: string;
  /** ms since the epoch; 0: for good */
  until: number;
  /** when the mute was set: joins from the address after it are muted too */
  since: number;
  /** nick keys an operator let speak although they came from the address later (/unmute) */
  exempt?: string[];
}

// Every line a user says asks for their address's mutes: its store key is
// worked out once per address (a few hundred bytes per connected address;
// dropped as a whole past MUTE_KEYS_MAX, so it cannot grow without bound).
const muteKeys = new Map<string, string>();
const MUTE_KEYS_MAX = 10_000;
function muteKey(address: string): string {
  let key = muteKeys.get(address);
  if (key === undefined) {
    if (muteKeys.size >= MUTE_KEYS_MAX) muteKeys.clear();
    key = `mute:${canonicalAddress(address) ?? address}`;
    muteKeys.set(address, key);
  }
  return key;
}

function bans(store: PluginStore): Ban[] {
  const now = Date.now();
  return (store.get<Ban[]>("bans") ?? []).filter((b) => b.until === 0 || b.until > now);
}

/** "30s", "10m", "2h", "7d"; "" or undefined: forever. null when unreadable. */
function parseDuration(text: string | undefined): number | null {
  if (!text) return 0;
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) return null;
  const ms = Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  // Past this an end date cannot be written (and "for good" says it better):
  // a ban that could not be checked would let the banned in.
  return ms >= 1 && ms <= LONGEST ? ms : null;
}

/** The longest timed ban or mute: 100 years; longer is "for good". */
const LONGEST = 36_500 * 86_400_000;

/** The mutes in force on an address; those that ran out are lifted. */
function mutesOn(store: PluginStore, address: string): Mute[] {
  const all = store.get<Mute[]>(muteKey(address));
  if (!all) return [];
  const now = Date.now();
  const live = all.filter((m) => m.until === 0 || m.until > now);
  if (live.length !== all.length) {
    if (live.length === 0) store.delete(muteKey(address));
    else store.set(muteKey(address), live);
  }
  return live;
}

/** The mute that holds for this user, if one does. */
function muteOf(store: PluginStore, user: { nick: string; address: string; connectedAt: Date }): Mute | undefined {
  // Asked for every line said: most addresses have no mute, and then nothing else is worked out.
  const mutes = mutesOn(store, user.address);
  if (mutes.length === 0) return undefined;
  const key = nickKey(user.nick);
  return mutes.find((m) => m.key === key || (user.connectedAt.getTime() >= m.since && !m.exempt?.includes(key)));
}

/** How long, and until when: "for good", or "for 30 min, until 2026-12-01 23:14". */
function span(ms: number, at: number): string {
  return ms === 0 ? "for good" : `for ${Math.round(ms / 60_000) || 1} min, until ${localMinute(at, true)}`;
}

/** Whether a ban's address is this one, compared in one form. */
const sameAddress = (a: string, b: string) => (canonicalAddress(a) ?? a) === (canonicalAddress(b) ?? b);

/** Table lines as the server's answer lines: "*   " in front. */
const rowsOf = (lines: readonly string[]) => lines.map((line) => `*   ${line}`);

/** 1536 -> "1.5 KiB": sizes for people. */
function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) (n /= 1024), i++;
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/** 3725 -> "1h 2m". */
function uptime(seconds: number): string {
  const s = Math.floor(seconds);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

/** The figures of /metrics as a few lines for people (docs/web.md lists each). */
function statsRows(s: ServerStats): string[][] {
  const c = s.connections;
  const p = s.process;
  const left = Object.entries(s.disconnects).filter(([, n]) => n > 0).map(([why, n]) => `${why} ${n}`);
  const rows = [
    ["connections", `${c.text} text, ${c.json} json, ${c.websocket} websocket; ${s.usersOnline} users online in ${s.rooms} room${s.rooms === 1 ? "" : "s"}`],
    ["since start", `${s.linesReceived} lines in, ${s.eventsRelayed} events relayed, ${s.deliveries} deliveries`],
    ["bytes", `${bytes(s.bytesIn)} in, ${bytes(s.bytesOut)} out; waiting now ${bytes(s.outboxWaiting)}, at most ${bytes(s.outboxHighWater)} for one client`],
    ["flood control", `${s.floodDelayed} lines delayed, ${s.floodRefused} refused`],
    ["disconnects", left.length > 0 ? left.join(", ") : "none"],
    ["plugins", `${s.pluginErrors} errors (${s.handlerTimeouts} time-outs)`],
    ["history", `${s.historyWrites} written, ${s.historyWriteFailures} failed`],
  ];
  if (s.redis) rows.push(["redis", `${s.redis.up ? "up" : "DOWN"}; lost ${s.redis.linkLosses} times; last write ${s.redis.publishMs.toFixed(1)} ms; ${s.redis.backlog} waiting`]);
  const fds = p.openFds !== undefined ? `, ${p.openFds}${p.maxFds !== undefined ? ` of ${p.maxFds}` : ""} files open` : "";
  rows.push(["process", `up ${uptime(p.uptimeSeconds)}, ${p.cpuSeconds.toFixed(2)} s CPU, ${bytes(p.residentBytes)} resident${fds}`]);
  return rows;
}

/** A command for operators only. */
function opCommand<const P extends readonly string[] = readonly string[]>(command: Command<P>): Command<P> {
  return defineCommand<P>({
    ...command,
    run(ctx, args, raw) {
      if (!operators.has(ctx.user.id)) return ctx.error("only operators can do that (/op PASSWORD)");
      return command.run(ctx, args, raw);
    },
  });
}

export default definePlugin({
  name: "ops",
  description: "operators: kick, ban, mute, stats",
  commands: [
    defineCommand({
      name: "op",
      params: ["password"],
      // Typed alone, /op asks for the password with echo off.
      secret: ["password"],
      summary: "become an operator with the server's admin password",
      async run(ctx, [password]) {
        if (!ctx.adminPassword.set) return ctx.error("this server has no operators (start it with --admin-password)");
        // The guess waits its address's turn: guessing is slow however it is done.
        if (!(await ctx.guess(() => ctx.adminPassword.matches(password)))) {
          ctx.log.warn(`failed /op by ${ctx.user.nick} from ${ctx.user.address}`);
          await Bun.sleep(FAILED_OP_DELAY_MS); // guessing is slow
          return ctx.error("wrong admin password");
        }
        operators.add(ctx.user.id);
        // Other plugins read it as ctx.user.operator (/whois shows operators addresses).
        ctx.setOperator(true);
        ctx.log.info(`${ctx.user.nick} is an operator`);
        ctx.reply("* you are an operator now: /kick, /ban, /unban, /bans, /mute, /unmute, /reload, /stats");
      },
    }),
    opCommand({
      name: "kick",
      params: ["nick", "reason...?"],
      summary: "disconnect NICK (operators)",
      run(ctx, [nick, reason]) {
        const why = `kicked by ${ctx.user.nick}${reason ? `: ${reason}` : ""}`;
        if (!ctx.kick(nick, why)) return ctx.error(`no one called ${nick} is online`);
        ctx.log.info(`${nick} ${why}`);
      },
    }),
    opCommand({
      name: "ban",
      params: ["target", "duration?"],
      usage: "ban NICK|ADDRESS [30m|2h|7d]",
      summary: "ban a user's address, or an address, and disconnect them (operators)",
      run(ctx, [target, duration]) {
        const ms = parseDuration(duration);
        if (ms === null) return ctx.error("a duration is like 30s, 10m, 2h or 7d, at most 36500d (none: for good)");
        const user = ctx.findUser(target);
        const address = user ? (canonicalAddress(user.address) ?? user.address) : canonicalAddress(target);
        if (address === undefined) return ctx.error(`no one called ${target} is online, and it is not an address`);
        // An operator who bans their own address is locked out with everyone behind it.
        if (sameAddress(address, ctx.user.address)) return ctx.error(`that ban would match your own address (${address}); nothing was banned`);
        const at = ms === 0 ? 0 : Date.now() + ms;
        const list = bans(ctx.store).filter((b) => !sameAddress(b.address, address));
        list.push({ address, until: at, by: ctx.user.nick, reason: user ? `was ${user.nick}` : "" });
        ctx.store.set("bans", list);
        for (const u of ctx.users()) if (sameAddress(u.address, address)) ctx.kick(u.nick, `banned by ${ctx.user.nick}`);
        ctx.log.info(`${ctx.user.nick} banned ${address} ${span(ms, at)}`);
        ctx.reply(`* banned ${address} ${span(ms, at)}`);
      },
    }),
    opCommand({
      name: "unban",
      params: ["address"],
      summary: "lift a ban (operators)",
      run(ctx, [address]) {
        const list = bans(ctx.store);
        if (!list.some((b) => sameAddress(b.address, address))) return ctx.error(`${address} is not banned`);
        ctx.store.set("bans", list.filter((b) => !sameAddress(b.address, address)));
        ctx.reply(`* ${address} is no longer banned`);
      },
    }),
    opCommand({
      name: "bans",
      summary: "the bans in force (operators)",
      run(ctx) {
        const list = bans(ctx.store);
        if (list.length === 0) return ctx.reply("* no bans");
        ctx.reply(rowsOf(columns(list.map((b) => [b.address, b.until ? `until ${localMinute(b.until, true)}` : "for good", `by ${b.by}`, b.reason]))).join("\n"));
      },
    }),
    opCommand({
      name: "reload",
      summary: "re-read the MOTD file, the TLS certificate and the plugins, as SIGHUP does; no one is disconnected (operators)",
      async run(ctx) {
        ctx.log.info(`${ctx.user.nick} asked for a reload`);
        const { ok, lines } = await ctx.reload();
        // Each line as the server logged it; a reload with a problem comes back as an error, every line marked "!".
        if (ok) ctx.reply(lines.map((line) => `* ${line}`).join("\n"));
        else ctx.error(lines.join("\n"));
      },
    }),
    opCommand({
      name: "room",
      params: ["action", "room"],
      usage: "room keep|drop #ROOM",
      summary: "keep #ROOM when it is empty (keep), or let it be forgotten again (drop) (operators)",
      run(ctx, [action, room]) {
        if (action !== "keep" && action !== "drop") return ctx.error("usage: /room keep #ROOM  or  /room drop #ROOM", "usage");
        const done = ctx.keepRoom(room, action === "keep");
        if (!done.ok) return ctx.error(done.reason, done.code);
        const name = ctx.rooms().find((r) => roomKey(r.name) === roomKey(room))?.name ?? room;
        ctx.log.info(`${ctx.user.nick} ${action === "keep" ? "keeps" : "no longer keeps"} ${name}`);
        ctx.reply(action === "keep" ? `* ${name} is kept, even when empty` : `* ${name} is no longer kept: it is forgotten when empty`);
      },
    }),
    opCommand({
      name: "nodes",
      summary: "everyone online with their address and, in a cluster, their node (operators)",
      run(ctx) {
        const users = ctx.users();
        const rows = users.map((u) => [u.nick, `${u.address}:${u.port}`, u.node ? `on ${u.node}` : ""]);
        ctx.reply([`* ${users.length} online:`, ...rowsOf(columns(rows))].join("\n"));
      },
    }),
    opCommand({
      name: "stats",
      summary: "the server's figures: connections, traffic, flood control, disconnects, the process (operators)",
      run(ctx) {
        ctx.reply(["* server figures (as /metrics serves them):", ...rowsOf(columns(statsRows(ctx.stats())))].join("\n"));
      },
    }),
    opCommand({
      name: "mute",
      params: ["nick", "duration?"],
      summary: "stop NICK's lines from reaching the room (operators)",
      run(ctx, [nick, duration]) {
        const ms = parseDuration(duration);
        if (ms === null) return ctx.error("a duration is like 30s, 10m, 2h or 7d, at most 36500d (none: for good)");
        const user = ctx.findUser(nick);
        if (!user) return ctx.error(`no one called ${nick} is online`);
        const at = ms === 0 ? 0 : Date.now() + ms;
        const others = mutesOn(ctx.store, user.address).filter((m) => m.key !== nickKey(user.nick));
        ctx.store.set(muteKey(user.address), [...others, { nick: user.nick, key: nickKey(user.nick), until: at, since: Date.now() } satisfies Mute]);
        ctx.send(nick, `you have been muted by ${ctx.user.nick} ${span(ms, at)}`);
        ctx.reply(`* muted ${nick} ${span(ms, at)}`);
      },
    }),
    opCommand({
      name: "unmute",
      params: ["nick"],
      summary: "let NICK speak again (operators)",
      run(ctx, [nick]) {
        // By the nick muted, on whichever address it was muted.
        const key = nickKey(nick);
        let found = false;
        for (const storeKey of ctx.store.keys().filter((k) => k.startsWith("mute:"))) {
          const mutes = ctx.store.get<Mute[]>(storeKey) ?? [];
          const kept = mutes.filter((m) => m.key !== key);
          if (kept.length === mutes.length) continue;
          found = true;
          if (kept.length === 0) ctx.store.delete(storeKey);
          else ctx.store.set(storeKey, kept);
        }
        if (!found) {
          // Caught only by another nick's mute on their address: this one may speak.
          const user = ctx.findUser(nick);
          if (!user || !muteOf(ctx.store, user)) return ctx.error(`${nick} is not muted`);
          const joined = user.connectedAt.getTime();
          const mutes = mutesOn(ctx.store, user.address).map((m) => (joined >= m.since ? { ...m, exempt: [...(m.exempt ?? []), key] } : m));
          ctx.store.set(muteKey(user.address), mutes);
        }
        ctx.send(nick, "you can speak again");
        ctx.reply(`* unmuted ${nick}`);
      },
    }),
  ],
  hooks: {
    nick(ctx) {
      // A muted user keeps the mute: no slipping out of it by a new nickname.
      if (ctx.user.nick && muteOf(ctx.store, ctx.user)) return "you are muted: you cannot change your nickname now";
    },
    room(ctx) {
      // Nor by naming a new room, whose name everyone reads in /rooms.
      if (muteOf(ctx.store, ctx.user)) return "you are muted: you cannot make a room now";
    },
    connect(ctx, peer) {
      const ban = bans(ctx.store).find((b) => sameAddress(b.address, peer.address));
      if (ban) return `you are banned from this server${ban.until ? ` until ${localMinute(ban.until, true)}` : ""}`;
    },
    message(ctx, text) {
      if (!muteOf(ctx.store, ctx.user)) return text;
      ctx.error("you are muted: the room does not see your lines");
      return null;
    },
    leave(ctx) {
      operators.delete(ctx.user.id);
    },
  },
});
