# Sourced by the benchmark scripts (not run): a scratch directory, a
# throwaway PostgreSQL with an empty database "bench", servers started in the
# background and all of it stopped and removed on exit.
#
#   bench_setup                      sets $work, $url (admin) and $db (bench)
#   bench_spawn LOG PROGRAM ARGS...  runs PROGRAM with stderr to LOG
#   bench_port LOG [FIELD]           waits for LOG's "serving" line; prints
#                                    its FIELD (grpc_port by default)
#   cpu_seconds PID...               CPU seconds (user + system) they used so far
#   postgres_pids                    the bench PostgreSQL's processes now

bench_pids=()

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -f "$work/nginx.pid" ]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
  tools/pg stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}

bench_setup() {
  work=$(mktemp -d --suffix=.onramp-bench)
  chmod 755 "$work"  # the postgres user must reach $work/pg
  trap bench_cleanup EXIT
  url=$(tools/pg start "$work/pg")
  psql -q "$url" -c "CREATE DATABASE bench"
  db=${url%/postgres}/bench
}

cpu_seconds() {
  local ticks=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue  # gone since it was listed
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$ticks $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

postgres_pids() {
  local postmaster
  postmaster=$(head -1 "$(find "$work/pg" -name postmaster.pid | head -1)")
  echo "$postmaster" $(pgrep -P "$postmaster")
}

bench_spawn() {
  local log=$1
  shift
  : >"$log"
  "$@" 2>"$log" &
  bench_pids+=($!)
}

bench_port() {
  local log=$1 field=${2:-grpc_port} value="" _
  for _ in $(seq 1 100); do
    value=$(sed -n "s/.*\"msg\":\"serving\".*\"$field\":\"\\([0-9]*\\)\".*/\\1/p" "$log" || true)
    if [ -n "$value" ]; then echo "$value"; return 0; fi
    sleep 0.1
  done
  cat "$log" >&2
  return 1
}
