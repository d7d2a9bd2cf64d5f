# Sourced by the scripts that run one workload against two servers side by
# side (bench-put-cpu.sh, bench-sse-get.sh): after the scripts start the
# two servers as $P0 and $P1 with their logs in $W, pair_started waits for
# both, and the helpers read a server's generated credentials from its log
# and a process's CPU ticks (utime+stime).

pair_started() {
	sleep 2
	for p in $P0 $P1; do
		kill -0 "$p" 2>/dev/null || { cat "$W"/*.log >&2; echo "a server did not start (port in use? set PORT)" >&2; exit 1; }
	done
}
key() { awk '/access key/ {print $3}' "$1"; }
secret() { awk '/secret key/ {print $3}' "$1"; }
cputicks() { awk '{print $14+$15}' "/proc/$1/stat"; }
