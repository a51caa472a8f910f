#!/usr/bin/env bash
# Makes what the SASL_SSL broker of docker-compose.sasl.yml and its clients need, once: a CA of this installation, the
# broker's key store (its certificate signed by that CA for the broker's host name), a trust store holding the CA, and
# client.properties — the Kafka client settings every ChainPulse service (CHAINPULSE_CONFIG) and kafka-topics.sh
# (--command-config) log in with. Kept on the kafka-certs volume; an existing set is left alone (FORCE=1 makes a new
# one). To use your own CA instead, put broker.p12, truststore.p12 and client.properties on that volume yourself.
# Secrets come from files, never from the command line or the environment:
#   SCRAM_PASSWORD_FILE  the password of the SCRAM user (default /run/secrets/kafka-password)
#   TLS_PASSWORD_FILE    the password of the key and trust stores (default /run/secrets/kafka-tls-password)
set -euo pipefail
CERTS_DIR="${CERTS_DIR:-/certs}"
BROKER_HOST="${BROKER_HOST:-kafka}"
SCRAM_USER="${SCRAM_USER:-chainpulse}"
SCRAM_PASSWORD_FILE="${SCRAM_PASSWORD_FILE:-/run/secrets/kafka-password}"
TLS_PASSWORD_FILE="${TLS_PASSWORD_FILE:-/run/secrets/kafka-tls-password}"
VALIDITY_DAYS="${VALIDITY_DAYS:-825}"

fail() { echo "kafka-certs: $*" >&2; exit 1; }
# A secret file's first line; refused when missing, empty, or holding what would break the JAAS or properties syntax.
secret() {
  [[ -r "$1" ]] || fail "cannot read $2 from $1 (a file with the password on its first line)"
  local value
  IFS= read -r value < "$1" || true
  [[ -n "$value" ]] || fail "$2 in $1 is empty"
  [[ "$value" != *[\"\\]* ]] || fail "$2 in $1 contains \" or \\, which the JAAS configuration cannot quote"
  printf '%s' "$value"
}

if [[ -f "$CERTS_DIR/client.properties" && -z "${FORCE:-}" ]]; then
  echo "kafka-certs: $CERTS_DIR already holds the stores and client.properties (FORCE=1 to make new ones)"
  exit 0
fi
[[ "$SCRAM_USER" =~ ^[A-Za-z0-9._-]+$ ]] || fail "SCRAM_USER '$SCRAM_USER' may hold only letters, digits, '.', '_' and '-'"
scram_password="$(secret "$SCRAM_PASSWORD_FILE" "the SCRAM password")"
secret "$TLS_PASSWORD_FILE" "the key store password" > /dev/null

umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# -storepass:file keeps the password out of the process list
store=(-storetype PKCS12 -storepass:file "$TLS_PASSWORD_FILE")
keytool -genkeypair "${store[@]}" -alias ca -dname "CN=ChainPulse Kafka CA" -keyalg EC -groupname secp256r1 \
  -validity "$VALIDITY_DAYS" -ext bc:c -keystore ca.p12
keytool -exportcert "${store[@]}" -rfc -alias ca -keystore ca.p12 -file ca.pem
keytool -importcert "${store[@]}" -noprompt -alias ca -file ca.pem -keystore truststore.p12
keytool -genkeypair "${store[@]}" -alias broker -dname "CN=$BROKER_HOST" -keyalg EC -groupname secp256r1 \
  -validity "$VALIDITY_DAYS" -keystore broker.p12
keytool -certreq "${store[@]}" -alias broker -keystore broker.p12 -file broker.csr
keytool -gencert "${store[@]}" -rfc -alias ca -keystore ca.p12 -infile broker.csr -outfile broker.pem \
  -validity "$VALIDITY_DAYS" -ext "SAN=dns:$BROKER_HOST,dns:localhost,ip:127.0.0.1" \
  -ext KU=digitalSignature,keyEncipherment -ext EKU=serverAuth,clientAuth
# the CA first: keytool installs a signed reply only when it can build its chain
keytool -importcert "${store[@]}" -noprompt -alias ca -file ca.pem -keystore broker.p12
keytool -importcert "${store[@]}" -alias broker -file broker.pem -keystore broker.p12

# Java properties: ':' '=' and '\' in a value would need escaping; the password check above rules out '\' and '"'.
cat > client.properties <<PROPERTIES
# Kafka client settings of this installation (made by docker/kafka/sasl-certs.sh). Holds the SCRAM password: keep it
# readable only by the services.
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_USER" password="$scram_password";
ssl.truststore.location=$CERTS_DIR/truststore.p12
ssl.truststore.password=$(secret "$TLS_PASSWORD_FILE" "the key store password")
ssl.truststore.type=PKCS12
PROPERTIES

mkdir -p "$CERTS_DIR"
install -m 0444 ca.pem truststore.p12 "$CERTS_DIR/"
install -m 0400 broker.p12 "$CERTS_DIR/"
install -m 0440 client.properties "$CERTS_DIR/"
if [[ $(id -u) -eq 0 && -n "${KAFKA_UID:-}" ]]; then
  # the broker (KAFKA_UID) reads its key store; the services (CLIENTS_GID) and the broker's tools read client.properties
  chown "$KAFKA_UID" "$CERTS_DIR/broker.p12"
  chown "$KAFKA_UID:${CLIENTS_GID:-$KAFKA_UID}" "$CERTS_DIR/client.properties"
fi
echo "kafka-certs: CA, broker key store (CN=$BROKER_HOST), trust store and client.properties in $CERTS_DIR"
