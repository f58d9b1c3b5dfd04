# incident-repl: `make run` to chat with the embedded local model, `make test` for the whole suite.
SWIFT ?= swift
BIN := $(shell $(SWIFT) build --show-bin-path 2>/dev/null)

.PHONY: setup build run test release bench bench-setup clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build

# Quiet: an analyst sees the REPL, not the compiler (errors still show).
run: setup
	@$(SWIFT) build --quiet
	@$(BIN)/incident-repl $(ARGS)

# Three phases: the unit and loopback tests; the end-to-end tests that drive the built binary
# against loopback servers and tmux; then, one suite at a time, those that run the real local model
# (each llama.cpp server takes both cores while it computes: side by side they starve each other).
# Every process the tests start carries INCIDENT_REPL_TEST_RUN; none may outlive the run.
TEST_RUN := $(shell od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
REAL_MODEL_SUITES := EmbeddedServerTests LocalModelTranscriptTests SmallContextTests CacheAwareTranscriptTests SummarySlotTests
test: setup
	$(SWIFT) build
	$(SWIFT) build --build-tests
	@status=0; export INCIDENT_REPL_TEST_RUN=$(TEST_RUN); \
	$(SWIFT) test --skip-build --skip EndToEndTests || status=$$?; \
	if [ $$status -eq 0 ]; then \
	  $(SWIFT) test --skip-build --filter EndToEndTests $(foreach suite,$(REAL_MODEL_SUITES),--skip $(suite)) || status=$$?; \
	fi; \
	for suite in $(REAL_MODEL_SUITES); do \
	  [ $$status -eq 0 ] || break; \
	  $(SWIFT) test --skip-build --filter "EndToEndTests.$$suite" || status=$$?; \
	done; \
	unset INCIDENT_REPL_TEST_RUN; scripts/check-leftovers.sh $(TEST_RUN) || status=1; \
	exit $$status

release: setup
	$(SWIFT) build -c release --static-swift-stdlib

# Benchmarks (bench/README.md): release build, peers in bench/.venv, hyperfine and GNU time via apt-get.
bench-setup:
	@bench/setup.sh

bench: bench-setup
	$(SWIFT) build -c release --static-swift-stdlib
	python3 bench/run.py $(BENCH_ARGS)

clean:
	rm -rf .build
