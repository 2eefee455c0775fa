"use strict";
// Frames for the `sio decode --json` vs Node comparison: benches/mix.txt repeated to N lines,
// text frames as they are, binary attachments as rev-4 `b<base64>` text frames (what a client
// that cannot take binary gets), so one text input serves both decoders. N is rounded up to
// whole passes, so no binary event is cut from its attachment.
//
//     node benches/gen_decode_input.js N > frames.txt

const fs = require("fs");
const path = require("path");

const n = Number(process.argv[2] || 500000);
const frames = [];
for (const line of fs.readFileSync(path.join(__dirname, "mix.txt"), "utf8").split("\n")) {
  if (line === "" || line.startsWith("#")) continue;
  const m = /^(in|out) (ws) ([tb]) (.*)$/.exec(line);
  if (!m) throw new Error(`bad mix line: ${line.slice(0, 80)}`);
  frames.push(m[3] === "t" ? JSON.parse(m[4]) : "b" + Buffer.from(m[4], "hex").toString("base64"));
}
// One pass at a time: a single string of millions of frames is past V8's string limit.
const pass = frames.join("\n") + "\n";
const passes = Math.ceil(n / frames.length);
for (let i = 0; i < passes; i++) fs.writeSync(1, pass);
