"use strict";
// What the benchmark tables share: reading NDJSON results and taking medians.

const fs = require("fs");

/** One object per non-empty line of FILE. */
function readResults(file) {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The median of the finite numbers among XS (NaN when there are none). */
function median(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

module.exports = { readResults, median };
