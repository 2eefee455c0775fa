"use strict";
// A socket.io 4.8 server instrumented with @socket.io/admin-ui, for the tests of `sio admin`.
//
// Prints `LISTENING <port>` on stdout once bound to 127.0.0.1, logs what it sees as JSON lines
// on stderr and exits when its stdin closes (as server-v4.js; see tests/it/support/node.rs).
//
//   --mode development|production   admin-ui's mode (development also reports every socket,
//                                   room change and event)
//   --user U --password P           admin-ui's basic auth; P is hashed with bcryptjs here, as a
//                                   deployment would store it (without: auth: false)
//   --readonly                      admin-ui's readonly: no operations
//   --admin-namespace NS            admin-ui's namespaceName (default /admin)
//   --server-id ID                  admin-ui's serverId
//   --redis URL                     the redis adapter (several nodes behind a proxy)
//   --port N                        listen on N instead of a port the OS picks
//
// Behaviour on "/" and "/chat":
//   "join" room / "leave" room      socket.join / socket.leave
//   "echo" ...args                  emit "echo" with the same args
//   "to" {room, event, args}        emit event(...args) to the room
//   any event + ack                 the ack is called with the event's args
// The server's own view is logged: `connect`, `disconnect` (with the reason), `event`, and the
// adapter's `room_join` / `room_leave` (every room change, whoever asked for it).

const http = require("http");
const { Server } = require("socket.io");
const { instrument } = require("@socket.io/admin-ui");
const bcrypt = require("bcryptjs");
const common = require("./common");

const flags = common.parseFlags(process.argv.slice(2), {
  mode: ["development", "production"],
  user: "string",
  password: "string",
  readonly: "bool",
  "admin-namespace": "string",
  "server-id": "string",
  redis: "string",
  port: "number",
});

async function main() {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { serveClient: false });
  if (flags.redis !== undefined) {
    const { createClient } = require("redis");
    const { createAdapter } = require("@socket.io/redis-adapter");
    const pub = createClient({ url: flags.redis });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on("error", (e) => common.log({ t: "redis_error", message: e.message }));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
  }

  for (const name of ["/", "/chat"]) {
    const nsp = io.of(name);
    nsp.on("connection", (socket) => {
      common.log({ t: "connect", nsp: name, id: socket.id, sid: socket.conn.id });
      socket.onAny((event, ...rawArgs) => {
        const [args, ack] = common.splitAck(rawArgs);
        common.log({ t: "event", nsp: name, id: socket.id, event, args });
        if (event === "join" && typeof args[0] === "string") socket.join(args[0]);
        if (event === "leave" && typeof args[0] === "string") socket.leave(args[0]);
        if (event === "echo") socket.emit("echo", ...args);
        if (event === "to" && args[0] && typeof args[0].event === "string" && args[0].room !== undefined) {
          nsp.to(args[0].room).emit(args[0].event, ...(Array.isArray(args[0].args) ? args[0].args : []));
        }
        if (ack) ack(...args);
      });
      socket.on("disconnect", (reason) => common.log({ t: "disconnect", nsp: name, id: socket.id, reason }));
    });
    nsp.adapter.on("join-room", (room, id) => common.log({ t: "room_join", nsp: name, room, id }));
    nsp.adapter.on("leave-room", (room, id) => common.log({ t: "room_leave", nsp: name, room, id }));
  }

  const options = { mode: flags.mode || "development", readonly: !!flags.readonly };
  if (flags["admin-namespace"] !== undefined) options.namespaceName = flags["admin-namespace"];
  if (flags["server-id"] !== undefined) options.serverId = flags["server-id"];
  if (flags.user !== undefined || flags.password !== undefined) {
    options.auth = { type: "basic", username: flags.user || "", password: bcrypt.hashSync(flags.password || "", 4) };
  } else {
    options.auth = false;
  }
  instrument(io, options);

  common.exitWhenStdinCloses();
  httpServer.listen(flags.port || 0, "127.0.0.1", () => {
    const port = httpServer.address().port;
    common.log({ t: "listening", port, mode: options.mode, pid: process.pid });
    common.announce(port);
  });
}

main().catch((e) => {
  process.stderr.write(`error: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
