// /whois NICK: when they connected, how long they have been idle, whether
// they are away, the account they logged in to and, in a cluster, their
// node. Their address only for operators: a user's address is theirs to
// keep from other users. A user on another node is shown as far as the
// cluster's presence tells (nick, node, connected since); their idle time
// and away text stay on their own node. The rooms the asker shares with
// them: those of the asker's rooms whose members include them.
import { defineCommand, definePlugin, nickKey } from "parley";

export default definePlugin({
  name: "whois",
  description: "who someone is",
  commands: [
    defineCommand({
      name: "whois",
      params: ["nick"],
      summary: "when NICK connected, their idle time and away text (their address for operators)",
      run(ctx, [nick]) {
        const user = ctx.findUser(nick);
        if (!user) return ctx.error(`no one called ${nick} is online (type l to see who is)`, "no_such_nick");
        const remote = user.node !== undefined && user.node !== ctx.user.node;
        const key = nickKey(user.nick);
        const rooms = ctx.myRooms().filter((room) => ctx.members(room)?.some((m) => nickKey(m.nick) === key));
        ctx.answer({ type: "whois", user, address: ctx.user.operator === true, remote, rooms });
      },
    }),
  ],
});
