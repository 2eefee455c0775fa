"use strict";
// A socket.io 4.x server for the sio integration tests.
//
// Prints `LISTENING <port>` on stdout once bound to 127.0.0.1 (port chosen by
// the OS), logs everything it sees as JSON lines on stderr and exits when its
// stdin closes. An unknown flag prints the usage and exits with code 2.
//
// Behaviour on "/" and "/admin" (also documented in tests/it/support/node.rs):
//   on connect        emit "welcome" ("hi" on "/", "admin" on "/admin")
//   any event + ack   the ack is called with the event's args
//   "echo" ...args    emit "echo" with the same args
//   "ask" [q]         emit "question" q with an ack; the answer comes back as "answered"
//   "join" room / "leave" room   (with an ack: answered once the socket is in or out)
//   "to" {room, event, args}   broadcast event(...args) to the room (the sender too, if in it)
//   "to-others" {room, event, args}   the same to the room but the sender
//   "broadcast" {event, args}  event(...args) to every socket of the namespace but the sender
//   "binary"          emit "binary" with Buffer [1,2,3]
//   "disconnect-me"   socket.disconnect()
//   "flood" {n,size}  n x "flood" with a string of size chars, then "flood-done" {n}
//   --connect-delay MS  "/" admits sockets only after MS (the CONNECT reply comes late)
//   --port N            listen on N instead of a port the OS picks (to restart a server in place)
//   --sid-prefix P      every Engine.IO session id starts with P (a proxy routes a session to its
//                       node on that mark: sticky sessions in the doctor's nginx tests)
//   --serve-client      serve the client bundle at <path>/socket.io.js (socket.io's serveClient;
//                       off by default here, on by default in socket.io)
//   --flood-on-connect N,SIZE  every socket that connects to "/" gets the "flood" {n: N, size: SIZE}
//                       treatment right after "welcome" (for benchmarking listen-only clients)
//   --welcome TEXT      "/" says TEXT on connect instead of "hi" (a server that answers differently)
//   --echo-delay MS     "echo" answers only after MS (a server that answers late)
//   --redis URL         share rooms and broadcasts with the other nodes through redis
//                       (@socket.io/redis-adapter); LISTENING comes once both redis clients connected
// "/admin" only admits auth {token: "secret"}; others get "not authorized".

const http = require("http");
const { Server } = require("socket.io");
const common = require("./common");

const flags = common.parseFlags(process.argv.slice(2), {
  "ping-interval": "number",
  "ping-timeout": "number",
  transports: ["websocket", "polling", "both"],
  "allow-eio3": "bool",
  parser: ["default", "msgpack"],
  cookie: "bool",
  recovery: "bool",
  path: "string",
  "max-http-buffer-size": "number",
  "connect-timeout": "number",
  "upgrade-timeout": "number",
  "log-packets": "bool",
  "connect-delay": "number",
  port: "number",
  "flood-on-connect": "string",
  "sid-prefix": "string",
  "serve-client": "bool",
  redis: "string",
  welcome: "string",
  "echo-delay": "number",
});

const options = {
  serveClient: !!flags["serve-client"],
  transports: common.transportsOption(flags.transports),
  allowEIO3: !!flags["allow-eio3"],
};
if (flags["ping-interval"] !== undefined) options.pingInterval = flags["ping-interval"];
if (flags["ping-timeout"] !== undefined) options.pingTimeout = flags["ping-timeout"];
if (flags["max-http-buffer-size"] !== undefined) options.maxHttpBufferSize = flags["max-http-buffer-size"];
if (flags["connect-timeout"] !== undefined) options.connectTimeout = flags["connect-timeout"];
if (flags["upgrade-timeout"] !== undefined) options.upgradeTimeout = flags["upgrade-timeout"];
if (flags.path !== undefined) options.path = flags.path;
if (flags.cookie) options.cookie = true;
if (flags.parser === "msgpack") options.parser = require("socket.io-msgpack-parser");
if (flags.recovery) {
  options.connectionStateRecovery = { maxDisconnectionDuration: 120000, skipMiddlewares: true };
}

const httpServer = http.createServer();
const io = new Server(httpServer, options);
if (flags["sid-prefix"] !== undefined) {
  const plainId = io.engine.generateId.bind(io.engine);
  io.engine.generateId = (req) => flags["sid-prefix"] + plainId(req);
}

io.engine.on("connection", (conn) => {
  common.log({
    t: "engine_connection",
    sid: conn.id,
    protocol: conn.protocol,
    transport: conn.transport.name,
    url: conn.request.url,
  });
  conn.on("upgrade", (transport) => common.log({ t: "engine_upgrade", sid: conn.id, transport: transport.name }));
  conn.on("close", (reason, description) =>
    common.log({ t: "engine_close", sid: conn.id, reason, description: describe(description) }),
  );
  if (flags["log-packets"]) {
    conn.on("packet", (p) => common.log({ t: "packet_in", sid: conn.id, type: p.type, data: p.data }));
    conn.on("packetCreate", (p) => common.log({ t: "packet_out", sid: conn.id, type: p.type, data: p.data }));
  }
});
io.engine.on("connection_error", (err) =>
  common.log({ t: "engine_error", code: err.code, message: err.message, url: err.req && err.req.url }),
);

function describe(d) {
  if (d === undefined || d === null) return null;
  if (d instanceof Error) return d.message;
  if (typeof d === "object" && d.description !== undefined) return String(d.description);
  return String(d);
}

// --flood-on-connect N,SIZE
let floodOnConnect = null;
if (flags["flood-on-connect"] !== undefined) {
  const m = /^(\d+),(\d+)$/.exec(flags["flood-on-connect"]);
  if (!m) {
    process.stderr.write(`error: --flood-on-connect takes N,SIZE, got ${flags["flood-on-connect"]}\n`);
    process.exit(2);
  }
  floodOnConnect = common.floodParams({ n: Number(m[1]), size: Number(m[2]) });
}

function startFlood(socket, name, { n, size }, ack) {
  common.flood(socket, n, size).then((sent) => {
    common.log({ t: "flood_done", nsp: name, id: socket.id, sent });
    if (socket.connected) socket.emit("flood-done", { n: sent });
    if (ack) ack({ n: sent });
  });
}

// {room, event, args}: what "to" and "to-others" take (a message without a room is ignored).
function isRoomMessage(msg) {
  return !!msg && typeof msg.event === "string" && msg.room !== undefined && msg.room !== null;
}

function messageArgs(msg) {
  return Array.isArray(msg.args) ? msg.args : msg.args === undefined ? [] : [msg.args];
}

function attachBehaviour(nsp, welcome) {
  nsp.on("connection", (socket) => {
    const name = nsp.name;
    common.log({
      t: "connect",
      nsp: name,
      id: socket.id,
      sid: socket.conn.id,
      protocol: socket.conn.protocol,
      transport: socket.conn.transport.name,
      recovered: socket.recovered,
      auth: socket.handshake.auth,
      query: socket.handshake.query,
      headers: socket.handshake.headers,
    });

    socket.onAny((event, ...rawArgs) => {
      const [args, ack] = common.splitAck(rawArgs);
      common.log({ t: "event", nsp: name, id: socket.id, event, args, ack: ack !== null });
      // "flood" answers its ack only once everything was sent.
      if (ack && event !== "flood") ack(...args);
    });

    socket.on("echo", (...rawArgs) => {
      const [args] = common.splitAck(rawArgs);
      const delay = flags["echo-delay"];
      if (delay === undefined) socket.emit("echo", ...args);
      else setTimeout(() => socket.emit("echo", ...args), delay);
    });

    socket.on("ask", (...rawArgs) => {
      const [args] = common.splitAck(rawArgs);
      const question = args.length > 0 ? args : ["q?"];
      socket.emit("question", ...question, (...answer) => {
        common.log({ t: "answer", nsp: name, id: socket.id, args: answer });
        socket.emit("answered", ...answer);
      });
    });

    socket.on("join", (room) => {
      socket.join(room);
      common.log({ t: "join", nsp: name, id: socket.id, room });
    });
    socket.on("leave", (room) => {
      socket.leave(room);
      common.log({ t: "leave", nsp: name, id: socket.id, room });
    });
    socket.on("to", (msg) => {
      if (!isRoomMessage(msg)) return;
      nsp.to(msg.room).emit(msg.event, ...messageArgs(msg));
    });
    socket.on("to-others", (msg) => {
      if (!isRoomMessage(msg)) return;
      socket.to(msg.room).emit(msg.event, ...messageArgs(msg));
    });
    socket.on("broadcast", (msg) => {
      if (!msg || typeof msg.event !== "string") return;
      socket.broadcast.emit(msg.event, ...messageArgs(msg));
    });

    socket.on("binary", () => socket.emit("binary", Buffer.from([1, 2, 3])));

    socket.on("disconnect-me", () => socket.disconnect());

    socket.on("flood", (...rawArgs) => {
      const [args, ack] = common.splitAck(rawArgs);
      startFlood(socket, name, common.floodParams(args[0]), ack);
    });

    socket.on("disconnect", (reason, description) =>
      common.log({ t: "disconnect", nsp: name, id: socket.id, reason, description: describe(description) }),
    );

    socket.emit("welcome", welcome);

    if (floodOnConnect && name === "/") startFlood(socket, name, floodOnConnect, null);
  });
}

const admin = io.of("/admin");
admin.use((socket, next) => {
  const auth = socket.handshake.auth || {};
  if (auth.token === "secret") return next();
  common.log({ t: "refused", nsp: "/admin", auth, query: socket.handshake.query });
  next(new Error("not authorized"));
});

// --connect-delay: "/" admits a socket only after this many ms (holds the CONNECT reply back).
if (flags["connect-delay"] !== undefined) {
  io.of("/").use((socket, next) => setTimeout(next, flags["connect-delay"]));
}

attachBehaviour(io.of("/"), flags.welcome === undefined ? "hi" : flags.welcome);
attachBehaviour(admin, "admin");

// --redis: broadcasts reach the sockets of every node that shares the redis server.
async function useRedisAdapter(url) {
  const { createClient } = require("redis");
  const { createAdapter } = require("@socket.io/redis-adapter");
  const pub = createClient({ url });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) client.on("error", (e) => common.log({ t: "redis_error", message: e.message }));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
  common.log({ t: "redis_adapter", url });
}

common.exitWhenStdinCloses();
function listen() {
  common.listenAndAnnounce(httpServer, "socket.io " + require("socket.io/package.json").version, flags);
}

if (flags.redis === undefined) {
  listen();
} else {
  useRedisAdapter(flags.redis).then(listen, (e) => {
    process.stderr.write(`error: --redis ${flags.redis}: ${e.message}\n`);
    process.exit(1);
  });
}
