// The node:net transport (node:tls for TLS): the tutorial's API, and the
// one that honours --backlog. Used with --transport net.

import net from "node:net";
import tls from "node:tls";
import { plainAddress, type Accept, type ListenSpec, type Listener } from "./transport.ts";

export function listenNet(spec: ListenSpec, accept: Accept): Promise<Listener> {
  const onSocket = (socket: net.Socket) => {
    const events = accept({
      remoteAddress: plainAddress(socket.remoteAddress),
      remotePort: socket.remotePort ?? 0,
      get writableLength() {
        return socket.writableLength;
      },
      write: (bytes) => socket.write(bytes),
      pause: () => socket.pause(),
      resume: () => socket.resume(),
      setKeepAlive: (ms) => socket.setKeepAlive(true, ms),
      end: () => socket.end(),
      destroy: () => socket.destroy(),
    });
    socket.on("data", (bytes: Buffer) => events.onData(bytes));
    socket.on("drain", () => events.onDrain());
    socket.on("end", () => events.onEnd());
    socket.on("error", () => {}); // followed by close
    socket.on("close", () => events.onClose());
  };
  const server = spec.tls
    ? tls.createServer({ cert: spec.tls.cert, key: spec.tls.key, allowHalfOpen: true }, onSocket)
    : net.createServer({ allowHalfOpen: true, noDelay: true }, onSocket);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: spec.port, host: spec.host, backlog: spec.backlog }, () => {
      server.removeListener("error", reject);
      const address = server.address() as net.AddressInfo;
      resolve({ host: address.address, port: address.port, close: () => server.close() });
    });
  });
}
