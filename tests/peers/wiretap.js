"use strict";
// A transparent TCP proxy that records every Engine.IO frame crossing it.
//
// Clients connect to the tap instead of the server. Bytes are forwarded
// untouched in both directions; on the side, each direction is parsed as
// HTTP/1.1 and, after a 101 answer, as WebSocket frames. What gets recorded
// is exactly what travelled on the wire:
//   - a WebSocket message (after unmasking and joining fragments), text or binary;
//   - the body of a polling POST (client -> server) or of a polling GET answer
//     (server -> client), as one payload.
// The polling handshake request, WebSocket upgrade requests, HTTP errors and
// WebSocket close frames become `#` comment lines; the rest (POST answers
// "ok", other request lines, WebSocket ping/pong control frames) is skipped.
//
// Line format: `<dir> <transport> <t|b|p> <data>`
//   dir        in  = server -> client, out = client -> server
//   transport  ws | polling
//   t          text WebSocket message, data is a JSON string literal
//   b          binary WebSocket message, data is lowercase hex
//   p          polling body: a JSON string literal for text bodies, hex for
//              binary (application/octet-stream) bodies

const net = require("net");
const zlib = require("zlib");
const { EventEmitter } = require("events");

class WireTap extends EventEmitter {
  constructor(targetPort) {
    super();
    this.targetPort = targetPort;
    this.lines = [];
    this.frames = [];
    this.sockets = new Set();
    this.lastActivity = Date.now();
    this.server = net.createServer((client) => this._onClient(client));
  }

  listen() {
    return new Promise((resolve) => {
      this.server.listen(0, "127.0.0.1", () => {
        this.port = this.server.address().port;
        resolve(this.port);
      });
    });
  }

  close() {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  comment(text) {
    this.lines.push(`# ${text}`);
  }

  /** Resolve once nothing crossed the tap for `ms` milliseconds. */
  async quiet(ms) {
    for (;;) {
      const idle = Date.now() - this.lastActivity;
      if (idle >= ms) return;
      await new Promise((r) => setTimeout(r, ms - idle));
    }
  }

  _record(dir, transport, kind, data) {
    let repr;
    if (kind === "b") repr = data.toString("hex");
    else if (kind === "t") repr = JSON.stringify(data);
    else repr = typeof data === "string" ? JSON.stringify(data) : data.toString("hex");
    const frame = { dir, transport, kind, data };
    this.frames.push(frame);
    this.lines.push(`${dir} ${transport} ${kind} ${repr}`);
    this.emit("frame", frame);
  }

  _onClient(client) {
    const upstream = net.connect(this.targetPort, "127.0.0.1");
    this.sockets.add(client);
    this.sockets.add(upstream);
    const conn = { pending: [] };
    const outParser = new StreamParser("request", conn, this, "out");
    const inParser = new StreamParser("response", conn, this, "in");
    client.on("data", (chunk) => {
      this.lastActivity = Date.now();
      outParser.push(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      this.lastActivity = Date.now();
      inParser.push(chunk);
      client.write(chunk);
    });
    client.on("end", () => upstream.end());
    upstream.on("end", () => {
      inParser.end();
      client.end();
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("error", drop);
    upstream.on("error", drop);
    client.on("close", drop);
    upstream.on("close", drop);
  }
}

const CRLFCRLF = Buffer.from("\r\n\r\n");

/** Incremental parser for one direction of one TCP connection. */
class StreamParser {
  constructor(kind, conn, tap, dir) {
    this.kind = kind; // "request" (client -> server) or "response"
    this.conn = conn;
    this.tap = tap;
    this.dir = dir;
    this.buf = Buffer.alloc(0);
    this.state = "head";
    this.message = null;
    this.fragments = null;
    this.fragmentOpcode = 0;
  }

  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const progressed = this.state === "ws" ? this._wsFrame() : this._http();
      if (!progressed) break;
    }
  }

  end() {
    if (this.state === "body-until-close" && this.message) {
      this.message.body = this.buf;
      this.buf = Buffer.alloc(0);
      this._finish();
    }
  }

  // ---- HTTP/1.1 ----

  _http() {
    if (this.state === "head") {
      const at = this.buf.indexOf(CRLFCRLF);
      if (at < 0) return false;
      const head = this.buf.subarray(0, at).toString("latin1");
      this.buf = this.buf.subarray(at + 4);
      const [startLine, ...headerLines] = head.split("\r\n");
      const headers = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.message = { startLine, headers, body: Buffer.alloc(0), chunks: [] };
      if (this.kind === "request") {
        const [method, target] = startLine.split(" ");
        this.message.method = method;
        this.message.target = target;
        this.conn.pending.push(this.message);
      } else {
        this.message.status = Number(startLine.split(" ")[1]);
        this.message.request = this.conn.pending.shift() || { method: "?", target: "?", headers: {} };
      }
      this._chooseBody();
      return true;
    }
    if (this.state === "body-fixed") {
      if (this.buf.length < this.remaining) return false;
      this.message.body = this.buf.subarray(0, this.remaining);
      this.buf = this.buf.subarray(this.remaining);
      this._finish();
      return true;
    }
    if (this.state === "body-chunked") {
      const eol = this.buf.indexOf("\r\n");
      if (eol < 0) return false;
      const size = parseInt(this.buf.subarray(0, eol).toString("latin1").split(";")[0], 16);
      if (size === 0) {
        // Skip optional trailers up to the empty line.
        const end = this.buf.indexOf(CRLFCRLF, eol);
        if (end < 0) return false;
        this.buf = this.buf.subarray(end + 4);
        this.message.body = Buffer.concat(this.message.chunks);
        this._finish();
        return true;
      }
      if (this.buf.length < eol + 2 + size + 2) return false;
      this.message.chunks.push(this.buf.subarray(eol + 2, eol + 2 + size));
      this.buf = this.buf.subarray(eol + 2 + size + 2);
      return true;
    }
    // body-until-close: wait for end()
    return false;
  }

  _chooseBody() {
    const h = this.message.headers;
    const chunked = /chunked/i.test(h["transfer-encoding"] || "");
    const length = h["content-length"] !== undefined ? Number(h["content-length"]) : null;
    if (this.kind === "request") {
      if (chunked) this.state = "body-chunked";
      else if (length) {
        this.state = "body-fixed";
        this.remaining = length;
      } else {
        this._finish();
      }
      return;
    }
    const status = this.message.status;
    if (status === 101 || (status >= 100 && status < 200) || status === 204 || status === 304 || this.message.request.method === "HEAD") {
      this._finish();
    } else if (chunked) {
      this.state = "body-chunked";
    } else if (length !== null) {
      this.state = "body-fixed";
      this.remaining = length;
      if (length === 0) this._finish();
    } else {
      this.state = "body-until-close";
    }
  }

  _finish() {
    const m = this.message;
    this.message = null;
    this.state = "head";
    if (this.kind === "request") {
      if (/^websocket$/i.test(m.headers.upgrade || "")) {
        // The client sends no frames before the 101, so switch right away.
        this.state = "ws";
        this.tap.comment(`websocket ${m.method} ${m.target}`);
        return;
      }
      if (m.method === "GET" && isPolling(m.target) && !/[?&]sid=/.test(m.target)) {
        this.tap.comment(`polling handshake GET ${m.target}`);
      }
      if (m.method === "POST" && isPolling(m.target) && m.body.length > 0) {
        this.tap._record("out", "polling", "p", bodyForLog(m.headers, m.body));
      }
      return;
    }
    const req = m.request;
    if (m.status === 101) {
      this.state = "ws";
      return;
    }
    if (!isPolling(req.target)) return;
    if (m.status !== 200) {
      const body = bodyForLog(m.headers, m.body);
      this.tap.comment(`HTTP ${m.status} for ${req.method} ${req.target}: ${typeof body === "string" ? JSON.stringify(body) : body.toString("hex")}`);
      return;
    }
    if (req.method === "GET") this.tap._record("in", "polling", "p", bodyForLog(m.headers, m.body));
  }

  // ---- WebSocket (RFC 6455) ----

  _wsFrame() {
    const b = this.buf;
    if (b.length < 2) return false;
    const fin = (b[0] & 0x80) !== 0;
    const rsv1 = (b[0] & 0x40) !== 0;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return false;
      len = b.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (b.length < 10) return false;
      len = Number(b.readBigUInt64BE(2));
      off = 10;
    }
    let mask = null;
    if (masked) {
      if (b.length < off + 4) return false;
      mask = b.subarray(off, off + 4);
      off += 4;
    }
    if (b.length < off + len) return false;
    const payload = Buffer.from(b.subarray(off, off + len));
    this.buf = b.subarray(off + len);
    if (mask) for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];

    if (opcode >= 8) {
      if (opcode === 8) {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : "none (1005)";
        const reason = payload.length > 2 ? ` ${JSON.stringify(payload.subarray(2).toString("utf8"))}` : "";
        this.tap.comment(`websocket close frame from ${this.dir === "out" ? "client" : "server"}, code ${code}${reason}`);
      }
      return true; // ping/pong control frames are not Engine.IO traffic
    }
    if (opcode !== 0) {
      this.fragments = [];
      this.fragmentOpcode = opcode;
      this.compressed = rsv1;
    }
    this.fragments.push(payload);
    if (!fin) return true;
    let message = Buffer.concat(this.fragments);
    this.fragments = null;
    if (this.compressed) {
      // permessage-deflate: only works without context takeover; good enough
      // for a capture, and neither reference server enables it by default.
      message = zlib.inflateRawSync(Buffer.concat([message, Buffer.from([0, 0, 0xff, 0xff])]));
    }
    if (this.fragmentOpcode === 1) this.tap._record(this.dir, "ws", "t", message.toString("utf8"));
    else this.tap._record(this.dir, "ws", "b", message);
    return true;
  }
}

function isPolling(target) {
  return /[?&]transport=polling(&|$)/.test(target || "");
}

function bodyForLog(headers, body) {
  const encoding = (headers["content-encoding"] || "").toLowerCase();
  if (encoding === "gzip") body = zlib.gunzipSync(body);
  else if (encoding === "deflate") body = zlib.inflateSync(body);
  else if (encoding === "br") body = zlib.brotliDecompressSync(body);
  if (/octet-stream/i.test(headers["content-type"] || "")) return Buffer.from(body);
  return body.toString("utf8");
}

module.exports = { WireTap };
