"use strict";
// The Node counterpart of `sio decode --json` end to end: frames as text lines on stdin
// (binary messages as rev-4 `b<base64>` text frames), each through engine.io-parser's
// decodePacket and socket.io-parser's Decoder as socket.io-client does, one JSON line per
// frame on stdout. Output is gathered and written in 64 KiB chunks, so Node is not charged
// for a write per line either.
//
//     node benches/node_decode.js < frames.txt > /dev/null
//
// benches/compare-all.sh runs it beside sio on the same frames.

const path = require("path");

const MODULES = path.join(__dirname, "..", "tests", "peers", "node_modules");
const eioParser = require(path.join(MODULES, "engine.io-parser"));
const sioParser = require(path.join(MODULES, "socket.io-parser"));

let out = [];
let outBytes = 0;
function emit(line) {
  out.push(line);
  outBytes += line.length + 1;
  if (outBytes >= 65536) flushOut();
}
function flushOut() {
  if (out.length) process.stdout.write(out.join("\n") + "\n");
  out = [];
  outBytes = 0;
}

/** Buffers as base64 text, as sio writes attachments (JSON.stringify would write every byte as a number). */
function base64Buffers(v) {
  if (Buffer.isBuffer(v)) return v.toString("base64");
  if (Array.isArray(v)) return v.map(base64Buffers);
  if (v !== null && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) o[k] = base64Buffers(v[k]);
    return o;
  }
  return v;
}

let current = null; // the frame being decoded, for the line the decoder's callback prints
const decoder = new sioParser.Decoder();
decoder.on("decoded", (packet) => {
  // Completed by an attachment (a `b` frame): the packet holds Buffers.
  if (current !== null && current[0] === "b") packet = base64Buffers(packet);
  emit(JSON.stringify({ raw: current, eio: "message", sio: packet }));
  current = null;
});

function frame(line) {
  const p = eioParser.decodePacket(line, "nodebuffer");
  if (p.type === "message") {
    current = line;
    try {
      decoder.add(p.data);
    } catch (e) {
      emit(JSON.stringify({ raw: line, error: String(e.message) }));
      return;
    }
    // A binary header or an attachment that does not complete a packet: the frame still gets its line.
    if (current !== null) emit(JSON.stringify({ raw: line, eio: "message", pending: true }));
  } else {
    emit(JSON.stringify({ raw: line, eio: p.type, data: base64Buffers(p.data) }));
  }
}

let rest = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  const lines = (rest + chunk).split("\n");
  rest = lines.pop();
  for (const line of lines) if (line !== "") frame(line);
});
process.stdin.on("end", () => {
  if (rest !== "") frame(rest);
  flushOut();
});
