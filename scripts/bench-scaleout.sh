#!/usr/bin/env bash
# Scale-out throughput: 1, 2 and 3 talus gateways on one PostgreSQL
# database (Debian's, started in a temporary directory) and one blob
# directory, driven by one talus bench whose connections go to each
# gateway in turn (--endpoint repeated); then the same workloads on one
# server with the embedded SQLite store, for comparison.
#
#   bash scripts/bench-scaleout.sh            # 10 s per workload
#   DURATION=30s bash scripts/bench-scaleout.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-10s}
go build -o bin/talus ./cmd/talus

pgbin=${TALUS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$pgbin/initdb" ] || { echo "bench-scaleout.sh: PostgreSQL not found (apt-get install postgresql)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/talus-scaleout.XXXXXX")
chmod 0711 "$tmp"
pids=()
pgrun=()
if [ "$(id -u)" = 0 ]; then pgrun=(setpriv --reuid=nobody --regid=nogroup --clear-groups); fi
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  [ -f "$tmp/pg/postmaster.pid" ] && "${pgrun[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/pg" && [ "$(id -u)" = 0 ] && chown nobody "$tmp/pg"
"${pgrun[@]}" "$pgbin/initdb" -D "$tmp/pg" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${pgrun[@]}" "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -o "-p $pgport -k $tmp/pg -c listen_addresses=127.0.0.1" -w start >/dev/null

export TALUS_ROOT_ACCESS_KEY=talus-bench-admin
export TALUS_ROOT_SECRET_KEY=talus-bench-secret-key-not-for-production
head -c 32 /dev/urandom >"$tmp/master.key"

# start_gateway NAME ARGS...: starts a server, sets $endpoint.
start_gateway() {
  local name=$1; shift
  mkdir -p "$tmp/$name/keys" && cp "$tmp/master.key" "$tmp/$name/keys/master.key"
  bin/talus server --data "$tmp/$name" --address 127.0.0.1:0 --console-address off --log-level info "$@" 2>"$tmp/$name.log" &
  pids+=($!)
  endpoint=""
  for _ in $(seq 300); do
    endpoint=$(sed -n 's/.*msg="talus listening" endpoint=\([^ ]*\).*/\1/p' "$tmp/$name.log")
    [ -n "$endpoint" ] && return
    sleep 0.1
  done
  cat "$tmp/$name.log"; echo "bench-scaleout.sh: gateway $name did not start" >&2; exit 1
}

workloads() {
  local tag=$1; shift
  local eps=()
  for e in "$@"; do eps+=(--endpoint "$e"); done
  for w in "put 4KiB 32" "get 4KiB 32" "put 1MiB 8" "get 1MiB 8"; do
    set -- $w
    echo
    echo "\$ talus bench $1 --size $2 --concurrency $3 --duration $duration ${eps[*]}"
    bin/talus bench "$1" --size "$2" --concurrency "$3" --duration "$duration" --objects 500 \
      --prefix "$tag-$1-$2/" --keep "${eps[@]}"
  done
}

echo "bench-scaleout: $(nproc) CPU(s), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $("$pgbin/postgres" --version)"
dsn="postgres://postgres@127.0.0.1:$pgport/postgres?sslmode=disable"
eps=()
for n in 1 2 3; do
  start_gateway "gw$n" --meta "$dsn" --blobs "$tmp/blobs"
  eps+=("$endpoint")
  echo
  echo "=== $n gateway(s) on PostgreSQL, blobs in $tmp/blobs"
  workloads "pg$n" "${eps[@]}"
done
for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
pids=()

start_gateway sqlite
echo
echo "=== 1 server on the embedded SQLite store"
workloads sqlite "$endpoint"
