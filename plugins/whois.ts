// /whois NICK: when they connected, how long they have been idle, whether
// they are away, the account they logged in to and, in a cluster, their
// node. Their address only for operators: a user's address is theirs to
// keep from other users. A user on another node is shown as far as the
// cluster's presence tells (nick, node, connected since); their idle time
// and away text stay on their own node.
import { defineCommand, definePlugin } from "parley";

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
        // Rooms in common go here once there are rooms (issue 14): the answer
        // grows a `rooms` field, which protocol.ts's WhoisFrame and render.ts already name.
        ctx.answer({ type: "whois", user, address: ctx.user.operator === true, remote });
      },
    }),
  ],
});
