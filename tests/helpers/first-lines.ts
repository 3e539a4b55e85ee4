// A tiny client for tests that must connect from inside a network
// namespace: opens COUNT connections to HOST:PORT one after another, keeps
// them open, and prints the first line each one receives. Run with bun.
//   bun tests/helpers/first-lines.ts HOST PORT COUNT

import net from "node:net";
import { optionsAtConnect } from "../../core/wire/telnet.ts";

const [host, port, count] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
const sockets: net.Socket[] = [];
for (let i = 0; i < count; i++) {
  const line = await new Promise<string>((resolve) => {
    const socket = net.connect({ host, port });
    sockets.push(socket);
    let buffer = "";
    let first = true;
    socket.on("data", (bytes: Buffer) => {
      // The telnet options parley asks for at connect are not the first line.
      if (first) bytes = bytes.subarray(optionsAtConnect(bytes));
      first = false;
      buffer += bytes.toString("utf8");
      const at = buffer.indexOf("\n");
      if (at !== -1) resolve(buffer.slice(0, at).replace(/\r$/, ""));
    });
    socket.on("error", (error) => resolve(`error: ${error.message}`));
    socket.on("close", () => resolve(buffer || "closed"));
  });
  console.log(`${i + 1}: ${line}`);
}
for (const socket of sockets) socket.destroy();
