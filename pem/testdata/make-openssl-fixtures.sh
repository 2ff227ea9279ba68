#!/bin/sh
# Makes the openssl-made fixtures of pem/testdata from the Go-made ones
# (chain.pem, root.pem, leaf-key.pem, intermediate.pem). Run from pem/testdata.
# Not byte-reproducible (PKCS#12 salts, TLS session data): the outputs are
# committed and this script records how they were made.
set -eu
openssl x509 -in root.pem -addtrust serverAuth -setalias "Chainfix Test Root" -out trusted-certificate.pem
openssl crl2pkcs7 -nocrl -certfile chain.pem -outform DER -out chain-openssl.p7b
openssl crl2pkcs7 -nocrl -certfile chain.pem -out chain-openssl.p7b.pem
openssl pkcs12 -export -in chain.pem -inkey leaf-key.pem -name www.example.com -passout pass:test -out store.p12
openssl pkcs12 -in store.p12 -passin pass:test -nodes -out bag-attributes.pem
cat intermediate.pem root.pem > /tmp/chainfix-s_server-chain.pem
port=44331
openssl s_server -accept 127.0.0.1:$port -naccept 1 -cert leaf.pem -key leaf-key.pem \
	-cert_chain /tmp/chainfix-s_server-chain.pem -quiet >/dev/null 2>&1 &
sleep 1
echo | openssl s_client -connect 127.0.0.1:$port -servername www.example.com -showcerts >s_client.txt 2>&1 || true
wait
rm -f /tmp/chainfix-s_server-chain.pem
