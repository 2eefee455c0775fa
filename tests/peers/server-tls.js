"use strict";
// A socket.io 4.x server over HTTPS for the sio TLS tests.
//
//   node server-tls.js --cert FILE --key FILE
//
// Prints `LISTENING <port>` once bound to 127.0.0.1 and exits when stdin
// closes. On "/": emit "welcome" "tls" on connect; any event with an ack is
// acked with its args.

const fs = require("fs");
const https = require("https");
const { Server } = require("socket.io");
const common = require("./common");

const flags = common.parseFlags(process.argv.slice(2), { cert: "string", key: "string" });
if (!flags.cert || !flags.key) {
  common.usage("--cert and --key are required", { cert: "string", key: "string" });
}

const server = https.createServer({ cert: fs.readFileSync(flags.cert), key: fs.readFileSync(flags.key) });
const io = new Server(server);
io.on("connection", (socket) => {
  common.log({ t: "connect", nsp: "/", id: socket.id });
  socket.emit("welcome", "tls");
  socket.onAny((event, ...args) => {
    const [rest, ack] = common.splitAck(args);
    common.log({ t: "event", event, args: rest });
    if (ack) ack(...rest);
  });
});
server.listen(0, "127.0.0.1", () => common.announce(server.address().port));
common.exitWhenStdinCloses();
