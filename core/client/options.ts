// What `parley connect` was asked to do, from its flags.

import type { Target } from "./connection.ts";

export interface ConnectOptions {
  target: Target;
  nick?: string;
  /** the server password, for a server that asks for one */
  password?: string;
  /** piped: print frames as JSON lines, and send lines that are JSON as they are */
  json: boolean;
  reconnect: boolean;
  /** interactive: timestamps in front of lines */
  time: boolean;
}
