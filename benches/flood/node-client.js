"use strict";
// The official socket.io-client (4.8, from tests/peers/node_modules) as the reference for
// benches/flood/run.sh.
//
//   node node-client.js flood URL websocket|polling [N SIZE] [--on-connect]
//   node node-client.js ack URL [N WARMUP [websocket|polling]]
//
// flood: once "/" is connected, emit "flood" {n, size} (unless --on-connect: the server
// floods by itself), count "flood" events until "flood-done" (or N of them).
// ack: WARMUP acks, then N sequential emit("ping", i, ack), timed with hrtime.
// Prints one JSON line; CPU and peak RSS of this process are included (run.sh also
// measures them from outside with /usr/bin/time).

const path = require("path");
const { io } = require(path.join(__dirname, "..", "..", "tests", "peers", "node_modules", "socket.io-client"));

const argv = process.argv.slice(2);
const onConnect = argv.includes("--on-connect");
const [mode, url, ...rest] = argv.filter((a) => a !== "--on-connect");

function finish(out) {
  const cpu = process.cpuUsage();
  out.self_cpu_s = (cpu.user + cpu.system) / 1e6;
  out.self_peak_rss_kib = process.resourceUsage().maxRSS;
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
}

setTimeout(() => {
  process.stderr.write("node-client: gave up after 300 s\n");
  process.exit(1);
}, 300000).unref();

if (mode === "flood") {
  const transport = rest[0] || "websocket";
  const n = Number(rest[1] || 200000);
  const size = Number(rest[2] || 100);
  const socket = io(url, { transports: [transport], reconnection: false, forceNew: true });
  let events = 0;
  let started = null;
  const done = () => {
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    socket.disconnect();
    finish({ client: "node", transport, done: true, events, wall_s: wall });
  };
  socket.on("connect", () => {
    started = process.hrtime.bigint();
    if (!onConnect) socket.emit("flood", { n, size });
  });
  socket.on("flood", () => {
    events++;
    if (onConnect && events >= n) done();
  });
  socket.on("flood-done", () => {
    if (!onConnect) done();
  });
  socket.on("connect_error", (e) => {
    process.stderr.write(`node-client: ${e.message}\n`);
    process.exit(1);
  });
} else if (mode === "ack") {
  const n = Number(rest[0] || 10000);
  const warmup = Number(rest[1] || 500);
  const transport = rest[2] || "websocket";
  const socket = io(url, { transports: [transport], reconnection: false, forceNew: true });
  const rtts = [];
  socket.on("connect", async () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < warmup + n; i++) {
      const t0 = process.hrtime.bigint();
      await new Promise((resolve) => socket.emit("ping", i, resolve));
      if (i >= warmup) rtts.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    rtts.sort((a, b) => a - b);
    const at = (q) => rtts[Math.min(rtts.length - 1, Math.max(0, Math.ceil(rtts.length * q) - 1))];
    socket.disconnect();
    finish({
      client: "node",
      transport,
      acks: rtts.length,
      wall_s: wall,
      caller: {
        p50_us: at(0.5),
        p90_us: at(0.9),
        p99_us: at(0.99),
        max_us: rtts[rtts.length - 1],
        mean_us: rtts.reduce((a, b) => a + b, 0) / rtts.length,
      },
    });
  });
  socket.on("connect_error", (e) => {
    process.stderr.write(`node-client: ${e.message}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write("usage: node node-client.js flood URL websocket|polling [N SIZE] [--on-connect] | ack URL [N WARMUP [websocket|polling]]\n");
  process.exit(2);
}
