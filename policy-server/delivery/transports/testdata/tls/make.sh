#!/usr/bin/env bash
# Test-only TLS material for the Kubernetes delivery tests (kube_apply_test.ts): a CA, a server
# certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA and valid for
# 100 years. Nothing here is trusted anywhere else. Regenerate with: bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
ec() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null; }
cat > ext.cnf <<'CNF'
[server]
subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth
basicConstraints=CA:FALSE
[client]
extendedKeyUsage=clientAuth
basicConstraints=CA:FALSE
CNF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
  -days 36500 -subj "/CN=wasmroute-test-ca" 2>/dev/null
ec server "/CN=127.0.0.1"
ec client "/O=wasmroute-test/CN=wasmroute-policy-server"
for name in server client; do
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$name.crt" \
    -days 36500 -extfile ext.cnf -extensions "$name" 2>/dev/null
done
rm -f ./*.csr ca.srl ext.cnf ca.key
