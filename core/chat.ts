// What every session of one chat server shares: the room, the commands,
// the limits, and where to log.

import type { PluginStore } from "./api.ts";
import type { Logger } from "./log.ts";
import type { Registry } from "./registry.ts";
import type { Room } from "./room.ts";

export interface Limits {
  /** longest line a client may send, in bytes */
  maxLine: number;
  /** bytes that may wait for one client before it is cut off as not reading */
  maxOutbox: number;
  /** how long a plugin handler may run before the user is answered anyway, ms */
  handlerTimeout: number;
}

/** What plugins get from the server besides the room: their options and their store. */
export interface PluginServices {
  config(plugin: string): Readonly<Record<string, string>>;
  store(plugin: string): PluginStore;
}

export interface ChatContext {
  room: Room;
  /** replaced as a whole when plugins are reloaded; read it fresh each time */
  registry: Registry;
  limits: Limits;
  motd: string;
  log: Logger;
  plugins: PluginServices;
}
