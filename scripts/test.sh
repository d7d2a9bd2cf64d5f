#!/usr/bin/env bash
# The whole Talus test suite: installs what it needs, then runs formatting,
# vet, unit and conformance tests (race detector on the core packages),
# end-to-end tests with real clients, the crash and big-object tests, fuzz
# seed corpora, one short run of every benchmark, and the CLI smoke test.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=0
t0=$(date +%s)
# Each step's heading carries the minutes and seconds since the start, so a
# CI log shows where the time goes.
step() { local t=$(( $(date +%s) - t0 )); printf '\n=== [%d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*"; }
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }

step "install: Debian clients for the smoke test, Chromium for the browser tests, brokers for the notification tests"
need=()
command -v rclone >/dev/null || need+=(rclone)
command -v s3cmd >/dev/null || need+=(s3cmd)
command -v curl >/dev/null || need+=(curl)
command -v bzip2 >/dev/null || need+=(bzip2)
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null || need+=(chromium)
[ -x /usr/bin/aws ] || command -v aws >/dev/null || need+=(awscli)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
command -v redis-server >/dev/null || need+=(redis-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null || fail "apt-get install ${need[*]}"
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq "${need[@]}" >/dev/null || fail "apt-get install ${need[*]}"
  fi
fi

step "check: moto's standalone S3 server (test/replicate replicates to it)"
# Debian has no python3-moto package and PyPI is not reachable here; the
# machine image's python3 ships moto 5.2.1.
python3 -c 'import moto.server' 2>/dev/null || fail "python3 has no moto: TestTalusToMoto will fail (install moto for python3)"

step "install: Go modules"
go mod download || fail "go mod download"

step "console: npm ci and build; the committed build must match the sources"
if (cd console && npm ci --no-audit --no-fund --silent && npm run --silent build -- ../internal/console/dist); then
  git diff --quiet --exit-code -- internal/console/dist && [ -z "$(git ls-files --others --exclude-standard internal/console/dist)" ] ||
    { git status --short internal/console/dist; fail "internal/console/dist is not the build of console/ (run make console and commit)"; }
else
  fail "console build"
fi

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "$unformatted"; fail "gofmt"; fi

step "go vet"
go vet ./... || fail "go vet"

step "CGO_ENABLED=0 build"
CGO_ENABLED=0 go build -o /dev/null ./cmd/talus || fail "CGO_ENABLED=0 build"

step "unit, conformance and fuzz-seed tests with the race detector"
go test -race -count=1 ./internal/... ./cmd/... || fail "race tests"

step "end-to-end, crash and big-object tests; alongside, the end-to-end suite once more on PostgreSQL"
# The two passes wait on processes, clients and round trips more than on
# the CPU (the SQLite pass keeps about one core of two busy), so they run
# at the same time; the PostgreSQL pass's output follows the SQLite one's.
# PostgreSQL is Debian's, in a temporary directory. Behaviour, not
# durability (the crash and scale-out tests keep fsync on): its server
# runs without fsync so that a database per test costs little.
pglog=$(mktemp)
TALUS_TEST_META=postgres TALUS_TEST_PG_FSYNC=off go test -count=1 -timeout 30m ./test/e2e/... >"$pglog" 2>&1 &
pgpid=$!
go test -count=1 -timeout 20m ./test/... || fail "end-to-end tests"
pgstatus=0
wait "$pgpid" || pgstatus=$?
step "end-to-end suite on PostgreSQL (ran alongside the step above)"
cat "$pglog"
rm -f "$pglog"
[ "$pgstatus" = 0 ] || fail "end-to-end tests on PostgreSQL"

step "S3 Metadata tables read back with iceberg-go and DuckDB (test/mdtables, its own module: cgo)"
(cd test/mdtables && go vet ./... && go test -count=1 -timeout 20m ./...) || fail "metadata table tests"

step "benchmarks, once each (they must not rot; no timing is asserted)"
go test -run '^$' -bench . -benchtime 1x ./internal/... >/tmp/talus-bench.txt 2>&1 || { cat /tmp/talus-bench.txt; fail "benchmarks"; }

step "smoke test with awscli, rclone and s3cmd"
bash test/smoke/smoke.sh || fail "smoke test"

step "done"
if [ "$failed" -gt 0 ]; then
  echo "test suite: $failed step(s) failed"
  exit 1
fi
echo "test suite: all steps passed"
