// /metrics: the server's figures (core/chat/figures.ts) in the Prometheus
// text format, version 0.0.4. Every metric is listed with its meaning in
// docs/web.md; the names follow Prometheus's conventions (`_total` for
// counters, base units: bytes and seconds).

import type { ServerStats } from "../plugins/api.ts";

type Sample = readonly [labels: string, value: number];

export function metricsText(s: ServerStats, ready: boolean): string {
  const out: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, samples: readonly Sample[] | number) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    if (typeof samples === "number") out.push(`${name} ${number(samples)}`);
    else for (const [labels, value] of samples) out.push(`${name}${labels} ${number(value)}`);
  };
  const c = s.connections;
  metric("parley_connections", "gauge", "Open connections by kind: text (telnet, nc) and json (JSON lines) on the chat port, websocket on /ws.", [
    ['{kind="text"}', c.text],
    ['{kind="json"}', c.json],
    ['{kind="websocket"}', c.websocket],
  ]);
  metric("parley_websockets_accepted_total", "counter", "WebSocket connections accepted since start.", s.websocketsAccepted);
  metric("parley_users_online", "gauge", "Users with a nickname on the server (the whole cluster's with --redis).", s.usersOnline);
  metric("parley_rooms", "gauge", "Rooms this node holds, the default room and kept ones included.", s.rooms);
  metric("parley_ready", "gauge", "1 while the server takes new users, 0 while it starts or shuts down.", ready ? 1 : 0);
  metric("parley_lines_received_total", "counter", "Whole lines read from clients, before flood control and commands.", s.linesReceived);
  metric("parley_events_relayed_total", "counter", "Events the room fanned out (said, joined, left, private lines, notices).", s.eventsRelayed);
  metric("parley_deliveries_total", "counter", "Copies of relayed events delivered to users.", s.deliveries);
  metric("parley_received_bytes_total", "counter", "Bytes read from clients.", s.bytesIn);
  metric("parley_sent_bytes_total", "counter", "Bytes handed to clients' sockets.", s.bytesOut);
  metric("parley_flood_delayed_lines_total", "counter", "Lines flood control made wait for their turn.", s.floodDelayed);
  metric("parley_flood_refused_lines_total", "counter", "Lines flood control refused (more than its queue holds).", s.floodRefused);
  metric("parley_disconnects_total", "counter", "Connections ended, by reason.", Object.entries(s.disconnects).map(([reason, n]): Sample => [`{reason="${reason}"}`, n]));
  metric("parley_outbox_waiting_bytes", "gauge", "Bytes waiting in every client's outbox now.", s.outboxWaiting);
  metric("parley_outbox_high_water_bytes", "gauge", "The most bytes one client's outbox has held since start.", s.outboxHighWater);
  metric("parley_plugin_errors_total", "counter", "Plugin handlers that threw, rejected or timed out.", s.pluginErrors);
  metric("parley_plugin_timeouts_total", "counter", "Plugin handlers that ran past --handler-timeout.", s.handlerTimeouts);
  metric("parley_history_writes_total", "counter", "Room history entries written.", s.historyWrites);
  metric("parley_history_write_failures_total", "counter", "History writes that failed (kept in memory and tried again).", s.historyWriteFailures);
  if (s.redis) {
    metric("parley_redis_up", "gauge", "1 while the link to Redis is up (with --redis).", s.redis.up ? 1 : 0);
    metric("parley_redis_link_losses_total", "counter", "Times the link to Redis was lost.", s.redis.linkLosses);
    metric("parley_redis_publish_seconds", "gauge", "Round trip of the last batch written to Redis.", s.redis.publishMs / 1000);
    metric("parley_redis_backlog_items", "gauge", "Writes waiting to reach Redis.", s.redis.backlog);
  }
  const p = s.process;
  metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", p.cpuSeconds);
  metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.residentBytes);
  metric("process_heap_bytes", "gauge", "JavaScript heap in use, in bytes.", p.heapBytes);
  if (p.openFds !== undefined) metric("process_open_fds", "gauge", "Number of open file descriptors.", p.openFds);
  if (p.maxFds !== undefined) metric("process_max_fds", "gauge", "Maximum number of open file descriptors.", p.maxFds);
  metric("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", p.startTime);
  metric("parley_uptime_seconds", "gauge", "Seconds since the process started.", p.uptimeSeconds);
  return out.join("\n") + "\n";
}

/** A sample value as the text format writes it (integers without a fraction, others to the microsecond). */
function number(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(6);
}
