"use strict";
// Helpers shared by server-v4.js and server-v2.js: command-line flags, the
// JSON log on stderr, the stdin lifeline and the "flood" sender.

/**
 * Parse `--flag value` / `--switch` arguments.
 *
 * `spec` maps a flag name (without the dashes) to "number", "string",
 * "bool" or an array of allowed string values. Unknown flags, missing values
 * and bad numbers end the process with exit code 2 and a message on stderr,
 * so a test that passes a wrong flag fails fast instead of hanging.
 */
function parseFlags(argv, spec) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) usage(`unexpected argument ${JSON.stringify(arg)}`, spec);
    let name = arg.slice(2);
    let inline = null;
    const eq = name.indexOf("=");
    if (eq >= 0) {
      inline = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const kind = spec[name];
    if (kind === undefined) usage(`unknown flag --${name}`, spec);
    if (kind === "bool") {
      if (inline !== null) usage(`--${name} takes no value`, spec);
      out[name] = true;
      continue;
    }
    let value = inline;
    if (value === null) {
      i += 1;
      if (i >= argv.length) usage(`--${name} needs a value`, spec);
      value = argv[i];
    }
    if (kind === "number") {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || value.trim() === "") usage(`--${name}: not a number: ${value}`, spec);
      out[name] = n;
    } else if (Array.isArray(kind)) {
      if (!kind.includes(value)) usage(`--${name} must be one of ${kind.join("|")}, got ${value}`, spec);
      out[name] = value;
    } else {
      out[name] = value;
    }
  }
  return out;
}

function usage(message, spec) {
  const flags = Object.entries(spec)
    .map(([name, kind]) => {
      if (kind === "bool") return `--${name}`;
      if (Array.isArray(kind)) return `--${name} ${kind.join("|")}`;
      return `--${name} ${kind === "number" ? "N" : "VALUE"}`;
    })
    .join(" ");
  process.stderr.write(`error: ${message}\nusage: node ${require("path").basename(process.argv[1])} ${flags}\n`);
  process.exit(2);
}

/** Map the --transports value to the engine.io option. */
function transportsOption(value) {
  switch (value || "both") {
    case "websocket":
      return ["websocket"];
    case "polling":
      return ["polling"];
    default:
      return ["polling", "websocket"];
  }
}

/**
 * Make a value JSON-friendly for the log: binary becomes {"$hex": "..."},
 * ack callbacks are dropped, everything else is kept as is.
 */
function forLog(value, depth = 0) {
  if (depth > 32) return "<too deep>";
  if (Buffer.isBuffer(value)) return { $hex: value.toString("hex") };
  if (value instanceof ArrayBuffer) return { $hex: Buffer.from(value).toString("hex") };
  if (ArrayBuffer.isView(value)) {
    return { $hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex") };
  }
  if (Array.isArray(value)) return value.filter((v) => typeof v !== "function").map((v) => forLog(v, depth + 1));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== "function") out[k] = forLog(v, depth + 1);
    }
    return out;
  }
  if (typeof value === "bigint") return value.toString();
  if (value === undefined) return null;
  return value;
}

/** Write one JSON object as one line on stderr. */
function log(fields) {
  process.stderr.write(JSON.stringify(forLog(fields)) + "\n");
}

/**
 * The parent test keeps our stdin open for as long as it wants the server.
 * When it closes the pipe (or dies), we exit at once, so no server outlives
 * its test. Exit is immediate on purpose: a graceful close could wait on
 * client connections forever.
 */
function exitWhenStdinCloses() {
  const bye = () => process.exit(0);
  process.stdin.on("end", bye);
  process.stdin.on("close", bye);
  process.stdin.on("error", bye);
  process.stdin.resume();
}

/** Print the one line the harness waits for. */
function announce(port) {
  process.stdout.write(`LISTENING ${port}\n`);
}

/**
 * Bind `httpServer` to 127.0.0.1 (`flags.port`, or a port the OS picks), log
 * `listening` with the server's make and flags, then print `LISTENING <port>`.
 */
function listenAndAnnounce(httpServer, server, flags) {
  httpServer.listen(flags.port || 0, "127.0.0.1", () => {
    const port = httpServer.address().port;
    log({ t: "listening", port, server, options: { ...flags } });
    announce(port);
  });
}

/** Split the args of an incoming event into (plain args, ack callback or null). */
function splitAck(args) {
  if (args.length > 0 && typeof args[args.length - 1] === "function") {
    return [args.slice(0, -1), args[args.length - 1]];
  }
  return [args, null];
}

/**
 * Emit `n` "flood" events carrying a string of `size` characters, as fast as
 * the connection takes them. Works on socket.io 2 and 4 sockets alike (both
 * expose the Engine.IO socket as `socket.conn`).
 *
 * Backpressure: events go out in batches; between batches we yield to the
 * event loop, and when the Engine.IO write buffer has piled up (polling waits
 * for the next GET, a WebSocket for its last send callback) we wait for its
 * "drain" event instead of growing the buffer without bound.
 */
async function flood(socket, n, size) {
  const text = "x".repeat(size);
  const BATCH = 64;
  const HIGH_WATER = 512;
  let sent = 0;
  while (sent < n && socket.connected) {
    const end = Math.min(n, sent + BATCH);
    for (; sent < end; sent++) socket.emit("flood", text);
    const conn = socket.conn;
    if (conn.writeBuffer && conn.writeBuffer.length > HIGH_WATER) {
      await new Promise((resolve) => {
        const done = () => {
          conn.removeListener("drain", done);
          conn.removeListener("close", done);
          resolve();
        };
        conn.on("drain", done);
        conn.on("close", done);
      });
    } else {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return sent;
}

/** Parse the "flood" request payload: {n, size} with sane defaults. */
function floodParams(arg) {
  const n = Math.max(0, Math.floor(Number(arg && arg.n) || 0));
  const size = Math.max(0, Math.floor(Number(arg && arg.size) || 0));
  return { n, size };
}

module.exports = {
  parseFlags,
  transportsOption,
  forLog,
  log,
  exitWhenStdinCloses,
  announce,
  listenAndAnnounce,
  splitAck,
  flood,
  floodParams,
};
