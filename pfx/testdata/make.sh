#!/bin/sh
# Regenerates the fixtures of package pfx with OpenSSL 3 and Java keytool.
# Keys are random: running it again changes every file, and the tests only
# rely on relations between files (this key goes with that certificate).
# Usage: cd pfx/testdata && sh make.sh
set -eu
PW=secret
subj() { echo "/CN=$1/O=chainfix pfx tests"; }

# Keys.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-pkcs8.pem
openssl pkey -in rsa-pkcs8.pem -outform DER -out rsa-pkcs8.der
openssl rsa -in rsa-pkcs8.pem -traditional -out rsa-pkcs1.pem
openssl rsa -in rsa-pkcs8.pem -traditional -outform DER -out rsa-pkcs1.der
openssl ecparam -name prime256v1 -genkey -out ec-p256-sec1-with-params.pem
openssl ec -in ec-p256-sec1-with-params.pem -out ec-p256-sec1.pem
openssl ec -in ec-p256-sec1-with-params.pem -outform DER -out ec-p256-sec1.der
openssl pkey -in ec-p256-sec1.pem -out ec-p256-pkcs8.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out ec-p384-pkcs8.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out ec-p521-pkcs8.pem
openssl genpkey -algorithm ED25519 -out ed25519-pkcs8.pem
openssl pkey -in ed25519-pkcs8.pem -outform DER -out ed25519-pkcs8.der
openssl genpkey -algorithm X25519 -out x25519-pkcs8.pem
openssl pkey -in rsa-pkcs8.pem -pubout -out rsa-public.pem

# Encrypted keys, password "secret".
openssl pkcs8 -topk8 -v2 aes256 -in rsa-pkcs8.pem -passout pass:$PW -out rsa-enc-aes256.pem
openssl pkcs8 -topk8 -v2 aes256 -in rsa-pkcs8.pem -passout pass:$PW -outform DER -out rsa-enc-aes256.der
openssl pkcs8 -topk8 -v2 aes128 -in ec-p256-pkcs8.pem -passout pass:$PW -out ec-enc-aes128.pem
openssl pkcs8 -topk8 -v2 des3 -in rsa-pkcs8.pem -passout pass:$PW -out rsa-enc-des3.pem
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in ec-p256-pkcs8.pem -passout pass:$PW -out ec-enc-pbe-sha1-3des.pem
openssl pkcs8 -topk8 -scrypt -in ed25519-pkcs8.pem -passout pass:$PW -out ed25519-enc-scrypt.pem
openssl pkcs8 -topk8 -v1 PBE-MD5-DES -in ec-p256-pkcs8.pem -passout pass:$PW -out ec-enc-pbes1-md5-des.pem -provider default -provider legacy
openssl rsa -in rsa-pkcs8.pem -aes256 -traditional -passout pass:$PW -out rsa-legacy-aes256.pem
openssl ec -in ec-p256-sec1.pem -des3 -passout pass:$PW -out ec-legacy-des3.pem

# Certificates: a CA, an RSA leaf under it, self-signed EC and Ed25519 ones.
openssl req -x509 -new -key ec-p384-pkcs8.pem -subj "$(subj 'pfx test CA')" -days 36500 -out ca.crt
openssl req -new -key rsa-pkcs8.pem -subj "$(subj 'rsa.example')" -out rsa.csr
openssl x509 -req -in rsa.csr -CA ca.crt -CAkey ec-p384-pkcs8.pem -set_serial 2 -days 36500 -out rsa.crt
rm rsa.csr
openssl req -x509 -new -key ec-p256-pkcs8.pem -subj "$(subj 'ec.example')" -days 36500 -out ec-p256.crt
openssl req -x509 -new -key ed25519-pkcs8.pem -subj "$(subj 'ed25519.example')" -days 36500 -out ed25519.crt

# Ugly PEM: CRLF + BOM + indentation; openssl -nodes output with Bag Attributes.
{ printf '\357\273\277'; sed -e 's/^/  /' -e 's/$/\r/' ec-p256-sec1-with-params.pem; } > ec-crlf-bom-indented.pem

# PFX files, password "secret".
openssl pkcs12 -export -inkey rsa-pkcs8.pem -in rsa.crt -certfile ca.crt -passout pass:$PW -out openssl-aes.p12
openssl pkcs12 -export -legacy -inkey rsa-pkcs8.pem -in rsa.crt -certfile ca.crt -passout pass:$PW -out openssl-legacy-rc2.p12
openssl pkcs12 -export -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -inkey rsa-pkcs8.pem -in rsa.crt -certfile ca.crt -passout pass:$PW -out openssl-3des.p12
openssl pkcs12 -export -nokeys -in rsa.crt -certfile ca.crt -passout pass:$PW -out openssl-nokeys.p12
openssl pkcs12 -export -nomac -inkey ec-p256-pkcs8.pem -in ec-p256.crt -passout pass:$PW -out openssl-nomac.p12
openssl pkcs12 -export -nomac -keypbe NONE -certpbe NONE -inkey ec-p256-pkcs8.pem -in ec-p256.crt -passout pass: -out openssl-plain.p12
openssl pkcs12 -export -inkey ec-p256-pkcs8.pem -in ec-p256.crt -passout pass: -out openssl-empty-password.p12
openssl pkcs12 -export -inkey ed25519-pkcs8.pem -in ed25519.crt -passout pass:$PW -out openssl-ed25519.p12
openssl pkcs12 -export -macalg sha384 -inkey ec-p256-pkcs8.pem -in ec-p256.crt -passout pass:$PW -out openssl-mac-sha384.p12
openssl pkcs12 -in openssl-aes.p12 -passin pass:$PW -nodes -out bag-attributes.pem

# Java: two key entries in one keystore, and a key entry plus a trusted certificate.
rm -f java-two-keys.p12 java-trusted.p12
keytool -genkeypair -keystore java-two-keys.p12 -storetype PKCS12 -storepass $PW -alias one -keyalg EC -groupname secp256r1 -dname "CN=one" -validity 36500
keytool -genkeypair -keystore java-two-keys.p12 -storetype PKCS12 -storepass $PW -alias two -keyalg RSA -keysize 2048 -dname "CN=two" -validity 36500
keytool -genkeypair -keystore java-trusted.p12 -storetype PKCS12 -storepass $PW -alias key -keyalg EC -groupname secp256r1 -dname "CN=key" -validity 36500
keytool -importcert -noprompt -keystore java-trusted.p12 -storetype PKCS12 -storepass $PW -alias ca -file ca.crt
