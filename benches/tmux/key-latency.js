"use strict";
// Key-to-redraw of `sio connect` in a real terminal (tmux, 200x50): `?` opens the help
// overlay and Esc closes it; each key is timed from just before `send-keys` until
// `capture-pane` shows the change (asked again at once, no sleeps). Both go through one
// tmux control-mode client (`tmux -C`), so no process is started per key or per look.
// Measured idle and while benches/tmux/steady-server.js sends RATE events/s, beside the
// tmux overhead alone: a key echoed by the terminal in a pane running `cat`.
//
//   node benches/tmux/key-latency.js SIO [RATE] [KEYS]    (defaults 20000, 400)
//
// Prints a table of p50/p95/p99/max in ms and, for the flood, the events the UI counted.

const { execFileSync, spawn } = require("child_process");
const os = require("os");
const path = require("path");
const fs = require("fs");

const [sio, rateArg, keysArg] = process.argv.slice(2);
if (!sio) {
  process.stderr.write("usage: node key-latency.js SIO [RATE] [KEYS]\n");
  process.exit(2);
}
const RATE = Number(rateArg || 20000);
const KEYS = Number(keysArg || 400);
// A tmux server of its own per case: a killed server may still hold its socket a moment.
let socket = "";
let cases = 0;
const home = fs.mkdtempSync(path.join(os.tmpdir(), "sio-bench-home-"));

const tmux = (...args) =>
  execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
function killTmux() {
  if (!socket) return;
  try {
    tmux("kill-server");
  } catch {}
}
const now = () => Number(process.hrtime.bigint()) / 1e6;

/// A tmux control-mode client: commands in, their %begin…%end answers out.
class Control {
  constructor() {
    this.proc = spawn("tmux", ["-L", socket, "-C", "attach", "-t", "b"], { stdio: ["pipe", "pipe", "ignore"] });
    this.waiting = [];
    this.block = null;
    let buf = "";
    this.proc.stdout.on("data", (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.line(line);
      }
    });
  }
  line(line) {
    if (this.block) {
      if (line.startsWith("%end") || line.startsWith("%error")) {
        const done = this.waiting.shift();
        const lines = this.block;
        this.block = null;
        if (done) done(lines.join("\n"));
      } else this.block.push(line);
    } else if (line.startsWith("%begin")) this.block = [];
    // Notifications (%output, %layout-change…) are not answers.
  }
  cmd(command) {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(command + "\n");
    });
  }
  close() {
    this.proc.stdin.end();
  }
}

let control = null;
const screen = () => control.cmd("capture-pane -p -t b");
const sendKey = (key) => control.cmd(`send-keys -t b ${key}`);

async function waitUntil(test, what, limitMs = 10000) {
  const end = now() + limitMs;
  for (;;) {
    const s = await screen();
    if (test(s)) return s;
    if (now() > end) throw new Error(`the screen never showed ${what}:\n${s}`);
  }
}

function startServer(rate, seconds) {
  const server = spawn("node", [path.join(__dirname, "steady-server.js"), String(rate), "100", String(seconds)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve({ server, url: `http://127.0.0.1:${m[1]}` });
    });
    server.on("exit", () => reject(new Error("the server ended")));
  });
}

async function session(command) {
  if (control) control.close();
  killTmux();
  socket = `sio-bench-${process.pid}-${cases++}`;
  execFileSync("tmux", ["-L", socket, "new-session", "-d", "-x", "200", "-y", "50", "-s", "b", command], {
    env: { ...process.env, TERM: "xterm-256color" },
  });
  control = new Control();
  // The control client is a client too: keep the window 200x50 whatever its size.
  await control.cmd("set -g window-size manual");
  await control.cmd("resize-window -t b -x 200 -y 50");
}

function stats(xs) {
  const v = [...xs].sort((a, b) => a - b);
  const at = (q) => v[Math.min(v.length - 1, Math.max(0, Math.ceil(v.length * q) - 1))];
  return { n: v.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: v[v.length - 1] };
}

async function timeHelpToggles() {
  const title = "keys (Esc or ? to close)";
  const lat = [];
  for (let i = 0; i < KEYS; i++) {
    const open = i % 2 === 0;
    const t0 = now();
    await sendKey(open ? "?" : "Escape");
    await waitUntil((s) => s.includes(title) === open, open ? "the help" : "the help closed");
    lat.push(now() - t0);
  }
  return lat;
}

async function main() {
  const rows = [];
  // 1. tmux alone: a key echoed by the terminal (cat), counted on the screen.
  await session("cat");
  const echo = [];
  for (let i = 1; i <= KEYS; i++) {
    const t0 = now();
    await sendKey("-l a");
    await waitUntil((s) => (s.match(/a/g) || []).length >= i, `${i} a's`);
    echo.push(now() - t0);
  }
  rows.push(["tmux alone (cat echo)", stats(echo), ""]);
  // 2. sio connect, idle and flooded.
  for (const [label, rate] of [["sio connect, idle", 0], [`sio connect, ${RATE} events/s`, RATE]]) {
    const seconds = 600;
    const { server, url } = await startServer(rate, seconds);
    await session(`XDG_STATE_HOME=${home} ${sio} connect ${url}; sleep 60`);
    await waitUntil((s) => s.includes("ns: / ✓"), "the namespace connected");
    if (rate > 0) {
      await waitUntil((s) => s.includes('"flood"'), "the flood");
      // Past the start (upgrade, first bursts): the steady stream.
      const settle = now() + 2000;
      while (now() < settle) await screen();
    }
    const framesIn = async () => Number((/↓(\d+)/.exec(await screen()) || [0, 0])[1]);
    const before = await framesIn();
    const started = now();
    const lat = await timeHelpToggles();
    const elapsed = (now() - started) / 1000;
    const received = (await framesIn()) - before;
    rows.push([label, stats(lat), `${elapsed.toFixed(1)} s of keys, ${(received / elapsed).toFixed(0)} frames/s shown`]);
    await sendKey("q");
    server.stdin.end();
  }
  control.close();
  killTmux();
  const f = (x) => x.toFixed(1);
  console.log(`key-to-redraw in tmux (200x50), ${KEYS} keys each, ms`);
  console.log("| case | n | p50 | p95 | p99 | max | note |");
  console.log("|---|---|---|---|---|---|---|");
  for (const [label, s, note] of rows) {
    console.log(`| ${label} | ${s.n} | ${f(s.p50)} | ${f(s.p95)} | ${f(s.p99)} | ${f(s.max)} | ${note} |`);
  }
}

main().catch((e) => {
  killTmux();
  process.stderr.write(`key-latency: ${e.message}\n`);
  process.exit(1);
});
