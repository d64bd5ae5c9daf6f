#!/usr/bin/env bash
# A new partner with only docs/partner-api.md: every `sh` block of the guide
# runs, in order, in one shell, against a real local fleet (tools/fleet,
# PostgreSQL, the services), with a thousand simulated phones and a webhook
# endpoint (tests/e2e/webhook_receiver.py: it checks every signature and
# fails each event's first attempt). Then each phone's phone.acquired must
# have reached the endpoint exactly once.
set -euo pipefail

root=$PWD
fleet_dir=$(mktemp -d --suffix=.onramp-guide-fleet)
chmod 755 "$fleet_dir"  # the postgres user must reach its pg/
work=$(mktemp -d --suffix=.onramp-guide)
receiver=""
cleanup() {
  [ -z "$receiver" ] || kill "$receiver" 2>/dev/null || true
  ONRAMP_FLEET_DIR=$fleet_dir ONRAMP_FLEET_PREBUILT=. tools/fleet down >/dev/null 2>&1 || true
  rm -rf "$fleet_dir" "$work"
}
trap cleanup EXIT

# shellcheck source=tools/fleet_test_helpers.sh
. tools/fleet_test_helpers.sh

ONRAMP_FLEET_DIR=$fleet_dir ONRAMP_FLEET_PREBUILT=. ONRAMP_FLEET_PORT_BASE=$(free_base) tools/fleet up \
  2>"$work/up.log" || { cat "$work/up.log"; fail "fleet up"; }

# The partner's endpoint, with a certificate from the fleet's CA.
python3 tests/e2e/webhook_receiver.py --cert "$fleet_dir/tls/gateway.pem" --key "$fleet_dir/tls/gateway.key" \
  --secret-file "$work/webhook-secret" --log "$work/received.jsonl" 2>"$work/receiver.log" &
receiver=$!
for _ in $(seq 1 100); do grep -q '^serving port ' "$work/receiver.log" && break; sleep 0.1; done
port=$(sed -n 's/^serving port //p' "$work/receiver.log")
[ -n "$port" ] || fail "the webhook receiver did not start: $(cat "$work/receiver.log")"

# The guide's commands, as a reader would have them on their PATH.
mkdir -p "$work/bin"
ln -s "$root/tools/onramp/onramp" "$work/bin/onramp"
ln -s "$root/device-agent/device-agent" "$work/bin/device-agent"
awk '/^```sh$/ { inside = 1; next } /^```/ { inside = 0; next } inside' docs/partner-api.md >"$work/guide.sh"
[ "$(grep -c . "$work/guide.sh")" -gt 30 ] || fail "the guide has no sh blocks"

echo "--- running docs/partner-api.md"
(
  cd "$work"
  export PATH="$work/bin:$PATH" ONRAMP_FLEET_DIR=$fleet_dir WEBHOOK_URL="https://127.0.0.1:$port/onramp"
  bash -euo pipefail guide.sh
) || fail "a command of the guide failed (its output is above)"
echo "--- the guide ran to its end"

# Every phone's acquisition reached the endpoint once (deliveries retry
# after the endpoint's first 503; the last ones may still be on their way).
acquired() { jq -r 'select(.type == "phone.acquired") | .mac' "$work/received.jsonl" 2>/dev/null | sort -u | wc -l; }
for _ in $(seq 1 300); do [ "$(acquired)" -ge 1000 ] && break; sleep 0.1; done
[ "$(acquired)" -eq 1000 ] || fail "the endpoint got phone.acquired for $(acquired) phones, not 1000"
twice=$(jq -r .id "$work/received.jsonl" | sort | uniq -d | head -3)
[ -z "$twice" ] || fail "events accepted twice: $twice"
[ "$(jq -r .mac "$work/received.jsonl" | sort | uniq -d | head -1)" = "" ] || fail "a phone acquired twice"
echo "each of the 1000 phones' phone.acquired reached the endpoint once, after a retry"
