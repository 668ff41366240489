#!/usr/bin/env bash
# Runs the hub distributed on this machine: every app its own Node process, Kafka between them.
# Needs `npm run build`, a broker (scripts/kafka.sh start) and DATABASE_URL (or per-service URLs).
# Ctrl-C stops them all.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${DATABASE_URL:?set DATABASE_URL (or the per-service *_DATABASE_URL variables)}"
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
# Each app its own /healthz, /readyz and /metrics port: 9401..9406 in this order (HEALTH_PORT_BASE).
health=${HEALTH_PORT_BASE:-9401}
for app in projector accounts repositories images tokens gateway; do
  HEALTH_PORT=$health node "$ROOT/dist/apps/$app/src/main.js" &
  pids+=($!)
  health=$((health + 1))
done
wait -n
