#!/usr/bin/env bash
# The broker of docker-compose.sasl.yml: one KRaft node (broker and controller) whose only client listener is SASL_SSL,
# SCRAM-SHA-512 over TLS with the key store sasl-certs.sh made. The broker reaches itself over that listener as the
# SCRAM user; the controller listener is for the node itself. The first start formats the storage with the SCRAM user:
# KRaft keeps SCRAM credentials in the cluster metadata, so they exist before any client can log in to create them.
# Usable outside compose: KAFKA_HOME, CERTS_DIR, DATA_DIR, LISTEN_HOST, ADVERTISED_HOST, SASL_PORT, CONTROLLER_PORT.
set -euo pipefail
KAFKA_HOME="${KAFKA_HOME:-/opt/kafka}"
CERTS_DIR="${CERTS_DIR:-/certs}"
DATA_DIR="${DATA_DIR:-/var/lib/kafka/data}"
CONFIG_DIR="${CONFIG_DIR:-$(mktemp -d)}"
LISTEN_HOST="${LISTEN_HOST:-}"                  # empty: every interface
ADVERTISED_HOST="${ADVERTISED_HOST:-kafka}"     # the name clients reach the broker by; in the certificate's SAN
SASL_PORT="${SASL_PORT:-9094}"
CONTROLLER_PORT="${CONTROLLER_PORT:-9093}"
SCRAM_USER="${SCRAM_USER:-chainpulse}"
SCRAM_PASSWORD_FILE="${SCRAM_PASSWORD_FILE:-/run/secrets/kafka-password}"
TLS_PASSWORD_FILE="${TLS_PASSWORD_FILE:-/run/secrets/kafka-tls-password}"
PARTITIONS="${PARTITIONS:-4}"

fail() { echo "kafka-sasl: $*" >&2; exit 1; }
for f in "$CERTS_DIR/broker.p12" "$CERTS_DIR/truststore.p12" "$SCRAM_PASSWORD_FILE" "$TLS_PASSWORD_FILE"; do
  [[ -r "$f" ]] || fail "cannot read $f (run sasl-certs.sh first, and give the secrets as files)"
done
IFS= read -r scram_password < "$SCRAM_PASSWORD_FILE" || true
IFS= read -r tls_password < "$TLS_PASSWORD_FILE" || true
[[ -n "$scram_password" && -n "$tls_password" ]] || fail "a password file is empty"
jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$SCRAM_USER\" password=\"$scram_password\";"

umask 077
mkdir -p "$DATA_DIR" "$CONFIG_DIR"
config="$CONFIG_DIR/server.properties"
controller_host="${LISTEN_HOST:-localhost}"
cat > "$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$controller_host:$CONTROLLER_PORT
listeners=SASL_SSL://$LISTEN_HOST:$SASL_PORT,CONTROLLER://$controller_host:$CONTROLLER_PORT
advertised.listeners=SASL_SSL://$ADVERTISED_HOST:$SASL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$jaas
ssl.keystore.location=$CERTS_DIR/broker.p12
ssl.keystore.password=$tls_password
ssl.key.password=$tls_password
ssl.keystore.type=PKCS12
ssl.truststore.location=$CERTS_DIR/truststore.p12
ssl.truststore.password=$tls_password
ssl.truststore.type=PKCS12
log.dirs=$DATA_DIR
num.partitions=$PARTITIONS
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES

if [[ ! -f "$DATA_DIR/meta.properties" ]]; then
  cluster_id="$("$KAFKA_HOME/bin/kafka-storage.sh" random-uuid)"
  while [[ "$cluster_id" == -* ]]; do   # the storage tool would read an id starting with '-' as an option
    cluster_id="$("$KAFKA_HOME/bin/kafka-storage.sh" random-uuid)"
  done
  "$KAFKA_HOME/bin/kafka-storage.sh" format -t "$cluster_id" -c "$config" \
    --add-scram "SCRAM-SHA-512=[name=\"$SCRAM_USER\",password=\"$scram_password\"]"
fi
exec "$KAFKA_HOME/bin/kafka-server-start.sh" "$config"
