#!/usr/bin/env bash
# profile-tool end to end: round trips, interop with the openssl binary,
# clear errors without partial output, validate and expand-rule.
set -uo pipefail
tool=tools/profile-tool/profile-tool
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if ! "$@" >"$dir/out.txt" 2>"$dir/err.txt"; then
    echo "FAIL: $name"; cat "$dir/err.txt"; failures=$((failures + 1))
  fi
}
refuse() {  # refuse NAME EXPECTED_STDERR COMMAND...: must fail with that message
  local name=$1 expected=$2; shift 2
  if "$@" >"$dir/out.txt" 2>"$dir/err.txt"; then
    echo "FAIL: $name succeeded"; failures=$((failures + 1))
  elif ! grep -qF -- "$expected" "$dir/err.txt"; then
    echo "FAIL: $name: stderr lacks '$expected':"; cat "$dir/err.txt"; failures=$((failures + 1))
  elif [ "$(wc -l <"$dir/err.txt")" -ne 1 ]; then
    echo "FAIL: $name: more than one error line:"; cat "$dir/err.txt"; failures=$((failures + 1))
  fi
}
same() {  # same NAME FILE1 FILE2
  cmp -s "$2" "$3" || { echo "FAIL: $1: $2 and $3 differ"; failures=$((failures + 1)); }
}

cat >"$dir/profile.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<flat-profile>
  <Proxy_1_ ua="na">sip.example.com</Proxy_1_>
  <Password_1_ ua="na">hunter2</Password_1_>
</flat-profile>
XML

# aes-256-cbc: ours <-> openssl enc, both digests, with and without gzip.
for md in md5 sha256; do
  check "encrypt $md" $tool encrypt --cipher aes-256-cbc --key 'Very Secret' --md $md "$dir/profile.xml" "$dir/p.$md.enc"
  check "openssl decrypts $md" openssl enc -d -aes-256-cbc -md $md -k 'Very Secret' -in "$dir/p.$md.enc" -out "$dir/p.$md.openssl"
  same "openssl plaintext $md" "$dir/profile.xml" "$dir/p.$md.openssl"
  check "openssl encrypts $md" openssl enc -e -aes-256-cbc -md $md -k 'Very Secret' -in "$dir/profile.xml" -out "$dir/o.$md.enc"
  check "decrypt openssl $md" $tool decrypt --cipher aes-256-cbc --key 'Very Secret' "$dir/o.$md.enc" "$dir/o.$md.xml"
  same "our plaintext $md" "$dir/profile.xml" "$dir/o.$md.xml"
  check "encrypt gzip $md" $tool encrypt --cipher aes-256-cbc --key k --md $md --gzip "$dir/profile.xml" "$dir/g.$md.enc"
  openssl enc -d -aes-256-cbc -md $md -k k -in "$dir/g.$md.enc" 2>/dev/null | gzip -dc >"$dir/g.$md.openssl"
  same "openssl+gunzip $md" "$dir/profile.xml" "$dir/g.$md.openssl"
  check "decrypt gzip $md" $tool decrypt --cipher aes-256-cbc --key k "$dir/g.$md.enc" "$dir/g.$md.xml"
  same "decrypt undoes gzip $md" "$dir/profile.xml" "$dir/g.$md.xml"
done

# aes128gcm round trip through stdin/stdout, several records.
ikm=yqdlZ-tYemfogSmv7Ws5PQ
check "gcm encrypt" $tool encrypt --cipher aes128gcm --key $ikm --rs 64 --keyid a1 "$dir/profile.xml" "$dir/p.gcm"
check "gcm decrypt" $tool decrypt --cipher aes128gcm --key $ikm "$dir/p.gcm" "$dir/p.gcm.xml"
same "gcm plaintext" "$dir/profile.xml" "$dir/p.gcm.xml"
$tool decrypt --cipher aes128gcm --key $ikm - - <"$dir/p.gcm" >"$dir/p.gcm.stdout"
same "gcm via pipes" "$dir/profile.xml" "$dir/p.gcm.stdout"

# Bad input: one clear line, non-zero exit, no output file.
refuse "wrong cbc key" "wrong key or corrupt data" $tool decrypt --cipher aes-256-cbc --key nope "$dir/p.md5.enc" "$dir/never1"
head -c 40 "$dir/p.md5.enc" >"$dir/truncated.enc"
refuse "truncated cbc" "truncated" $tool decrypt --cipher aes-256-cbc --key 'Very Secret' "$dir/truncated.enc" "$dir/never2"
refuse "not encrypted" "no Salted__ header" $tool decrypt --cipher aes-256-cbc --key k "$dir/profile.xml" "$dir/never3"
refuse "wrong gcm key" "does not authenticate" $tool decrypt --cipher aes128gcm --key BO3ZVPxUlnLORbVGMpbT1Q "$dir/p.gcm" "$dir/never4"
head -c 100 "$dir/p.gcm" >"$dir/truncated.gcm"
refuse "truncated gcm" "aes128gcm" $tool decrypt --cipher aes128gcm --key $ikm "$dir/truncated.gcm" "$dir/never5"
refuse "bad gcm key text" "base64url" $tool decrypt --cipher aes128gcm --key '!!!' "$dir/p.gcm" "$dir/never6"
refuse "missing input" "cannot read" $tool encrypt --cipher aes128gcm --key $ikm "$dir/nothing" "$dir/never7"
refuse "bad cipher" "is not one of aes-256-cbc, aes128gcm" $tool encrypt --cipher des --key k "$dir/profile.xml" "$dir/never8"
for f in never1 never2 never3 never4 never5 never6 never7 never8; do
  [ ! -e "$dir/$f" ] || { echo "FAIL: $f was written"; failures=$((failures + 1)); }
done
ls "$dir" | grep -q '\.tmp-' && { echo "FAIL: temp file left behind"; failures=$((failures + 1)); }

# validate
check "validate good" $tool validate "$dir/profile.xml"
grep -q "2 parameters, 0 warnings" "$dir/out.txt" || { echo "FAIL: validate summary"; failures=$((failures + 1)); }
printf '<flat-profile>\n  <A ua="zz">1</A>\n</flat-profile>\n' >"$dir/bad.xml"
refuse "validate bad" "bad.xml: line 2, column 3: <A> ua=\"zz\" is not na, ro or rw" $tool validate "$dir/bad.xml"

# expand-rule
check "expand-rule" $tool expand-rule '($SWVER lt sip88xx.12-0-1MPP0001-245)? (b = "x")! [--key "$SA" --srv] https://prov.example.com:8443/$MA/$PSN.xml | /x' \
  --mac 00:0E:08:AA:BB:CC --model CP-8851-3PCC --serial FCH1 --swver sip88xx.11-2-3MSR1-1
expected='{"kind":"url","scheme":"https","host":"prov.example.com","port":8443,"path":"/000e08aabbcc/8851-3PCC.xml","options":{"key":"","srv":true},"assignments":[{"parameter":"GPP_B","value":"x"}]}'
[ "$(cat "$dir/out.txt")" = "$expected" ] || { echo "FAIL: expand-rule printed $(cat "$dir/out.txt")"; failures=$((failures + 1)); }
check "expand-rule tftp default" $tool expand-rule '/&PN.cfg' --mac 000e08aabbcc --model CP-6841-3PCC --dhcp_server 192.168.1.5
grep -qF '"scheme":"tftp","host":"192.168.1.5","port":69,"path":"/CP-6841-3PCC.cfg"' "$dir/out.txt" || { echo "FAIL: tftp default: $(cat "$dir/out.txt")"; failures=$((failures + 1)); }
refuse "srv over tftp" "Error - TFTP scheme is not supported in SRV lookup" $tool expand-rule '[--srv] tftp://h/x' --mac 000e08aabbcc --model X
refuse "bad mac" "mac \"00:11\" is not 12 hex digits" $tool expand-rule '/x' --mac 00:11 --model X

# --help on every command
for command in encrypt decrypt validate expand-rule; do
  check "$command --help" $tool $command --help
  grep -q "Usage: profile-tool $command" "$dir/out.txt" || { echo "FAIL: $command --help"; failures=$((failures + 1)); }
done

if [ $failures -ne 0 ]; then echo "$failures checks failed"; exit 1; fi
echo "profile-tool: all checks passed"
