// The figures of /metrics and /stats, gathered when asked: the counters the
// hot paths bump (core/base/counters.ts), what the listeners hold now (open
// connections by kind, bytes waiting), and the process's own figures. Read
// at scrape time only, so none of this costs anything per line.

import { readdirSync, readFileSync } from "node:fs";
import { counters } from "../base/counters.ts";
import type { ServerStats } from "../plugins/api.ts";
import type { RoomApi } from "./room.ts";

/** What a listener tells of its open connections. */
export interface ListenerFigures {
  /** open connections: in text and in JSON lines */
  framings(): { text: number; json: number };
  /** bytes waiting in its outboxes now */
  outboxWaiting(): number;
}

/** What the web listener adds. */
export interface WebFigures {
  readonly connections: number;
  readonly accepted: number;
  outboxWaiting(): number;
}

export function collectFigures(room: RoomApi, rooms: { readonly count: number }, tcp: ListenerFigures, web: WebFigures | undefined): ServerStats {
  const { text, json } = tcp.framings();
  const c = counters;
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const startTime = performance.timeOrigin / 1000;
  return {
    connections: { text, json, websocket: web?.connections ?? 0 },
    usersOnline: room.size,
    rooms: rooms.count,
    websocketsAccepted: web?.accepted ?? 0,
    linesReceived: c.linesReceived,
    eventsRelayed: c.eventsRelayed,
    deliveries: c.deliveries,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    floodDelayed: c.floodDelayed,
    floodRefused: c.floodRefused,
    disconnects: { ...c.disconnects },
    outboxWaiting: tcp.outboxWaiting() + (web?.outboxWaiting() ?? 0),
    outboxHighWater: c.outboxHighWater,
    pluginErrors: c.pluginErrors,
    handlerTimeouts: c.handlerTimeouts,
    historyWrites: c.historyWrites,
    historyWriteFailures: c.historyWriteFailures,
    ...(c.redisClustered ? { redis: { up: c.redisUp === 1, linkLosses: c.redisLinkLosses, publishMs: c.redisPublishMs, backlog: c.redisBacklog } } : {}),
    process: {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      residentBytes: memory.rss,
      heapBytes: memory.heapUsed,
      ...fds(),
      startTime,
      uptimeSeconds: Date.now() / 1000 - startTime,
    },
  };
}

/** Open file descriptors and their limit, from Linux's /proc; nothing elsewhere. */
function fds(): { openFds?: number; maxFds?: number } {
  try {
    // The listing opens the folder itself: one fd that is gone once it returns.
    const open = readdirSync("/proc/self/fd").length - 1;
    const limit = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    return { openFds: open, ...(limit ? { maxFds: Number(limit) } : {}) };
  } catch {
    return {};
  }
}
