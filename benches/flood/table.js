"use strict";
// Prints the medians of benches/flood/run.sh's raw results as tables.
//   node table.js RESULTS.ndjson N ACKS

const { readResults, median } = require("../common/results.js");
const [file, nArg, acksArg] = process.argv.slice(2);
const N = Number(nArg);
const ACKS = Number(acksArg);
const rows = readResults(file);

function pick(test, client) {
  return rows.filter((r) => r.test === test && r.client === client);
}
function med(test, client, f) {
  return median(pick(test, client).map(f));
}
function failures(test, client) {
  const bad = pick(test, client).filter((r) => r.rc !== 0 || (r.self && r.self.done === false));
  return bad.length ? ` (${bad.length} failed)` : "";
}
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const pad = (s, w) => String(s).padEnd(w);
const lpad = (s, w) => String(s).padStart(w);
function table(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? pad(c, widths[i]) : lpad(c, widths[i]))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const l of lines) console.log(line(l));
  console.log();
}

const runs = Math.max(0, ...rows.map((r) => r.run));
console.log(`medians of ${runs} run(s); N=${N} events; CPU = user+sys of the receiving process (/usr/bin/time)\n`);

// 1. The flood.
const flood = [];
const cpu = {};
for (const [test, idle, clients] of [
  ["flood-ws", "idle-ws", ["engine", "bare", "node"]],
  ["flood-polling", "idle-polling", ["engine", "node"]],
]) {
  for (const c of clients) {
    const c_s = med(test, c, (r) => r.cpu_s);
    const idle_s = med(idle, c, (r) => r.cpu_s);
    const rss = med(test, c, (r) => r.peak_rss_kib) / 1024;
    const events = med(test, c, (r) => r.self && r.self.events);
    const wall = med(test, c, (r) => r.self && r.self.wall_s);
    cpu[`${test}/${c}`] = { c_s, idle_s, rss };
    flood.push([
      `${test.replace("flood-", "")} ${c}${failures(test, c)}`,
      fmt(events, 0),
      fmt(c_s),
      fmt(idle_s),
      fmt((c_s / N) * 1e6, 2),
      fmt(((c_s - idle_s) / N) * 1e6, 2),
      fmt(rss, 1),
      fmt(wall),
      fmt(events / wall, 0),
      fmt(med(test, c, (r) => r.voluntary_switches), 0),
    ]);
  }
}
table(
  ["flood (transport client)", "events", "CPU s", "idle CPU s", "µs/event", "µs/event-idle", "peak RSS MiB", "wall s", "events/s", "vol. switches"],
  flood,
);
const ratio = (a, b, f) => fmt(f(cpu[a]) / f(cpu[b]));
const total = (x) => x.c_s;
const marginal = (x) => x.c_s - x.idle_s;
table(
  ["ratio", "CPU", "CPU-idle", "peak RSS", "goal"],
  [
    ["ws engine / bare", ratio("flood-ws/engine", "flood-ws/bare", total), ratio("flood-ws/engine", "flood-ws/bare", marginal), ratio("flood-ws/engine", "flood-ws/bare", (x) => x.rss), "CPU ≤ 1.3"],
    ["ws engine / node", ratio("flood-ws/engine", "flood-ws/node", total), ratio("flood-ws/engine", "flood-ws/node", marginal), ratio("flood-ws/engine", "flood-ws/node", (x) => x.rss), ""],
    ["ws bare / node", ratio("flood-ws/bare", "flood-ws/node", total), ratio("flood-ws/bare", "flood-ws/node", marginal), ratio("flood-ws/bare", "flood-ws/node", (x) => x.rss), "(issue: ~0.5)"],
    ["polling engine / node", ratio("flood-polling/engine", "flood-polling/node", total), ratio("flood-polling/engine", "flood-polling/node", marginal), ratio("flood-polling/engine", "flood-polling/node", (x) => x.rss), "CPU, RSS ≤ 0.5"],
  ],
);

// 2. Acks, per transport.
for (const [test, transport] of [["ack", "websocket"], ["ack-polling", "polling"]]) {
  const ack = [];
  for (const c of ["engine", "node"]) {
    const line = [`${c}${failures(test, c)}`];
    for (const k of ["p50_us", "p90_us", "p99_us", "max_us"]) line.push(fmt(med(test, c, (r) => r.self && r.self.caller[k]), 0));
    line.push(fmt(med(test, c, (r) => r.self && r.self.engine_rtt && r.self.engine_rtt.p50_us), 0));
    line.push(fmt(med(test, c, (r) => r.self && r.self.engine_rtt && r.self.engine_rtt.p99_us), 0));
    line.push(fmt(med(test, c, (r) => r.cpu_s)));
    line.push(fmt(med(test, c, (r) => r.peak_rss_kib) / 1024, 1));
    ack.push(line);
  }
  const p99 = (c) => med(test, c, (r) => r.self && r.self.caller.p99_us);
  ack.push(["p99 engine / node (goal < 1)", "", "", fmt(p99("engine") / p99("node")), "", "", "", "", ""]);
  table(
    [`emit→ack, ${ACKS} sequential, ${transport}`, "p50 µs", "p90 µs", "p99 µs", "max µs", "engine-rtt p50", "engine-rtt p99", "CPU s", "RSS MiB"],
    ack,
  );
}

// Diagnostics: the client as the bottleneck.
const blast = [];
for (const c of ["engine", "engine, 1-thread rt", "bare", "node"]) {
  const c_s = med("blast-ws", c, (r) => r.cpu_s);
  const wall = med("blast-ws", c, (r) => r.self && r.self.wall_s);
  blast.push([
    `${c}${failures("blast-ws", c)}`,
    fmt(med("blast-ws", c, (r) => r.self && r.self.events), 0),
    fmt(c_s),
    fmt(med("blast-ws", c, (r) => r.user_s)),
    fmt(med("blast-ws", c, (r) => r.sys_s)),
    fmt((c_s / N) * 1e6, 2),
    fmt(med("blast-ws", c, (r) => r.peak_rss_kib) / 1024, 1),
    fmt(wall),
    fmt(N / wall, 0),
    fmt(med("blast-ws", c, (r) => r.voluntary_switches), 0),
  ]);
}
const blastCpu = (c) => med("blast-ws", c, (r) => r.cpu_s);
for (const c of ["engine", "engine, 1-thread rt"]) {
  blast.push([`CPU ${c} / bare (goal ≤ 3)`, "", fmt(blastCpu(c) / blastCpu("bare")), "", "", "", "", "", "", ""]);
}
table(
  ["diagnostic: blast server (client-bound), ws", "events", "CPU s", "user s", "sys s", "µs/event", "peak RSS MiB", "wall s", "events/s", "vol. switches"],
  blast,
);
const blastAck = [];
for (const c of ["engine", "engine, 1-thread rt", "node"]) {
  const line = [`${c}${failures("blast-ack", c)}`];
  for (const k of ["p50_us", "p90_us", "p99_us", "max_us"]) line.push(fmt(med("blast-ack", c, (r) => r.self && r.self.caller[k]), 0));
  line.push(fmt(med("blast-ack", c, (r) => r.cpu_s)));
  blastAck.push(line);
}
table([`diagnostic: emit→ack, blast server (answers at once)`, "p50 µs", "p90 µs", "p99 µs", "max µs", "CPU s"], blastAck);

// 3. listen.
const listen = [];
for (const c of ["engine", "engine, consumer on main thread", "listen --json", "listen --json --record"]) {
  const c_s = med("listen", c, (r) => r.cpu_s);
  const el = med("listen", c, (r) => r.elapsed_s);
  listen.push([
    `${c}${failures("listen", c)}`,
    fmt(c_s),
    fmt((c_s / N) * 1e6, 2),
    fmt(med("listen", c, (r) => r.user_s)),
    fmt(med("listen", c, (r) => r.sys_s)),
    fmt(el),
    fmt(N / el, 0),
    fmt(med("listen", c, (r) => r.peak_rss_kib) / 1024, 1),
    fmt(med("listen", c, (r) => r.voluntary_switches), 0),
  ]);
}
table(
  ["listen, flood on connect, websocket", "CPU s", "µs/event", "user s", "sys s", "elapsed s", "events/s", "RSS MiB", "vol. switches"],
  listen,
);

const blastListen = [];
for (const c of ["engine", "listen --json", "listen --json --record"]) {
  const c_s = med("blast-listen", c, (r) => r.cpu_s);
  const el = med("blast-listen", c, (r) => r.elapsed_s);
  blastListen.push([
    `${c}${failures("blast-listen", c)}`,
    fmt(c_s),
    fmt((c_s / N) * 1e6, 2),
    fmt(med("blast-listen", c, (r) => r.user_s)),
    fmt(med("blast-listen", c, (r) => r.sys_s)),
    fmt(el),
    fmt(N / el, 0),
    fmt(med("blast-listen", c, (r) => r.peak_rss_kib) / 1024, 1),
  ]);
}
table(
  ["diagnostic: listen, blast server (client-bound)", "CPU s", "µs/event", "user s", "sys s", "elapsed s", "events/s", "RSS MiB"],
  blastListen,
);
