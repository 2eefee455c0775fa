"use strict";
// Writes the seed inputs of the fuzz targets to fuzz/seeds/<target>/ from the
// captured Node frames (tests/fixtures), the benchmark mix (benches/mix.txt) and a
// few hand-made cases; msgpack seeds are encoded with notepack.io, the encoder of
// socket.io-msgpack-parser (tests/peers/node_modules; cd tests/peers && npm ci).
//
//     node fuzz/make_seeds.js
//
// Deterministic: file names are a hash of the content, so re-running changes nothing.

const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const ROOT = path.join(__dirname, "..");
const SEEDS = path.join(__dirname, "seeds");
const notepack = require(path.join(ROOT, "tests", "peers", "node_modules", "notepack.io"));

const seeds = { eio_frame: new Map(), payload: new Map(), sio_packet: new Map(), msgpack: new Map(), shape: new Map() };
function add(target, bytes) {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8");
  if (buf.length > 4096) return;
  seeds[target].set(crypto.createHash("sha1").update(buf).digest("hex").slice(0, 16), buf);
}

function lines(file) {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l && !l.startsWith("#"));
}

for (const file of ["tests/fixtures/frames-node-v4.txt", "tests/fixtures/frames-node-v2.txt", "benches/mix.txt"]) {
  for (const line of lines(path.join(ROOT, file))) {
    const [, , kind, ...rest] = line.split(" ");
    const data = rest.join(" ");
    if (kind === "t") {
      const text = JSON.parse(data);
      add("eio_frame", text);
      if (text.startsWith("4") && text.length > 1) {
        add("sio_packet", text.slice(1));
        // The JSON data after the type, attachment count, namespace and ack id.
        const head = text.slice(1).match(/^\d(\d+-)?(\/[^,]*,)?\d*/);
        const json = text.slice(1 + head[0].length);
        if (json) add("shape", json);
      }
    } else if (kind === "b") {
      add("eio_frame", Buffer.from(data, "hex"));
    } else if (kind === "p") {
      add("payload", data.startsWith('"') ? JSON.parse(data) : Buffer.from(data, "hex"));
    }
  }
}

// A binary event as one eio_frame input: header, 0xFF, then the attachment (odd first byte: binary).
add("eio_frame", Buffer.concat([Buffer.from('451-["up",{"_placeholder":true,"num":0}]'), Buffer.from([0xff, 1, 2, 3])]));
add("payload", '42["a"]\x1e2\x1ebAQID');
add("payload", '6:42["a"]1:26:b4AQID');
add("payload", Buffer.from([0, 1, 0xff, 0x32, 1, 4, 0xff, 4, 1, 2, 3]));
for (const s of ["0/admin", '2 ["x"]', '201["x"]', '2/admin["x"]', '62-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', '4"nope"', "1", "0null"]) {
  add("sio_packet", s);
}

// JSON where the scanner must defer to serde_json: numbers beyond f64, lone surrogates,
// escaped names, deep nesting, serde_json's raw_value key.
for (const s of [
  '["a",1e400]',
  '["a",1e300,-0,0.5e-3,12345678901234567890123]',
  '["a","\\ud800","\\ud83d\\ude00"]',
  '["\\u0063hat",{"\\u0024x":1}]',
  '[7,"offset"]',
  '{"$serde_json::private::RawValue":"[1]"}',
  '"plain string"',
  `["deep",${"[".repeat(120)}${"]".repeat(120)}]`,
  '[ "spaced" ,\n\t1 ]',
]) {
  add("shape", s);
}

// msgpack: packets as the Node server and client write them.
const packets = [
  { type: 0, nsp: "/" },
  { type: 0, data: { sid: "abc" }, nsp: "/" },
  { type: 2, data: ["chat", { user: "ann", text: "hi there", n: 1.5, big: 2 ** 40, neg: -7 }], nsp: "/" },
  { type: 2, data: ["bin", Buffer.from([1, 2, 3]), new Uint8Array([4, 5]).buffer], id: 3, nsp: "/admin" },
  { id: 4, type: 3, data: [null, true, false, "x".repeat(40)], nsp: "/" },
  { type: 4, data: { message: "nope" }, nsp: "/" },
  { type: 2, data: ["date", new Date(1700000000000), undefined, [undefined]], nsp: "/" },
  { type: 2, data: ["deep", { a: { b: { c: [1, [2, [3]]] } } }], nsp: "/" },
  { type: 1, nsp: "/chat" },
];
for (const p of packets) {
  add("msgpack", notepack.encode(p));
  add("eio_frame", notepack.encode(p));
}

for (const [target, map] of Object.entries(seeds)) {
  const dir = path.join(SEEDS, target);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, buf] of map) fs.writeFileSync(path.join(dir, name), buf);
  console.log(`${target}: ${map.size} seeds`);
}
