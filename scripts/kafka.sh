#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) from its Maven Central jars: no Docker here.
#   scripts/kafka.sh fetch   download the broker jars once into .cache/kafka/lib
#   scripts/kafka.sh start   fetch if needed, format, start in the background, wait, create topics
#   scripts/kafka.sh stop    stop the broker started by `start`
#   scripts/kafka.sh status  exit 0 when a broker answers on $KAFKA_BROKERS
# Env: KAFKA_PORT (9092), KAFKA_HOME (.cache/kafka), KAFKA_VERSION (3.9.2); KAFKA_OWNER_PID: the
# process that will stop the broker (`npm run start:distributed`): `start` records it, and refuses
# (exit 3) a broker already running for another owner still alive, instead of sharing it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${KAFKA_HOME:-$ROOT/.cache/kafka}
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=$((PORT + 1))
VERSION=${KAFKA_VERSION:-3.9.2}
LIB=$CACHE/lib
RUN=$CACHE/run-$PORT
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:$PORT}

fetch() {
  if ls "$LIB"/kafka_2.13-*.jar >/dev/null 2>&1 && ls "$LIB"/slf4j-reload4j-*.jar >/dev/null 2>&1; then return 0; fi
  mkdir -p "$CACHE"
  cat >"$CACHE/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.dockyard</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$VERSION</version></dependency>
    <!-- Kafka's POM omits the logging binding its release tarball ships: without it the broker logs nothing -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
  <build><plugins><plugin><groupId>org.apache.maven.plugins</groupId>
    <artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin></plugins></build>
</project>
POM
  echo "kafka: fetching broker $VERSION jars from Maven Central (once)" >&2
  mvn -B -q -f "$CACHE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB" >&2
  ls "$LIB"/kafka_2.13-*.jar "$LIB"/slf4j-reload4j-*.jar >/dev/null
}

configure() {
  mkdir -p "$RUN/data" "$RUN/logs"
  cat >"$RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$RUN/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
PROPS
  cat >"$RUN/log4j.properties" <<'L4J'
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
L4J
}

running() { [ -f "$RUN/kafka.pid" ] && kill -0 "$(cat "$RUN/kafka.pid")" 2>/dev/null; }

# A running broker whose recorded owner is another live process: not ours to use or stop.
refuse_if_owned() {
  [ -n "${KAFKA_OWNER_PID:-}" ] && [ -f "$RUN/owner.pid" ] || return 0
  local owner; owner=$(cat "$RUN/owner.pid")
  if [ "$owner" != "$KAFKA_OWNER_PID" ] && kill -0 "$owner" 2>/dev/null; then
    echo "kafka: the broker on port $PORT is in use by a running process (pid $owner): stop it first, or set KAFKA_PORT" >&2
    return 3
  fi
}

own() {
  if [ -n "${KAFKA_OWNER_PID:-}" ]; then echo "$KAFKA_OWNER_PID" >"$RUN/owner.pid"; fi
}

start() {
  fetch
  if running; then refuse_if_owned || return $?; own; echo "$KAFKA_BROKERS"; return 0; fi
  configure
  local opts="-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true -Dkafka.logs.dir=$RUN/logs -Dlog4j.configuration=file:$RUN/log4j.properties"
  if [ ! -f "$RUN/data/meta.properties" ]; then
    local cid
    cid=$(java -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null)
    # shellcheck disable=SC2086
    java $opts -cp "$LIB/*" kafka.tools.StorageTool format -t "$cid" -c "$RUN/server.properties" --ignore-formatted >/dev/null
  fi
  # shellcheck disable=SC2086
  # (Without the start lock's descriptor, 9: a broker holding it would block every later stop.)
  setsid java $opts -cp "$LIB/*" kafka.Kafka "$RUN/server.properties" >"$RUN/logs/stdout.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/kafka.pid"
  if ! node "$ROOT/scripts/kafka-wait.js"; then
    echo "kafka: not ready; see $RUN/logs" >&2; tail -20 "$RUN/logs/server.log" >&2 || true; stop; return 1
  fi
  own
  echo "$KAFKA_BROKERS"
}

stop() {
  running || { rm -f "$RUN/kafka.pid" "$RUN/owner.pid"; return 0; }
  local pid; pid=$(cat "$RUN/kafka.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$RUN/kafka.pid" "$RUN/owner.pid"
}

# One start or stop per port at a time, one fetch per cache: two launchers started in the same
# instant both found no broker, both started one (the second failed to bind, then took the first's
# answer on the port for its own broker) and both recorded themselves as its owner. Without flock
# (not on macOS) this runs unlocked, as before.
locked() {
  local lock=$1; shift
  mkdir -p "$CACHE"
  if command -v flock >/dev/null 2>&1; then
    (flock 9 && "$@") 9>"$CACHE/$lock.lock"
  else
    "$@"
  fi
}

case "${1:-start}" in
  fetch) locked fetch fetch ;;
  start) locked fetch fetch && locked "run-$PORT" start ;;
  stop) locked "run-$PORT" stop ;;
  wipe) locked "run-$PORT" stop; rm -rf "$RUN" ;;
  status) running ;;
  *) echo "usage: $0 fetch|start|stop|wipe|status" >&2; exit 2 ;;
esac
