# ssfgraph — everyday tasks. `make help` lists them.
#
# run, test and bench use $NEO4J_URI when it is set; otherwise they start the local Neo4j
# (tools/neo4j/neo4j.sh: Neo4j 5.26 on bolt://127.0.0.1:7687, data in .neo4j/) and leave it
# running for fast reruns. `make neo4j-stop` stops it.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NEO4J := tools/neo4j/neo4j.sh

# Shell prefix for recipes that need Neo4j: keep NEO4J_URI, or start the local Neo4j and take the
# URI from the last line of its output (NEO4J_URI=bolt://...).
define use_neo4j
local_neo4j=; \
if [ -z "$${NEO4J_URI:-}" ]; then \
	local_neo4j=1; \
	out=$$($(NEO4J) start); printf '%s\n' "$$out"; \
	NEO4J_URI=$$(printf '%s\n' "$$out" | sed -n 's/^NEO4J_URI=//p' | tail -n 1); \
else \
	echo "using NEO4J_URI=$$NEO4J_URI from the environment"; \
fi; \
export NEO4J_URI;
endef

.PHONY: help run test bench bench-go fuzz generate check neo4j-start neo4j-stop

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: ## start the local Neo4j unless NEO4J_URI is set (then load the demo and print its tokens), then the server
	@$(use_neo4j) if [ -n "$$local_neo4j" ]; then \
		go run ./cmd/ssfgraph seed --demo || echo "loading the demo failed (see above); serving anyway"; \
	fi; \
	go run ./cmd/ssfgraph serve

test: ## start the local Neo4j unless NEO4J_URI is set, then all tests with -race
	@$(use_neo4j) go test -race -count=1 -timeout 30m ./...

# make bench runs its own Neo4j (home .neo4j-bench, Bolt port BENCH_NEO4J_PORT) with APOC, so that the shared
# one on 7687 stays untouched; it is left running for reruns (stop it: NEO4J_LOCAL_HOME=.neo4j-bench
# NEO4J_LOCAL_PORT=7697 tools/neo4j/neo4j.sh stop). BENCH_FLAGS go to ssfbench (README, Benchmarks).
BENCH_NEO4J_PORT ?= 7697
BENCH_FLAGS ?=

bench: ## ssfgraph against the raw-Cypher floor and @neo4j/graphql on a Neo4j of its own; writes BENCHMARKS.md
	@command -v node >/dev/null || { echo "make bench needs Node 20 and npm for the @neo4j/graphql peer"; exit 1; }
	@export NEO4J_LOCAL_HOME=.neo4j-bench NEO4J_LOCAL_PORT=$(BENCH_NEO4J_PORT); \
	export NEO4J_LOCAL_PLUGINS=$$($(NEO4J) fetch-apoc); \
	if $(NEO4J) status >/dev/null 2>&1 && { [ .neo4j-bench/neo4j.pid -ot "$$NEO4J_LOCAL_PLUGINS" ] || \
		! tr '\0' ' ' <"/proc/$$(cat .neo4j-bench/neo4j.pid)/cmdline" | grep -qF "$$NEO4J_LOCAL_PLUGINS/*"; }; then \
		echo "restarting the bench Neo4j to load $$NEO4J_LOCAL_PLUGINS"; $(NEO4J) stop; \
	fi; \
	$(NEO4J) start 'dbms.security.procedures.unrestricted=apoc.*'; \
	if [ ! bench/peer/node_modules/.ci-done -nt bench/peer/package-lock.json ]; then \
		(cd bench/peer && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.ci-done); \
	fi; \
	go run ./cmd/ssfbench --neo4j-uri bolt://127.0.0.1:$(BENCH_NEO4J_PORT) --neo4j-pid $$(cat .neo4j-bench/neo4j.pid) $(BENCH_FLAGS)

bench-go: ## start the local Neo4j unless NEO4J_URI is set, then the Go benchmarks (go test -bench)
	@$(use_neo4j) go test -run '^$$' -bench . -benchmem ./...

FUZZTIME ?= 5s

fuzz: ## run every ingest fuzz target for $(FUZZTIME) each (go test -fuzz)
	@# A run that fails with "context deadline exceeded" and writes no crasher is the fuzzing engine
	@# losing a worker on a loaded machine (golang/go#48127 and kin), not a finding: it is run once more.
	@for t in $$(go test -list '^Fuzz' ./ingest/ | grep '^Fuzz'); do \
		echo "fuzz $$t"; \
		for try in 1 2; do \
			before=$$( (ls ingest/testdata/fuzz/$$t 2>/dev/null || true) | wc -l); \
			if go test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s ./ingest/ >fuzz.out 2>&1; then cat fuzz.out; rm -f fuzz.out; break; fi; \
			cat fuzz.out; after=$$( (ls ingest/testdata/fuzz/$$t 2>/dev/null || true) | wc -l); \
			if [ $$try = 1 ] && [ "$$before" = "$$after" ] && grep -q 'context deadline exceeded' fuzz.out; then \
				echo "fuzz $$t: the engine lost a worker (no crasher written); running it again"; continue; fi; \
			rm -f fuzz.out; exit 1; \
		done; \
	done

generate: ## regenerate code (gqlgen)
	go generate ./...

check: ## gofmt, go vet, and generated code up to date (go generate + git diff)
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt -w needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go generate ./...
	git diff --exit-code

neo4j-start: ## start the local Neo4j (idempotent); prints NEO4J_URI=...
	@$(NEO4J) start

neo4j-stop: ## stop the local Neo4j
	@$(NEO4J) stop
