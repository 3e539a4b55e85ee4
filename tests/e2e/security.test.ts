// TLS and the server password, against dist/parley.

import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import { Client } from "../helpers/client.ts";
import { LineReader, runToEnd, startChat } from "../helpers/parley.ts";

let cert = "";
let key = "";
beforeAll(() => {
  // A self-signed certificate of the test's own, made with openssl.
  const dir = mkdtempSync(join(tmpdir(), "parley-tls-"));
  cert = join(dir, "cert.pem");
  key = join(dir, "key.pem");
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"]);
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr}`);
});

/** Lines from a TLS connection (certificate not checked: it is self-signed). */
async function tlsLines(port: number, send: string[]): Promise<LineReader> {
  const socket = tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false });
  await new Promise((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (b: Buffer) => controller.enqueue(new Uint8Array(b)));
      socket.on("close", () => controller.close());
    },
  });
  for (const line of send) socket.write(line + "\r\n");
  const reader = new LineReader(stream);
  void reader.waitFor(/^\* \d+ online:$/).then(() => socket.end(), () => {});
  return reader;
}

describe("TLS", () => {
  test("--tls-cert and --tls-key serve TLS on the port; a TLS client chats, and openssl s_client works", async () => {
    const parley = await startChat(["--tls-cert", cert, "--tls-key", key]);
    expect(parley.log.lines.find((l) => l.includes("listening"))).toContain("(TLS)");
    const lines = await tlsLines(parley.port, ["tlsamy", "/list"]);
    expect(await lines.waitFor("Hi tlsamy")).toBe("* Hi tlsamy! Online (1): tlsamy");
    await lines.whenEnded();
    const s = Bun.spawn(["openssl", "s_client", "-quiet", "-connect", `127.0.0.1:${parley.port}`], { stdin: "pipe", stdout: "pipe", stderr: "ignore" });
    const out = new LineReader(s.stdout);
    await out.waitFor("choose a nickname");
    s.stdin.write("viaopenssl\r\nquit\r\n");
    s.stdin.flush();
    expect(await out.waitFor("bye")).toBe("* bye, viaopenssl!");
    await s.exited;
    await parley.stop();
  });

  test("--tls-port serves TLS beside plain text", async () => {
    const parley = await startChat(["--tls-cert", cert, "--tls-key", key, "--tls-port", "0"]);
    const tlsLine = await parley.waitForLog("listening for TLS");
    const tlsPort = Number(/:(\d+);/.exec(tlsLine)![1]);
    const plain = await Client.join(parley.port, "plainbob");
    const lines = await tlsLines(tlsPort, ["tlscat", "hello from tls", "/list"]);
    expect(await plain.waitFor("tlscat:")).toBe("tlscat: hello from tls");
    await lines.whenEnded();
    plain.close();
    await parley.stop();
  });

  test("a certificate or key that will not load is one line at start-up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-badtls-"));
    const junk = join(dir, "junk.pem");
    writeFileSync(junk, "not a certificate\n");
    const cases: [string[], string][] = [
      [["--tls-cert", junk, "--tls-key", key], `parley: --tls-cert ${junk} is not a PEM certificate`],
      [["--tls-cert", cert, "--tls-key", junk], `parley: --tls-key ${junk} is not a PEM private key (or it is encrypted)`],
      [["--tls-cert", join(dir, "missing.pem"), "--tls-key", key], `parley: cannot read --tls-cert ${join(dir, "missing.pem")}: ENOENT`],
      [["--tls-cert", cert], "parley: TLS needs both --tls-cert FILE and --tls-key FILE"],
    ];
    for (const [args, expected] of cases) {
      const { code, stderr } = await runToEnd(["chat", "--port", "0", "--host", "127.0.0.1", ...args]);
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(expected);
    }
  });
});

describe("--password", () => {
  test("the password is asked before the nickname; the right one lets you in", async () => {
    const parley = await startChat(["--password", "sesame"]);
    const c = await Client.connect(parley.port);
    await c.waitFor("Password:");
    expect(c.lines.some((l) => l.includes("nickname"))).toBe(false);
    c.send("sesame");
    await c.waitFor("choose a nickname");
    c.send("inside");
    await c.waitFor("* Hi inside!");
    c.close();
    await parley.stop();
  });

  test("a wrong password is answered after a delay; the third closes the connection; nothing is logged of it", async () => {
    const parley = await startChat(["--password", "sesame"]);
    const c = await Client.connect(parley.port);
    await c.waitFor("Password:");
    const started = performance.now();
    c.send("guess1");
    expect(await c.waitFor(/^! /)).toBe("! wrong password");
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    c.send("guess2");
    await c.waitFor(/^! /);
    c.send("guess3");
    expect(await c.waitFor(/^! /)).toBe("! wrong password; too many tries, bye");
    await c.whenClosed();
    expect(parley.log.lines.join("\n")).not.toContain("guess");
    await parley.stop();
  });

  test("PARLEY_PASSWORD works too, and a JSON client answers with a password frame", async () => {
    const parley = await startChat([], { env: { PARLEY_PASSWORD: "from-env" } });
    const c = await Client.connect(parley.port);
    c.send(JSON.stringify({ type: "hello", version: 1 }));
    expect(JSON.parse(await c.waitFor(/"welcome"/))).toMatchObject({ type: "welcome", password: true });
    c.send(JSON.stringify({ type: "nick", nick: "early", id: 1 }));
    expect(JSON.parse(await c.waitFor(/"error"/))).toMatchObject({ code: "password_required", id: 1 });
    c.send(JSON.stringify({ type: "password", password: "from-env", id: 2 }));
    expect(JSON.parse(await c.waitFor(/"system"/))).toEqual({ type: "system", text: "password accepted", id: 2 });
    c.send(JSON.stringify({ type: "nick", nick: "jsonin", id: 3 }));
    expect(JSON.parse(await c.waitFor(/"joined"/))).toMatchObject({ nick: "jsonin", id: 3 });
    c.close();
    await parley.stop();
  });

  test("a telnet client is asked not to echo while the password is typed, and to echo again after", async () => {
    const parley = await startChat(["--password", "sesame"]);
    const c = await Client.connect(parley.port);
    // A telnet client announces itself with its first negotiation (WILL TTYPE).
    await c.write(Buffer.from([0xff, 0xfb, 0x18]));
    await c.waitFor("Password:");
    c.send("wrong");
    // The line may start with the reply to WILL TTYPE (IAC DONT TTYPE).
    await c.waitFor("wrong password");
    await c.waitFor("Password:");
    // IAC WILL ECHO at connect, before the first prompt: echo is off before anything is typed.
    expect(c.negotiation!.includes(Buffer.from([0xff, 0xfb, 0x01]))).toBe(true);
    await c.write(Buffer.from([0xff, 0xfd, 0x01])); // DO ECHO
    c.send("sesame");
    await c.waitFor("choose a nickname");
    // IAC WONT ECHO once it is in.
    expect(Buffer.concat(c.received).includes(Buffer.from([0xff, 0xfc, 0x01]))).toBe(true);
    c.close();
    await parley.stop();
  });
});
