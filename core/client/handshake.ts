// The start of every connection: say hello, then read lines until a welcome
// frame (a parley server: JSON lines from now on) or until a short wait
// passes with none (some other server: plain text lines). A parley server's
// text greeting before the welcome is skipped; anything a server that is not
// parley said is kept for the screen.

import type net from "node:net";
import { reasonOf } from "./connection.ts";
import { hello, LineCutter, readLine, toLine, type ServerFrame } from "./protocol.ts";

export type Greeting =
  | { mode: "json"; welcome: ServerFrame }
  /** no welcome in time; `early` holds what the server said meanwhile */
  | { mode: "text"; early: string[] }
  /** the socket closed first; `error` says why when it broke */
  | { mode: "closed"; early: string[]; error?: string };

export interface Wiring {
  /** how long to wait for the welcome */
  wait: number;
  tls: boolean;
  /** every line after the greeting */
  line(line: string): void;
  /** the socket closed after the greeting; `error` says why when it broke */
  close(error: string | undefined): void;
}

export function handshake(socket: net.Socket, wiring: Wiring): Promise<Greeting> {
  return new Promise((resolve) => {
    let greeted = false;
    let error: string | undefined;
    const early: string[] = [];
    const greet = (greeting: Greeting) => {
      greeted = true;
      clearTimeout(timer);
      resolve(greeting);
    };
    const timer = setTimeout(() => greet({ mode: "text", early }), wiring.wait);
    const cutter = new LineCutter((line) => {
      if (greeted) return wiring.line(line);
      const incoming = readLine(line);
      if (incoming.kind === "frame" && incoming.frame.type === "welcome") greet({ mode: "json", welcome: incoming.frame });
      else early.push(line);
    });
    socket.on("data", (bytes: Buffer) => cutter.feed(bytes));
    socket.on("error", (e) => (error = reasonOf(e, wiring.tls)));
    socket.on("close", () => {
      cutter.end();
      if (greeted) wiring.close(error);
      else greet({ mode: "closed", early, ...(error ? { error } : {}) });
    });
    socket.write(toLine(hello()));
  });
}
