"use strict";
// sio admin's numbers against socket.io 4.8 + @socket.io/admin-ui (development mode):
//   1. the time from a client's connect to its row in `sio admin` (p50/p95 over CONNECTS
//      sequential connects): from io() and from the client's own "connect" event;
//   2. sio admin's memory (VmRSS, VmHWM) with SOCKETS sockets listed, and how long a
//      `--snapshot --json` of them takes.
//
//   node benches/admin/run.js target/release/sio [CONNECTS=200] [SOCKETS=10000]
//
// Needs the Node packages of tests/peers (cd tests/peers && npm ci).

const path = require("path");
const fs = require("fs");
const { spawn, spawnSync } = require("child_process");
const readline = require("readline");

const peers = path.join(__dirname, "..", "..", "tests", "peers");
const { io } = require(path.join(peers, "node_modules", "socket.io-client"));

const sio = path.resolve(process.argv[2] || "target/release/sio");
const CONNECTS = Number(process.argv[3] || 200);
const SOCKETS = Number(process.argv[4] || 10000);

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn("node", ["server-admin.js", "--mode", "development"], {
      cwd: peers,
      stdio: ["pipe", "pipe", "ignore"],
    });
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /^LISTENING (\d+)/.exec(line);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}` });
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** sio admin --no-tui --json; `seen` maps a socket id to when its row arrived. */
function startAdmin(url) {
  const child = spawn(sio, ["admin", url, "--no-tui", "--json"], { stdio: ["pipe", "pipe", "inherit"] });
  const seen = new Map();
  const waiters = new Map();
  let listed = null;
  const ready = new Promise((resolve) => (listed = resolve));
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    // Cheap look before parsing: most lines are not rows.
    if (line.includes('"event":"all_sockets"')) listed();
    if (!line.includes('"event":"socket_connected"')) return;
    const at = performance.now();
    const id = JSON.parse(line).data.id;
    seen.set(id, at);
    const w = waiters.get(id);
    if (w) {
      waiters.delete(id);
      w(at);
    }
  });
  const rowOf = (id) =>
    seen.has(id) ? Promise.resolve(seen.get(id)) : new Promise((resolve) => waiters.set(id, resolve));
  return { child, seen, rowOf, ready };
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = io(url, { forceNew: true, transports: ["websocket"], reconnection: false });
    socket.once("connect", () => resolve({ socket, started, connected: performance.now() }));
    socket.once("connect_error", reject);
  });
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * q))];
}

function rss(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
}

async function main() {
  const server = await startServer();
  const admin = startAdmin(server.url);
  await admin.ready;

  const fromStart = [];
  const fromConnect = [];
  for (let i = 0; i < CONNECTS; i++) {
    const c = await connect(server.url);
    const row = await admin.rowOf(c.socket.id);
    fromStart.push(row - c.started);
    fromConnect.push(row - c.connected);
    c.socket.disconnect();
  }
  fromStart.sort((a, b) => a - b);
  fromConnect.sort((a, b) => a - b);
  const ms = (v) => v.toFixed(2);
  console.log(`connect → row in sio admin, ${CONNECTS} sequential connects (ms):`);
  console.log(`  from io():              p50 ${ms(quantile(fromStart, 0.5))}  p95 ${ms(quantile(fromStart, 0.95))}  max ${ms(fromStart[fromStart.length - 1])}`);
  console.log(`  from the client's connect: p50 ${ms(quantile(fromConnect, 0.5))}  p95 ${ms(quantile(fromConnect, 0.95))}  max ${ms(fromConnect[fromConnect.length - 1])}  (negative: the row came first)`);

  const before = rss(admin.child.pid);
  const sockets = [];
  for (let i = 0; i < SOCKETS; i += 200) {
    const batch = [];
    for (let j = i; j < Math.min(SOCKETS, i + 200); j++) batch.push(connect(server.url));
    for (const c of await Promise.all(batch)) sockets.push(c.socket);
  }
  await Promise.all(sockets.map((s) => admin.rowOf(s.id)));
  const after = rss(admin.child.pid);
  console.log(`sio admin memory: ${before.rss.toFixed(1)} MiB before, ${after.rss.toFixed(1)} MiB RSS with ${SOCKETS} more sockets listed (peak ${after.hwm.toFixed(1)} MiB)`);

  const t0 = performance.now();
  const snap = spawnSync(sio, ["admin", server.url, "--snapshot", "--json"], { maxBuffer: 1 << 30 });
  const took = performance.now() - t0;
  const listed = JSON.parse(snap.stdout.toString()).sockets.length;
  console.log(`sio admin --snapshot --json: ${listed} sockets in ${(took / 1000).toFixed(2)} s (${(snap.stdout.length / 1e6).toFixed(1)} MB)`);

  for (const s of sockets) s.disconnect();
  admin.child.kill();
  server.child.kill();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
