"use strict";
// Prints benches/tap/run.sh's raw results: per tap build, medians over the runs and the
// per-run ratios (each run's tap beside the direct client of the same run).
//   node table.js RESULTS.ndjson N

const { readResults, median } = require("../common/results.js");
const [file, nArg] = process.argv.slice(2);
const N = Number(nArg);
const rows = readResults(file);
const runs = [...new Set(rows.map((r) => r.run))].sort((a, b) => a - b);
const taps = [...new Set(rows.map((r) => r.who).filter((w) => w !== "direct"))];
const get = (test, who, run) => rows.find((r) => r.test === test && r.who === who && r.run === run);
const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const list = (xs, d) => xs.map((x) => fmt(x, d)).join(", ");

console.log(`\n${runs.length} run(s); N=${N}; per-run values in run order, then the median\n`);
console.log("| measurement | direct | " + taps.map((t) => `through ${t}`).join(" | ") + " |");
console.log("|---|---|" + taps.map(() => "---|").join(""));
for (const transport of ["websocket", "polling"]) {
  const test = `ack-${transport}`;
  for (const p of ["p50_us", "p99_us"]) {
    const direct = runs.map((r) => get(test, "direct", r)?.[p]);
    const cells = taps.map((t) => {
      const v = runs.map((r) => get(test, t, r)?.[p]);
      const added = v.map((x, i) => x - direct[i]);
      return `${list(v)} (median ${fmt(median(v))}); added ${list(added)} (median ${fmt(median(added))})`;
    });
    console.log(`| emit→ack ${p.slice(0, 3)} µs, ${transport} | ${list(direct)} (median ${fmt(median(direct))}) | ${cells.join(" | ")} |`);
  }
}
{
  const perEvent = (s) => (s * 1e6) / N;
  const direct = runs.map((r) => perEvent(get("flood", "direct", r)?.engine_cpu_s));
  const cells = taps.map((t) => {
    const tap = runs.map((r) => perEvent(get("flood", t, r)?.tap_cpu_s));
    const engine = runs.map((r) => perEvent(get("flood", t, r)?.engine_cpu_s));
    const ratio = tap.map((x, i) => x / engine[i]);
    return (
      `tap ${list(tap, 2)} µs (median ${fmt(median(tap), 2)}); engine behind it ${list(engine, 2)} µs; ` +
      `tap/engine ${list(ratio, 2)} (median ${fmt(median(ratio), 2)}×)`
    );
  });
  console.log(`| flood of ${N}, CPU per event | engine ${list(direct, 2)} µs (median ${fmt(median(direct), 2)}) | ${cells.join(" | ")} |`);
}
{
  const cells = taps.map((t) => {
    const v = runs.map((r) => get("crowd", t, r)?.rss_kib / 1024);
    const acked = runs.map((r) => get("crowd", t, r)?.acked);
    return `${list(v, 1)} MiB (median ${fmt(median(v), 1)}); acked ${acked.join(", ")} of 200`;
  });
  console.log(`| peak RSS, 200 sessions | | ${cells.join(" | ")} |`);
}
