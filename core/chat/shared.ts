// What every session of one chat server shares: the room, the commands,
// the limits, the services plugins reach, and where to log.

import type { Logger } from "../base/log.ts";
import type { Registry } from "../plugins/registry.ts";
import type { ServerServices } from "../plugins/services.ts";
import type { History } from "../store/history.ts";
import type { Limits } from "./limits.ts";
import type { RoomApi } from "./room.ts";
import type { Rooms } from "./rooms.ts";
import type { StallWatch } from "./stall-watch.ts";

export type { Limits };

export interface ChatContext {
  readonly room: RoomApi;
  /** the named rooms: who is in which, topics, keys, and the fan-out */
  readonly rooms: Rooms;
  /** replaced as a whole when plugins are reloaded: read it fresh each time */
  readonly registry: Registry;
  readonly limits: Limits;
  readonly history: History;
  readonly motd: string;
  /** asked before the nickname when set */
  readonly password?: string;
  /** this node's name, with --redis */
  readonly node?: string;
  readonly log: Logger;
  /** what plugin code reaches of this server */
  readonly services: ServerServices;
  /** whether the server itself just stopped running for a while (flood control lets the piled-up lines through) */
  readonly stalls: StallWatch;
}
