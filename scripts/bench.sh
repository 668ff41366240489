#!/usr/bin/env bash
# `npm run bench [-- <name> ...]`: build, start a Kafka broker of its own (KAFKA_PORT), run the named benchmarks
# (all without names) and rewrite their sections of docs/benchmarks.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export KAFKA_PORT=${KAFKA_PORT:-29092}
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
npm run build --silent
# The previous bench's PostgreSQL and hub folders (1–2 GB), kept until this one starts.
rm -rf .test-runs/bench-*
bash scripts/kafka.sh start >/dev/null
trap 'bash scripts/kafka.sh stop >/dev/null 2>&1 || true' EXIT
# The broker's pid, for the benches that count its CPU (scripts/kafka.sh keeps it there).
export BENCH_KAFKA_PID_FILE=${KAFKA_HOME:-$ROOT/.cache/kafka}/run-$KAFKA_PORT/kafka.pid
node dist/bench/run.js "$@"
