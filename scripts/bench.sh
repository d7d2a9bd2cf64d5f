#!/usr/bin/env bash
# The standard talus bench set: builds bin/talus, starts a server on a fresh
# temporary data directory and a free port, runs each workload against it
# (printing its table and the server's RSS), then stops the server and
# removes the data.
#
#   bash scripts/bench.sh            # ~15 s per workload, list over 100,000 keys
#   bash scripts/bench.sh --quick    # ~5 s per workload, list over 20,000 keys
#   DURATION=30s LIST_KEYS=200000 bash scripts/bench.sh
#
# Every run uses --keep: the data directory is thrown away at the end, so
# deleting objects one run at a time would only spend the time budget.
# Each run has its own key prefix.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-15s}
list_keys=${LIST_KEYS:-100000}
if [ "${1:-}" = "--quick" ]; then
  duration=${DURATION:-5s}
  list_keys=${LIST_KEYS:-20000}
fi

go build -o bin/talus ./cmd/talus

tmp=$(mktemp -d "${TMPDIR:-/tmp}/talus-bench.XXXXXX")
export TALUS_ROOT_ACCESS_KEY=talus-bench-admin
export TALUS_ROOT_SECRET_KEY=talus-bench-secret-key-not-for-production
bin/talus server --data "$tmp/data" --address 127.0.0.1:0 --log-level info 2>"$tmp/server.log" &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

endpoint=""
for _ in $(seq 100); do
  endpoint=$(sed -n 's/.*msg="talus listening" endpoint=\([^ ]*\).*/\1/p' "$tmp/server.log")
  [ -n "$endpoint" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    cat "$tmp/server.log"
    echo "bench.sh: the server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$endpoint" ]; then
  cat "$tmp/server.log"
  echo "bench.sh: no endpoint in the server log" >&2
  exit 1
fi

echo "talus bench: $(nproc) CPU(s), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(go version | cut -d' ' -f3), data on $(df -hT "$tmp" | awk 'NR==2 {print $2}')"
echo "server: pid $server_pid, $endpoint, idle RSS $(awk '/^VmRSS/ {print $2, $3}' /proc/$server_pid/status)"

run() {
  echo
  echo "\$ talus bench $*"
  bin/talus bench "$@" --endpoint "$endpoint" --server-pid "$server_pid" --keep
}

run put           --size 4KiB  --concurrency 16 --duration "$duration" --prefix put-4k/
run get           --size 4KiB  --concurrency 16 --duration "$duration" --prefix get-4k/ --objects 1000
run put           --size 16MiB --concurrency 4  --duration "$duration" --prefix put-16m/
run get           --size 16MiB --concurrency 4  --duration "$duration" --prefix get-16m/ --objects 16
run multipart-put --size 64MiB --part-size 5MiB --concurrency 4 --duration "$duration" --prefix mpu/
run list          --size 0 --objects "$list_keys" --prepare-concurrency 64 --concurrency 4 --duration "$duration" --prefix list/

echo
echo "server peak RSS over the whole set (VmHWM): $(awk '/^VmHWM/ {print $2, $3}' /proc/$server_pid/status)"
