"use strict";
// Regenerate the frame fixtures:
//
//     (cd tests/peers && npm ci) && node tests/peers/capture.js
//
// Starts server-v4.js / server-v2.js, puts a recording TCP proxy (wiretap.js)
// between them and the official Node clients (socket.io-client 4.8 and 2.5),
// drives a fixed list of scenarios and writes every Engine.IO frame that
// crossed the wire to tests/fixtures/frames-node-v4.txt and
// tests/fixtures/frames-node-v2.txt. Session ids, cache busters and the
// interleaving of concurrent polling requests change from run to run.
//
// Options: --only v4|v2, --out DIR (default tests/fixtures).

const path = require("path");
const fs = require("fs");
const { spawn } = require("child_process");
const { WireTap } = require("./wiretap");

const PEERS = __dirname;
const STEP_TIMEOUT_MS = 10000;

function parseArgs(argv) {
  const opts = { only: null, out: path.join(PEERS, "..", "fixtures") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--only") opts.only = argv[++i];
    else if (argv[i] === "--out") opts.out = path.resolve(argv[++i]);
    else {
      console.error(`usage: node capture.js [--only v4|v2] [--out DIR]`);
      process.exit(2);
    }
  }
  return opts;
}

function version(pkg) {
  return require(path.join(PEERS, "node_modules", pkg, "package.json")).version;
}

/** Spawn a peer server script and resolve once it printed LISTENING. */
function startServer(script, flags) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(PEERS, script), ...flags], {
      cwd: PEERS,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => fail(new Error(`${script} did not print LISTENING within 20s`)), 20000);
    function fail(err) {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`${err.message}\nstderr:\n${stderr}`));
    }
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.on("data", (d) => {
      stdout += d;
      const m = /^LISTENING (\d+)$/m.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          stop: () =>
            new Promise((done) => {
              child.once("exit", done);
              child.stdin.end();
            }),
        });
      }
    });
    child.once("exit", (code) => fail(new Error(`${script} exited with ${code} before LISTENING`)));
  });
}

/** Wait for one emission of `event`, with a timeout that names what hung. */
function once(emitter, event, ms = STEP_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const handler = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`timed out waiting for "${event}"`));
    }, ms);
    emitter.once(event, handler);
  });
}

/** Wait until `count` emissions of `event` were seen. */
function times(emitter, event, count, ms = STEP_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const handler = () => {
      seen += 1;
      if (seen >= count) {
        clearTimeout(timer);
        emitter.off(event, handler);
        resolve();
      }
    };
    const timer = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`timed out waiting for ${count} x "${event}" (saw ${seen})`));
    }, ms);
    emitter.on(event, handler);
  });
}

/** v2 clients have no emitWithAck. */
function emitWithAck(socket, ...args) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ack for ${JSON.stringify(args[0])}`)), STEP_TIMEOUT_MS);
    socket.emit(...args, (...reply) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

/**
 * Run one scenario against a fresh server behind a fresh tap; the tap's
 * lines are appended to `sink` under a `# scenario:` comment.
 */
async function scenario(sink, title, script, flags, body) {
  const server = await startServer(script, flags);
  const tap = new WireTap(server.port);
  await tap.listen();
  tap.comment(`scenario: ${title} (server flags: ${flags.join(" ") || "none"})`);
  try {
    await body(`http://127.0.0.1:${tap.port}`, tap);
    await tap.quiet(250);
  } catch (err) {
    process.stderr.write(`scenario failed: ${title}\n--- frames so far:\n${tap.lines.join("\n")}\n---\n`);
    throw err;
  } finally {
    sink.push(...tap.lines);
    await tap.close();
    await server.stop();
  }
  process.stderr.write(`captured: ${title}\n`);
}

const UNICODE_ARGS = ["héllo wörld", "€😀", 42, true, null, { nested: ["ü", 1.5, { k: "日本" }] }];

// ---------------------------------------------------------------- v4

async function v4Session(url, transports) {
  const { Manager } = require("socket.io-client");
  const manager = new Manager(url, { transports, reconnection: false });
  const root = manager.socket("/");
  const welcome = once(root, "welcome");
  await once(root, "connect");
  await welcome;

  let echo = once(root, "echo");
  root.emit("echo", ...UNICODE_ARGS);
  await echo;

  await root.timeout(STEP_TIMEOUT_MS).emitWithAck("hello", "ack-me", 7);

  const binary = once(root, "binary");
  root.emit("binary");
  await binary;

  echo = once(root, "echo");
  root.emit("echo", Buffer.from([0xde, 0xad, 0xbe, 0xef]), "tail");
  await echo;

  await root.timeout(STEP_TIMEOUT_MS).emitWithAck("bin-ack", Buffer.from([9, 8, 7]));

  root.once("question", (question, answer) => answer("forty-two"));
  const answered = once(root, "answered");
  root.emit("ask", "meaning?");
  await answered;

  // Bad auth first: a refused CONNECT leaves no state on the server. (The
  // other order, `41/admin,` directly followed by `40/admin,…`, makes
  // socket.io 4.8 close the whole connection: it handles the leave on the
  // next tick and sees the CONNECT for a namespace that is still joined.)
  const admin = manager.socket("/admin", { auth: { token: "wrong" } });
  const [err] = await once(admin, "connect_error");
  if (err.message !== "not authorized") throw new Error(`unexpected connect_error ${err.message}`);

  admin.auth = { token: "secret" };
  const adminWelcome = once(admin, "welcome");
  const adminConnected = once(admin, "connect");
  admin.connect();
  await adminConnected;
  await adminWelcome;
  echo = once(admin, "echo");
  admin.emit("echo", "in admin");
  await echo;
  admin.disconnect();

  const engineClosed = once(manager.engine, "close");
  const disconnected = once(root, "disconnect");
  root.emit("disconnect-me");
  await disconnected;
  await engineClosed;
}

async function v4Heartbeat(url, transports) {
  const { Manager } = require("socket.io-client");
  const manager = new Manager(url, { transports, reconnection: false });
  const root = manager.socket("/");
  await once(root, "welcome");
  // The third ping is only sent after the server got the second pong.
  await times(manager.engine, "ping", 3);
  const closed = once(manager.engine, "close");
  root.disconnect();
  await closed;
}

async function v4Upgrade(url) {
  const { Manager } = require("socket.io-client");
  const manager = new Manager(url, { reconnection: false });
  const upgraded = once(manager.engine, "upgrade");
  const root = manager.socket("/");
  await once(root, "welcome");
  await upgraded;
  const echo = once(root, "echo");
  root.emit("echo", "after upgrade");
  await echo;
  const closed = once(manager.engine, "close");
  root.disconnect();
  await closed;
}

async function captureV4(outDir) {
  const lines = [
    `# Engine.IO frames captured on the wire between socket.io ${version("socket.io")} (engine.io ${version("engine.io")}, socket.io-parser ${version("socket.io-parser")}) and socket.io-client ${version("socket.io-client")} (engine.io-client ${version("engine.io-client")}), node ${process.version}.`,
    "# Regenerate: (cd tests/peers && npm ci) && node tests/peers/capture.js",
    "# Format: <dir> <transport> <t|b|p> <data>; dir in = server->client, out = client->server; transport ws|polling;",
    "# t = WebSocket text message as a JSON string literal, b = WebSocket binary message as hex,",
    "# p = one whole polling HTTP body (JSON string literal for text, hex for application/octet-stream).",
    "# Lines starting with # are comments (scenario titles, polling handshake requests, WebSocket upgrades and close frames, HTTP errors).",
  ];
  for (const transport of ["websocket", "polling"]) {
    await scenario(lines, `v4 ${transport}: connect, welcome, echo, acks, binary, server ack, /admin good+bad auth, server disconnect`, "server-v4.js", [], (url) =>
      v4Session(url, [transport]),
    );
  }
  for (const transport of ["websocket", "polling"]) {
    await scenario(lines, `v4 ${transport}: heartbeats (3 pings), then client disconnect`, "server-v4.js", ["--ping-interval", "300", "--ping-timeout", "2000"], (url) =>
      v4Heartbeat(url, [transport]),
    );
  }
  await scenario(lines, "v4 polling upgraded to websocket, echo, client disconnect", "server-v4.js", [], (url) => v4Upgrade(url));
  write(outDir, "frames-node-v4.txt", lines);
}

// ---------------------------------------------------------------- v2

async function v2Session(url, transports) {
  const { Manager } = require("socket.io-client-v2");
  const manager = new Manager(url, { transports, reconnection: false });
  const root = manager.socket("/");
  const welcome = once(root, "welcome");
  await once(root, "connect");
  await welcome;

  let echo = once(root, "echo");
  root.emit("echo", ...UNICODE_ARGS);
  await echo;

  await emitWithAck(root, "hello", "ack-me", 7);

  const binary = once(root, "binary");
  root.emit("binary");
  await binary;

  echo = once(root, "echo");
  root.emit("echo", Buffer.from([0xde, 0xad, 0xbe, 0xef]), "tail");
  await echo;

  await emitWithAck(root, "bin-ack", Buffer.from([9, 8, 7]));

  root.once("question", (question, answer) => answer("forty-two"));
  const answered = once(root, "answered");
  root.emit("ask", "meaning?");
  await answered;

  const admin = manager.socket("/admin", { query: { token: "wrong" } });
  const [err] = await once(admin, "error");
  if (err !== "not authorized") throw new Error(`unexpected error ${JSON.stringify(err)}`);

  admin.query = { token: "secret" };
  const adminWelcome = once(admin, "welcome");
  const adminConnected = once(admin, "connect");
  admin.open();
  await adminConnected;
  await adminWelcome;
  echo = once(admin, "echo");
  admin.emit("echo", "in admin");
  await echo;
  admin.disconnect();

  const engineClosed = once(manager.engine, "close");
  const disconnected = once(root, "disconnect");
  root.emit("disconnect-me");
  await disconnected;
  await engineClosed;
}

async function v2Heartbeat(url, transports) {
  const { Manager } = require("socket.io-client-v2");
  const manager = new Manager(url, { transports, reconnection: false });
  const root = manager.socket("/");
  await once(root, "welcome");
  // Under rev 3 the client pings; wait for the server's third pong.
  await times(manager.engine, "pong", 3);
  const closed = once(manager.engine, "close");
  root.disconnect();
  manager.close();
  await closed;
}

async function v2Upgrade(url) {
  const { Manager } = require("socket.io-client-v2");
  const manager = new Manager(url, { reconnection: false });
  const upgraded = once(manager.engine, "upgrade");
  const root = manager.socket("/");
  await once(root, "welcome");
  await upgraded;
  const echo = once(root, "echo");
  root.emit("echo", "after upgrade");
  await echo;
  const closed = once(manager.engine, "close");
  root.disconnect();
  manager.close();
  await closed;
}

async function captureV2(outDir) {
  const v2 = (pkg) => require(path.join(PEERS, "node_modules", "socket.io-v2", "node_modules", pkg, "package.json")).version;
  const v2c = (pkg) => {
    for (const base of [["socket.io-client-v2", "node_modules"], []]) {
      try {
        return require(path.join(PEERS, "node_modules", ...base, pkg, "package.json")).version;
      } catch (_) {
        // try the next location
      }
    }
    return "?";
  };
  const lines = [
    `# Engine.IO frames captured on the wire between socket.io ${version("socket.io-v2")} (engine.io ${v2("engine.io")}, socket.io-parser ${v2("socket.io-parser")}) and socket.io-client ${version("socket.io-client-v2")} (engine.io-client ${v2c("engine.io-client")}), node ${process.version}.`,
    "# Engine.IO revision 3 / Socket.IO revision 4.",
    "# Regenerate: (cd tests/peers && npm ci) && node tests/peers/capture.js",
    "# Format: <dir> <transport> <t|b|p> <data>; dir in = server->client, out = client->server; transport ws|polling;",
    "# t = WebSocket text message as a JSON string literal, b = WebSocket binary message as hex,",
    "# p = one whole polling HTTP body (JSON string literal for text, hex for application/octet-stream).",
    "# Lines starting with # are comments (scenario titles, polling handshake requests, WebSocket upgrades and close frames, HTTP errors).",
  ];
  for (const transport of ["websocket", "polling"]) {
    await scenario(lines, `v2 ${transport}: connect, welcome, echo, acks, binary, server ack, /admin good+bad auth, server disconnect`, "server-v2.js", [], (url) =>
      v2Session(url, [transport]),
    );
  }
  for (const transport of ["websocket", "polling"]) {
    await scenario(lines, `v2 ${transport}: heartbeats (3 client pings), then client disconnect`, "server-v2.js", ["--ping-interval", "300", "--ping-timeout", "2000"], (url) =>
      v2Heartbeat(url, [transport]),
    );
  }
  await scenario(lines, "v2 polling upgraded to websocket, echo, client disconnect", "server-v2.js", [], (url) => v2Upgrade(url));
  write(outDir, "frames-node-v2.txt", lines);
}

function write(outDir, name, lines) {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, name);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  process.stderr.write(`wrote ${path.relative(process.cwd(), file)} (${lines.filter((l) => !l.startsWith("#")).length} frames)\n`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const watchdog = setTimeout(() => {
    console.error("capture.js: gave up after 120 s");
    process.exit(1);
  }, 120000);
  if (opts.only !== "v2") await captureV4(opts.out);
  if (opts.only !== "v4") await captureV2(opts.out);
  clearTimeout(watchdog);
  // Client libraries may keep timers alive; we are done.
  process.exit(0);
}

main().catch((err) => {
  console.error(`capture.js failed: ${err.stack || err}`);
  process.exit(1);
});
