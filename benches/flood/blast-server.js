"use strict";
// A minimal Engine.IO 4 / Socket.IO 5 WebSocket server that sends a pre-encoded flood as fast
// as the socket takes it, so that the CLIENT is the bottleneck (with socket.io's own server the
// Node process emitting 100-150k events/s is, and a client's CPU per event then depends on how
// many frames each wake-up finds). Used by benches/flood/run.sh for the "client-bound" rows.
//
//   node blast-server.js N SIZE [--on-connect]   prints LISTENING <port>; exits when stdin closes
//
// Per connection (path /socket.io/?EIO=4&transport=websocket only): the open packet, `40{sid}`
// when the client sends `40`, `3` for a `2`, and on `42["flood",...]` N frames
// `42["flood","xxx…"]` then `42["flood-done",{"n":N}]`, built once, written in 1 MiB chunks
// (with --on-connect: right after `40{sid}`, for clients that only listen).
// Every ack request `42<id>[...]` is answered `43<id>[]`. Nothing else of the protocols.

const net = require("net");
const crypto = require("crypto");

const N = Number(process.argv[2] || 200000);
const SIZE = Number(process.argv[3] || 100);
const ON_CONNECT = process.argv[4] === "--on-connect";

function frame(text) {
  const payload = Buffer.from(text);
  let header;
  if (payload.length < 126) {
    header = Buffer.from([0x81, payload.length]);
  } else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

const one = frame(`42["flood","${"x".repeat(SIZE)}"]`);
const flood = Buffer.alloc(one.length * N);
for (let i = 0; i < N; i++) one.copy(flood, i * one.length);
const done = frame(`42["flood-done",{"n":${N}}]`);

async function blast(socket) {
  const CHUNK = 1 << 20;
  for (let off = 0; off < flood.length && !socket.destroyed; off += CHUNK) {
    if (!socket.write(flood.subarray(off, Math.min(flood.length, off + CHUNK)))) {
      await new Promise((resolve) => {
        socket.once("drain", resolve);
        socket.once("close", resolve);
      });
    }
  }
  if (!socket.destroyed) socket.write(done);
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let upgraded = false;
  socket.on("error", () => {});
  socket.on("data", (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!upgraded) {
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = buf.subarray(0, end).toString("latin1");
      buf = buf.subarray(end + 4);
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(head);
      if (!/^GET \/socket\.io\/\?[^ ]*transport=websocket/.test(head) || !key) {
        socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
      }
      const accept = crypto
        .createHash("sha1")
        .update(key[1] + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
        .digest("base64");
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      socket.write(
        frame('0{"sid":"blast","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'),
      );
      upgraded = true;
    }
    // Client frames: masked, small, unfragmented.
    for (;;) {
      if (buf.length < 2) return;
      const opcode = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (buf[1] & 0x80) !== 0;
      const maskAt = off;
      if (masked) off += 4;
      if (buf.length < off + len) return;
      const payload = Buffer.from(buf.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) payload[i] ^= buf[maskAt + (i & 3)];
      buf = buf.subarray(off + len);
      if (opcode === 8) {
        socket.end();
        return;
      }
      if (opcode !== 1) continue;
      const text = payload.toString("utf8");
      if (text === "2") socket.write(frame("3"));
      else if (text.startsWith("40")) {
        socket.write(frame('40{"sid":"blast-socket"}'));
        if (ON_CONNECT) blast(socket);
      }
      else if (text.startsWith('42["flood"')) blast(socket);
      else {
        const ack = /^42(\d+)\[/.exec(text);
        if (ack) socket.write(frame(`43${ack[1]}[]`));
      }
    }
  });
});

const bye = () => process.exit(0);
process.stdin.on("end", bye);
process.stdin.on("close", bye);
process.stdin.resume();
server.listen(0, "127.0.0.1", () => process.stdout.write(`LISTENING ${server.address().port}\n`));
