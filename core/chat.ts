// What every session of one chat server shares: the room, the commands,
// the limits, and where to log.

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

export interface ChatContext {
  room: Room;
  registry: Registry;
  limits: Limits;
  motd: string;
  log: Logger;
  /** a plugin's options, by plugin name */
  pluginConfig(name: string): Readonly<Record<string, string>>;
}
