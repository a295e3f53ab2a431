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

.PHONY: help run test bench fuzz generate check neo4j-start neo4j-stop

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: ## start the local Neo4j unless NEO4J_URI is set (then load the demo and print its tokens), then the server
	@$(use_neo4j) if [ -n "$$local_neo4j" ]; then \
		go run ./cmd/ssfgraph seed --demo || echo "loading the demo failed (see above); serving anyway"; \
	fi; \
	go run ./cmd/ssfgraph serve

test: ## start the local Neo4j unless NEO4J_URI is set, then all tests with -race
	@$(use_neo4j) go test -race -count=1 -timeout 30m ./...

bench: ## start the local Neo4j unless NEO4J_URI is set, then the benchmarks
	@$(use_neo4j) go test -run '^$$' -bench . -benchmem ./...

FUZZTIME ?= 5s

fuzz: ## run every ingest fuzz target for $(FUZZTIME) each (go test -fuzz)
	@for t in $$(go test -list '^Fuzz' ./ingest/ | grep '^Fuzz'); do \
		echo "fuzz $$t"; \
		go test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s ./ingest/ || exit 1; \
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
