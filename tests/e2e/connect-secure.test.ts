// `parley connect` to a parley server with TLS (a self-signed certificate
// made with openssl) and with a server password: JSON lines over TLS, the
// password given by flag, by environment, or typed at a masked prompt.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "../helpers/client.ts";
import { runLocal, runLocalToEnd } from "../helpers/netns.ts";
import { PARLEY, startChat, type Parley } from "../helpers/parley.ts";

let secured: Parley;
let locked: Parley;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-connect-tls-"));
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"]);
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr}`);
  secured = await startChat(["--tls-cert", cert, "--tls-key", key]);
  locked = await startChat(["--password", "sesame"]);
});
afterAll(async () => {
  await secured.stop();
  await locked.stop();
});

const started = new Set<Bun.Subprocess>();
afterAll(() => {
  for (const proc of started) proc.kill("SIGKILL");
});

describe("TLS", () => {
  test("a self-signed certificate is refused in one line; with --insecure, JSON lines over TLS", async () => {
    const refused = await runLocalToEnd(["connect", String(secured.port), "--tls", "--nick", "amy"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^parley: cannot connect to 127\.0\.0\.1:\d+: TLS failure: .*\(--insecure skips the certificate check\)$/);

    const bob = runLocal(["connect", String(secured.port), "--tls", "--insecure", "--nick", "bob"], { stdin: "pipe" });
    await bob.stdout.waitFor("* Hi bob!");
    const amy = runLocal(["connect", String(secured.port), "--tls", "--insecure", "--nick", "amy"], { stdin: "pipe" });
    await bob.stdout.waitFor("* amy joined");
    amy.type("over TLS, 你好");
    expect(await bob.stdout.waitFor("amy:")).toBe("amy: over TLS, 你好");
    amy.endInput();
    bob.endInput();
    expect(await amy.exited).toBe(0);
    expect(await bob.exited).toBe(0);
    await amy.stderr.whenEnded();
    expect(amy.stderr.lines).toEqual([]);
  });
});

describe("a server password", () => {
  test("given with --password or $PARLEY_PASSWORD, then the nickname", async () => {
    const watcher = await Client.connect(locked.port);
    await watcher.waitFor("Password:");
    watcher.send("sesame");
    await watcher.waitFor("choose a nickname");
    watcher.send("watcher");
    await watcher.waitFor("* Hi watcher!");

    const amy = runLocal(["connect", String(locked.port), "--password", "sesame", "--nick", "amy"], { stdin: "pipe" });
    amy.type("let in by flag");
    expect(await watcher.waitFor("amy:")).toBe("amy: let in by flag");
    amy.endInput();
    expect(await amy.exited).toBe(0);

    const bob = runLocal(["connect", String(locked.port), "--nick", "bob"], { stdin: "pipe", env: { PARLEY_PASSWORD: "sesame" } });
    bob.type("let in by environment");
    expect(await watcher.waitFor("bob:")).toBe("bob: let in by environment");
    bob.endInput();
    expect(await bob.exited).toBe(0);
    watcher.close();
  });

  test("piped, a missing or wrong password is one line and exit 1", async () => {
    const missing = await runLocalToEnd(["connect", String(locked.port), "--nick", "amy"], { env: { PARLEY_PASSWORD: "" } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("parley: the server asks for a password (give --password, or set PARLEY_PASSWORD)");
    const wrong = await runLocalToEnd(["connect", String(locked.port), "--nick", "amy", "--password", "guess"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe("parley: the server refused the password: wrong password");
  });

  test("at a terminal it is asked for, shown as stars, and asked again when wrong", async () => {
    const proc = Bun.spawn(["script", "-qfec", `${PARLEY} connect 127.0.0.1:${locked.port} --nick typist`, "/dev/null"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, LANG: "C.UTF-8", TERM: "xterm-256color", NO_COLOR: "1", PARLEY_PASSWORD: "" },
    });
    started.add(proc);
    let output = "";
    const waitFor = async (text: string) => {
      const decoder = new TextDecoder();
      while (!output.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the terminal closed without ${JSON.stringify(text)}; it showed ${JSON.stringify(output)}`);
        output += decoder.decode(value, { stream: true });
      }
      const rest = output.slice(output.indexOf(text) + text.length);
      output = rest;
    };
    const reader = proc.stdout.getReader();
    const keys = (bytes: string) => {
      proc.stdin.write(bytes);
      void proc.stdin.flush();
    };
    await waitFor("password> ");
    keys("guess");
    await waitFor("password> *****");
    keys("\r");
    await waitFor("! wrong password");
    await waitFor("password> ");
    keys("sesame\r");
    await waitFor("* Hi typist!");
    await waitFor("typist> ");
    // The password is not in the history: up brings back nothing.
    keys("\x1b[A");
    keys("\x04");
    expect(await proc.exited).toBe(0);
    expect(output).not.toContain("sesame");
  });
});
