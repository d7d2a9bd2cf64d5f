#!/usr/bin/env bash
# Encrypted versus plaintext large GET, side by side: starts a plaintext
# server (--default-encryption none) and an SSE-S3 server (the default) on
# fresh temporary data directories, then alternates
#   talus bench get --size 16MiB --concurrency 4 --duration 5s --objects 16
# against each for ROUNDS rounds. Per round it prints both throughputs, their
# ratio, and CPU seconds per GiB served of each server (utime+stime from
# /proc, including the bench's prepare and cleanup) and of the client. With
# PROFILE=1 the first round also saves a 3 s CPU profile of each server
# (--pprof) next to the results.
#
#   bash scripts/bench-sse-get.sh                 # 3 rounds, bin/talus
#   ROUNDS=5 TALUS=/path/to/talus PROFILE=1 bash scripts/bench-sse-get.sh
#
# Linux only (/proc). Servers on PORT and PORT+1 (default 9200), pprof on
# PORT+100 and PORT+101.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-9200}
BIN=${TALUS:-bin/talus}
if [ -z "${TALUS:-}" ]; then
	CGO_ENABLED=0 go build -o bin/talus ./cmd/talus
fi
W=$(mktemp -d)
"$BIN" server -data "$W/plain" -address 127.0.0.1:$PORT -default-encryption none -console-address off -pprof 127.0.0.1:$((PORT + 100)) >"$W/plain.log" 2>&1 &
P0=$!
"$BIN" server -data "$W/sse" -address 127.0.0.1:$((PORT + 1)) -console-address off -pprof 127.0.0.1:$((PORT + 101)) >"$W/sse.log" 2>&1 &
P1=$!
trap 'kill $P0 $P1 2>/dev/null; wait $P0 $P1 2>/dev/null || true' EXIT
. scripts/bench-pair.sh # the cd above makes the repository the working directory
pair_started

for r in $(seq 1 "$ROUNDS"); do
	for which in plain sse; do
		port=$PORT pid=$P0
		if [ $which = sse ]; then port=$((PORT + 1)) pid=$P1; fi
		prof=
		if [ -n "${PROFILE:-}" ] && [ "$r" = 1 ]; then
			(sleep 2; curl -s -o "$W/$which.pprof" "http://127.0.0.1:$((port + 100))/debug/pprof/profile?seconds=3") &
			prof=$!
		fi
		c0=$(cputicks $pid)
		TIMEFORMAT=%U+%S
		{ time TALUS_ROOT_ACCESS_KEY=$(key "$W/$which.log") TALUS_ROOT_SECRET_KEY=$(secret "$W/$which.log") \
			"$BIN" bench get --size 16MiB --concurrency 4 --duration 5s --objects 16 \
			--endpoint "http://127.0.0.1:$port" --json >"$W/$which-$r.json"; } 2>"$W/$which-$r.client"
		echo $(($(cputicks $pid) - c0)) >"$W/$which-$r.server"
		if [ -n "$prof" ]; then wait "$prof"; fi
	done
done

python3 - "$W" "$ROUNDS" "$(getconf CLK_TCK)" <<'PY'
import json, sys
w, rounds, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ratios = []
for r in range(1, rounds + 1):
    row = {}
    for which in ("plain", "sse"):
        j = json.load(open(f"{w}/{which}-{r}.json"))
        gib = j["bytes"] / 2**30
        server = int(open(f"{w}/{which}-{r}.server").read()) / hz / gib
        client = eval(open(f"{w}/{which}-{r}.client").read().strip().splitlines()[-1]) / gib
        row[which] = (j["mib_per_s"], server, client)
    ratios.append(row["sse"][0] / row["plain"][0])
    print(f"round {r}: plain {row['plain'][0]:.0f} MiB/s, SSE-S3 {row['sse'][0]:.0f} MiB/s, ratio {ratios[-1]:.2f}; "
          f"cpu-s/GiB server {row['plain'][1]:.2f} / {row['sse'][1]:.2f}, client {row['plain'][2]:.2f} / {row['sse'][2]:.2f}")
print(f"ratio {min(ratios):.2f}-{max(ratios):.2f}; results and profiles in {w}")
PY
