"use strict";
// An official Socket.IO client (4.8 or 2.5) that exercises a server's test
// behaviours and prints one JSON line per check on stdout, then {"t":"done"}.
// Used by tests/it/serve_cli.rs against `sio serve`; the Rust test asserts on
// the values, this script only reports what it saw (never asserts itself).
//
//   node client-check.js --url http://127.0.0.1:PORT --client v4|v2
//                        [--transports polling|websocket|both] [--token secret]
//                        [--only name,name]   (checks: see CHECKS below)
//                        [--path /socket.io]  (the server's Engine.IO path)
//                        [--parser msgpack]   (socket.io-msgpack-parser; v4 only)
//
// A check that times out (5 s) reports {"check": name, "failed": "timeout: ..."}
// and the script goes on with the next one. Binary values are printed as
// {"$hex": "..."} (common.forLog). Every line also has "t": "check".

const common = require("./common");

const flags = common.parseFlags(process.argv.slice(2), {
  url: "string",
  client: ["v4", "v2"],
  transports: ["polling", "websocket", "both"],
  token: "string",
  only: "string",
  path: "string",
  parser: ["default", "msgpack"],
});
if (!flags.url) {
  process.stderr.write("error: --url is required\n");
  process.exit(2);
}
const V2 = flags.client === "v2";
const lib = V2 ? require("socket.io-client-v2") : require("socket.io-client");
const connectFn = V2 ? lib : lib.io;
const transports = common.transportsOption(flags.transports);
const token = flags.token === undefined ? "secret" : flags.token;
const TIMEOUT = 5000;

function out(fields) {
  process.stdout.write(JSON.stringify(common.forLog({ t: "check", ...fields })) + "\n");
}

function options(extra) {
  const path = flags.path === undefined ? {} : { path: flags.path };
  const parser = flags.parser === "msgpack" ? { parser: require("socket.io-msgpack-parser") } : {};
  return { transports, forceNew: true, reconnection: false, timeout: TIMEOUT, ...path, ...parser, ...extra };
}

/** Resolve with the args of the next `event`, or reject after TIMEOUT. */
function next(socket, event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: no ${event}`)), TIMEOUT);
    socket.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Emit with an ack callback; resolve with the ack's args. */
function ask(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout: no ack for ${event}`)), TIMEOUT);
    socket.emit(event, ...args, (...answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/** Connect and wait for "welcome"; resolve {socket, welcome}. */
async function open(path, extra) {
  const socket = connectFn(flags.url + path, options(extra));
  const welcome = await next(socket, "welcome");
  return { socket, welcome };
}

function engineOf(socket) {
  return socket.io.engine;
}

const opened = [];

const CHECKS = {
  // Connect to "/": the welcome, ids, protocol and transport.
  async welcome(main) {
    return {
      welcome: main.welcome,
      engine_id: engineOf(main.socket).id,
      transport: engineOf(main.socket).transport.name,
    };
  },

  // "echo" returns the same args; 20 quick echoes come back in order.
  async echo({ socket }) {
    const reply = next(socket, "echo");
    socket.emit("echo", "hi", 42, 1.5, null, true, { a: [1, "b"] }, ["x"]);
    const args = await reply;
    const seen = [];
    const all = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout: ordered echoes")), TIMEOUT);
      const onEcho = (n) => {
        seen.push(n);
        if (seen.length === 20) {
          clearTimeout(timer);
          socket.off("echo", onEcho);
          resolve();
        }
      };
      socket.on("echo", onEcho);
    });
    for (let i = 0; i < 20; i++) socket.emit("echo", i);
    await all;
    return { args, ordered: seen };
  },

  // Any event with an ack gets its args back; so does "echo" (as well as the event).
  async ack({ socket }) {
    const plain = await ask(socket, "anything", 1, "two", { three: 3 });
    const none = await ask(socket, "nothing");
    return { plain, none };
  },

  // Binary args come back binary, at the top level and nested, by event and by ack.
  async binary({ socket }) {
    const reply = next(socket, "echo");
    socket.emit("echo", Buffer.from([1, 2, 3]), { nested: Buffer.from([4, 5]), text: "t" });
    const echoed = await reply;
    const acked = await ask(socket, "bin-ack", Buffer.from([0, 255]));
    return {
      echoed,
      acked,
      is_buffer: Buffer.isBuffer(echoed[0]) && Buffer.isBuffer(echoed[1].nested) && Buffer.isBuffer(acked[0]),
    };
  },

  // "ask": the server asks a "question" with an ack; the answer comes back as "answered".
  async answer({ socket }) {
    const question = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timeout: no question")), TIMEOUT);
      socket.once("question", (q, ack) => {
        clearTimeout(timer);
        ack("answer to " + q, Buffer.from([9, 8]));
        resolve(q);
      });
    });
    const answered = next(socket, "answered");
    socket.emit("ask", "why?");
    return { question: await question, answered: await answered };
  },

  // "binary": the server sends the bytes 01 02 03 of its own.
  async server_binary({ socket }) {
    const reply = next(socket, "binary");
    socket.emit("binary");
    const args = await reply;
    return { args, is_buffer: Buffer.isBuffer(args[0]) };
  },

  // "disconnect-me": the server closes this namespace socket (a fresh one, not the main one).
  async disconnect_me() {
    const { socket } = await open("/", {});
    opened.push(socket);
    const gone = next(socket, "disconnect");
    socket.emit("disconnect-me");
    const [reason] = await gone;
    return { reason };
  },

  // join / to / leave: a second client receives room broadcasts only while in the room.
  async rooms({ socket }) {
    const other = await open("/", {});
    opened.push(other.socket);
    const b = other.socket;
    await ask(b, "join", "r1");
    const news = next(b, "news");
    socket.emit("to", { room: "r1", event: "news", args: ["x", 2] });
    const got = await news;
    await ask(b, "leave", "r1");
    // After leaving r1, b must not get "late"; "marker" to r2 (sent after it) proves it in order.
    await ask(b, "join", "r2");
    const received = [];
    b.on("late", () => received.push("late"));
    const marker = next(b, "marker");
    socket.emit("to", { room: "r1", event: "late", args: [] });
    socket.emit("to", { room: "r2", event: "marker", args: "single" });
    const markerArgs = await marker;
    return { news: got, marker: markerArgs, after_leave: received };
  },

  // "/admin" with the right token: connected and welcomed.
  async admin_ok() {
    let socket;
    if (V2) {
      // Socket.IO 2 has no auth payload: the token goes on the engine URL's query.
      const manager = new lib.Manager(flags.url, options({ query: { token } }));
      socket = manager.socket("/admin");
    } else {
      socket = connectFn(flags.url + "/admin", options({ auth: { token } }));
    }
    opened.push(socket);
    const welcome = await next(socket, "welcome");
    const echo = next(socket, "echo");
    socket.emit("echo", "from admin");
    return { welcome, echo: await echo };
  },

  // "/admin" with a wrong (v4) or missing (v2) token: refused with "not authorized".
  async admin_refused() {
    if (V2) {
      const socket = connectFn(flags.url + "/admin", options({}));
      opened.push(socket);
      const [refusal] = await next(socket, "error");
      return { refusal, connected: socket.connected };
    }
    const socket = connectFn(flags.url + "/admin", options({ auth: { token: "wrong" } }));
    opened.push(socket);
    const [error] = await next(socket, "connect_error");
    return { refusal: error.message, data: error.data === undefined ? null : error.data, connected: socket.connected };
  },

  // flood {n, size}: n "flood" events of size chars, then "flood-done" {n}; the ack comes last with {n}.
  async flood({ socket }) {
    const n = 300;
    const size = 200;
    let count = 0;
    let wrong = 0;
    const onFlood = (text) => {
      count += 1;
      if (typeof text !== "string" || text.length !== size) wrong += 1;
    };
    socket.on("flood", onFlood);
    const done = next(socket, "flood-done");
    const ack = await ask(socket, "flood", { n, size });
    const doneArgs = await done;
    socket.off("flood", onFlood);
    return { count, wrong, done: doneArgs, ack };
  },

  // A fresh socket on "/" gets a "tick" {n, time} within a few seconds (when ticks are on).
  async tick({ socket }) {
    const [tick] = await next(socket, "tick");
    return { tick };
  },

  // With the upgrade allowed, the connection ends up on WebSocket.
  async upgrade({ socket }) {
    const engine = engineOf(socket);
    if (engine.transport.name !== "websocket") await next(engine, "upgrade");
    return { transport: engine.transport.name };
  },
};

async function main() {
  const names = flags.only ? flags.only.split(",") : Object.keys(CHECKS).filter((c) => c !== "tick");
  for (const name of names) {
    if (!CHECKS[name]) {
      process.stderr.write(`error: no check ${name}\n`);
      process.exit(2);
    }
  }
  let main;
  try {
    main = await open("/", {});
  } catch (e) {
    out({ check: "connect", failed: String(e.message || e) });
    out({ t: "done" });
    process.exit(1);
  }
  opened.push(main.socket);
  for (const name of names) {
    try {
      out({ check: name, ...(await CHECKS[name](main)) });
    } catch (e) {
      out({ check: name, failed: String(e.message || e) });
    }
  }
  for (const socket of opened) socket.close();
  out({ t: "done" });
  // Let the disconnections reach the server, but never hang.
  setTimeout(() => process.exit(0), 2000).unref();
}

main();
