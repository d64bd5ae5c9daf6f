#!/usr/bin/env bash
# tools/fleet against the real services and PostgreSQL: up, a service killed
# with SIGKILL and brought back by the next `up` (also when its recorded pid
# is a zombie or another program), the fleet moved to other ports, down.
set -euo pipefail

fleet_dir=$(mktemp -d --suffix=.onramp-fleet-test)
chmod 755 "$fleet_dir"  # the postgres user must reach its pg/
zombie_parent=""
stranger=""
cleanup() {
  ONRAMP_FLEET_DIR=$fleet_dir ONRAMP_FLEET_PREBUILT=. tools/fleet down >/dev/null 2>&1 || true
  [ -z "$zombie_parent" ] || kill "$zombie_parent" 2>/dev/null || true
  [ -z "$stranger" ] || kill "$stranger" 2>/dev/null || true
  rm -rf "$fleet_dir"
}
trap cleanup EXIT

# shellcheck source=tools/fleet_test_helpers.sh
. tools/fleet_test_helpers.sh

fleet() { ONRAMP_FLEET_DIR=$fleet_dir ONRAMP_FLEET_PREBUILT=. tools/fleet "$@"; }
pid() { cat "$fleet_dir/pids/$1.pid"; }
addr() { sed -n "s/^ONRAMP_$1_ADDR=//p" "$fleet_dir/endpoints.env"; }
gone() { [ ! -s "/proc/$1/cmdline" ]; }
listening() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

base=$(free_base)
ONRAMP_FLEET_PORT_BASE=$base fleet up 2>"$fleet_dir/up.log" || { cat "$fleet_dir/up.log"; fail "up"; }
fleet status >/dev/null || fail "status after up"
[ "$(addr GATEWAY)" != "" ] || fail "no gateway address"
echo "fleet up on ports $base+"

# SIGKILL: the next `up` starts the gateway again and leaves the rest alone.
activation_pid=$(pid activation-code)
gateway_pid=$(pid gateway)
kill -KILL "$gateway_pid"
for _ in $(seq 1 100); do gone "$gateway_pid" && break; sleep 0.05; done
if fleet status >/dev/null; then fail "status says healthy with the gateway killed"; fi
fleet up 2>"$fleet_dir/up.log" || { cat "$fleet_dir/up.log"; fail "up after kill -9"; }
grep -q "gateway serving" "$fleet_dir/up.log" || fail "gateway not restarted: $(cat "$fleet_dir/up.log")"
[ "$(pid gateway)" != "$gateway_pid" ] || fail "gateway pid unchanged"
[ "$(pid activation-code)" = "$activation_pid" ] || fail "activation-code restarted needlessly"
fleet status >/dev/null || fail "status after restart"
echo "a killed gateway was restarted; the rest kept running"

# A recorded pid that is a zombie (killed, never reaped: it passes kill -0)
# or belongs to another program is not the service.
kill -KILL "$(pid device-activation)"
zombie_parent_out=$(mktemp)
python3 -c 'import os, sys, time
child = os.fork()
if child == 0:
    os._exit(0)
print(child, flush=True)
time.sleep(120)' >"$zombie_parent_out" &
zombie_parent=$!
for _ in $(seq 1 100); do [ -s "$zombie_parent_out" ] && break; sleep 0.05; done
zombie=$(cat "$zombie_parent_out")
for _ in $(seq 1 100); do grep -q '^State:.*Z' "/proc/$zombie/status" && break; sleep 0.05; done
kill -0 "$zombie" || fail "the zombie should pass kill -0"
echo "$zombie" >"$fleet_dir/pids/device-activation.pid"
sleep 600 &
stranger=$!
kill -KILL "$(pid firmware-catalog)"
echo "$stranger" >"$fleet_dir/pids/firmware-catalog.pid"
fleet up 2>"$fleet_dir/up.log" || { cat "$fleet_dir/up.log"; fail "up with a zombie"; }
grep -q "device-activation serving" "$fleet_dir/up.log" || fail "device-activation not restarted"
grep -q "firmware-catalog serving" "$fleet_dir/up.log" || fail "firmware-catalog not restarted"
kill -0 "$stranger" || fail "up killed a process that was not the fleet's"
fleet status >/dev/null || fail "status after zombie restart"
echo "a zombie's or a stranger's pid was not taken for the service"

# Another base while the fleet runs: it moves, and endpoints.env tells the truth.
old_gateway=$(addr GATEWAY)
new_base=$(free_base)
while [ "$new_base" = "$base" ]; do new_base=$(free_base); done
ONRAMP_FLEET_PORT_BASE=$new_base fleet up 2>"$fleet_dir/up.log" || { cat "$fleet_dir/up.log"; fail "up on a new base"; }
new_gateway=$(addr GATEWAY)
[ "${new_gateway##*:}" -ge "$new_base" ] && [ "${new_gateway##*:}" -lt $((new_base + 100)) ] ||
  fail "gateway address $new_gateway is not on base $new_base"
fleet status >/dev/null || fail "status after the move"
if listening "$old_gateway"; then fail "something still listens on the old address $old_gateway"; fi
# Without a base, `up` keeps the fleet where it is.
fleet up 2>"$fleet_dir/up.log" || fail "up again"
[ "$(addr GATEWAY)" = "$new_gateway" ] || fail "up without a base moved the fleet"
echo "the fleet moved from $base+ to $new_base+"

fleet down 2>/dev/null
if fleet status >/dev/null; then fail "status healthy after down"; fi
echo "PASS"
