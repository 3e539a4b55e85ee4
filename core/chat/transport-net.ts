// The node:net transport (node:tls for TLS): the tutorial's API, and the
// one that honours --backlog. Used with --transport net, and for every TLS
// listener: node:tls can swap its certificate while it runs
// (setSecureContext), which Bun.listen cannot (server.ts says more).
//
// Connections are taken from the `connection` event, which comes at TCP
// accept for TLS too (`secureConnection` waits for the handshake), so a
// socket that never completes the handshake is counted and timed out.

import net from "node:net";
import tls from "node:tls";
import { plainAddress, type Accept, type ListenSpec, type Listener, type WireEvents } from "./transport.ts";

export function listenNet(spec: ListenSpec, accept: Accept): Promise<Listener> {
  const secure = spec.tls !== undefined;
  // The events of each TLS connection still in its handshake, by its TCP socket.
  const handshaking = new WeakMap<net.Socket, { events: WireEvents; ready: (socket: net.Socket) => void }>();
  const onConnection = (raw: net.Socket) => {
    let socket = raw; // the TLS socket once the handshake is done (in Bun, the same object)
    const events = accept({
      remoteAddress: plainAddress(raw.remoteAddress),
      remotePort: raw.remotePort ?? 0,
      secure,
      get writableLength() {
        return socket.writableLength;
      },
      write: (bytes) => socket.write(bytes),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      setKeepAlive: (ms) => raw.setKeepAlive(true, ms),
      end: () => socket.end(),
      destroy: () => socket.destroy(),
    });
    const ready = (s: net.Socket) => {
      socket = s;
      s.on("data", (bytes: Buffer) => events.onData(bytes));
      s.on("drain", () => events.onDrain());
      s.on("end", () => events.onEnd());
      if (s !== raw) s.on("error", () => {});
      events.onReady();
    };
    raw.on("error", () => {}); // followed by close
    raw.on("close", () => events.onClose());
    if (secure) handshaking.set(raw, { events, ready });
    else ready(raw);
  };
  const onSecure = (socket: tls.TLSSocket) => {
    const parent = (socket as unknown as { _parent?: net.Socket })._parent;
    const pending = handshaking.get(socket) ?? (parent ? handshaking.get(parent) : undefined);
    if (!pending) return socket.destroy();
    handshaking.delete(socket);
    if (parent) handshaking.delete(parent);
    pending.ready(socket);
  };
  const server = spec.tls
    ? tls.createServer({ cert: spec.tls.cert, key: spec.tls.key, allowHalfOpen: true }, onSecure)
    : net.createServer({ allowHalfOpen: true, noDelay: true });
  server.on("connection", onConnection);
  if (secure) server.on("tlsClientError", () => {}); // the socket closes; its close event does the rest
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: spec.port, host: spec.host, backlog: spec.backlog }, () => {
      server.removeListener("error", reject);
      server.on("error", () => {}); // an accept error after listening (EMFILE) must not end the process
      const address = server.address() as net.AddressInfo;
      const secureServer = secure ? (server as tls.Server) : undefined;
      resolve({
        host: address.address,
        port: address.port,
        close: () => server.close(),
        // Bun's node:tls builds the new context at the call, so bad material throws here and the old context stays.
        ...(secureServer ? { setTls: (t: { cert: string; key: string }) => secureServer.setSecureContext({ cert: t.cert, key: t.key }) } : {}),
      });
    });
  });
}
