"use strict";
// Drives Debian's chromium, headless, for the sio integration tests
// (tests/it/support/browser.rs starts it once per test binary).
//
// It launches the browser, prints `{"t":"ready","version":...}` on stdout and
// then takes one JSON command per line on stdin:
//
//   {"id": 1, "page": "http://127.0.0.1:PORT/sio-browser-page.html",
//    "transports": ["polling", "websocket"], "har": "/tmp/page.har"}
//
// With "har", the page's network traffic is also written to that file as a HAR
// (har.js: built from DevTools protocol Network events, WebSocket messages in
// Chrome's `_webSocketMessages`), and a `{"t":"har"}` line says so.
//
// The page itself is answered here (DevTools Fetch.fulfillRequest, for that
// one URL only), so it is same-origin with the tap it names; everything else
// it loads, the socket.io client bundle at /socket.io/socket.io.js first, goes
// to the network, that is through the tap. The page connects with the
// transports given, emits with acks and binary, answers the server's question
// and disconnects. Each thing it saw comes back as one JSON line carrying the
// command's id and the ms since it came, the last one `{"t":"done"}` (with `timed_out` when the page did
// not finish within 20 s). When stdin closes the browser is closed and the
// process exits, so no browser outlives its tests.
//
// SIO_TEST_CHROMIUM names the browser binary (default /usr/bin/chromium).

const fs = require("fs");
const os = require("os");
const path = require("path");
const readline = require("readline");
const puppeteer = require("puppeteer-core");
const { HarRecorder } = require("./har.js");

const PAGE_TIMEOUT_MS = 20000;
const BUNDLE_PATH = "/socket.io/socket.io.js";

function print(obj) {
  process.stdout.write(JSON.stringify(obj) + "\n");
}

// 64-bit FNV-1a as 16 hex digits: the test compares it with the bundle file's.
function fnv1a64(bytes) {
  let hash = 0xcbf29ce484222325n;
  for (const b of bytes) {
    hash ^= BigInt(b);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

// The page's own script, run in the browser. `cfg` is the command.
function pageScript(cfg) {
  const report = (obj) => window.sioReport(JSON.stringify(obj));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  // Binary values as {$hex}, as the Node peers log them.
  const plain = (v) => {
    if (v instanceof ArrayBuffer) return { $hex: hex(new Uint8Array(v)), type: "ArrayBuffer" };
    if (ArrayBuffer.isView(v)) return { $hex: hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  const within = (promise, what) =>
    Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within 5 s`)), 5000)),
    ]);
  // Requests the page has open, so that it ends only once its last polling
  // request (the close packet's) has its answer.
  let open = 0;
  const idle = [];
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    open += 1;
    this.addEventListener("loadend", () => {
      open -= 1;
      if (open === 0) idle.splice(0).forEach((wake) => wake());
    });
    return send.apply(this, args);
  };
  const settled = () => (open === 0 ? Promise.resolve() : new Promise((wake) => idle.push(wake)));
  (async () => {
    report({ t: "bundle", io: typeof io, manager: typeof io === "function" ? typeof io.Manager : null });
    const socket = io({ transports: cfg.transports, reconnection: false });
    const engine = socket.io.engine;
    const first = engine.transport.name;
    const transport = () => socket.io.engine.transport.name;
    const next = (event) => within(new Promise((resolve) => socket.once(event, (...args) => resolve(args))), event);
    const upgraded = new Promise((resolve) => engine.once("upgrade", (t) => resolve(t.name)));
    const welcome = next("welcome");
    socket.on("question", (q, ack) => ack("answer to " + q, new Uint8Array([9, 8])));
    await within(
      new Promise((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", (e) => reject(new Error("connect_error: " + e.message)));
      }),
      "connect",
    );
    report({ t: "connect", socket_id: socket.id, engine_id: engine.id, first, transport: transport() });
    report({ t: "welcome", args: plain(await welcome) });
    if (cfg.transports.includes("websocket") && cfg.transports.length > 1) {
      report({ t: "upgrade", transport: await within(upgraded, "upgrade") });
    }
    const echoed = next("echo");
    const acked = await new Promise((resolve, reject) =>
      socket
        .timeout(5000)
        .emit("echo", "from the browser", new Uint8Array([1, 2, 3]), { nested: new Uint8Array([4, 5]) }, (err, ...args) =>
          err ? reject(new Error("no ack for echo: " + err.message)) : resolve(args),
        ),
    );
    report({ t: "ack", args: plain(acked), transport: transport() });
    report({ t: "echo", args: plain(await echoed) });
    const binary = next("binary");
    socket.emit("binary");
    report({ t: "binary", args: plain(await binary) });
    const answered = next("answered");
    socket.emit("ask", "why?");
    report({ t: "answered", args: plain(await answered), transport: transport() });
    const last = transport();
    socket.disconnect();
    await within(settled(), "answer to the last request");
    report({ t: "finished", transport: last });
  })().catch((e) => report({ t: "error", message: String((e && e.stack) || e) }));
}

function pageHtml(cfg) {
  // No favicon request: the upstream answers nothing but Engine.IO and the bundle.
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>sio tap browser test</title>' +
    '<link rel="icon" href="data:,">' +
    `<script src="${BUNDLE_PATH}"></script></head><body>` +
    `<script>(${pageScript.toString()})(${JSON.stringify(cfg)});</script>` +
    "</body></html>"
  );
}

async function visit(browser, cmd) {
  const id = cmd.id;
  const began = Date.now();
  // Each line says when, in ms since the command came.
  const say = (obj) => print({ id, ...obj, ms: Date.now() - began });
  const context = await browser.createBrowserContext();
  const pending = [];
  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  try {
    const page = await context.newPage();
    page.on("console", (m) => say({ t: "console", type: m.type(), text: m.text() }));
    page.on("pageerror", (e) => say({ t: "pageerror", message: String(e) }));
    page.on("requestfailed", (r) => say({ t: "requestfailed", url: r.url(), why: r.failure() && r.failure().errorText }));
    page.on("response", (r) => {
      if (new URL(r.url()).pathname !== BUNDLE_PATH) return;
      pending.push(
        r.buffer().then(
          (body) =>
            say({ t: "bundle_response", status: r.status(), headers: r.headers(), bytes: body.length, fnv: fnv1a64(body) }),
          (e) => say({ t: "bundle_response", status: r.status(), headers: r.headers(), error: String(e) }),
        ),
      );
    });
    await page.exposeFunction("sioReport", (json) => {
      const obj = JSON.parse(json);
      say(obj);
      if (obj.t === "finished" || obj.t === "error") finish();
    });
    const cdp = await page.createCDPSession();
    const har = cmd.har ? new HarRecorder(cdp) : null;
    if (har) await har.start();
    cdp.on("Fetch.requestPaused", (e) => {
      const body = Buffer.from(pageHtml(cmd)).toString("base64");
      const headers = [{ name: "Content-Type", value: "text/html; charset=utf-8" }];
      cdp
        .send("Fetch.fulfillRequest", { requestId: e.requestId, responseCode: 200, responseHeaders: headers, body })
        .catch((err) => say({ t: "error", message: "fulfillRequest: " + err }));
    });
    await cdp.send("Fetch.enable", { patterns: [{ urlPattern: cmd.page }] });
    let timer;
    const timedOut = new Promise((resolve) => (timer = setTimeout(() => resolve(true), PAGE_TIMEOUT_MS)));
    await page.goto(cmd.page, { waitUntil: "load", timeout: PAGE_TIMEOUT_MS });
    const late = await Promise.race([finished.then(() => false), timedOut]);
    clearTimeout(timer);
    await Promise.all(pending);
    if (har) {
      // Every answer and the WebSocket's close are in before the file is written (at most 5 s).
      await har.settle(5000);
      const built = har.build(await browser.version());
      fs.writeFileSync(cmd.har, JSON.stringify(built, null, 2));
      say({ t: "har", path: cmd.har, entries: built.log.entries.length });
    }
    say({ t: "done", timed_out: late });
  } catch (e) {
    say({ t: "error", message: String((e && e.stack) || e) });
    say({ t: "done", timed_out: false });
  } finally {
    await context.close().catch(() => {});
  }
}

async function main() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sio-chromium-"));
  const env = { ...process.env, HOME: home };
  for (const [name, dir] of [
    ["XDG_CONFIG_HOME", "config"],
    ["XDG_CACHE_HOME", "cache"],
    ["XDG_DATA_HOME", "data"],
    ["XDG_RUNTIME_DIR", "runtime"],
  ]) {
    env[name] = path.join(home, dir);
    fs.mkdirSync(env[name], { mode: 0o700 });
  }
  const args = [
    "--disable-dev-shm-usage",
    // Without these, chromium refuses a WebSocket from the page to 127.0.0.1 and
    // socket.io stays on polling without a word.
    "--disable-features=LocalNetworkAccessChecks,LocalNetworkAccessChecksWebSockets",
    "--no-first-run",
    "--no-default-browser-check",
  ];
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--no-sandbox");
  const started = Date.now();
  const browser = await puppeteer.launch({
    executablePath: process.env.SIO_TEST_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    pipe: true,
    args,
    env,
    userDataDir: path.join(home, "profile"),
    protocolTimeout: 30000,
  });
  const cleanup = async () => {
    await browser.close().catch(() => {});
    fs.rmSync(home, { recursive: true, force: true });
  };
  print({ t: "ready", version: await browser.version(), millis: Date.now() - started });

  const lines = readline.createInterface({ input: process.stdin });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (e) {
      print({ t: "error", message: `not a JSON command: ${line}` });
      return;
    }
    queue = queue.then(() => visit(browser, cmd));
  });
  lines.on("close", () => {
    queue.then(cleanup).then(() => process.exit(0));
  });
}

main().catch((e) => {
  process.stderr.write(`drive.js: ${(e && e.stack) || e}\n`);
  process.exit(1);
});
