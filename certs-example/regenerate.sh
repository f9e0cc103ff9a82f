#!/usr/bin/env bash
# Regenerates the EXAMPLE certificates in this folder.
#
#   ca.pem / ca-key.pem               example local CA (ECDSA P-256)
#   localhost.pem / localhost-key.pem leaf for localhost, 127.0.0.1, ::1,
#                                     signed by the example CA; key is PKCS#8 PEM
#
# These are test fixtures. Their private keys are committed and therefore
# public: NEVER use them in production. See README.md.
#
# Usage: bash certs-example/regenerate.sh   (needs only the openssl CLI)
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DIR"

# Long validity on purpose: CI uses these for years, and rustls/webpki do
# not cap leaf lifetime.
DAYS=3650

CA_CN="pis-gateway EXAMPLE CA - DO NOT USE IN PRODUCTION"
LEAF_CN="localhost"

umask 077
TMP="$(mktemp -d "${DIR}/.regen.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# --- CA -------------------------------------------------------------------
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -pkeyopt ec_param_enc:named_curve -out ca-key.pem
chmod 600 ca-key.pem

cat >"$TMP/ca.cnf" <<'EOF'
[ req ]
distinguished_name = dn
prompt             = no
[ dn ]
[ v3_ca ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
EOF

openssl req -new -x509 -sha256 -days "$DAYS" \
    -key ca-key.pem \
    -subj "/CN=${CA_CN}" \
    -config "$TMP/ca.cnf" -extensions v3_ca \
    -out ca.pem

# --- Leaf -----------------------------------------------------------------
# genpkey writes PKCS#8 PEM ("BEGIN PRIVATE KEY").
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -pkeyopt ec_param_enc:named_curve -out localhost-key.pem
chmod 600 localhost-key.pem

openssl req -new -sha256 \
    -key localhost-key.pem \
    -subj "/CN=${LEAF_CN}" \
    -out "$TMP/localhost.csr"

cat >"$TMP/leaf.ext" <<'EOF'
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectAltName         = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF

openssl x509 -req -sha256 -days "$DAYS" \
    -in "$TMP/localhost.csr" \
    -CA ca.pem -CAkey ca-key.pem \
    -CAcreateserial -CAserial "$TMP/ca.srl" \
    -extfile "$TMP/leaf.ext" \
    -out localhost.pem

chmod 644 ca.pem localhost.pem

# --- Clean up temp files (CSR, serial, configs) ----------------------------
rm -rf "$TMP"
rm -f ca.srl localhost.csr
trap - EXIT

openssl verify -CAfile ca.pem localhost.pem
echo "Wrote EXAMPLE certificates to ${DIR}: ca.pem ca-key.pem localhost.pem localhost-key.pem"
