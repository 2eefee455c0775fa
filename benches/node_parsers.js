"use strict";
// Decode throughput of the reference Node parsers on benches/mix.txt: each frame
// goes through engine.io-parser's decodePacket, and each Engine.IO message through
// socket.io-parser's Decoder (a binary frame is fed to decoder.add as the attachment
// of the pending binary header), as engine.io-client + socket.io-client do.
//
//     node benches/node_parsers.js [--seconds S] [--warmup S]
//
// Prints `node: <n> frames/s (...)`. The Rust counterpart is benches/throughput.rs;
// benches/compare.sh runs both. Needs tests/peers/node_modules (cd tests/peers && npm ci).

const fs = require("fs");
const path = require("path");

const MODULES = path.join(__dirname, "..", "tests", "peers", "node_modules");
const eioParser = require(path.join(MODULES, "engine.io-parser"));
const sioParser = require(path.join(MODULES, "socket.io-parser"));
const eioVersion = require(path.join(MODULES, "engine.io-parser", "package.json")).version;
const sioVersion = require(path.join(MODULES, "socket.io-parser", "package.json")).version;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg("--seconds", 3);
const WARMUP = arg("--warmup", 1);

/** Frames of mix.txt: strings for text frames, Buffers for binary ones. */
function loadMix(file) {
  const frames = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(in|out) (ws) ([tb]) (.*)$/.exec(line);
    if (!m) throw new Error(`bad mix line: ${line.slice(0, 80)}`);
    frames.push(m[3] === "t" ? JSON.parse(m[4]) : Buffer.from(m[4], "hex"));
  }
  return frames;
}

const frames = loadMix(path.join(__dirname, "mix.txt"));

// One connection's decoders, kept across passes like a long-lived client.
let packets = 0;
let pings = 0;
let sink = 0;
const decoder = new sioParser.Decoder();
decoder.on("decoded", (packet) => {
  packets++;
  sink ^= packet.type;
});

function pass() {
  for (let i = 0; i < frames.length; i++) {
    const p = eioParser.decodePacket(frames[i], "nodebuffer");
    if (p.type === "message") {
      decoder.add(p.data);
    } else if (p.type === "ping") {
      pings++;
    } else {
      throw new Error(`unexpected Engine.IO packet ${p.type}`);
    }
  }
}

/** Nanoseconds the main thread has run on a CPU (Linux), or null. */
function threadCpuNs() {
  try {
    return Number(fs.readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]);
  } catch {
    return null;
  }
}

/** Runs passes for `seconds`, returning [frames, elapsed seconds, main-thread CPU seconds or null]. */
function run(seconds) {
  const cpuStart = threadCpuNs();
  const start = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  let passes = 0;
  let elapsed = 0n;
  do {
    pass();
    passes++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < limit);
  const cpuEnd = threadCpuNs();
  const cpu = cpuStart === null || cpuEnd === null ? null : (cpuEnd - cpuStart) / 1e9;
  return [passes * frames.length, Number(elapsed) / 1e9, cpu];
}

// Sanity: one pass decodes every message exactly once.
pass();
const perPass = { packets, pings };
if (packets + pings + frames.filter((f) => Buffer.isBuffer(f)).length !== frames.length) {
  throw new Error(`one pass decoded ${packets} packets and ${pings} pings from ${frames.length} frames`);
}

run(WARMUP);
const [count, secs, cpu] = run(SECONDS);
const rate = count / secs;
const onCpu = cpu === null ? "" : `; on-CPU ${Math.round(count / cpu)} frames/s`;
console.log(
  `node: ${Math.round(rate)} frames/s (${count} frames in ${secs.toFixed(2)} s${onCpu}; ` +
    `${frames.length} frames per pass = ${perPass.packets} packets + ${perPass.pings} pings; ` +
    `engine.io-parser ${eioVersion}, socket.io-parser ${sioVersion}, node ${process.version}) [${sink & 1}]`,
);
