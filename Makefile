# The two commands: `make demo` (the simulated demo) and `make test` (the test suite).
# Both bootstrap everything they need first (idempotent; fast when nothing changed).
SHELL := /bin/bash
RUN := tools/run
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: setup demo test bench clean

setup:
	@bash tools/bootstrap.sh

demo: setup
	@$(RUN) filmnav demo $(DEMO_ARGS)

test: setup
	@$(RUN) python -m pytest tests $(PYTEST_ARGS)

bench: setup
	@for b in sim mapper policy ros; do $(RUN) filmnav bench $$b || exit 1; done

clean:
	rm -rf ros2_ws/build ros2_ws/install ros2_ws/log ros2_ws/.filmnav-build
