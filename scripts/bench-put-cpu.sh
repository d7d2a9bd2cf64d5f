#!/usr/bin/env bash
# Large PUT, two builds side by side: starts a server from BASE and one from
# NEW (talus binaries) on fresh temporary data directories (SSE-S3 is the
# default encryption), then alternates
#   talus bench put --size $SIZE --concurrency $C --duration 5s --payload $PAYLOAD
# against each for ROUNDS rounds (A B, then B A, ...). Per round it prints
# both throughputs, their ratio, and server CPU seconds per GiB stored
# (utime+stime from /proc/PID/stat around the run, bench setup included).
#
#   BASE=/tmp/talus-main NEW=bin/talus bash scripts/bench-put-cpu.sh
#   C=4 PAYLOAD=unsigned ROUNDS=5 BASE=... NEW=... bash scripts/bench-put-cpu.sh
#
# Linux only (/proc). Servers on PORT and PORT+1 (default 9300).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-9300}
C=${C:-1}
SIZE=${SIZE:-16MiB}
PAYLOAD=${PAYLOAD:-streaming}
DUR=${DUR:-5s}
: "${BASE:?set BASE to the baseline talus binary}" "${NEW:?set NEW to the talus binary under test}"
W=$(mktemp -d)
"$BASE" server -data "$W/base" -address 127.0.0.1:$PORT -console-address off >"$W/base.log" 2>&1 &
P0=$!
"$NEW" server -data "$W/new" -address 127.0.0.1:$((PORT + 1)) -console-address off >"$W/new.log" 2>&1 &
P1=$!
trap 'kill $P0 $P1 2>/dev/null; wait $P0 $P1 2>/dev/null || true' EXIT
. scripts/bench-pair.sh # the cd above makes the repository the working directory
pair_started

for r in $(seq 1 "$ROUNDS"); do
	order="base new"
	if [ $((r % 2)) = 0 ]; then order="new base"; fi
	for which in $order; do
		port=$PORT pid=$P0
		if [ $which = new ]; then port=$((PORT + 1)) pid=$P1; fi
		c0=$(cputicks $pid)
		TALUS_ROOT_ACCESS_KEY=$(key "$W/$which.log") TALUS_ROOT_SECRET_KEY=$(secret "$W/$which.log") \
			"$NEW" bench put --size "$SIZE" --concurrency "$C" --duration "$DUR" --payload "$PAYLOAD" \
			--endpoint "http://127.0.0.1:$port" --json >"$W/$which-$r.json"
		echo $(($(cputicks $pid) - c0)) >"$W/$which-$r.server"
	done
done

python3 - "$W" "$ROUNDS" "$(getconf CLK_TCK)" <<'PY'
import json, sys
w, rounds, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ratios, cpu = [], {"base": [], "new": []}
for r in range(1, rounds + 1):
    row = {}
    for which in ("base", "new"):
        j = json.load(open(f"{w}/{which}-{r}.json"))
        gib = j["bytes"] / 2**30
        row[which] = (j["mib_per_s"], int(open(f"{w}/{which}-{r}.server").read()) / hz / gib)
        cpu[which].append(row[which][1])
    ratios.append(row["new"][0] / row["base"][0])
    print(f"round {r}: base {row['base'][0]:.0f} MiB/s, new {row['new'][0]:.0f} MiB/s, ratio {ratios[-1]:.2f}; "
          f"server cpu-s/GiB base {row['base'][1]:.2f}, new {row['new'][1]:.2f}")
med = lambda v: sorted(v)[len(v) // 2]
print(f"median ratio {med(ratios):.2f} (range {min(ratios):.2f}-{max(ratios):.2f}); "
      f"median cpu-s/GiB base {med(cpu['base']):.2f}, new {med(cpu['new']):.2f}; results in {w}")
PY
