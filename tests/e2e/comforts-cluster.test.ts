// The comforts across two dist/parley nodes sharing a real redis-server:
// /whois of a user on the other node tells what the cluster's presence
// holds (nick, node, connected since; the address to operators), an ignore
// and the bell work on lines relayed from the other node, and an ignore
// kept with an account is read on any node (the plugin store is shared).

import { describe, expect, test } from "bun:test";
import { Client } from "../helpers/client.ts";
import { startChat, type Parley } from "../helpers/parley.ts";
import { startRedis, type Redis } from "../helpers/redis.ts";

const node = (redis: Redis, name: string, extra: string[] = []): Promise<Parley> =>
  startChat(["--redis", redis.url, "--node-name", name, "--heartbeat", "200", "--admin-password", "clusterpw", ...extra]);

describe("comforts across nodes", () => {
  test("whois, ignore, the bell and an account's ignores, between two nodes", async () => {
    const redis = await startRedis();
    const [a, b] = await Promise.all([node(redis, "A"), node(redis, "B")]);
    try {
      const amy = await Client.join(a.port, "amy");
      const bob = await Client.join(b.port, "bob");
      await amy.waitFor("* bob joined");

      // whois of a user on the other node: what presence holds.
      bob.send("/whois amy");
      await bob.waitFor(/^\* amy$/);
      const since = await bob.waitFor(/^\*   /);
      expect(since).toMatch(/^\*   connected since \d{4}-\d\d-\d\d \d\d:\d\d$/);
      expect(await bob.waitFor(/^\*   /)).toBe("*   on node A (idle time and away text are known there only)");
      expect((await bob.sync()).join("\n")).not.toContain("address");
      bob.send("/op clusterpw");
      await bob.waitFor("operator now");
      bob.send("/whois amy");
      await bob.waitFor(/^\* amy$/);
      expect(await bob.waitFor("address")).toBe(`*   address 127.0.0.1:${amy.socket.localPort}`);
      // On its own node, the full picture.
      amy.send("/away out");
      await amy.waitFor("you are away");
      const carl = await Client.join(a.port, "carl");
      carl.send("/whois amy");
      await carl.waitFor(/^\* amy$/);
      await carl.waitFor("connected since");
      expect(await carl.waitFor(/^\*   /)).toMatch(/^\*   idle \d+s$/);
      expect(await carl.waitFor(/^\*   /)).toBe("*   away: out");
      expect(await carl.waitFor(/^\*   /)).toBe("*   on node A");

      // A line from the other node: ignored, or ringing the bell.
      amy.send("/ignore bob");
      await amy.waitFor("you ignore (1): bob");
      bob.send("from node B");
      await carl.waitFor("from node B");
      expect((await amy.sync()).filter((l) => l.includes("from node B"))).toEqual([]);
      carl.send("/bell on");
      await carl.waitFor("bell on");
      bob.send("carl, over here");
      expect(await carl.waitFor("over here")).toBe("bob: carl, over here\x07");
      // bob renames on B: amy, on A, follows him.
      bob.send("/nick robert");
      await amy.waitFor("bob is now robert");
      bob.send("renamed on B");
      await carl.waitFor("renamed on B");
      expect((await amy.sync()).filter((l) => l.includes("renamed on B"))).toEqual([]);

      // An account's ignores, saved on A, are read on B.
      amy.send("/register amyspassword");
      await amy.waitFor("registered to you");
      amy.close();
      await carl.waitFor("amy left");
      const back = await Client.join(b.port, "visitor");
      back.send("/login amy amyspassword");
      await back.waitFor("logged in as amy");
      back.send("/ignore");
      expect(await back.waitFor("you ignore")).toBe("* you ignore (1): robert");
      for (const c of [back, bob, carl]) c.close();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await redis.stop();
    }
  });
});
