// What every session of one chat server shares: the room, the commands,
// the limits, and where to log.

import type { PluginStore } from "../plugins/api.ts";
import type { History } from "../store/history.ts";
import type { Limits } from "./limits.ts";
import type { Logger } from "../base/log.ts";
import type { Registry } from "../plugins/registry.ts";
import type { RoomApi } from "./room.ts";

export type { Limits };

/** What plugins get from the server besides the room: their options and their store. */
export interface PluginServices {
  config(plugin: string): Readonly<Record<string, string>>;
  store(plugin: string): PluginStore;
}

export interface ChatContext {
  room: RoomApi;
  /** replaced as a whole when plugins are reloaded; read it fresh each time */
  registry: Registry;
  limits: Limits;
  history: History;
  motd: string;
  /** asked before the nickname when set */
  password?: string;
  /** this node's name, with --redis */
  node?: string;
  log: Logger;
  plugins: PluginServices;
}
