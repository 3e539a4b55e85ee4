// The one list of built-in plugins. They are ordinary plugins that import
// only "parley"; core reaches them through this list and nowhere else.

import type { Plugin } from "./api.ts";
import broadcast from "../plugins/broadcast.ts";
import cname from "../plugins/cname.ts";
import help from "../plugins/help.ts";
import list from "../plugins/list.ts";
import me from "../plugins/me.ts";
import quit from "../plugins/quit.ts";
import secret from "../plugins/secret.ts";

/** In load order: the order help lists them in. */
export const builtinPlugins: readonly Plugin[] = [broadcast, secret, cname, list, me, help, quit];
