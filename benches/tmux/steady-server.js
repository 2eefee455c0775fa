"use strict";
// A socket.io 4.8 server (from tests/peers/node_modules) that sends every socket connecting
// to "/" a steady stream of RATE events per second, `42["flood","xxx…"]` (SIZE chars), for
// SECONDS, in 1 ms ticks that catch up with the clock (setInterval drifts). Used by
// benches/tmux/key-latency.js to load the terminal UI while keys are timed.
//
//   node steady-server.js RATE SIZE SECONDS   prints LISTENING <port>; exits when stdin closes

const http = require("http");
const path = require("path");
const { Server } = require(path.join(__dirname, "..", "..", "tests", "peers", "node_modules", "socket.io"));

const RATE = Number(process.argv[2] || 20000);
const SIZE = Number(process.argv[3] || 100);
const SECONDS = Number(process.argv[4] || 30);
const text = "x".repeat(SIZE);

const server = http.createServer();
const io = new Server(server, { serveClient: false });
io.on("connection", (socket) => {
  const start = process.hrtime.bigint();
  let sent = 0;
  const timer = setInterval(() => {
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= SECONDS) {
      clearInterval(timer);
      return;
    }
    const due = Math.floor(elapsed * RATE);
    for (; sent < due; sent++) socket.emit("flood", text);
  }, 1);
  socket.on("disconnect", () => clearInterval(timer));
});

const bye = () => process.exit(0);
process.stdin.on("end", bye);
process.stdin.on("close", bye);
process.stdin.resume();
server.listen(0, "127.0.0.1", () => process.stdout.write(`LISTENING ${server.address().port}\n`));
