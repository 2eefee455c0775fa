#!/usr/bin/env bash
# Issue 12's numbers: `sio tap` between the sio engine and a Node socket.io 4.8 server
# (tests/peers/server-v4.js), against the same client talking to the server directly, side by
# side in one run, RUNS times:
#   - emit→ack p50/p99 over websocket and polling (benches/flood `ack`, --rt current), direct
#     and through the tap, one server for both: the tap's added latency;
#   - a flood of N events of SIZE chars over websocket: the tap's CPU (user+sys from /proc) per
#     event, beside the receiving engine's own (GNU time), and the engine's alone when direct;
#   - the tap's peak RSS while tests/peers/tap-crowd.js holds 200 sessions at once (half
#     polling, half websocket).
#
#     bash benches/tap/run.sh [RUNS] [N] [SIZE] [ACKS]     # defaults: 3 200000 100 5000
#     ALT_TAPS="old=/path/to/sio other=/path/to/sio" bash benches/tap/run.sh
#         # also other tap builds (or wrapper scripts that exec one), in the same runs
#
# The tap runs with --json to /dev/null, as a user piping it would. Raw results, one JSON line
# per measurement, stay in $TAP_OUT (default /tmp/sio-tap-results.ndjson); the table printed at
# the end has medians and the per-run ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-3}"
N="${2:-200000}"
SIZE="${3:-100}"
ACKS="${4:-5000}"
WARMUP=500
OUT="${TAP_OUT:-/tmp/sio-tap-results.ndjson}"
# shellcheck source=../flood/lib.sh
source benches/flood/lib.sh
setup_work sio-tap-bench
TAPS=("tap:$SIO")
for alt in ${ALT_TAPS:-}; do
  TAPS+=("${alt%%=*}:${alt#*=}")
done

tap_pid=""
start_tap() { # start_tap BINARY
  rm -f "$work/tap.err"
  "$1" tap "$URL" --json >/dev/null 2>"$work/tap.err" </dev/null &
  tap_pid=$!
  local addr=""
  for _ in $(seq 100); do
    addr=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$work/tap.err" 2>/dev/null || true)
    [ -n "$addr" ] && break
    sleep 0.05
  done
  [ -n "$addr" ] || { echo "the tap did not start" >&2; exit 1; }
  TAP_URL="$addr"
}
stop_tap() { kill "$tap_pid" 2>/dev/null || true; wait "$tap_pid" 2>/dev/null || true; }
# utime+stime of a process, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# row KEY=VALUE...: one JSON line into $OUT (values are numbers or plain words).
row() { node -e 'const o={};for(const a of process.argv.slice(1)){const i=a.indexOf("=");const k=a.slice(0,i),v=a.slice(i+1);o[k]=v!==""&&!isNaN(v)?Number(v):v}console.log(JSON.stringify(o))' "$@" >>"$OUT"; }
percentile() { node -e 'const v=JSON.parse(process.argv[1]);console.log(v.caller[process.argv[2]])' "$1" "$2"; }

: >"$OUT"
echo "N=$N SIZE=$SIZE ACKS=$ACKS WARMUP=$WARMUP RUNS=$RUNS taps: ${TAPS[*]}; raw results in $OUT" >&2
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "tree: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(git status --short -- src 2>/dev/null | wc -l) changed path(s) under src/" >&2
for ((run = 1; run <= RUNS; run++)); do
  printf 'run %d ' "$run" >&2
  for transport in websocket polling; do
    start_server tests/peers/server-v4.js
    r=$(timeout 300 "$FLOOD" ack "$URL" --transport "$transport" --n "$ACKS" --warmup "$WARMUP" --rt current)
    row run="$run" test="ack-$transport" who=direct p50_us="$(percentile "$r" p50_us)" p99_us="$(percentile "$r" p99_us)"
    for t in "${TAPS[@]}"; do
      start_tap "${t#*:}"
      r=$(timeout 300 "$FLOOD" ack "$TAP_URL" --transport "$transport" --n "$ACKS" --warmup "$WARMUP" --rt current)
      stop_tap
      row run="$run" test="ack-$transport" who="${t%%:*}" p50_us="$(percentile "$r" p50_us)" p99_us="$(percentile "$r" p99_us)"
    done
    stop_server
    printf '.' >&2
  done

  start_server tests/peers/server-v4.js
  /usr/bin/time -f '%U %S' -o "$work/engine.time" timeout 300 "$FLOOD" engine "$URL" --transport websocket --n "$N" --size "$SIZE" >/dev/null
  row run="$run" test=flood who=direct engine_cpu_s="$(awk '{print $1+$2}' "$work/engine.time")"
  for t in "${TAPS[@]}"; do
    start_tap "${t#*:}"
    before=$(ticks "$tap_pid")
    /usr/bin/time -f '%U %S' -o "$work/engine.time" timeout 300 "$FLOOD" engine "$TAP_URL" --transport websocket --n "$N" --size "$SIZE" >/dev/null
    after=$(ticks "$tap_pid")
    stop_tap
    row run="$run" test=flood who="${t%%:*}" engine_cpu_s="$(awk '{print $1+$2}' "$work/engine.time")" \
      tap_cpu_s="$(awk -v a="$after" -v b="$before" -v hz="$hz" 'BEGIN{print (a-b)/hz}')"
  done
  stop_server
  printf '.' >&2

  for t in "${TAPS[@]}"; do
    start_server tests/peers/server-v4.js
    start_tap "${t#*:}"
    node tests/peers/tap-crowd.js --url "$TAP_URL" --clients 200 >"$work/crowd.out"
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$tap_pid/status")
    stop_tap
    stop_server
    acked=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).acked)' "$work/crowd.out")
    row run="$run" test=crowd who="${t%%:*}" rss_kib="$rss" acked="$acked"
  done
  echo >&2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
node benches/tap/table.js "$OUT" "$N"
