# Talus: build, test, benchmark.
.PHONY: build test bench bench-quick console

build:
	go build -buildvcs=true -o bin/talus ./cmd/talus

# The web console: npm ci and the esbuild build into internal/console/dist,
# which the binary embeds. Commit the result with the sources.
console:
	cd console && npm ci --no-audit --no-fund && npm run build

# The whole suite (installs the client tools it needs; see scripts/test.sh).
test:
	bash scripts/test.sh

# The standard benchmark set, under 5 minutes on 2 cores: the Go
# micro-benchmarks, then talus bench against a fresh local server.
bench:
	go test -run '^$$' -bench . -benchtime 200ms ./internal/...
	bash scripts/bench.sh

# The same talus bench set, shorter runs and fewer list keys (~1 minute).
bench-quick:
	bash scripts/bench.sh --quick
