# Sourced by the tests that run a whole local fleet (tools:fleet_test,
# docs:partner_api_test); expects $fleet_dir.
#
#   fail MESSAGE   prints it and the fleet's last log lines, exits 1
#   free_base      a port base whose 100 ports nothing listens on

fail() {
  echo "FAIL: $*" >&2
  tail -n 5 "$fleet_dir"/logs/*.log >&2 || true
  exit 1
}

free_base() {
  local base port
  for _ in $(seq 1 50); do
    # Below the ephemeral range (32768+), where outgoing connections take ports.
    base=$((20000 + RANDOM % 120 * 100))
    for port in $(seq "$base" $((base + 99))); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue 2; fi
    done
    echo "$base"
    return
  done
  fail "no free port range"
}
