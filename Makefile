# The two commands: `make demo` (the simulated demo) and `make test` (the test suite).
# Both bootstrap everything they need first (idempotent; fast when nothing changed).
SHELL := /bin/bash
RUN := tools/run
PYTEST_ARGS ?=
# Test files run in TEST_WORKERS parallel worker processes (pytest-xdist; a file's tests stay in
# one worker, each worker has its own DDS domain): 2, one per core, takes the suite from about
# 7 to about 4 minutes. TEST_WORKERS=1 runs them one after another.
TEST_WORKERS ?= 2
DEMO_ARGS ?=

.PHONY: setup demo test lint bench clean

setup:
	@bash tools/bootstrap.sh

demo: setup
	@$(RUN) filmnav demo $(DEMO_ARGS)

test: setup lint
	@$(RUN) python -m pytest tests -n $(TEST_WORKERS) --dist loadfile --durations=10 $(PYTEST_ARGS)

lint: setup
	@$(RUN) ruff check src tests benchmarks tools
	@$(RUN) python tools/package_graph.py --check
	@$(RUN) ruff format --check --quiet src tests benchmarks tools

bench: setup
	@for b in sim mapper policy ros; do $(RUN) filmnav bench $$b || exit 1; done

clean:
	rm -rf ros2_ws/build ros2_ws/install ros2_ws/log ros2_ws/.filmnav-build
