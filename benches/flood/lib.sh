# Shared by benches/flood/run.sh and benches/compare-all.sh (sourced from the repository root):
# the release build, private copies of the binaries, and fresh Node servers.
#
#   setup_work PREFIX   checks the tools, builds, makes $work with private copies: $FLOOD, $SIO
#   start_server SCRIPT ARGS...   a Node server (prefixed by ${SERVER_CPU[@]} if set); sets URL
#   stop_server         closes its stdin lifeline and waits for it

setup_work() {
  [ -x /usr/bin/time ] || { echo "needs GNU time at /usr/bin/time" >&2; exit 1; }
  if [ ! -d tests/peers/node_modules/socket.io ] || [ ! -d tests/peers/node_modules/socket.io-client ]; then
    (cd tests/peers && npm ci --no-audit --no-fund >/dev/null)
  fi
  echo "building (release) ..." >&2
  cargo build --release --bin sio >&2
  cargo bench --bench flood --no-run >&2
  local bench_exe
  bench_exe=$(cargo bench --bench flood --no-run --message-format=json 2>/dev/null |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const l of s.split("\n")){if(!l)continue;const m=JSON.parse(l);if(m.reason==="compiler-artifact"&&m.target.name==="flood"&&m.executable)console.log(m.executable)}})')
  [ -x "$bench_exe" ] || { echo "could not find the flood bench executable" >&2; exit 1; }
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  # Private copies: other builds in the shared target dir cannot swap them mid-run.
  cp "$bench_exe" "$work/flood"
  cp target/release/sio "$work/sio"
  FLOOD="$work/flood"
  SIO="$work/sio"
  NODE_CLIENT="$PWD/benches/flood/node-client.js"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

server_pid=""
server_fd=""
stop_server() {
  if [ -n "$server_fd" ]; then
    # The server exits when its stdin closes.
    eval "exec ${server_fd}>&-"
    server_fd=""
  fi
  if [ -n "$server_pid" ]; then
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}

start_server() {
  local fifo="$work/server.stdin"
  rm -f "$fifo" "$work/server.out"
  mkfifo "$fifo"
  ${SERVER_CPU[@]+"${SERVER_CPU[@]}"} node "$@" <"$fifo" >"$work/server.out" 2>/dev/null &
  server_pid=$!
  exec {server_fd}>"$fifo"
  local port=""
  for _ in $(seq 300); do
    port=$(sed -n 's/^LISTENING //p' "$work/server.out" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "the server did not start" >&2; exit 1; }
  URL="http://127.0.0.1:$port"
}
