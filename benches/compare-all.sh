#!/usr/bin/env bash
# The goals of issue 10, side by side in one run, as ratios (CPU = user + sys of the measured
# process, from /usr/bin/time; RSS = its peak):
#   wait     `sio run` waiting for one event (expect flood-done) during an N-event flood, and
#            during a BIG-event one, against `sio listen` taking the same flood
#   ws       `sio run` / `listen` / `connect --no-tui`, all with --json, taking an N x SIZE flood
#            over WebSocket, against the bare tokio-tungstenite reader (goal <= 1.6x)
#   polling  the same three over polling against the official Node client (CPU and RSS <= 0.5x)
#   record   `listen --json --record FILE` against `listen --json` (goal <= 1.2x)
#   decode   `sio decode --json` against engine.io-parser + socket.io-parser in Node, both
#            printing one JSON line per frame of the same DECODE frames (goal >= 5x; the ratio
#            is Node's time over sio's)
#   rss      `connect --no-tui` peak RSS after BIG events against after N (flat after the bound)
#
#     bash benches/compare-all.sh [RUNS] [N] [SIZE] [BIG] [DECODE]   # defaults: 3 200000 100 1000000 500000
#     ONLY="ws decode" bash benches/compare-all.sh ...               # some measurements only
#     SIO_BEFORE=/path/to/old/sio bash benches/compare-all.sh ...    # an older sio beside this one
#
# The server is tests/peers/server-v4.js (socket.io 4.8) flooding every connection
# (--flood-on-connect N,SIZE, then "flood-done"); every measurement gets a fresh server and
# runs under `timeout`. Prints a table of medians over RUNS and the ratios with their goals;
# raw measurements stay in $COMPARE_OUT (default /tmp/sio-compare-all.ndjson).
#
# To add a measurement: write a function `m_NAME RUN` that calls `one TEST CLIENT RUN FLOOD_N
# -- CMD...` (or `measure` for a command without a server) for each client, and `ratio`
# lines for what it compares (see `ratio`); add NAME to MEASUREMENTS.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${1:-3}"
N="${2:-200000}"
SIZE="${3:-100}"
BIG="${4:-1000000}"
DECODE="${5:-500000}"
LIMIT="${LIMIT:-300}" # seconds allowed per client run
OUT="${COMPARE_OUT:-/tmp/sio-compare-all.ndjson}"
MEASUREMENTS="${ONLY:-wait ws polling record decode rss}"

# shellcheck source=benches/flood/lib.sh
source benches/flood/lib.sh
setup_work sio-compare
SIO_BEFORE="${SIO_BEFORE:-}"
if [ -n "$SIO_BEFORE" ]; then
  cp "$SIO_BEFORE" "$work/sio-before"
  SIO_BEFORE="$work/sio-before"
fi
RATIOS="$work/ratios"
: >"$RATIOS"

# measure TEST CLIENT RUN [STDIN_FILE] -- CMD...: CMD under /usr/bin/time, stdout to
# /dev/null; appends one JSON line to $OUT.
measure() {
  local test=$1 client=$2 run=$3 input=/dev/null
  shift 3
  if [ "$1" != "--" ]; then input=$1; shift; fi
  shift
  local rc=0
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" timeout "$LIMIT" "$@" \
    <"$input" >/dev/null 2>"$work/stderr" || rc=$?
  [ "$rc" = 0 ] || echo "  ! $test / $client run $run: exit $rc: $(tail -n 2 "$work/stderr" | tr '\n' ' ')" >&2
  local t
  t=$(tail -n 1 "$work/time")
  node -e '
    const [test, client, run, rc, t] = process.argv.slice(1);
    const [elapsed, user, sys, rss] = t.split(" ").map(Number);
    console.log(JSON.stringify({test, client, run: Number(run), rc: Number(rc),
      elapsed_s: elapsed, cpu_s: user + sys, user_s: user, sys_s: sys, peak_rss_kib: rss}));' \
    "$test" "$client" "$run" "$rc" "$t" >>"$OUT"
  printf '.' >&2
}

# one TEST CLIENT RUN FLOOD_N [STDIN_FILE] -- CMD...: a fresh server, measure CMD (@URL@ in it
# is the server's URL), stop the server.
one() {
  local test=$1 client=$2 run=$3 flood_n=$4
  shift 4
  start_server tests/peers/server-v4.js --flood-on-connect "$flood_n,$SIZE"
  local cmd=()
  for a in "$@"; do cmd+=("${a//@URL@/$URL}"); done
  measure "$test" "$client" "$run" "${cmd[@]}"
  stop_server
}

# ratio RUN NAME NUM_TEST NUM_CLIENT DEN_TEST DEN_CLIENT METRIC GOAL: the table prints
# median(NUM)/median(DEN) of METRIC (cpu_s, peak_rss_kib or elapsed_s) beside GOAL (e.g.
# "<= 1.6"); given in every run, kept once.
ratio() {
  [ "$1" = 1 ] || return 0
  shift
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RATIOS"
}

# Scripts for the clients that take commands: wait for the flood's end.
printf 'expect flood-done --within %ss\n' "$LIMIT" >"$work/wait.sio"
# `sio listen --count`: welcome, the floods, flood-done.
listen_count() { echo $(($1 + 2)); }

# sio_clients TEST RUN FLOOD_N TRANSPORT SIO [EXTRA...]: run, listen, connect --no-tui, with --json.
sio_clients() {
  local test=$1 run=$2 n=$3 transport=$4 sio=$5 tag=""
  shift 5
  [ "$sio" = "$SIO" ] || tag=" (before)"
  one "$test" "run --json$tag" "$run" "$n" -- "$sio" run @URL@ "$work/wait.sio" --transport "$transport" --json "$@"
  one "$test" "listen --json$tag" "$run" "$n" -- \
    "$sio" listen @URL@ --transport "$transport" --json --count "$(listen_count "$n")" "$@"
  one "$test" "connect --no-tui --json$tag" "$run" "$n" "$work/wait.sio" -- \
    "$sio" connect @URL@ --no-tui --transport "$transport" --json --linger "${LIMIT}s" "$@"
}

m_wait() {
  local run=$1
  for n in "$N" "$BIG"; do
    one "wait $n" "run --json" "$run" "$n" -- "$SIO" run @URL@ "$work/wait.sio" --transport websocket --json
    one "wait $n" "listen --json" "$run" "$n" -- \
      "$SIO" listen @URL@ --transport websocket --json --count "$(listen_count "$n")"
    ratio "$run" "run waiting during $n events / listen" "wait $n" "run --json" "wait $n" "listen --json" cpu_s "~ 1"
  done
}

m_ws() {
  local run=$1
  one ws bare "$run" "$N" -- "$FLOOD" bare @URL@ --on-connect --n "$N" --size "$SIZE"
  sio_clients ws "$run" "$N" websocket "$SIO"
  [ -z "$SIO_BEFORE" ] || sio_clients ws "$run" "$N" websocket "$SIO_BEFORE"
  for c in "run --json" "listen --json" "connect --no-tui --json"; do
    ratio "$run" "websocket: $c / bare reader" ws "$c" ws bare cpu_s "<= 1.6"
    [ -z "$SIO_BEFORE" ] || ratio "$run" "websocket: $c / bare reader, before" ws "$c (before)" ws bare cpu_s "<= 1.6"
  done
}

m_polling() {
  local run=$1
  one polling node "$run" "$N" -- node "$NODE_CLIENT" flood @URL@ polling "$N" "$SIZE" --on-connect
  sio_clients polling "$run" "$N" polling "$SIO"
  [ -z "$SIO_BEFORE" ] || sio_clients polling "$run" "$N" polling "$SIO_BEFORE"
  for c in "run --json" "listen --json" "connect --no-tui --json"; do
    ratio "$run" "polling: $c / Node client, CPU" polling "$c" polling node cpu_s "<= 0.5"
    ratio "$run" "polling: $c / Node client, RSS" polling "$c" polling node peak_rss_kib "<= 0.5"
    [ -z "$SIO_BEFORE" ] || ratio "$run" "polling: $c / Node client, CPU, before" polling "$c (before)" polling node cpu_s "<= 0.5"
  done
}

m_record() {
  local run=$1
  for sio in "$SIO" ${SIO_BEFORE:+"$SIO_BEFORE"}; do
    local tag=""
    [ "$sio" = "$SIO" ] || tag=" (before)"
    one record "listen --json$tag" "$run" "$N" -- \
      "$sio" listen @URL@ --transport websocket --json --count "$(listen_count "$N")"
    rm -f "$work/record.ndjson"
    one record "listen --json --record$tag" "$run" "$N" -- \
      "$sio" listen @URL@ --transport websocket --json --count "$(listen_count "$N")" --record "$work/record.ndjson"
    rm -f "$work/record.ndjson"
    ratio "$run" "--record overhead$tag" record "listen --json --record$tag" record "listen --json$tag" cpu_s "<= 1.2"
  done
}

m_decode() {
  local run=$1
  [ -s "$work/frames.txt" ] || node benches/gen_decode_input.js "$DECODE" >"$work/frames.txt"
  measure decode "sio decode --json" "$run" "$work/frames.txt" -- "$SIO" decode --json
  [ -z "$SIO_BEFORE" ] || measure decode "sio decode --json (before)" "$run" "$work/frames.txt" -- "$SIO_BEFORE" decode --json
  measure decode node "$run" "$work/frames.txt" -- node benches/node_decode.js
  # Node's time over sio's: how many times faster sio is.
  ratio "$run" "decode: Node / sio decode --json (elapsed)" decode node decode "sio decode --json" elapsed_s ">= 5"
  ratio "$run" "decode: Node / sio decode --json (CPU)" decode node decode "sio decode --json" cpu_s ">= 5"
  [ -z "$SIO_BEFORE" ] || ratio "$run" "decode: Node / sio decode --json, before (elapsed)" decode node decode "sio decode --json (before)" elapsed_s ">= 5"
}

m_rss() {
  local run=$1
  for n in "$N" "$BIG"; do
    one "rss $n" "connect --no-tui --json" "$run" "$n" "$work/wait.sio" -- \
      "$SIO" connect @URL@ --no-tui --transport websocket --json --linger "${LIMIT}s"
  done
  ratio "$run" "connect --no-tui RSS after $BIG / after $N events" "rss $BIG" "connect --no-tui --json" \
    "rss $N" "connect --no-tui --json" peak_rss_kib "~ 1 (flat)"
}

: >"$OUT"
echo "N=$N SIZE=$SIZE BIG=$BIG DECODE=$DECODE RUNS=$RUNS; measurements: $MEASUREMENTS; raw results in $OUT" >&2
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "tree: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(git status --short -- src 2>/dev/null | wc -l) changed path(s) under src/" >&2
for ((run = 1; run <= RUNS; run++)); do
  printf 'run %d ' "$run" >&2
  for m in $MEASUREMENTS; do "m_$m" "$run"; done
  echo >&2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
node benches/compare-table.js "$OUT" "$RATIOS"
