// /metrics: the Prometheus text format (version 0.0.4), with what is cheap
// to read without touching the hot path: open connections by kind, users
// online, the process's resident memory and uptime. Nothing here is counted
// per line or per byte (docs/web.md says what was left out, and why).

export interface MetricsSnapshot {
  /** TCP connections, text and JSON framing together */
  tcp: number;
  websocket: number;
  /** WebSockets accepted since start */
  websocketsAccepted: number;
  /** users with a nick in the room (the whole cluster's, with --redis) */
  users: number;
  ready: boolean;
  /** when the process started, ms since the epoch */
  startedAt: number;
}

export function metricsText(m: MetricsSnapshot): string {
  const now = Date.now();
  const out: string[] = [];
  const metric = (name: string, type: "gauge" | "counter", help: string, samples: [string, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
  };
  metric("parley_connections", "gauge", "Open connections by kind (tcp: telnet and JSON-lines clients on the chat port).", [
    ['{kind="tcp"}', m.tcp],
    ['{kind="websocket"}', m.websocket],
  ]);
  metric("parley_websockets_accepted_total", "counter", "WebSocket connections accepted since start.", [["", m.websocketsAccepted]]);
  metric("parley_users_online", "gauge", "Users with a nickname in the room.", [["", m.users]]);
  metric("parley_ready", "gauge", "1 while the server takes new users, 0 while it starts or shuts down.", [["", m.ready ? 1 : 0]]);
  metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [["", process.memoryUsage.rss()]]);
  metric("process_start_time_seconds", "gauge", "Start time of the process since the epoch, in seconds.", [["", Math.floor(m.startedAt / 1000)]]);
  metric("parley_uptime_seconds", "gauge", "Seconds since the process started.", [["", Math.floor((now - m.startedAt) / 1000)]]);
  return out.join("\n") + "\n";
}
