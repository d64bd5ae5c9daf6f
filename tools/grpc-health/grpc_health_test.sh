#!/usr/bin/env bash
# grpc_health against a real server: SERVING while up, unreachable after.
set -euo pipefail
health=tools/grpc-health/grpc_health
log=$(mktemp)
tests/kit/kit_test_service --host=127.0.0.1 --grpc_port=0 --metrics_port=0 \
  --metrics_host=127.0.0.1 --drain_delay=0s 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*"msg":"serving".*"grpc_port":"\([0-9]*\)".*/\1/p' "$log")
  [ -n "$port" ] && break
  kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; cat "$log"; exit 1; }

out=$($health --address=127.0.0.1:$port)
[ "$out" = "127.0.0.1:$port: SERVING" ] || { echo "unexpected: $out"; exit 1; }

set +e
$health --address=127.0.0.1:$port --service=no.such.Service >/dev/null 2>&1
[ $? -eq 1 ] || { echo "unknown service should be exit 1"; exit 1; }
$health >/dev/null 2>&1
[ $? -eq 2 ] || { echo "missing --address should be exit 2"; exit 1; }
kill -TERM $pid
wait $pid
[ $? -eq 0 ] || { echo "server did not exit 0 on SIGTERM"; exit 1; }
$health --address=127.0.0.1:$port --timeout=500ms >/dev/null 2>&1
[ $? -eq 3 ] || { echo "stopped server should be exit 3"; exit 1; }
echo "grpc_health: all checks passed"
