// Starts a chat server from checked options: the logger, the registry of
// plugins, the room, the chat log and the listener; then waits for a
// signal and shuts down gracefully.

import type { ChatContext } from "./chat.ts";
import { builtinPlugins } from "./builtins.ts";
import { ChatLog } from "./chatlog.ts";
import { createLogger } from "./log.ts";
import { Registry } from "./registry.ts";
import { Room } from "./room.ts";
import { sanitizeBlock } from "./sanitize.ts";
import { ChatServer, type ListenOptions } from "./server.ts";

export interface ChatOptions {
  listen: ListenOptions;
  maxLine: number;
  maxOutbox: number;
  motd: string;
  logLevel: string;
  jsonLogs: boolean;
  logFile?: string;
  plugins?: string;
}

const HANDLER_TIMEOUT_MS = 5000;

export async function startChat(options: ChatOptions): Promise<void> {
  const log = createLogger(options.logLevel, options.jsonLogs);
  const registry = new Registry();
  for (const plugin of builtinPlugins) registry.add(plugin, "built-in");

  const chatLog = options.logFile ? await ChatLog.open(options.logFile) : undefined;
  const room = new Room(chatLog ? (event) => chatLog.write(event) : undefined);
  const chat: ChatContext = {
    room,
    registry,
    limits: { maxLine: options.maxLine, maxOutbox: options.maxOutbox, handlerTimeout: HANDLER_TIMEOUT_MS },
    motd: sanitizeBlock(options.motd),
    log,
    pluginConfig: () => ({}),
  };
  const server = await ChatServer.listen(chat, options.listen);
  const { host, port } = server.address;
  const shown = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  log.info(`parley chat listening on ${shown}${options.listen.host ? "" : " (every interface)"}; try: telnet localhost ${port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down (${server.connections} connected)`);
    await server.close();
    await chatLog?.close();
    log.info("bye");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
