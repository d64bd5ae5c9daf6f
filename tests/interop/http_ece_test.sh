#!/usr/bin/env bash
# Our aes128gcm against an independent implementation, both ways.
set -euo pipefail
if [ -z "${ONRAMP_NODE_PATH:-}" ] || [ ! -d "$ONRAMP_NODE_PATH/http_ece" ]; then
  echo "ONRAMP_NODE_PATH must hold the npm package http_ece: run tests with tools/test" >&2
  exit 1
fi
export NODE_PATH=$ONRAMP_NODE_PATH
tool=tools/profile-tool/profile-tool
script=tests/interop/ece.js
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ikm=BO3ZVPxUlnLORbVGMpbT1Q

# A profile spanning many records, and an empty one.
for i in $(seq 1 200); do echo "  <Line_${i}_ ua=\"na\">value $i</Line_${i}_>"; done >"$dir/profile.xml"
: >"$dir/empty.xml"
for input in profile.xml empty.xml; do
  for rs in 18 100 4096; do
    $tool encrypt --cipher aes128gcm --key $ikm --rs $rs --keyid key-1 "$dir/$input" "$dir/ours.bin"
    node $script decrypt $ikm "$dir/ours.bin" "$dir/ours.out"
    cmp "$dir/$input" "$dir/ours.out" || { echo "http_ece decrypted $input (rs $rs) differently"; exit 1; }

    node $script encrypt $ikm $rs key-2 "$dir/$input" "$dir/theirs.bin"
    $tool decrypt --cipher aes128gcm --key $ikm "$dir/theirs.bin" "$dir/theirs.out"
    cmp "$dir/$input" "$dir/theirs.out" || { echo "we decrypted http_ece's $input (rs $rs) differently"; exit 1; }
  done
done
echo "aes128gcm interop with http_ece: all checks passed"
