"use strict";
// Many official socket.io-client 4.8 clients at once (for `sio tap`'s load test):
//
//   node tap-crowd.js --url http://127.0.0.1:PORT --clients N
//
// Opens N clients together, alternating polling-only and WebSocket-only, each
// emits "echo" with an ack once connected; when every ack came back (or after
// 30 s) prints {"t":"crowd","connected":…,"acked":…,"ids":[engine ids]}, closes
// them all and exits. Reports only; the Rust test asserts.

const common = require("./common");
const { io } = require("socket.io-client");

const flags = common.parseFlags(process.argv.slice(2), { url: "string", clients: "number" });
const n = flags.clients || 200;
const sockets = [];
let connected = 0;
let acked = 0;
const ids = [];

function report() {
  process.stdout.write(JSON.stringify({ t: "crowd", connected, acked, ids }) + "\n");
  for (const s of sockets) s.close();
  // Exits by itself once the close requests are done; this is only the cap, and it is
  // generous because polling clients' closes are POSTs that a loaded machine delays.
  setTimeout(() => process.exit(0), 8000).unref();
}

const timer = setTimeout(report, 30000);
for (let i = 0; i < n; i++) {
  const transports = i % 2 === 0 ? ["polling"] : ["websocket"];
  const socket = io(flags.url, { transports, forceNew: true, reconnection: false });
  sockets.push(socket);
  socket.once("connect", () => {
    connected += 1;
    ids.push(socket.io.engine.id);
    socket.emit("echo", i, () => {
      acked += 1;
      if (acked === n) {
        clearTimeout(timer);
        report();
      }
    });
  });
}
