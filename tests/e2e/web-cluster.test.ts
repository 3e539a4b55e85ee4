// The web listener of a clustered node (--redis) against a real
// redis-server: /metrics shows the Redis link (up, losses, the last write's
// round trip, writes waiting) and /readyz says 503 while Redis is away, 200
// again once the node is back in contact.

import { afterAll, describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat } from "../helpers/parley.ts";
import { scrape } from "../helpers/prometheus.ts";
import { startRedis, type Redis } from "../helpers/redis.ts";
import { httpPort } from "../helpers/ws-client.ts";

let redis: Redis | undefined;
afterAll(() => redis?.stop());

describe("a clustered node's /metrics and /readyz", () => {
  test("follow the Redis link: up, lost (503), back (200)", async () => {
    redis = await startRedis();
    const parley = await startChat(["--redis", redis.url, "--heartbeat", "200", "--http", "0", "--http-host", "127.0.0.1"]);
    const base = `http://127.0.0.1:${await httpPort(parley)}`;
    const amy = await Client.join(parley.port, "amy");
    amy.send("a line for the other nodes");
    await amy.sync();
    const up = await scrape(`${base}/metrics`);
    expect(up.value("parley_redis_up")).toBe(1);
    expect(up.value("parley_redis_link_losses_total")).toBe(0);
    expect(up.value("parley_redis_publish_seconds")).toBeGreaterThan(0);
    expect(up.value("parley_redis_publish_seconds")).toBeLessThan(5);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    await redis.stop();
    await parley.waitForLog(/redis: lost contact/);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe("redis unreachable\n");
    // What is said meanwhile waits for Redis, and the figures say so.
    amy.send("said while Redis is away");
    await amy.sync();
    const down = await scrape(`${base}/metrics`);
    expect(down.value("parley_redis_up")).toBe(0);
    expect(down.value("parley_redis_link_losses_total")).toBe(1);
    expect(down.value("parley_redis_backlog_items")).toBeGreaterThan(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    await redis.restart();
    await parley.waitForLog(/redis: back in contact/);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const back = await scrape(`${base}/metrics`);
    expect(back.value("parley_redis_up")).toBe(1);
    expect(back.value("parley_redis_link_losses_total")).toBe(1);
    amy.close();
    await amy.whenClosed();
    await parley.stop();
  });
});
