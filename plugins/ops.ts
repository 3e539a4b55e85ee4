// Operators: /op PASSWORD (the server's --admin-password), then /kick,
// /ban (survives a restart with --data), /mute, and their undoing.
import { definePlugin, type CommandContext, type PluginStore } from "parley";
import { timingSafeEqual, createHash } from "node:crypto";

interface Ban {
  address: string;
  /** ms since the epoch; 0: forever */
  until: number;
  by: string;
  reason: string;
}

// Operator connections and muted nicknames live as long as the process.
const operators = new Set<number>();
const FAILED_OP_DELAY_MS = 1000;
const muted = new Map<string, number>(); // nick key -> until (0: forever)

const keyOf = (nick: string) => nick.normalize("NFKC").toUpperCase().toLowerCase();
const digest = (s: string) => createHash("sha256").update(s).digest();

function bans(store: PluginStore): Ban[] {
  const now = Date.now();
  return (store.get<Ban[]>("bans") ?? []).filter((b) => b.until === 0 || b.until > now);
}

/** "30s", "10m", "2h", "7d"; "" or undefined: forever. null when unreadable. */
function parseDuration(text: string | undefined): number | null {
  if (!text) return 0;
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) return null;
  return Number(match[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
}

function until(ms: number): string {
  return ms === 0 ? "for good" : `for ${Math.round(ms / 60_000) || 1} min`;
}

/** Runs `fn` for operators only. */
function opOnly(fn: (ctx: CommandContext, args: string[]) => void) {
  return (ctx: CommandContext, args: string[]) => {
    if (!operators.has(ctx.user.id)) return ctx.error("only operators can do that (/op PASSWORD)");
    fn(ctx, args);
  };
}

export default definePlugin({
  name: "ops",
  description: "operators: kick, ban, mute",
  commands: [
    {
      name: "op",
      params: ["password"],
      summary: "become an operator with the server's admin password",
      async run(ctx, [password]) {
        const expected = ctx.config.password;
        if (!expected) return ctx.error("this server has no operators (start it with --admin-password)");
        if (!timingSafeEqual(digest(password!), digest(expected))) {
          ctx.log.warn(`failed /op by ${ctx.user.nick} from ${ctx.user.address}`);
          await Bun.sleep(FAILED_OP_DELAY_MS); // guessing is slow
          return ctx.error("wrong admin password");
        }
        operators.add(ctx.user.id);
        ctx.log.info(`${ctx.user.nick} is an operator`);
        ctx.reply("* you are an operator now: /kick, /ban, /unban, /bans, /mute, /unmute");
      },
    },
    {
      name: "kick",
      params: ["nick", "reason...?"],
      summary: "disconnect NICK (operators)",
      run: opOnly((ctx, [nick, reason]) => {
        const why = `kicked by ${ctx.user.nick}${reason ? `: ${reason}` : ""}`;
        if (!ctx.kick(nick!, why)) return ctx.error(`no one called ${nick} is online`);
        ctx.log.info(`${nick} ${why}`);
      }),
    },
    {
      name: "ban",
      params: ["target", "duration?"],
      usage: "ban NICK|ADDRESS [30m|2h|7d]",
      summary: "ban a user's address, or an address, and disconnect them (operators)",
      run: opOnly((ctx, [target, duration]) => {
        const ms = parseDuration(duration);
        if (ms === null) return ctx.error("a duration is like 30s, 10m, 2h or 7d (none: for good)");
        const user = ctx.users().find((u) => keyOf(u.nick) === keyOf(target!));
        const address = user?.address ?? target!;
        if (!user && !/^[0-9a-f.:]+$/i.test(address)) return ctx.error(`no one called ${target} is online, and it is not an address`);
        const list = bans(ctx.store).filter((b) => b.address !== address);
        list.push({ address, until: ms === 0 ? 0 : Date.now() + ms, by: ctx.user.nick, reason: user ? `was ${user.nick}` : "" });
        ctx.store.set("bans", list);
        for (const u of ctx.users()) if (u.address === address) ctx.kick(u.nick, `banned by ${ctx.user.nick}`);
        ctx.log.info(`${ctx.user.nick} banned ${address} ${until(ms)}`);
        ctx.reply(`* banned ${address} ${until(ms)}`);
      }),
    },
    {
      name: "unban",
      params: ["address"],
      summary: "lift a ban (operators)",
      run: opOnly((ctx, [address]) => {
        const list = bans(ctx.store);
        if (!list.some((b) => b.address === address)) return ctx.error(`${address} is not banned`);
        ctx.store.set("bans", list.filter((b) => b.address !== address));
        ctx.reply(`* ${address} is no longer banned`);
      }),
    },
    {
      name: "bans",
      summary: "the bans in force (operators)",
      run: opOnly((ctx) => {
        const list = bans(ctx.store);
        if (list.length === 0) return ctx.reply("* no bans");
        ctx.reply(list.map((b) => `*   ${b.address}  ${b.until ? `until ${new Date(b.until).toISOString()}` : "for good"}  by ${b.by} ${b.reason}`).join("\n"));
      }),
    },
    {
      name: "nodes",
      summary: "everyone online with their address and, in a cluster, their node (operators)",
      run: opOnly((ctx) => {
        const users = ctx.users();
        ctx.reply([`* ${users.length} online:`, ...users.map((u) => `*   ${u.nick}  ${u.address}:${u.port}${u.node ? `  on ${u.node}` : ""}`)].join("\n"));
      }),
    },
    {
      name: "mute",
      params: ["nick", "duration?"],
      summary: "stop NICK's lines from reaching the room (operators)",
      run: opOnly((ctx, [nick, duration]) => {
        const ms = parseDuration(duration);
        if (ms === null) return ctx.error("a duration is like 30s, 10m, 2h or 7d (none: for good)");
        if (!ctx.users().some((u) => keyOf(u.nick) === keyOf(nick!))) return ctx.error(`no one called ${nick} is online`);
        muted.set(keyOf(nick!), ms === 0 ? 0 : Date.now() + ms);
        ctx.send(nick!, `you have been muted by ${ctx.user.nick} ${until(ms)}`);
        ctx.reply(`* muted ${nick} ${until(ms)}`);
      }),
    },
    {
      name: "unmute",
      params: ["nick"],
      summary: "let NICK speak again (operators)",
      run: opOnly((ctx, [nick]) => {
        if (!muted.delete(keyOf(nick!))) return ctx.error(`${nick} is not muted`);
        ctx.send(nick!, "you can speak again");
        ctx.reply(`* unmuted ${nick}`);
      }),
    },
  ],
  hooks: {
    nick(ctx) {
      // A muted user keeps the mute: no slipping out of it by a new nickname.
      if (ctx.user.nick && muted.has(keyOf(ctx.user.nick))) return "you are muted: you cannot change your nickname now";
    },
    connect(ctx, peer) {
      const ban = bans(ctx.store).find((b) => b.address === peer.address);
      if (ban) return `you are banned from this server${ban.until ? ` until ${new Date(ban.until).toISOString()}` : ""}`;
    },
    message(ctx, text) {
      const until = muted.get(keyOf(ctx.user.nick));
      if (until === undefined) return text;
      if (until !== 0 && until < Date.now()) {
        muted.delete(keyOf(ctx.user.nick));
        return text;
      }
      ctx.error("you are muted: the room does not see your lines");
      return null;
    },
    leave(ctx) {
      operators.delete(ctx.user.id);
    },
  },
});
