#!/usr/bin/env bash
# Decode throughput of sio's FrameDecoder against the reference Node parsers
# (engine.io-parser + socket.io-parser) on the same frames (benches/mix.txt).
#
#     bash benches/compare.sh [RUNS] [SECONDS]     # defaults: 1 run, 3 s each
#
# Builds the `throughput` bench in release (bench profile), then for each run
# measures sio and Node one after the other and prints both rates and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-1}"
seconds="${2:-3}"

if [ ! -d tests/peers/node_modules/engine.io-parser ] || [ ! -d tests/peers/node_modules/socket.io-parser ]; then
  (cd tests/peers && npm ci --no-audit --no-fund >/dev/null)
fi
node benches/gen_mix.js --check

cargo bench --bench throughput --no-run >/dev/null 2>&1 || cargo bench --bench throughput --no-run
# The bench executable, without cargo's own output around it.
exe=$(cargo bench --bench throughput --no-run --message-format=json 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n")){if(!l)continue;const m=JSON.parse(l);if(m.reason==="compiler-artifact"&&m.target.name==="throughput"&&m.executable)console.log(m.executable)}})')
[ -x "$exe" ] || { echo "could not find the throughput bench executable" >&2; exit 1; }

rate() { sed -n 's/^[a-z]*: \([0-9]*\) frames\/s.*/\1/p'; }
cpu_rate() { sed -n 's/.*on-CPU \([0-9]*\) frames\/s.*/\1/p'; }

echo "frames: benches/mix.txt; ${seconds} s per measurement after 1 s of warm-up"
for ((i = 1; i <= runs; i++)); do
  sio_line=$("$exe" --seconds "$seconds" --warmup 1)
  node_line=$(node benches/node_parsers.js --seconds "$seconds" --warmup 1)
  sio_rate=$(rate <<<"$sio_line")
  node_rate=$(rate <<<"$node_line")
  echo "run $i/$runs"
  echo "  $sio_line"
  echo "  $node_line"
  awk -v s="$sio_rate" -v n="$node_rate" 'BEGIN { printf "  sio %d frames/s, node %d frames/s, ratio sio/node = %.2fx\n", s, n, s / n }'
  sio_cpu=$(cpu_rate <<<"$sio_line")
  node_cpu=$(cpu_rate <<<"$node_line")
  if [ -n "$sio_cpu" ] && [ -n "$node_cpu" ]; then
    awk -v s="$sio_cpu" -v n="$node_cpu" 'BEGIN { printf "  on-CPU (main thread): sio %d frames/s, node %d frames/s, ratio = %.2fx\n", s, n, s / n }'
  fi
done
echo "(wall-clock rates are the measure; on-CPU rates only show whether the machine was busy: they are close to the wall-clock ones on an idle machine)"
