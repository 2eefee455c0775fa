#!/usr/bin/env bash
# Issue 12's numbers: `sio tap` between the sio engine and a Node socket.io 4.8 server
# (tests/peers/server-v4.js), against the same client talking to the server directly, in one run:
#   - emit→ack p50/p99 over websocket and polling (benches/flood `ack`), direct and through the tap;
#   - a flood of N events of SIZE chars over websocket: the tap's CPU (user+sys from /proc) per
#     event, beside the receiving engine's own (GNU time);
#   - the tap's peak RSS while tests/peers/tap-crowd.js holds 200 sessions at once.
#
#     bash benches/tap/run.sh [N] [SIZE] [ACKS]     # defaults: 200000 100 5000
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-200000}"
SIZE="${2:-100}"
ACKS="${3:-5000}"
WARMUP=500
# shellcheck source=../flood/lib.sh
source benches/flood/lib.sh
setup_work sio-tap-bench

tap_pid=""
start_tap() {
  rm -f "$work/tap.err"
  "$SIO" tap "$URL" --json >/dev/null 2>"$work/tap.err" </dev/null &
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

echo "| measurement | direct | through the tap |"
echo "|---|---|---|"
for transport in websocket polling; do
  start_server tests/peers/server-v4.js
  direct=$(timeout 300 "$FLOOD" ack "$URL" --transport "$transport" --n "$ACKS" --warmup "$WARMUP" --rt current)
  start_tap
  tapped=$(timeout 300 "$FLOOD" ack "$TAP_URL" --transport "$transport" --n "$ACKS" --warmup "$WARMUP" --rt current)
  stop_tap
  stop_server
  d=$(node -e 'const v=JSON.parse(process.argv[1]);console.log(`${v.caller.p50_us} / ${v.caller.p99_us} µs`)' "$direct")
  t=$(node -e 'const v=JSON.parse(process.argv[1]);console.log(`${v.caller.p50_us} / ${v.caller.p99_us} µs`)' "$tapped")
  echo "| emit→ack p50 / p99, $transport | $d | $t |"
done

start_server tests/peers/server-v4.js
start_tap
before=$(ticks "$tap_pid")
/usr/bin/time -f '%U %S' -o "$work/engine.time" timeout 300 "$FLOOD" engine "$TAP_URL" --transport websocket --n "$N" --size "$SIZE" >/dev/null
after=$(ticks "$tap_pid")
stop_tap
stop_server
tap_us=$(node -e 'console.log(((process.argv[1]-process.argv[2])/process.argv[3]*1e6/process.argv[4]).toFixed(2))' "$after" "$before" "$hz" "$N")
engine_us=$(awk -v n="$N" '{printf "%.2f", ($1+$2)*1e6/n}' "$work/engine.time")
echo "| flood of $N × $SIZE chars, CPU per event | engine (receiving): $engine_us µs | tap: $tap_us µs |"

start_server tests/peers/server-v4.js
start_tap
node tests/peers/tap-crowd.js --url "$TAP_URL" --clients 200 >"$work/crowd.out"
rss=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$tap_pid/status")
stop_tap
stop_server
echo "| peak RSS with 200 sessions (tap-crowd.js: $(node -e 'const v=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(v.acked+" acked")' "$work/crowd.out")) | | $rss |"
