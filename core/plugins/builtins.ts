// The one list of built-in plugins. They are ordinary plugins that import
// only "parley"; core reaches them through this list and nowhere else.

import type { Plugin } from "./api.ts";
import account from "../../plugins/account.ts";
import away from "../../plugins/away.ts";
import broadcast from "../../plugins/broadcast.ts";
import cname from "../../plugins/cname.ts";
import display from "../../plugins/display.ts";
import help from "../../plugins/help.ts";
import history from "../../plugins/history.ts";
import ignore from "../../plugins/ignore.ts";
import list from "../../plugins/list.ts";
import me from "../../plugins/me.ts";
import ops from "../../plugins/ops.ts";
import quit from "../../plugins/quit.ts";
import rooms from "../../plugins/rooms.ts";
import secret from "../../plugins/secret.ts";
import udpBroadcast from "../../plugins/udp-broadcast.ts";
import udpChat from "../../plugins/udp-chat.ts";
import udpEcho from "../../plugins/udp-echo.ts";
import udpListen from "../../plugins/udp-listen.ts";
import udpMulticast from "../../plugins/udp-multicast.ts";
import udpSend from "../../plugins/udp-send.ts";
import udpProbe from "../../plugins/udp-probe.ts";
import whois from "../../plugins/whois.ts";

/** In load order: the order help lists them in. */
export const builtinPlugins: readonly Plugin[] = [
  broadcast,
  secret,
  cname,
  list,
  rooms,
  me,
  history,
  away,
  whois,
  ignore,
  display,
  account,
  ops,
  help,
  quit,
  // `parley udp` modes, in the order --help lists them
  udpEcho,
  udpSend,
  udpListen,
  udpBroadcast,
  udpMulticast,
  udpChat,
  udpProbe,
];
