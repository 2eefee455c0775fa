"use strict";
// A socket.io 2.x server (Engine.IO rev 3, Socket.IO rev 4) for the sio
// integration tests. Same contract as server-v4.js: `LISTENING <port>` on
// stdout, JSON log lines on stderr, exit when stdin closes.
//
// Same behaviours as server-v4.js, with these socket.io 2 differences:
//   - "/" is joined automatically by the server (the client never sends 40).
//   - "/admin" reads the token from the namespace query (`40/admin?token=secret,`
//     or the connection URL's query), not from an auth object; refusals are the
//     JSON string "not authorized".
//   - Engine.IO 3 sets the `io` cookie by default: --cookie is accepted and
//     changes nothing, --no-cookie turns it off.
//   - --allow-eio3 is accepted and ignored (this server only speaks rev 3).
//   - --parser msgpack and --recovery do not exist for socket.io 2 and are
//     refused (exit code 2).
//   - --connect-delay MS holds the automatic "/" connect (the `40`) back by MS;
//     --port N listens on N instead of a port the OS picks.

const http = require("http");
const createServer = require("socket.io-v2");
const common = require("./common");

const flags = common.parseFlags(process.argv.slice(2), {
  "ping-interval": "number",
  "ping-timeout": "number",
  transports: ["websocket", "polling", "both"],
  "allow-eio3": "bool",
  parser: ["default", "msgpack"],
  cookie: "bool",
  "no-cookie": "bool",
  recovery: "bool",
  path: "string",
  "max-http-buffer-size": "number",
  "upgrade-timeout": "number",
  "log-packets": "bool",
  "connect-delay": "number",
  port: "number",
});

if (flags.parser === "msgpack") {
  process.stderr.write("error: --parser msgpack is not available for socket.io 2 (it needs socket.io-msgpack-parser 2.x)\n");
  process.exit(2);
}
if (flags.recovery) {
  process.stderr.write("error: --recovery (connection state recovery) needs socket.io >= 4.6\n");
  process.exit(2);
}

const options = {
  serveClient: false,
  transports: common.transportsOption(flags.transports),
};
if (flags["ping-interval"] !== undefined) options.pingInterval = flags["ping-interval"];
if (flags["ping-timeout"] !== undefined) options.pingTimeout = flags["ping-timeout"];
if (flags["max-http-buffer-size"] !== undefined) options.maxHttpBufferSize = flags["max-http-buffer-size"];
if (flags["upgrade-timeout"] !== undefined) options.upgradeTimeout = flags["upgrade-timeout"];
if (flags.path !== undefined) options.path = flags.path;
if (flags["no-cookie"]) options.cookie = false;

const httpServer = http.createServer();
const io = createServer(httpServer, options);

io.engine.on("connection", (conn) => {
  common.log({
    t: "engine_connection",
    sid: conn.id,
    protocol: 3,
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

function describe(d) {
  if (d === undefined || d === null) return null;
  if (d instanceof Error) return d.message;
  return String(d);
}

function attachBehaviour(nsp, welcome) {
  nsp.on("connection", (socket) => {
    const name = nsp.name;
    common.log({
      t: "connect",
      nsp: name,
      id: socket.id,
      sid: socket.conn.id,
      protocol: 3,
      transport: socket.conn.transport.name,
      recovered: false,
      auth: null,
      query: socket.handshake.query,
      headers: socket.handshake.headers,
    });

    // socket.io 2 has no onAny: a per-socket middleware sees every event,
    // with the ack callback (if any) as the last element.
    socket.use((packet, next) => {
      const [event, ...rawArgs] = packet;
      const [args, ack] = common.splitAck(rawArgs);
      common.log({ t: "event", nsp: name, id: socket.id, event, args, ack: ack !== null });
      if (ack && event !== "flood") ack(...args);
      next();
    });

    socket.on("echo", (...rawArgs) => {
      const [args] = common.splitAck(rawArgs);
      socket.emit("echo", ...args);
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
      if (!msg || typeof msg.event !== "string" || msg.room === undefined || msg.room === null) return;
      const args = Array.isArray(msg.args) ? msg.args : msg.args === undefined ? [] : [msg.args];
      nsp.to(msg.room).emit(msg.event, ...args);
    });

    socket.on("binary", () => socket.emit("binary", Buffer.from([1, 2, 3])));

    socket.on("disconnect-me", () => socket.disconnect());

    socket.on("flood", (...rawArgs) => {
      const [args, ack] = common.splitAck(rawArgs);
      const { n, size } = common.floodParams(args[0]);
      common.flood(socket, n, size).then((sent) => {
        common.log({ t: "flood_done", nsp: name, id: socket.id, sent });
        if (socket.connected) socket.emit("flood-done", { n: sent });
        if (ack) ack({ n: sent });
      });
    });

    socket.on("disconnect", (reason) => common.log({ t: "disconnect", nsp: name, id: socket.id, reason }));

    socket.emit("welcome", welcome);
  });
}

const admin = io.of("/admin");
admin.use((socket, next) => {
  const query = socket.handshake.query || {};
  if (query.token === "secret") return next();
  common.log({ t: "refused", nsp: "/admin", auth: null, query });
  next(new Error("not authorized"));
});

// --connect-delay: "/" admits a socket only after this many ms (holds the CONNECT reply back).
if (flags["connect-delay"] !== undefined) {
  io.of("/").use((socket, next) => setTimeout(next, flags["connect-delay"]));
}

attachBehaviour(io.of("/"), "hi");
attachBehaviour(admin, "admin");

common.exitWhenStdinCloses();
common.listenAndAnnounce(httpServer, "socket.io " + require("socket.io-v2/package.json").version, flags);
