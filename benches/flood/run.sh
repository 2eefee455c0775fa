#!/usr/bin/env bash
# The numbers of issues 3 and 4: a Node socket.io 4.8 server (tests/peers/server-v4.js) floods
# N events of SIZE chars; we measure the receiving process (CPU user+sys and peak RSS, from
# /usr/bin/time) for
#   - the sio engine (benches/flood/main.rs `engine`: every frame decoded into a record, every
#     record consumed), over websocket and over polling;
#   - the bare tokio-tungstenite reader (`bare`: counts frames, answers pings; websocket only);
#   - the official socket.io-client 4.8 in Node (benches/flood/node-client.js);
# then emit→ack round trips (ACKS sequential acks after WARMUP, over websocket and over
# polling) for the engine and the Node client, each pair back to back in one run; then `sio listen --json --event flood --count N > /dev/null` (with and
# without --record) beside the engine alone, the server flooding each new connection
# (--flood-on-connect N,SIZE).
# Diagnostic rows: the same clients against benches/flood/blast-server.js, which writes a
# pre-encoded flood as fast as the socket takes it and answers acks at once, so the client is
# the bottleneck (with socket.io's server, the Node process emitting the events is).
#
#     bash benches/flood/run.sh [RUNS] [N] [SIZE] [ACKS]     # defaults: 3 200000 100 10000
#     PIN=1 bash benches/flood/run.sh ...   # server on CPU 0, client on CPU 1 (taskset)
#
# Every measurement gets a fresh server; every client runs under `timeout` so the script
# always ends. Results: a table of medians over RUNS on stdout; every raw measurement stays in
# $FLOOD_OUT (default /tmp/sio-flood-results.ndjson).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS="${1:-3}"
N="${2:-200000}"
SIZE="${3:-100}"
ACKS="${4:-10000}"
WARMUP="${WARMUP:-500}"
LIMIT="${LIMIT:-300}" # seconds allowed per client run
OUT="${FLOOD_OUT:-/tmp/sio-flood-results.ndjson}"
PIN="${PIN:-0}"
SERVER_CPU=()
CLIENT_CPU=()
if [ "$PIN" = 1 ]; then
  SERVER_CPU=(taskset -c 0)
  CLIENT_CPU=(taskset -c 1)
fi

# shellcheck source=benches/flood/lib.sh
source benches/flood/lib.sh
setup_work sio-flood

# measure TEST CLIENT RUN CMD...: runs CMD under /usr/bin/time, appends one JSON line to $OUT.
measure() {
  local test=$1 client=$2 run=$3
  shift 3
  local rc=0
  /usr/bin/time -f '%e %U %S %M %w %c' -o "$work/time" timeout "$LIMIT" "${CLIENT_CPU[@]}" "$@" \
    >"$work/stdout" 2>"$work/stderr" || rc=$?
  local t
  t=$(tail -n 1 "$work/time")
  local self
  self=$(tail -n 1 "$work/stdout" | grep '^{' || echo null)
  [ "$rc" = 0 ] || echo "  ! $test $client run $run: exit $rc: $(tail -n 3 "$work/stderr" | tr '\n' ' ')" >&2
  node -e '
    const [test, client, run, rc, t, self] = process.argv.slice(1);
    const [elapsed, user, sys, rss, vcs, ivcs] = t.split(" ").map(Number);
    console.log(JSON.stringify({test, client, run: Number(run), rc: Number(rc),
      elapsed_s: elapsed, cpu_s: user + sys, user_s: user, sys_s: sys, peak_rss_kib: rss,
      voluntary_switches: vcs, involuntary_switches: ivcs,
      self: JSON.parse(self)}));' "$test" "$client" "$run" "$rc" "$t" "$self" >>"$OUT"
}

# one TEST CLIENT RUN [SERVER_FLAGS] -- CMD...: fresh server-v4.js, measure, stop.
# With SERVER=blast: benches/flood/blast-server.js N SIZE instead.
one() {
  local test=$1 client=$2 run=$3
  shift 3
  local flags=()
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  if [ "${SERVER:-}" = blast ]; then
    start_server benches/flood/blast-server.js "$N" "$SIZE" "${flags[@]}"
  else
    start_server tests/peers/server-v4.js "${flags[@]}"
  fi
  local cmd=()
  for a in "$@"; do cmd+=("${a//@URL@/$URL}"); done
  measure "$test" "$client" "$run" "${cmd[@]}"
  stop_server
  printf '.' >&2
}

: >"$OUT"
echo "N=$N SIZE=$SIZE ACKS=$ACKS WARMUP=$WARMUP RUNS=$RUNS PIN=$PIN; raw results in $OUT" >&2
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "tree: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(git status --short -- src 2>/dev/null | wc -l) changed path(s) under src/" >&2
for ((run = 1; run <= RUNS; run++)); do
  printf 'run %d ' "$run" >&2
  # 1. The flood, websocket: engine, bare reader, Node client; then polling: engine, Node.
  one flood-ws engine "$run" -- "$FLOOD" engine @URL@ --transport websocket --n "$N" --size "$SIZE"
  one flood-ws bare "$run" -- "$FLOOD" bare @URL@ --n "$N" --size "$SIZE"
  one flood-ws node "$run" -- node "$NODE_CLIENT" flood @URL@ websocket "$N" "$SIZE"
  one flood-polling engine "$run" -- "$FLOOD" engine @URL@ --transport polling --n "$N" --size "$SIZE"
  one flood-polling node "$run" -- node "$NODE_CLIENT" flood @URL@ polling "$N" "$SIZE"
  # The fixed cost (start, connect, leave) of each client: a flood of 1.
  one idle-ws engine "$run" -- "$FLOOD" engine @URL@ --transport websocket --n 1 --size "$SIZE"
  one idle-ws bare "$run" -- "$FLOOD" bare @URL@ --n 1 --size "$SIZE"
  one idle-ws node "$run" -- node "$NODE_CLIENT" flood @URL@ websocket 1 "$SIZE"
  one idle-polling engine "$run" -- "$FLOOD" engine @URL@ --transport polling --n 1 --size "$SIZE"
  one idle-polling node "$run" -- node "$NODE_CLIENT" flood @URL@ polling 1 "$SIZE"
  # 2. emit→ack round trips over websocket and over polling; the engine on a current-thread
  # runtime, as `sio` runs it.
  one ack engine "$run" -- "$FLOOD" ack @URL@ --transport websocket --n "$ACKS" --warmup "$WARMUP" --rt current
  one ack node "$run" -- node "$NODE_CLIENT" ack @URL@ "$ACKS" "$WARMUP" websocket
  one ack-polling engine "$run" -- "$FLOOD" ack @URL@ --transport polling --n "$ACKS" --warmup "$WARMUP" --rt current
  one ack-polling node "$run" -- node "$NODE_CLIENT" ack @URL@ "$ACKS" "$WARMUP" polling
  # Diagnostics: the client as the bottleneck (blast server), flood and acks.
  SERVER=blast one blast-ws engine "$run" -- "$FLOOD" engine @URL@ --transport websocket --n "$N" --size "$SIZE"
  SERVER=blast one blast-ws "engine, 1-thread rt" "$run" -- \
    "$FLOOD" engine @URL@ --transport websocket --n "$N" --size "$SIZE" --rt current
  SERVER=blast one blast-ws bare "$run" -- "$FLOOD" bare @URL@ --n "$N" --size "$SIZE"
  SERVER=blast one blast-ws node "$run" -- node "$NODE_CLIENT" flood @URL@ websocket "$N" "$SIZE"
  SERVER=blast one blast-ack engine "$run" -- "$FLOOD" ack @URL@ --transport websocket --n "$ACKS" --warmup "$WARMUP"
  SERVER=blast one blast-ack "engine, 1-thread rt" "$run" -- \
    "$FLOOD" ack @URL@ --transport websocket --n "$ACKS" --warmup "$WARMUP" --rt current
  SERVER=blast one blast-ack node "$run" -- node "$NODE_CLIENT" ack @URL@ "$ACKS" "$WARMUP"
  # 3. sio listen, the server flooding every new connection.
  one listen engine "$run" --flood-on-connect "$N,$SIZE" -- \
    "$FLOOD" engine @URL@ --transport websocket --on-connect --n "$N" --size "$SIZE"
  one listen "engine, consumer on main thread" "$run" --flood-on-connect "$N,$SIZE" -- \
    "$FLOOD" engine @URL@ --transport websocket --on-connect --n "$N" --size "$SIZE" --on-main
  one listen "listen --json" "$run" --flood-on-connect "$N,$SIZE" -- \
    sh -c "exec \"\$0\" \"\$@\" >/dev/null" "$SIO" listen @URL@ --transport websocket --json --event flood --count "$N"
  rm -f "$work/record.ndjson"
  one listen "listen --json --record" "$run" --flood-on-connect "$N,$SIZE" -- \
    sh -c "exec \"\$0\" \"\$@\" >/dev/null" "$SIO" listen @URL@ --transport websocket --json --event flood --count "$N" \
    --record "$work/record.ndjson"
  rm -f "$work/record.ndjson"
  # Diagnostics: listen as the bottleneck (blast server flooding on connect).
  SERVER=blast one blast-listen engine "$run" --on-connect -- \
    "$FLOOD" engine @URL@ --transport websocket --on-connect --n "$N" --size "$SIZE"
  SERVER=blast one blast-listen "listen --json" "$run" --on-connect -- \
    sh -c "exec \"\$0\" \"\$@\" >/dev/null" "$SIO" listen @URL@ --transport websocket --json --event flood --count "$N"
  SERVER=blast one blast-listen "listen --json --record" "$run" --on-connect -- \
    sh -c "exec \"\$0\" \"\$@\" >/dev/null" "$SIO" listen @URL@ --transport websocket --json --event flood --count "$N" \
    --record "$work/record.ndjson"
  rm -f "$work/record.ndjson"
  echo >&2
done

echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
node benches/flood/table.js "$OUT" "$N" "$ACKS"
