#!/usr/bin/env bash
# Writes throwaway CAs and certificates they signed into DIR, for tests of
# TLS, mutual TLS and the phones' factory identity:
#   ca.pem ca.key            the onboarding CA (also signs the servers)
#   server.pem server.key    localhost, 127.0.0.1
#   client.pem client.key    a client certificate from ca.pem
#   factory-ca.pem factory-ca.key    a stand-in manufacturing CA
#   factory.pem factory.key  the factory certificate of phone 000e08aabbcc
#   impostor.pem impostor.key        a self-made certificate claiming that phone
set -euo pipefail
dir=$1
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj "/CN=Onramp Test CA" 2>/dev/null
key factory-ca.key
openssl req -x509 -new -key factory-ca.key -out factory-ca.pem -days 2 \
  -subj "/O=Stand-in Phone Maker/CN=Onramp Test Manufacturing CA" 2>/dev/null
sign() {
  local name=$1 subject=$2 ext=$3 ca=${4:-ca}
  key "$name.key"
  openssl req -new -key "$name.key" -out "$name.csr" -subj "$subject" 2>/dev/null
  printf '%s\n' "$ext" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
    -out "$name.pem" -days 2 -extfile "$name.ext" 2>/dev/null
}
sign server /CN=localhost "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
sign client /CN=phone-000e08aabbcc "extendedKeyUsage=clientAuth"
sign factory "/O=Stand-in Phone Maker/CN=000e08aabbcc" "extendedKeyUsage=clientAuth" factory-ca
key impostor.key
openssl req -x509 -new -key impostor.key -out impostor.pem -days 2 \
  -subj "/O=Stand-in Phone Maker/CN=000e08aabbcc" 2>/dev/null
