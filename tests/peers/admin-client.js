"use strict";
// Official socket.io-client 4.8 sockets for the tests of `sio admin`: they connect, join rooms
// and emit as told, and print what they see as JSON lines on stdout. They never assert.
//
//   node admin-client.js --url http://127.0.0.1:PORT [--nsp /chat] [--sockets N]
//                        [--join ROOM] [--transports polling|websocket|both] [--user-agent UA]
//
// Out: {"t":"connected","i":I,"id":ID}, {"t":"event","i":I,"event":E,"args":[...]},
//      {"t":"disconnect","i":I,"reason":R}, {"t":"all_connected","n":N}.
// In (one JSON object per line): {"i":I,"emit":EVENT,"args":[...]} (I omitted: every socket).
// Exits when stdin closes.

const { io } = require("socket.io-client");
const readline = require("readline");
const common = require("./common");

const flags = common.parseFlags(process.argv.slice(2), {
  url: "string",
  nsp: "string",
  sockets: "number",
  join: "string",
  transports: ["polling", "websocket", "both"],
  "user-agent": "string",
});
if (!flags.url) {
  process.stderr.write("error: --url is required\n");
  process.exit(2);
}

function out(fields) {
  process.stdout.write(JSON.stringify(common.forLog(fields)) + "\n");
}

const count = flags.sockets === undefined ? 1 : flags.sockets;
const sockets = [];
let connected = 0;
for (let i = 0; i < count; i++) {
  const options = { forceNew: true, transports: common.transportsOption(flags.transports), reconnection: false };
  if (flags["user-agent"] !== undefined) options.extraHeaders = { "user-agent": flags["user-agent"] };
  const socket = io(flags.url + (flags.nsp || ""), options);
  let first = true;
  socket.on("connect", () => {
    out({ t: "connected", i, id: socket.id });
    if (flags.join !== undefined) socket.emit("join", flags.join);
    if (first) {
      first = false;
      connected += 1;
      if (connected === count) out({ t: "all_connected", n: count });
    }
  });
  socket.onAny((event, ...args) => out({ t: "event", i, event, args }));
  socket.on("disconnect", (reason) => out({ t: "disconnect", i, reason }));
  socket.on("connect_error", (e) => out({ t: "connect_error", i, message: e.message }));
  sockets.push(socket);
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    process.stderr.write(`error: not JSON: ${line}\n`);
    return;
  }
  const targets = cmd.i === undefined ? sockets : [sockets[cmd.i]].filter(Boolean);
  for (const s of targets) s.emit(cmd.emit, ...(Array.isArray(cmd.args) ? cmd.args : []));
});
common.exitWhenStdinCloses();
