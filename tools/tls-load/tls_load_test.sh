#!/usr/bin/env bash
# tls_load against openssl s_server: every connection succeeds; with
# --resume the sessions are resumed (tickets), without it none is.
set -euo pipefail
load=tools/tls-load/tls_load
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$dir/cert.pem" -key "$dir/key.pem" -www >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do
  if "$load" --target="127.0.0.1:$port" --threads=1 --duration=50ms --ca_file="$dir/cert.pem" >/dev/null 2>&1; then break; fi
  sleep 0.1
done

check() {  # check ARGS...: runs tls_load, prints its line, fails unless it matches what it should
  local line
  line=$("$load" --target="127.0.0.1:$port" --threads=1 --duration=300ms --ca_file="$dir/cert.pem" "$@" || true)
  case "$line" in *"failed 0") ;; *) echo "FAIL: failures: $line" >&2; exit 1 ;; esac
  echo "$line"
}
for version in 1.2 1.3; do
  full=$(check --max_version=$version)
  case "$full" in *"resumed 0.0%"*) ;; *) echo "FAIL: TLS $version resumed without --resume: $full"; exit 1 ;; esac
  resumed=$(check --max_version=$version --resume)
  share=$(echo "$resumed" | sed -n 's/.*resumed \([0-9.]*\)%.*/\1/p')
  python3 -c "import sys; sys.exit(0 if float('$share') >= 90 else 1)" ||
    { echo "FAIL: TLS $version: too few resumed: $resumed"; exit 1; }
done
# With a client certificate the server asks for and verifies.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=000e08aabbcc \
  -keyout "$dir/phone.key" -out "$dir/phone.pem" 2>/dev/null
kill $server
wait $server 2>/dev/null || true
port=$(free_port)
openssl s_server -quiet -accept "127.0.0.1:$port" -cert "$dir/cert.pem" -key "$dir/key.pem" -www \
  -Verify 1 -CAfile "$dir/phone.pem" >/dev/null 2>&1 &
server=$!
for _ in $(seq 1 50); do
  if "$load" --target="127.0.0.1:$port" --threads=1 --duration=50ms --ca_file="$dir/cert.pem" \
    --cert_file="$dir/phone.pem" --key_file="$dir/phone.key" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
check --cert_file="$dir/phone.pem" --key_file="$dir/phone.key" >/dev/null
without=$("$load" --target="127.0.0.1:$port" --threads=1 --duration=200ms --ca_file="$dir/cert.pem" || true)
case "$without" in *"connections/s 0 "*) ;; *) echo "FAIL: a server requiring a certificate took none: $without"; exit 1 ;; esac
if "$load" --target="127.0.0.1:$port" --cert_file="$dir/phone.pem" 2>/dev/null; then
  echo "FAIL: a certificate without its key was taken"; exit 1
fi
# On a schedule: about --rate connections a second, whatever the server could do.
scheduled=$("$load" --target="127.0.0.1:$port" --threads=2 --duration=1s --rate=40 --ca_file="$dir/cert.pem" \
  --cert_file="$dir/phone.pem" --key_file="$dir/phone.key")
rate=$(echo "$scheduled" | awk '{print $2}')
python3 -c "import sys; sys.exit(0 if 10 <= float('$rate') <= 45 else 1)" ||
  { echo "FAIL: --rate=40 made $scheduled"; exit 1; }
"$load" --help | grep -q -- "--resume"
if "$load" --target=nocolon 2>/dev/null; then echo "FAIL: a target without a port was taken"; exit 1; fi
echo PASS
