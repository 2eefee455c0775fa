"use strict";
// The table of benches/compare-all.sh: medians per (test, client) and the ratios it asked for.
//
//     node benches/compare-table.js RESULTS.ndjson RATIOS.tsv

const fs = require("fs");

const [resultsFile, ratiosFile] = process.argv.slice(2);
const rows = fs
  .readFileSync(resultsFile, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const groups = new Map();
for (const r of rows) {
  const key = `${r.test}\t${r.client}`;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(r);
}
const stat = (test, client, metric) => {
  const g = groups.get(`${test}\t${client}`) || [];
  return median(g.filter((r) => r.rc === 0).map((r) => r[metric]));
};

const pad = (s, n) => String(s).padEnd(n);
const num = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : "-");
console.log(`${pad("test", 14)} ${pad("client", 36)} ${pad("runs ok", 8)} ${pad("CPU s", 7)} ${pad("wall s", 7)} RSS MiB`);
for (const [key, g] of groups) {
  const [test, client] = key.split("\t");
  const ok = g.filter((r) => r.rc === 0).length;
  console.log(
    `${pad(test, 14)} ${pad(client, 36)} ${pad(`${ok}/${g.length}`, 8)} ${pad(num(stat(test, client, "cpu_s"), 2), 7)} ` +
      `${pad(num(stat(test, client, "elapsed_s"), 2), 7)} ${num(stat(test, client, "peak_rss_kib") / 1024, 1)}`,
  );
}
console.log("");
console.log(`${pad("ratio (medians)", 62)} ${pad("value", 7)} goal`);
for (const line of fs.readFileSync(ratiosFile, "utf8").split("\n").filter(Boolean)) {
  const [name, numTest, numClient, denTest, denClient, metric, goal] = line.split("\t");
  const value = stat(numTest, numClient, metric) / stat(denTest, denClient, metric);
  console.log(`${pad(name, 62)} ${pad(num(value, 2), 7)} ${goal} (${metric})`);
}
