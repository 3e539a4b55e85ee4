// Against a server that is not parley (`ncat --chat`, Debian package ncat),
// no welcome frame comes: `parley connect` says so once and relays plain
// lines both ways. The same over TLS (`ncat --ssl`, a self-signed
// certificate): refused unless --insecure.

import { afterAll, describe, expect, test } from "bun:test";
import net from "node:net";
import { Client } from "../helpers/client.ts";
import { LineReader } from "../helpers/parley.ts";
import { runLocal, runLocalToEnd } from "../helpers/netns.ts";

const started = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const proc of started) proc.kill("SIGKILL");
});

/** A loopback port nothing listens on (bound, then closed). */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `ncat --chat` on a free loopback port, once it listens; stopped by PID. */
async function startNcat(...extra: string[]) {
  const port = await freePort();
  const proc = Bun.spawn(["ncat", "-v", "-l", "127.0.0.1", String(port), "--chat", ...extra], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  started.add(proc);
  await new LineReader(proc.stderr).waitFor(`Listening on 127.0.0.1:${port}`, "ncat to listen");
  return {
    port,
    async stop() {
      proc.kill();
      await proc.exited;
      started.delete(proc);
    },
  };
}

describe("a chat server that is not parley", () => {
  test("plain lines both ways, said once on stderr; at the end of stdin, exit 0", async () => {
    const ncat = await startNcat();
    const other = await Client.connect(ncat.port);
    const amy = runLocal(["connect", String(ncat.port), "--nick", "amy"], { stdin: "pipe" });
    expect(await amy.stderr.waitFor("parley:")).toBe("parley: not a parley server; speaking plain text");
    // ncat relays our hello as it relays everything; the lines after it are plain.
    await other.waitFor('{"type":"hello","client":"parley-connect","version":1}');
    // (ncat --chat escapes bytes outside printable ASCII itself, so ASCII here.)
    amy.type("hello from parley");
    expect(await other.waitFor("hello from parley")).toMatch(/^<user\d+> hello from parley$/);
    other.send("hi back");
    expect(await amy.stdout.waitFor("hi back")).toMatch(/^<user\d+> hi back$/);
    amy.endInput();
    expect(await amy.exited).toBe(0);
    await amy.stderr.whenEnded();
    expect(amy.stderr.lines).toEqual(["parley: not a parley server; speaking plain text"]);
    other.close();
    await ncat.stop();
  });

  test("what such a server sends is cleaned before it is printed", async () => {
    // A server of our own that greets every connection with escape sequences.
    const server = net.createServer((socket) => socket.end("\x1b]0;owned\x07look \x1b[2J\x1b[31mhere\x1b[0m\x07, 你好\x1bc!\r\n"));
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as net.AddressInfo;
    const { code, stdout, stderr } = await runLocalToEnd(["connect", String(port)]);
    server.close();
    expect(stdout).toBe("look here, 你好!");
    expect(stderr).toBe(`parley: connection to 127.0.0.1:${port} closed by the server`);
    expect(code).toBe(1);
  });

  test("the server going away is one line and exit 1", async () => {
    const ncat = await startNcat();
    const amy = runLocal(["connect", String(ncat.port)], { stdin: "pipe" });
    await amy.stderr.waitFor("not a parley server");
    await ncat.stop();
    expect(await amy.exited).toBe(1);
    await amy.stderr.whenEnded();
    expect(amy.stderr.lines.at(-1)).toBe(`parley: connection to 127.0.0.1:${ncat.port} closed by the server`);
  });
});

describe("TLS", () => {
  test("a self-signed certificate is refused in one line, unless --insecure", async () => {
    const ncat = await startNcat("--ssl");
    const refused = await runLocalToEnd(["connect", String(ncat.port), "--tls"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^parley: cannot connect to 127\\.0\\.0\\.1:${ncat.port}: TLS failure: .+ \\(--insecure skips the certificate check\\)$`));

    const other = runLocal(["connect", String(ncat.port), "--tls", "--insecure"], { stdin: "pipe" });
    await other.stderr.waitFor("not a parley server");
    const amy = runLocal(["connect", String(ncat.port), "--tls", "--insecure"], { stdin: "pipe" });
    await amy.stderr.waitFor("not a parley server");
    amy.type("over TLS");
    expect(await other.stdout.waitFor("over TLS")).toMatch(/^<user\d+> over TLS$/);
    amy.endInput();
    other.endInput();
    expect(await amy.exited).toBe(0);
    expect(await other.exited).toBe(0);
    await ncat.stop();
  });

  test("TLS to a server that speaks plain TCP fails in one line", async () => {
    const ncat = await startNcat();
    const { code, stderr } = await runLocalToEnd(["connect", String(ncat.port), "--tls"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^parley: cannot connect to 127\.0\.0\.1:\d+: (TLS failure: .+|timed out)$/);
    await ncat.stop();
  });
});
